"""The indexed documents with their metadata (文号, issuer, date, kind)."""
from __future__ import annotations

from pydantic import BaseModel, Field


class DocumentInfo(BaseModel):
    doc_id: str = Field(description="文件标识")
    title: str = Field(description="标题")
    doc_number: str = Field(description="文号；没有时为空字符串")
    issuer: str = Field(description="发文单位")
    date: str = Field(description="日期（YYYY-MM-DD）；没有时为空字符串")
    kind: str = Field(description="official 正式文件原文；summary 我们整理的要点摘要（非原文）")
    chars: int = Field(description="全文字数")
    sections: int = Field(description="索引中的段落数")


def list_documents(index) -> list[DocumentInfo]:
    counts: dict[str, int] = {}
    for chunk in index.chunks:
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
    return [DocumentInfo(doc_id=d.doc_id, title=d.title, doc_number=d.doc_number, issuer=d.issuer, date=d.date,
                         kind=d.kind, chars=len(d.text), sections=counts.get(d.doc_id, 0))
            for d in index.docs.values()]
