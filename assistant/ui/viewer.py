"""The document viewer beside the chat: a cited passage in its document, highlighted by the citation's
character offsets into the text the loaded index holds (`Citation.start/end`), with its section path
and the document's 文号 and date.

A [n] button sends only `doc_id:start:end` (chat.citation_ref); the text comes from the index, so
what is highlighted is exactly `doc.text[start:end]`, the citation's quote.
"""
from __future__ import annotations

import html
import re
from urllib.parse import unquote

from assistant.domain.indicators import SUMMARY_LABEL

CONTEXT_CHARS = 1500  # document text shown on each side of the passage, cut at line ends
NOT_FOUND = "找不到这条引文对应的原文（索引可能已更新），请重新提问。"
_REF = re.compile(r"^([^:|]+):(\d{1,9}):(\d{1,9})(?:\|.*)?$")  # "|<click time>" lets the same [n] reopen


def parse_ref(ref: str) -> tuple[str, int, int] | None:
    m = _REF.match((ref or "").strip())
    if not m:
        return None
    return unquote(m.group(1)), int(m.group(2)), int(m.group(3))


def section_path(index, doc_id: str, start: int, end: int) -> list[str]:
    """Headings of the smallest chunk holding the passage."""
    holders = [c for c in index.chunks if c.doc_id == doc_id and c.start <= start and end <= c.end]
    if not holders:
        holders = [c for c in index.chunks if c.doc_id == doc_id and c.start <= start < c.end]
    if not holders:
        return []
    best = min(holders, key=lambda c: c.end - c.start)
    return list(best.section_path) or [best.label]


def window(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> tuple[int, int]:
    """[lo, hi) around [start, end): about `context` characters each side, cut at line boundaries."""
    lo = max(0, start - context)
    if lo > 0:
        nl = text.find("\n", lo, start)
        lo = nl + 1 if nl != -1 else lo
    hi = min(len(text), end + context)
    if hi < len(text):
        nl = text.rfind("\n", end, hi)
        hi = nl if nl != -1 else hi
    return lo, hi


def passage(index, ref: str) -> dict | None:
    """The passage a [n] points at: document facts, section, and the text around it (None: unknown)."""
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    doc_id, start, end = parsed
    doc = index.docs.get(doc_id)
    if doc is None or not 0 <= start < end <= len(doc.text):
        return None
    lo, hi = window(doc.text, start, end)
    return {"doc": doc, "start": start, "end": end, "lo": lo, "hi": hi,
            "quote": doc.text[start:end], "section": section_path(index, doc_id, start, end)}


def passage_html(index, ref: str) -> str:
    found = passage(index, ref)
    if found is None:
        return f'<div class="viewer-missing">{html.escape(NOT_FOUND)}</div>'
    doc, text = found["doc"], found["doc"].text
    summary = not doc.verbatim
    facts = [("文号", doc.doc_number), ("日期", doc.date), ("发文机关", doc.issuer)]
    meta = "".join(f"<span><b>{k}</b>：{html.escape(v)}</span>" for k, v in facts if v)
    note = f'<div class="viewer-note">{html.escape(doc.note)}</div>' if getattr(doc, "note", "") else ""
    label = f'<div class="viewer-note">{html.escape(SUMMARY_LABEL)}</div>' if summary else ""
    section = " › ".join(found["section"])
    before = ("……\n" if found["lo"] > 0 else "") + text[found["lo"]:found["start"]]
    after = text[found["end"]:found["hi"]] + ("\n……" if found["hi"] < len(text) else "")
    return (
        '<div class="viewer-head">'
        f'<div class="viewer-title">《{html.escape(doc.title)}》</div>'
        f'<div class="viewer-meta">{meta}</div>'
        f'<div class="viewer-section"><b>位置</b>：{html.escape(section)}</div>{note}{label}</div>'
        f'<div class="viewer-text" id="viewer-text">{html.escape(before)}'
        f'<mark id="cite-mark">{html.escape(found["quote"])}</mark>{html.escape(after)}</div>'
    )
