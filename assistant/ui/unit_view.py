"""我的单位 tab: a unit's duties (a checklist of verbatim sentences), clauses naming it, its member."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.briefing import plan_document, unit_sheet_markdown
from assistant.ui.files import fresh_dir
from assistant.ui.text import blockquote, inert

NOT_FOUND = "索引中没有找到该单位的职责条款。"


@dataclass(frozen=True)
class UnitView:
    heading: str  # markdown above the checklist
    duties: list[str]  # checklist choices: each duty sentence verbatim
    details: str  # markdown: other clauses, taskforce member
    sheet: str  # the downloadable Markdown duty sheet


def unit_view(assistant, unit: str) -> UnitView | None:
    profile = assistant.unit_profile(unit) if unit else None
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
    sheet = unit_sheet_markdown(profile, plan_document(assistant.index))
    return UnitView(heading, [c.quote for c in profile.items], "\n".join(details), sheet)


def sheet_filename(unit: str) -> str:
    """A file name from a unit in the fixed list; anything unusual is replaced, never a path."""
    return re.sub(r"[^\w\u4e00-\u9fff]", "_", unit)[:40] + "职责清单.md"


def write_sheet(view: UnitView, unit: str, out_root: Path) -> Path:
    path = fresh_dir(out_root) / sheet_filename(unit)
    path.write_text(view.sheet, encoding="utf-8")
    return path
