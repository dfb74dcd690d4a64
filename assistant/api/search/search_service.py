"""Hybrid search (the web app's 文件 tab and `assistant search`) as a JSON list of sections."""
from __future__ import annotations

from pydantic import Field

from assistant.api.errors import ApiError
from assistant.api.sources import Quote, chunk_quote


class SearchHit(Quote):
    chunk_id: str = Field(description="段落标识；quote 是整段原文，原文[start:end] == quote")
    score: float = Field(description="融合得分（越大越相关）")


class SearchService:
    def __init__(self, assistant):
        self.assistant = assistant

    def search(self, query: str, k: int | None) -> list[SearchHit]:
        query = query.strip()
        limit = self.assistant.settings.max_question_chars
        if not query:
            raise ApiError(422, "invalid_request", "请输入检索词")
        if len(query) > limit:
            raise ApiError(422, "invalid_request", f"检索词过长：最多 {limit} 个字（ASSISTANT_MAX_QUESTION_CHARS）")
        docs = self.assistant.index.docs
        return [SearchHit(chunk_id=hit.chunk.chunk_id, score=round(hit.score, 6), **chunk_quote(hit.chunk, docs))
                for hit in self.assistant.search(query, k)]
