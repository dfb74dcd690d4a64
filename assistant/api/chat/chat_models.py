"""OpenAI-compatible request and response bodies of /v1/chat/completions and /v1/models, plus the
`policy_assistant` field: what a client that knows this service can render (sources, steps, intent)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from assistant.api.sources import SourceCitation

DETERMINISTIC = "policy-assistant"
GENERATIVE = "policy-assistant-llm"
MAX_MESSAGES = 200
PART_HINT = '应为字符串，或文本片段列表 [{"type": "text", "text": "…"}]'


class TextPart(BaseModel):
    type: Literal["text"] = Field(description="片段类型，只接受 text")
    text: str = Field(description="文本")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"] = Field(
        description="角色：user 为提问；system、assistant 等其他角色的消息不影响回答")
    content: str | list[TextPart] | None = Field(
        default=None, description="消息内容：字符串，或 OpenAI 的文本片段列表（各片段的 text 依次拼接）")

    @field_validator("content", mode="before")
    @classmethod
    def _text_only(cls, value: Any) -> Any:
        """Reject numbers, objects and non-text parts with one Chinese sentence instead of pydantic's union report."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, list) and all(
                isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in value):
            return value
        raise ValueError(PART_HINT)

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class StreamOptions(BaseModel):
    include_usage: StrictBool = Field(default=False, description="为 true 时，在 [DONE] 之前多发一个只含 usage 的数据块")


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # temperature, max_tokens … are accepted and have no effect

    model: str = Field(default=DETERMINISTIC, description=f"{DETERMINISTIC}：确定性助手（逐字引用原文）；"
                       f"{GENERATIVE}：生成式模式（仅在配置了 ASSISTANT_LLM 时可用）")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES,
                                        description="对话消息。最后一条须为 user 的问题；此前各条 user 消息按顺序作为追问的前文")
    stream: StrictBool = Field(default=False, description="为 true 时以 server-sent events 返回 OpenAI 的 chat.completion.chunk 数据块")
    stream_options: StreamOptions | None = Field(default=None, description="流式选项")
    include_superseded: StrictBool | None = Field(
        default=None, description="本次提问是否包括已被替代（或已废止）的文件，与网页问答页的“包括已被替代的文件”开关相同："
                                  "true 时这些文件也参与检索，来源中标明“被替代”；false 时只用现行有效的文件（问到旧文件时说明它已被哪份文件替代）；"
                                  "不填时按服务端设置 ASSISTANT_INCLUDE_SUPERSEDED。OpenAI 客户端用 extra_body={\"include_superseded\": true} 传入。"
                                  f"只有模型 {DETERMINISTIC} 接受")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = Field(default="assistant", description="角色，总是 assistant")
    content: str = Field(description="回答（Markdown），末尾是编号来源列表")


class Choice(BaseModel):
    index: int = Field(default=0, description="序号（只有一个回答，总是 0）")
    message: AssistantMessage = Field(description="回答")
    finish_reason: Literal["stop"] = Field(default="stop", description="结束原因，总是 stop")


class Usage(BaseModel):
    prompt_tokens: int = Field(description="问题与前文的字符数（本服务不使用分词器，按字符计）")
    completion_tokens: int = Field(description="回答的字符数")
    total_tokens: int = Field(description="两者之和")


class ToolCallOut(BaseModel):
    name: str = Field(description="调用的计算器函数名，如 check_resource_indicator")
    input: dict[str, Any] = Field(description="计算器的输入")
    output: dict[str, Any] = Field(description="计算器的输出：numbers（数值）、met（是否达标）、steps（计算步骤）、verdict（结论）")


class AnswerDetails(BaseModel):
    intent: str = Field(description="意图：duty 单位职责 / who 谁负责 / target 指标要求 / calculation 测算 / roster 专班人员 / "
                                    "overview 方案概况 / general 其他 / out_of_scope 文件未涉及")
    citations: list[SourceCitation] = Field(description="编号来源（与 content 中的 [n] 对应）")
    tool_calls: list[ToolCallOut] = Field(description="计算器调用及其计算步骤")
    history_used: int = Field(description="作为追问前文使用的此前 user 消息条数")
    notice: str = Field(default="", description="提示，例如问题过长被截断")
    fallback: str = Field(default="", description="生成式模式退回确定性答案时的原因；确定性模式为空")
    elapsed_ms: float = Field(description="服务端作答用时（毫秒）")


class ChatCompletion(BaseModel):
    id: str = Field(description="本次回答的标识")
    object: Literal["chat.completion"] = Field(default="chat.completion", description="对象类型")
    created: int = Field(description="Unix 时间戳（秒）")
    model: str = Field(description="回答所用的模型名")
    choices: list[Choice] = Field(description="回答（一个）")
    usage: Usage = Field(description="用量（按字符计）")
    policy_assistant: AnswerDetails = Field(description="本服务的扩展字段：结构化的引用、计算器调用与意图")


class ModelCard(BaseModel):
    id: str = Field(description="模型名，填入 chat/completions 的 model")
    object: Literal["model"] = Field(default="model", description="对象类型")
    created: int = Field(description="Unix 时间戳（秒）：服务启动时间")
    owned_by: str = Field(default="policy-assistant", description="提供方")
    description: str = Field(description="中文说明")


class ModelList(BaseModel):
    object: Literal["list"] = Field(default="list", description="对象类型")
    data: list[ModelCard] = Field(description="可用的模型")
