"""POST /api/search."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictInt

from assistant.api.errors import COMMON_RESPONSES
from assistant.api.search.search_service import SearchHit

router = APIRouter(prefix="/api", tags=["检索"])
MAX_K = 50


class SearchRequest(BaseModel):
    query: str = Field(description="检索词或问题，如“交流轮岗”")
    k: StrictInt | None = Field(default=None, ge=1, le=MAX_K, description=f"返回条数（1–{MAX_K}），默认 ASSISTANT_TOP_K")


class SearchResponse(BaseModel):
    query: str = Field(description="检索词")
    hits: list[SearchHit] = Field(description="按相关度排序的段落")


@router.post("/search", response_model=SearchResponse, summary="混合检索",
             description="BM25（jieba + 领域词典）与向量检索融合，并按单位、指标等结构加权；与网页“文件”标签页的搜索相同。",
             responses=COMMON_RESPONSES)
async def search(body: SearchRequest, request: Request) -> SearchResponse:
    hits = await request.app.state.workers.answer(request.app.state.search.search, body.query, body.k)
    return SearchResponse(query=body.query, hits=hits)
