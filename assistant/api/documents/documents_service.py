"""The indexed documents with their metadata (文号, issuer, date, kind) and validity (the index's profiles)."""
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
    region: str = Field(description="地区（如 曲阜市、汶河区、全国）；没有时为空字符串")
    status: str = Field(description="现行有效 / 被替代 / 已废止")
    superseded_by: str = Field(description="替代它的文件的 doc_id；没有时为空字符串")
    valid_until: str = Field(description="有效期至（YYYY-MM-DD）；没有时为空字符串")


def list_documents(index) -> list[DocumentInfo]:
    counts: dict[str, int] = {}
    for chunk in index.chunks:
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
    return [DocumentInfo(doc_id=d.doc_id, title=d.title, doc_number=d.doc_number, issuer=d.issuer, date=d.date,
                         kind=d.kind, chars=len(d.text), sections=counts.get(d.doc_id, 0), region=p.region,
                         status=p.status, superseded_by=p.superseded_by, valid_until=p.valid_until)
            for d in index.docs.values() for p in [index.profiles[d.doc_id]]]
