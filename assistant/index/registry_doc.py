"""The indicator registry as a generated summary document, so targets are searchable like clauses.

Its text is ours (kind "summary"): every chunk is verbatim=False and answers cite the official clause
a registry entry points to whenever the corpus holds it.
"""
from __future__ import annotations

import hashlib

from assistant.domain.indicators import SUMMARY_LABEL, Indicator, default_registry
from assistant.models import Chunk, SourceDocument

REGISTRY_DOC_ID = "indicator-registry"
REGISTRY_TITLE = "优质均衡发展指标登记表（要点摘要）"


def indicator_paragraph(ind: Indicator) -> str:
    levels = [k for k in ind.values if k != "all"]
    targets = "，".join(f"{lv}{ind.threshold_text(lv)}" for lv in levels) if levels else ind.threshold_text()
    sources = "；".join(
        f"《{s.doc_title}》{s.clause}" + ("" if s.verbatim else "（要点摘要）") for s in ind.sources
    )
    # No alias list ("常见说法：…", up to 25 entries): it is quoted wherever the chunk is shown. A question
    # in those words still finds the chunk: hybrid_search boosts the indicators the registry finds by alias.
    parts = [f"【{SUMMARY_LABEL}】{ind.name}：{targets}。出处：{sources}。"]
    if ind.note:
        parts.append(f"说明：{ind.note}")
    return "".join(parts)


def registry_document() -> tuple[SourceDocument, list[Chunk]]:
    paragraphs = [(ind, indicator_paragraph(ind)) for ind in default_registry()]
    text = "\n".join(p for _, p in paragraphs)
    doc = SourceDocument(
        doc_id=REGISTRY_DOC_ID, title=REGISTRY_TITLE, text=text, path="assistant/domain/data/indicators.yaml",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), kind="summary", source="本项目整理的指标登记表",
    )
    chunks, pos = [], 0
    for ind, paragraph in paragraphs:
        chunks.append(Chunk(
            chunk_id=f"{REGISTRY_DOC_ID}:{ind.key}:0", doc_id=REGISTRY_DOC_ID, doc_title=REGISTRY_TITLE,
            section_path=("指标登记表", ind.name), label=f"指标登记表·{ind.name}", text=paragraph,
            start=pos, end=pos + len(paragraph), kind="indicator", indicator=ind.key, verbatim=False,
        ))
        pos += len(paragraph) + 1
    return doc, chunks
