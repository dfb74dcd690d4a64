"""The conversation as a file: Markdown and Word (.docx, python-docx). Each answer carries its
numbered sources with the document's 文号, date and the section the quote comes from."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from assistant.ui import chat
from assistant.ui.files import fresh_dir

MD_NAME = "政策助手对话.md"
DOCX_NAME = "政策助手对话.docx"
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def conversation_markdown(turns: list[dict], docs: dict | None = None) -> str:
    lines = ["# 政策助手对话记录", "", f"导出时间：{datetime.now().astimezone():%Y-%m-%d %H:%M}", ""]
    for i, turn in enumerate(turns, 1):
        lines += [f"## {i}. {turn['question']}", ""]
        answer = chat.turn_answer(turn)
        if answer is None:
            lines += [chat.ERROR_MESSAGE, ""]
            continue
        lines += [chat.answer_body(answer).strip(), ""]
        steps = chat.missing_steps(answer)
        if steps:
            lines += ["计算过程：", *[f"{n}. {s}" for n, s in enumerate(steps, 1)], ""]
        sources = chat.source_lines(answer, docs)
        if sources:
            lines += ["**来源**", "", *[f"- {s}" for s in sources], ""]
    return "\n".join(lines).rstrip() + "\n"


def _runs(paragraph, text: str) -> None:
    """**bold** spans as bold runs, the rest as plain text."""
    pos = 0
    for m in _BOLD.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        paragraph.add_run(m.group(1)).bold = True
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def conversation_docx(turns: list[dict], docs: dict | None, path: Path) -> Path:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")  # Chinese in a Chinese font
    document.add_heading("政策助手对话记录", level=0)
    document.add_paragraph(f"导出时间：{datetime.now().astimezone():%Y-%m-%d %H:%M}")
    for i, turn in enumerate(turns, 1):
        document.add_heading(f"{i}. {turn['question']}", level=2)
        answer = chat.turn_answer(turn)
        if answer is None:
            document.add_paragraph(chat.ERROR_MESSAGE)
            continue
        body = chat.answer_body(answer).strip().split("\n")
        steps = chat.missing_steps(answer)
        if steps:
            body += ["", "计算过程：", *[f"{n}. {s}" for n, s in enumerate(steps, 1)]]
        for line in body:
            if not line.strip():
                continue
            stripped = line.strip()
            if stripped.startswith(("- ", "* ")):
                _runs(document.add_paragraph(style="List Bullet"), stripped[2:])
            else:
                _runs(document.add_paragraph(), stripped)
        sources = chat.source_lines(answer, docs)
        if sources:
            heading = document.add_paragraph()
            heading.add_run("来源").bold = True
            for line in sources:
                document.add_paragraph(line)
    document.save(path)
    return path


def write_exports(turns: list[dict], docs: dict | None, out_root: Path) -> tuple[Path, Path] | None:
    """Both files in a fresh download folder; None for an empty conversation."""
    if not turns:
        return None
    folder = fresh_dir(out_root)
    md = folder / MD_NAME
    md.write_text(conversation_markdown(turns, docs), encoding="utf-8")
    return md, conversation_docx(turns, docs, folder / DOCX_NAME)
