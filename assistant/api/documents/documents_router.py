"""GET /api/documents."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from assistant.api.documents.documents_service import DocumentInfo, list_documents
from assistant.api.errors import COMMON_RESPONSES

router = APIRouter(prefix="/api", tags=["文件"])


class DocumentList(BaseModel):
    documents: list[DocumentInfo] = Field(description="已收录并建立索引的文件")


@router.get("/documents", response_model=DocumentList, summary="已收录的文件",
            description="每个文件的标题、文号、发文单位、日期、类型（原文或要点摘要）、段落数、地区与状态（现行有效 / 被替代 / 已废止）。", responses=COMMON_RESPONSES)
async def documents(request: Request) -> DocumentList:
    return DocumentList(documents=list_documents(request.app.state.assistant.index))
