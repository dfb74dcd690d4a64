"""POST /v1/chat/completions and GET /v1/models, as OpenAI clients expect them."""
from __future__ import annotations

import asyncio
import json
import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from assistant.api.chat.chat_models import ChatCompletion, ChatCompletionRequest, ModelList
from assistant.api.chat.chat_service import (ChatService, chunk, completion_id, pieces, prompt_chars, split_messages,
                                             usage)
from assistant.api.errors import COMMON_RESPONSES, ErrorResponse, error_body

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["OpenAI 兼容"])
KEEPALIVE_S = 10.0  # an SSE comment while a slow (generative) answer is prepared keeps proxies from timing out

STREAM_DOC = """以 `text/event-stream` 返回 OpenAI 的 `chat.completion.chunk` 数据块：先是 `delta.role`，然后逐行的
`delta.content`（拼接后与非流式的 content 完全相同），最后一块 `finish_reason: "stop"` 并带 `policy_assistant`
扩展字段，最后是 `data: [DONE]`。生成式模式下只发出通过核验的最终答案（模型草稿不外发），等待期间每 10 秒发一行 SSE 注释保持连接。"""


@router.post("/chat/completions", response_model=ChatCompletion, summary="对话问答（OpenAI 兼容）",
             description="最后一条 user 消息是问题，此前的 user 消息依次作为追问的前文（如“那交通运输局呢？”）。"
                         "content 是带编号来源的完整回答；`policy_assistant` 字段给出结构化的引用（文件、文号、章节、原文、偏移）、"
                         "计算器调用和意图。可选的 `include_superseded`（布尔值）决定本次是否包括已被替代的文件。\n\n" + STREAM_DOC,
             responses={**COMMON_RESPONSES, 404: {"model": ErrorResponse, "description": "没有这个模型"}})
async def chat_completions(body: ChatCompletionRequest, request: Request):
    service: ChatService = request.app.state.chat
    service.check(body.model, body.include_superseded)  # bad requests are refused before any answering (or streaming) starts
    question, history = split_messages(body.messages)
    work = request.app.state.workers
    chars = prompt_chars(body.messages)
    if not body.stream:
        answer = await work.answer(service.ask, body.model, question, history, body.include_superseded)
        return service.completion(body.model, answer, len(history), chars)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    events = _stream(service, work, body.model, question, history, chars, include_usage, body.include_superseded)
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(service: ChatService, work, model: str, question: str, history: list[str], chars: int,
                  include_usage: bool, include_superseded: bool | None):
    cid, created = completion_id(), int(time.time())
    yield _event(chunk(cid, created, model, {"role": "assistant", "content": ""}))
    task = asyncio.ensure_future(work.answer(service.ask, model, question, history, include_superseded))
    while not task.done():
        done, _ = await asyncio.wait({task}, timeout=KEEPALIVE_S)
        if not done:
            yield ": keep-alive\n\n"
    try:
        answer = task.result()
    except Exception:  # the headers are sent: the error goes as an event, which OpenAI clients raise
        log.exception("streamed answer failed")
        yield _event(error_body("internal_error", "服务器处理请求时出错，请稍后再试"))
        yield "data: [DONE]\n\n"
        return
    for piece in pieces(answer.answer):
        yield _event(chunk(cid, created, model, {"content": piece}))
    details = service.details(answer, len(history)).model_dump()
    yield _event(chunk(cid, created, model, {}, "stop", policy_assistant=details))
    if include_usage:
        yield _event({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                      "choices": [], "usage": usage(answer, chars).model_dump()})
    yield "data: [DONE]\n\n"


def _event(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/models", response_model=ModelList, summary="可用模型列表（OpenAI 兼容）",
            description="确定性助手总是可用；配置了生成式模式（ASSISTANT_LLM）时另有生成式模型。", responses=COMMON_RESPONSES)
async def list_models(request: Request) -> ModelList:
    return ModelList(data=request.app.state.chat.models())
