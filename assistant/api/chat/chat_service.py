"""Chat over the answer service: OpenAI messages → (question, earlier questions) → `ask` → an OpenAI
completion, whole or as chunks. The answer itself is always the library's; this module only maps."""
from __future__ import annotations

import time
import uuid
from typing import Iterator

from assistant.api.chat.chat_models import (
    DETERMINISTIC, GENERATIVE, AnswerDetails, ChatCompletion, ChatMessage, Choice, AssistantMessage, ModelCard,
    ToolCallOut, Usage)
from assistant.api.errors import ApiError
from assistant.api.sources import numbered
from assistant.models import Answer

# Follow-ups are resolved against the last few questions; older turns cannot change the reading.
MAX_HISTORY_TURNS = 20


class ChatService:
    def __init__(self, assistant, answerer=None):
        self.assistant = assistant
        self.created = int(time.time())
        self.answerers = {DETERMINISTIC: assistant}
        if answerer is not None and answerer is not assistant:
            self.answerers[GENERATIVE] = answerer

    def models(self) -> list[ModelCard]:
        about = {DETERMINISTIC: "确定性助手：回答由原文逐字引文组成，测算由指标计算器完成",
                 GENERATIVE: "生成式模式：由语言模型组织语言，通过核验才采用，否则退回确定性答案"}
        return [ModelCard(id=name, created=self.created, description=about[name]) for name in self.answerers]

    def answerer(self, model: str):
        if model in self.answerers:
            return self.answerers[model]
        if model == GENERATIVE:
            raise ApiError(404, "model_not_found", f"生成式模式未配置（ASSISTANT_LLM=none），请使用模型 {DETERMINISTIC}")
        names = "、".join(self.answerers)
        raise ApiError(404, "model_not_found", f"没有名为“{model}”的模型，可用的模型：{names}（见 GET /v1/models）")

    def check(self, model: str, include_superseded: bool | None) -> None:
        """Refuse a request this service cannot answer as asked, before any answering starts."""
        self.answerer(model)

    def ask(self, model: str, question: str, history: list[str], include_superseded: bool | None = None) -> Answer:
        options = {} if include_superseded is None else {"include_superseded": include_superseded}
        return self.answerer(model).ask(question, history=history, **options)

    def completion(self, model: str, answer: Answer, history_used: int, prompt_chars: int) -> ChatCompletion:
        return ChatCompletion(id=completion_id(), created=int(time.time()), model=model,
                              choices=[Choice(message=AssistantMessage(content=answer.answer))],
                              usage=usage(answer, prompt_chars), policy_assistant=self.details(answer, history_used))

    def details(self, answer: Answer, history_used: int) -> AnswerDetails:
        return AnswerDetails(intent=answer.intent, citations=numbered(answer.citations, self.assistant.index.docs),
                             tool_calls=[ToolCallOut(**t.to_dict()) for t in answer.tool_calls],
                             history_used=history_used, notice=answer.notice, fallback=answer.fallback,
                             elapsed_ms=round(answer.elapsed_ms, 2))


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[str]]:
    """(question, earlier questions): the last message is the question and must be the user's."""
    if messages[-1].role != "user":
        raise ApiError(422, "invalid_request", "最后一条消息应为用户的问题（role 为 user）")
    asked = [m.text() for m in messages if m.role == "user"]
    return asked[-1], asked[:-1][-MAX_HISTORY_TURNS:]


def prompt_chars(messages: list[ChatMessage]) -> int:
    return sum(len(m.text()) for m in messages if m.role == "user")


def usage(answer: Answer, prompt_chars: int) -> Usage:
    return Usage(prompt_tokens=prompt_chars, completion_tokens=len(answer.answer),
                 total_tokens=prompt_chars + len(answer.answer))


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def chunk(cid: str, created: int, model: str, delta: dict, finish: str | None = None, **extra) -> dict:
    return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}


def pieces(text: str) -> Iterator[str]:
    """The answer line by line: joined, the pieces are exactly the non-streamed content."""
    yield from text.splitlines(keepends=True) or [""]
