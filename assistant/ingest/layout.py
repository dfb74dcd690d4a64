"""Fixed-layout pages (scans, OFD) back to running text.

A page arrives as lines in reading order, each with its left and right edge measured in character widths
(em). A line that reaches the text's right edge was wrapped by the layout, so it continues on the next
line (or the next page) unless that line is indented, starts a heading (一、（一）1. 第X条 附件) or
starts a row of a list (a name and a gap); a line that stops short ends its paragraph. Page numbers such as "— 3 —" are dropped. Without this, a
clause wrapped across two printed lines would be two lines of text and no quote could span them.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from assistant.ingest.chunker import heading_kind

# A line ending within this many characters of the right edge is full: a character that did not fit,
# plus the blank half of a trailing "，" whose ink box OCR reports.
FULL_LINE_SLACK = 2.0
INDENT = 1.0  # a line starting this many characters right of the left edge opens a paragraph
FOOTER_MAX_WIDTH, FOOTER_CENTRED = 8.0, 2.5  # em: a page foot is short and centred under the text
MIN_LINES_FOR_EDGE = 5  # pages with fewer lines (a title page, a last page) do not set the text width
CJK_PUNCTUATION = "，。、；：？！（）《》〔〕【】“”‘’—…"
# Readers that rebuild spacing from glyph positions put spaces beside full-width signs (OCR around
# brackets, ofdkit after “ measured as half width); Chinese text has none there.
SPACE_BY_PUNCTUATION = re.compile(rf"\s+(?=[{CJK_PUNCTUATION}])|(?<=[{CJK_PUNCTUATION}])\s+")
# Running Chinese text has no spaces, so a line that opens with a short name and a gap (唐爱军 市委…,
# 王 进 市委…) starts a new row of a list or table even when the line above filled the width.
ROW_START = re.compile(r"^[\u4e00-\u9fff]{1,4}\s+[\u4e00-\u9fff]")
PAGE_NUMBER = re.compile(r"^[-—－–一·\s]*\d{1,4}[-—－–一·\s]*$")  # OCR reads — as 一
ASCII_WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Line:
    """One printed line; an empty text marks a paragraph gap (a blank line)."""

    text: str
    left: float = 0.0
    right: float = 0.0


def tighten(line: str) -> str:
    """The line without spaces beside Chinese punctuation."""
    return SPACE_BY_PUNCTUATION.sub("", line).strip()


def display_width(text: str) -> float:
    """Width in em: a Chinese character or full-width sign is 1 (so are “”—…, full width in Chinese
    type), an ASCII character 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5 for ch in text)


def text_lines(text: str) -> list[Line]:
    """Lines of already extracted text, measured by their characters (for readers that give no boxes)."""
    out = []
    for raw in text.split("\n"):
        body = raw.strip()
        lead = display_width(raw[: len(raw) - len(raw.lstrip())])
        out.append(Line(body, lead, lead + display_width(body)))
    return out


def _is_footer(lines: list[Line], i: int) -> bool:
    """The page's last line when it is a page number: "— 2 —", or short, centred and with a digit
    however OCR misreads the dashes (二10一)."""
    line, others = lines[i], [ln for ln in lines[:i] if ln.text]
    if PAGE_NUMBER.match(line.text):
        return True
    if not others or not re.search(r"\d", line.text) or line.right - line.left > FOOTER_MAX_WIDTH:
        return False
    middle = (min(ln.left for ln in others) + max(ln.right for ln in others)) / 2
    return abs((line.left + line.right) / 2 - middle) <= FOOTER_CENTRED


def _page_body(lines: list[Line]) -> list[Line]:
    """The page without its page number and without gaps at its top or bottom: whether a paragraph
    runs on to the next page is decided by its last line alone."""
    content = [i for i, ln in enumerate(lines) if ln.text]
    drop = set()
    if content and PAGE_NUMBER.match(lines[content[0]].text):
        drop.add(content[0])
    if len(content) > 1 and _is_footer(lines, content[-1]):
        drop.add(content[-1])
    body = [ln for i, ln in enumerate(lines) if i not in drop]
    while body and not body[0].text:
        body.pop(0)
    while body and not body[-1].text:
        body.pop()
    return body


def _text_edges(pages: list[list[Line]]) -> tuple[float, float]:
    """The text block's left and right edge: medians over the pages' extremes, so one wide table
    or one short page does not move them."""
    full = [[ln for ln in page if ln.text] for page in pages]
    sized = [p for p in full if len(p) >= MIN_LINES_FOR_EDGE]
    if not sized:  # too few lines to tell a wrapped line from a short one: join nothing
        return 0.0, float("inf")
    return (statistics.median(min(ln.left for ln in p) for p in sized),
            statistics.median(max(ln.right for ln in p) for p in sized))


def _glue(head: str, tail: str) -> str:
    """Chinese lines join directly; two ASCII words keep the space the line break stood for."""
    if head and tail and ASCII_WORD.match(head[-1]) and ASCII_WORD.match(tail[0]):
        return f"{head} {tail}"
    return head + tail


def join_lines(pages: list[list[Line]]) -> str:
    """Running text: wrapped lines joined, one line per paragraph, blank lines kept (once)."""
    pages = [_page_body(page) for page in pages]
    left_edge, right_edge = _text_edges(pages)
    out: list[str] = []
    open_line = False  # the last line was full: the next one may continue it
    for page in pages:
        for line in page:
            if not line.text:
                if out and out[-1]:
                    out.append("")
                open_line = False
                continue
            continues = (open_line and line.left - left_edge < INDENT and heading_kind(line.text) is None
                         and not ROW_START.match(line.text))
            if continues:
                out[-1] = _glue(out[-1], line.text)
            else:
                out.append(line.text)
            open_line = right_edge - line.right <= FULL_LINE_SLACK
    return "\n".join(out).strip("\n")
