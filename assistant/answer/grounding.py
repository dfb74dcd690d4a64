"""Numeric grounding: every number an answer states must occur in a cited quote or a tool output.

Used on every deterministic answer and, later, on every LLM answer (same code).
"""
from __future__ import annotations

import re

from assistant.models import Citation

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
CITATION_MARK = re.compile(r"\[\d+\]")
LIST_MARK = re.compile(r"(?m)^\s*\d+[.、]\s")
SOURCES_HEADING = "**来源**"


def numbers_in(text: str) -> list[str]:
    return [n.replace(",", "") for n in NUMBER.findall(text)]


def _normalise(number: str) -> str:
    """0.90 and 0.9 are the same figure; 100 and 100.0 too."""
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number


def answer_body(answer: str) -> str:
    """The part of an answer that makes claims: before the sources list, without [n] marks."""
    return LIST_MARK.sub("- ", CITATION_MARK.sub("", answer.split(SOURCES_HEADING, 1)[0]))


def ungrounded_numbers(answer: str, citations: list[Citation], tool_outputs: list[str], labels: list[str] = ()) -> list[str]:
    """Numbers in the answer body found in no quote, no tool output and no clause label. A cited
    document's name and 文号 (《汶河区2024方案》, 汶政办字〔2024〕23号) name the source, not a figure."""
    body = answer_body(answer)
    names = [n for c in citations for n in (c.short_title, c.doc_number) if n]
    for label in sorted({*labels, *names}, key=len, reverse=True):
        body = body.replace(label, " ")
    allowed = {_normalise(n) for c in citations for n in numbers_in(c.quote)}
    allowed |= {_normalise(n) for out in tool_outputs for n in numbers_in(out)}
    return [n for n in numbers_in(body) if _normalise(n) not in allowed]


def quotes_are_verbatim(citations: list[Citation], docs: dict) -> list[str]:
    """Problems with citations marked verbatim whose quote is not the source text at its offsets."""
    problems = []
    for c in citations:
        doc = docs.get(c.doc_id)
        if doc is None or doc.text[c.start : c.end] != c.quote:
            problems.append(f"{c.label}：引文与原文不一致")
    return problems
