"""我的单位 tab: a region's member units (its in-force plan's own annex), one unit's duties (a checklist
of verbatim sentences), the clauses naming it, its taskforce member."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.briefing import plan_document, unit_sheet_markdown
from assistant.answer.compose import unit_profile
from assistant.api.units.units_service import find_plan, plan_units
from assistant.domain.units import Unit, units_in
from assistant.ui.files import fresh_dir
from assistant.ui.text import blockquote, inert

NOT_FOUND = "索引中没有找到该单位的职责条款。"
SEARCH_HINT = "可输入单位全称或简称，例如{examples}。"
CSS = """
#unit-pick .wrap { gap: 6px; }
"""


@dataclass(frozen=True)
class UnitView:
    heading: str  # markdown above the checklist
    duties: list[str]  # checklist choices: each duty sentence verbatim
    details: str  # markdown: other clauses, taskforce member
    sheet: str  # the downloadable Markdown duty sheet


def region_units(index, region: str = "") -> tuple[Unit, ...]:
    """The units of a region's in-force plan (default: the home plan); none when it has no such plan."""
    plan = find_plan(index, region)
    return plan_units(plan) if plan else ()


def unit_view(assistant, unit: str, region: str = "") -> UnitView | None:
    index = assistant.index
    plan = find_plan(index, region)
    profile = unit_profile(index, unit, plan.doc_id) if unit and plan else None
    if profile is None:
        return None
    heading = (f"### {inert(unit)}\n依据：《{inert(profile.duty.doc_title)}》{inert(profile.duty.label)}。"
               f"下列职责为原文逐句摘录，可勾选已落实的事项（勾选只在本页面有效）。")
    details = ["#### 方案中提到本单位的其他条款"]
    if profile.mentions:
        for c in profile.mentions:
            details += [f"**{inert(c.label)}**", blockquote(c.quote), ""]
    else:
        details.append("（无）")
    details.append("#### 在工作专班中的成员")
    details += [f"{blockquote(c.quote)}\n" for c in profile.members] or ["名单中未列出本单位成员。"]
    sheet = unit_sheet_markdown(profile, plan_document(index, plan.region))
    return UnitView(heading, [c.quote for c in profile.items], "\n".join(details), sheet)


def sheet_filename(unit: str) -> str:
    """A file name from a unit in the fixed list; anything unusual is replaced, never a path."""
    return re.sub(r"[^\w\u4e00-\u9fff]", "_", unit)[:40] + "职责清单.md"


def write_sheet(view: UnitView, unit: str, out_root: Path) -> Path:
    path = fresh_dir(out_root) / sheet_filename(unit)
    path.write_text(view.sheet, encoding="utf-8")
    return path


def matching_units(units: tuple[Unit, ...], text: str) -> list[str]:
    """Units for what was typed in the picker's search box, in the annex's order: every unit the text
    names the way chat resolves it (住建 → 市住房和城乡建设局, 派出所 → 市公安局), then every unit one of
    whose names contains the text (财政 → 市财政局). Empty text: all of them."""
    text = (text or "").strip()
    if not text:
        return [u.name for u in units]
    named = set(u.name for u in units_in(units, text))
    return [u.name for u in units if u.name in named or any(text in alias for alias in (u.name, *u.aliases))]


def search_examples(units: tuple[Unit, ...], count: int = 3) -> list[str]:
    """Short names to suggest typing: the shortest alias of each of the first units (财政, 人社 …)."""
    return [min((a for a in (u.name, *u.aliases) if len(a) >= 2), key=len) for u in units[:count]]


def search_placeholder(units: tuple[Unit, ...]) -> str:
    return "输入单位名称或简称，例如：" + "、".join(search_examples(units))


def search_hint(text: str, found: list[str], units: tuple[Unit, ...] = ()) -> str:
    """What the picker says under the search box: never silent, so an empty list is explained."""
    hint = SEARCH_HINT.format(examples="".join(f"“{inert(e)}”" for e in search_examples(units)) or "单位名称")
    if not (text or "").strip():
        return hint
    if not found:
        return f"没有找到与“{inert(text.strip())}”对应的单位。{hint}"
    return f"找到 {len(found)} 个单位" + ("，已为您选中。" if len(found) == 1 else "，请在下面点选。")
