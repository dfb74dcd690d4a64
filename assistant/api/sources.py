"""Quotes as the API returns them: the document, its 文号, the section, the verbatim text and offsets."""
from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.models import Chunk, Citation, SourceDocument


class Quote(BaseModel):
    doc_id: str = Field(description="文件标识，如 qufu-2024-17-plan")
    doc_title: str = Field(description="文件标题")
    doc_number: str = Field(description="文号，如 曲政办字〔2024〕17号；没有文号时为空字符串")
    label: str = Field(description="条款标签，如 二（二）1、附件 二（九）市财政局")
    section_path: list[str] = Field(description="章节路径，从一级标题到本条")
    quote: str = Field(description="原文引文（逐字摘录）")
    start: int = Field(description="引文在原文中的起始字符偏移：原文[start:end] 与 quote 完全一致")
    end: int = Field(description="引文在原文中的结束字符偏移（不含）")
    verbatim: bool = Field(description="true 为正式文件原文；false 为我们整理的要点摘要（非原文），请以正式文件为准")


class SourceCitation(Quote):
    number: int = Field(description="编号，对应回答正文中的 [n]")
    status: str = Field(description="所引文件的状态：现行有效 / 被替代 / 已废止（要点摘要为空字符串）")


def quote_of(c: Citation, docs: dict[str, SourceDocument]) -> Quote:
    doc = docs.get(c.doc_id)
    return Quote(doc_id=c.doc_id, doc_title=c.doc_title, doc_number=doc.doc_number if doc else "", label=c.label,
                 section_path=list(c.section_path), quote=c.quote, start=c.start, end=c.end, verbatim=c.verbatim)


def chunk_quote(c: Chunk, docs: dict[str, SourceDocument]) -> dict:
    """The fields of a Quote for a whole indexed section."""
    doc = docs.get(c.doc_id)
    return {"doc_id": c.doc_id, "doc_title": c.doc_title, "doc_number": doc.doc_number if doc else "", "label": c.label,
            "section_path": list(c.section_path), "quote": c.text, "start": c.start, "end": c.end, "verbatim": c.verbatim}


def numbered(citations: list[Citation], docs: dict[str, SourceDocument]) -> list[SourceCitation]:
    return [SourceCitation(number=i, status=c.status, **quote_of(c, docs).model_dump()) for i, c in enumerate(citations, 1)]
