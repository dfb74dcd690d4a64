"""What changed between a document and the older version it replaced ("新方案改成哪年了",
"学位目标比老版本多了多少", "新版专班里新加了哪个单位").

Both texts are in the index (the old one only out of retrieval), so the change is read from them,
not typed anywhere: their sentences are aligned (a sentence found word for word in both, its
numbering aside, is unchanged; otherwise it is paired with its most similar counterpart), a changed
pair is narrowed to the clauses (，-parts) that differ, and the changes whose clauses the question's
topic names are quoted from both versions. Units are compared by the documents' own unit tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from assistant.answer.compose import Draft, chunk_citation, find_quote, overlap, span_citation, unit_chunk
from assistant.answer.text import sentences
from assistant.index.store import LoadedIndex
from assistant.models import DocumentProfile

PAIR_MIN_RATIO = 0.5  # below this, two sentences are an addition and a removal, not one sentence changed
TOPIC_MIN = 0.75  # a document the question did not name answers only a change its words (or figures) name
MAX_LISTED = 8  # a question with no topic ("新旧方案有啥变化") lists this many changes
ENUMERATION = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*|^\d+[.．、](?!\d)\s*")  # renumbering is no change
CLAUSE = re.compile(r"[^，,]+[，,]?")  # "组  长：韩志远…" keeps its label
DATE_LINE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")

Span = tuple[str, int, int]  # text, absolute start, absolute end


@dataclass(frozen=True)
class Change:
    new: Span | None  # the changed part in the newer text (a clause run, or a whole added sentence)
    old: Span | None
    context: str = ""  # the sentences it stands in, both versions, spaces out: what it is about

    def about(self, topic: list[str], figures: tuple[str, ...] = ()) -> float:
        """How much of the topic the change names: its own clauses first, its sentences' words half;
        a figure the question states ("原来说三千个") in its clauses outweighs words."""
        own = max((overlap(topic, part[0]) for part in (self.new, self.old) if part), default=0.0)
        said = any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d.])", part[0])  # 23 is not the 23 of 2023
                   for part in (self.new, self.old) if part for f in figures)
        return own + 0.5 * overlap(topic, self.context) + (2.0 if said else 0.0)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", ENUMERATION.sub("", text))


def _clauses(sent: Span) -> list[Span]:
    text, start, _ = sent
    return [(m.group(0), start + m.start(), start + m.end()) for m in CLAUSE.finditer(text) if m.group(0).strip()]


def _narrowed(new: Span, old: Span) -> Change | None:
    """The run of clauses where two versions of a sentence differ; None when only numbering inside differs."""
    a, b = _clauses(new), _clauses(old)
    ops = [op for op in SequenceMatcher(None, [_key(c[0]) for c in a], [_key(c[0]) for c in b]).get_opcodes()
           if op[0] != "equal"]
    if not ops:
        return None
    i1, i2, j1, j2 = ops[0][1], ops[-1][2], ops[0][3], ops[-1][4]

    def span(parts: list[Span], lo: int, hi: int, whole: Span) -> Span:
        if lo >= hi:
            return whole
        s, e = parts[lo][1], parts[hi - 1][2]
        text = whole[0][s - whole[1]:e - whole[1]].rstrip("，,")
        return text, s, s + len(text)

    return Change(span(a, i1, i2, new), span(b, j1, j2, old), _key(new[0]) + _key(old[0]))


@lru_cache(maxsize=16)  # the two texts of a county's versions, asked about again and again
def changes(new_text: str, old_text: str) -> tuple[Change, ...]:
    """The parts that differ, in the newer document's order (removals last)."""
    new = [s for s in sentences(new_text) if _key(s[0])]
    old = [s for s in sentences(old_text) if _key(s[0])]
    new_keys, old_keys = {_key(s[0]) for s in new}, {_key(s[0]) for s in old}
    free = [s for s in old if _key(s[0]) not in new_keys]
    out = []
    for sent in (s for s in new if _key(s[0]) not in old_keys):
        ratio, match = max(((SequenceMatcher(None, _key(sent[0]), _key(o[0])).ratio(), o) for o in free),
                           default=(0.0, None), key=lambda rm: rm[0])
        if match is not None and ratio >= PAIR_MIN_RATIO:
            free.remove(match)
            narrowed = _narrowed(sent, match)
            if narrowed is not None:
                out.append(narrowed)
        else:
            out.append(Change(sent, None, _key(sent[0])))
    return (*out, *(Change(None, o, _key(o[0])) for o in free))


def predecessor(index: LoadedIndex, profile: DocumentProfile) -> DocumentProfile | None:
    """The newest document this one replaced."""
    older = [p for p in index.profiles.values() if p.superseded_by == profile.doc_id and p.doc_id in index.docs]
    return max(older, key=lambda p: p.date, default=None)


def _header_only(change: Change, new: DocumentProfile, old: DocumentProfile) -> bool:
    """A change of 文号 or date: the answer's first line already says which replaced which."""
    parts = [c[0].strip() for c in (change.new, change.old) if c]
    return all(p in (new.doc_number, old.doc_number) or DATE_LINE.fullmatch(p) for p in parts)


def compose_change(index: LoadedIndex, topic: list[str], new: DocumentProfile, units: bool,
                   unit_names: list[str] = (), figures: tuple[str, ...] = (), on_topic: bool = False) -> Draft | None:
    """The changes from `new`'s predecessor that the question's `topic` (its words, the change words
    left out) names — all, up to MAX_LISTED, when it names none — each quoted from both versions;
    with `units` also the units one version lists and the other does not, and the lines that name
    them; `unit_names` (a unit the question names) keeps the changes inside that unit's duties;
    `figures` (the numbers the question states) point at the changes that contain them.
    None when `new` replaced nothing, or, with `on_topic` (a document the question did not name),
    when no change meets the topic."""
    old = predecessor(index, new)
    if old is None:
        return None
    found = [c for c in changes(index.docs[new.doc_id].text, index.docs[old.doc_id].text)
             if not _header_only(c, new, old)]
    if unit_names:
        found = [c for c in found if _within_units(index, c, new, old, unit_names)] or found
    scored = [(c.about(topic, figures), c) for c in found]
    best = max((s for s, _ in scored), default=0.0)
    if on_topic and best < TOPIC_MIN:
        return None
    draft = Draft("")
    lines = [f"《{new.name}》（{_numbered(index, draft, new)}）替代了《{old.name}》（{_numbered(index, draft, old)}）。两版相比："]
    unit_lines = _unit_lines(index, draft, new, old) if units else []
    lines += unit_lines
    if unit_lines:  # the roster line and duties that name an added or dropped unit
        named = _unit_difference(new, old)
        chosen = [c for c in found if any(n in c.context for n in named)][:MAX_LISTED]
    elif best > 0:  # the best first, then the document's order
        kept = [c for s, c in sorted(scored, key=lambda sc: -sc[0]) if s >= best * 0.8][:3]
        chosen = [c for c in found if c in kept]
    else:
        chosen = [c for _, c in scored][:MAX_LISTED]
    lines += ["- " + _change_line(index, draft, new, old, c) for c in chosen]
    if len(lines) == 1:
        return None
    draft.body = "\n".join(lines)
    return draft


def _numbered(index: LoadedIndex, draft: Draft, profile: DocumentProfile) -> str:
    """The document's 文号, cited from its own header."""
    cite = find_quote(index, profile.doc_id, profile.doc_number) if profile.doc_number else None
    return f"{profile.doc_number}[{draft.cite(cite)}]" if cite else (profile.doc_number or "无文号")


def _unit_difference(new: DocumentProfile, old: DocumentProfile) -> set[str]:
    return {u.name for u in new.units} ^ {u.name for u in old.units}


def _within_units(index: LoadedIndex, change: Change, new: DocumentProfile, old: DocumentProfile,
                  names: list[str]) -> bool:
    """The change stands in the duty section of one of the named units (in either version)."""
    for profile, part in ((new, change.new), (old, change.old)):
        if part is None:
            continue
        for name in names:
            chunk = unit_chunk(index, name, profile.doc_id)
            if chunk and chunk.start <= part[1] < chunk.end:
                return True
    return False


def _unit_lines(index: LoadedIndex, draft: Draft, new: DocumentProfile, old: DocumentProfile) -> list[str]:
    old_units, new_units = {u.name for u in old.units}, {u.name for u in new.units}
    lines = []
    for name in [u.name for u in new.units if u.name not in old_units]:
        chunk = unit_chunk(index, name, new.doc_id)
        mark = f"[{draft.cite(chunk_citation(index, chunk))}]" if chunk else ""
        lines.append(f"- 新增成员单位：{name}{mark}")
    for name in [u.name for u in old.units if u.name not in new_units]:
        chunk = unit_chunk(index, name, old.doc_id)
        mark = f"[{draft.cite(chunk_citation(index, chunk))}]" if chunk else ""
        lines.append(f"- 不再列入的单位：{name}（原《{old.name}》有）{mark}")
    return lines


def _change_line(index: LoadedIndex, draft: Draft, new: DocumentProfile, old: DocumentProfile, change: Change) -> str:
    def quoted(profile: DocumentProfile, part: Span) -> str:
        cite = span_citation(index, profile.doc_id, part[1], part[2])  # where it stands, not where its words first occur
        if cite is None:
            return f"《{profile.name}》：“{part[0]}”"
        return f"《{profile.name}》{cite.label}：“{cite.quote}”[{draft.cite(cite)}]"

    if change.new and change.old:
        return f"现为 {quoted(new, change.new)}；原为 {quoted(old, change.old)}"
    if change.new:
        return f"新增 {quoted(new, change.new)}"
    return f"删去 {quoted(old, change.old)}"
