"""Which documents a question may be answered from: by region, kind and validity, from the profiles.

- `documents_for_region(index, region)`: the usable documents of one region (none: say so).
- `answer_scope(index, region)`: what a question about a region is answered from — that region's
  documents, the rules that apply everywhere (national and provincial), and our own summaries.
- `home_plan(index, region)`: the plan that speaks for a region; by default the home region's
  (Settings.home_region): its newest plan in force.
- `resolve_units(index, text, doc_ids)`: the units `text` names, each within its own document.
- `validity_note(profile, today, profiles)`: the one line an answer resting on a superseded, repealed
  or expired document carries.

"Usable" means in force, unless Settings.include_superseded brings the others back.
"""
from __future__ import annotations

import re
from datetime import date

from assistant.domain.units import Unit, match_units
from assistant.index.store import LoadedIndex
from assistant.ingest.profile import role_rules
from assistant.models import SUMMARY_KIND, DocumentProfile

RULE_KINDS = ("national_rule", "provincial_rule")


def profiles(index: LoadedIndex) -> list[DocumentProfile]:
    """Every indexed document's profile, newest first (an undated document last)."""
    return sorted(index.profiles.values(), key=lambda p: (p.date or "0000", p.doc_id), reverse=True)


def usable(index: LoadedIndex, profile: DocumentProfile) -> bool:
    return profile.in_force or index.settings.include_superseded


def usable_documents(index: LoadedIndex) -> list[str]:
    """Every usable document, newest first."""
    return [p.doc_id for p in profiles(index) if usable(index, p)]


def searchable(index: LoadedIndex) -> set[str]:
    """Documents retrieval looks in by default: every usable one."""
    return set(usable_documents(index))


def documents_for_region(index: LoadedIndex, region: str) -> list[str]:
    """The usable documents of `region`, newest first; [] when the corpus has none for it."""
    return [p.doc_id for p in profiles(index) if p.region == region and usable(index, p)]


def region_aliases(index: LoadedIndex) -> dict[str, str]:
    """What names a region in a question, alias → region: each region's name, and each rule's title,
    short title and its closing words ("县域…督导评估办法" → 督导评估办法, 评估办法) for the rule's region."""
    aliases = {name: name for name in regions(index)}
    words = "|".join(map(re.escape, role_rules()["document_words"]))
    for p in index.profiles.values():
        if p.kind in RULE_KINDS and p.region and usable(index, p):
            title = re.sub(r"[（(][^（()）]*[）)]$", "", p.title)  # "…办法（示例文本）"
            tail = re.search(rf"(?:[\u4e00-\u9fff]{{2}})?[\u4e00-\u9fff]{{2}}(?:{words})$", title)
            names = [p.title, title, p.short_title]
            if tail:
                names += [tail.group(0), tail.group(0)[-4:]]
            aliases.update((n, p.region) for n in names if n and len(n) >= 4)
    return aliases


def regions(index: LoadedIndex) -> set[str]:
    """The regions the indexed documents cover (our own summaries cover none)."""
    return {p.region for p in index.profiles.values() if p.region and p.kind != SUMMARY_KIND}


def home_plan(index: LoadedIndex, region: str = "") -> DocumentProfile | None:
    """The newest in-force plan of `region` (default: the home region). With no region asked and no
    plan of the home region, the newest in-force plan of any region speaks for the corpus."""
    plans = [p for p in profiles(index) if p.kind == "plan" and p.in_force]
    wanted = region or index.settings.home_region
    own = [p for p in plans if p.region == wanted]
    if own or region:
        return own[0] if own else None
    return plans[0] if plans else None


def answer_scope(index: LoadedIndex, region: str = "") -> list[str]:
    """The documents a question about `region` (default: the home plan's) is answered from: the
    region's own, the rules, our summaries, and documents that name no region (a notice dropped into
    the corpus without a sidecar belongs to whoever runs it)."""
    plan = home_plan(index, region)
    place = region or (plan.region if plan else "")
    shared = [p.doc_id for p in profiles(index)
              if (p.kind in RULE_KINDS or p.kind == SUMMARY_KIND or not p.region) and usable(index, p) and p.region != place]
    return documents_for_region(index, place) + shared


def unit_documents(index: LoadedIndex) -> list[str]:
    """The usable documents with units of their own: the home plan first, then the others newest first."""
    home = home_plan(index)
    first = [home.doc_id] if home and home.units else []
    return first + [p.doc_id for p in profiles(index) if p.units and usable(index, p) and p.doc_id not in first]


def resolve_units(index: LoadedIndex, text: str, doc_ids: list[str] | None = None) -> list[tuple[str, Unit]]:
    """(doc_id, unit) for each unit `text` names, each once, left to right. Every document's own table
    is matched; where two documents' aliases cover the same words the longer alias wins (区财政局 is
    the 区's, not 市财政局 of another county), and on a tie the earlier document in `doc_ids`
    (default: the home plan first, then the other usable plans, newest first)."""
    if doc_ids is None:
        doc_ids = unit_documents(index)
    candidates = []  # (start, -length, document rank, doc_id, unit)
    for rank, doc_id in enumerate(doc_ids):
        profile = index.profiles.get(doc_id)
        for m in match_units(profile.units if profile else (), text):
            candidates.append((m.start, -(m.end - m.start), rank, doc_id, m.unit, m.end))
    picked, covered_to, seen = [], -1, set()
    for start, _, _, doc_id, unit, end in sorted(candidates, key=lambda c: c[:3]):
        if start < covered_to:
            continue  # inside a longer (or earlier-ranked) mention already taken
        covered_to = end
        if (doc_id, unit.name) not in seen:
            seen.add((doc_id, unit.name))
            picked.append((doc_id, unit))
    return picked


def named_document(index: LoadedIndex, numbers: list[int], region: str = "") -> DocumentProfile | None:
    """The document a question names by its 文号 ("汶政办字二〇二三年三十一号": every figure of the
    number given) or by its year ("2023年那个方案", among the region's plans), superseded ones
    included; None when no single document fits."""
    given = set(numbers)
    if not given:
        return None
    by_number = numbered_documents(index, numbers)
    if len(by_number) == 1:
        return by_number[0]
    place = region or index.settings.home_region
    by_year = [p for p in profiles(index) if p.kind == "plan" and p.region == place and _year_of(p) in given]
    return by_year[0] if len(by_year) == 1 else None


def numbered_documents(index: LoadedIndex, numbers: list[int]) -> list[DocumentProfile]:
    """Every document whose 文号 the figures give in full ("23号跟2023年31号" names two)."""
    given = set(numbers)
    return [p for p in profiles(index) if p.doc_number
            and (figures := {int(n) for n in re.findall(r"\d+", p.doc_number)}) and figures <= given]


def _year_of(profile: DocumentProfile) -> int:
    """The year of the 文号 (〔2023〕), else of the date."""
    year = re.search(r"〔(\d{4})〕", profile.doc_number) or re.match(r"\d{4}", profile.date)
    return int(year.group(1) if year.re.groups else year.group(0)) if year else 0


def validity_note(profile: DocumentProfile, today: date, known: dict[str, DocumentProfile] | None = None) -> str:
    """One line for an answer resting on this document, or "": superseded (naming its successor),
    repealed, past its validity date, or past the target year it set itself."""
    successor = (known or {}).get(profile.superseded_by) if profile.superseded_by else None
    if profile.status == "被替代" or successor:
        return f"该文件已被《{successor.name}》替代。" if successor else "该文件已被新文件替代。"
    if profile.status == "已废止":
        return "该文件已废止。"
    if profile.valid_until and profile.valid_until < today.isoformat():
        return f"该文件的有效期至{_chinese_date(profile.valid_until)}，已经届满。"
    if profile.kind == "plan" and profile.target_year and int(profile.target_year) < today.year:
        return f"目标年份为{profile.target_year}年。"  # said of the document it is attached to
    return ""


def _chinese_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{year}年{int(month)}月{int(day)}日"
