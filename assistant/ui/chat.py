"""问答 tab: one question → `Assistant.ask` → chat messages (answer, calculator steps, sources)."""
from __future__ import annotations

import json
import logging

from assistant.answer.compose import render_sources
from assistant.domain.indicators import SUMMARY_LABEL
from assistant.models import Answer, Citation, ToolCall
from assistant.ui.links import unlinked
from assistant.ui.text import blockquote, inert, safe_markdown

log = logging.getLogger(__name__)

ERROR_MESSAGE = "处理这个问题时出错了，请换一种问法或稍后再试。"

# Example questions for the three groups of users the assistant serves.
EXAMPLES = {
    "单位职责": ["市财政局负责什么？", "学校周边网吧归谁管？", "市公安局在校园安全方面要做什么？"],
    "指标查询": [
        "每百名学生音体美专任教师要达到多少？",
        "就近入学比例要求是多少？",
        "我们小学有学生850人，音体美专任教师7人，达标吗？",
    ],
    "新成员入门": ["这个方案是什么文件？", "专班组长是谁？", "专班办公室设在哪里？"],
}


def answer_body(answer: Answer) -> str:
    """The answer without its trailing source list: the sources get their own collapsible messages."""
    text = answer.answer
    if answer.citations:
        tail = "\n\n" + render_sources(answer.citations)
        if text.endswith(tail):
            text = text[: -len(tail)]
    return text


def source_title(number: int, c: Citation) -> str:
    """gradio renders a message title as markdown too; a label is a document's own heading text."""
    return f"来源[{number}] {inert(c.label)}"


def source_message(number: int, c: Citation) -> dict:
    lines = [f"《{inert(c.doc_title)}》{inert(c.label)}"]
    if not c.verbatim:
        lines.append(f"**{SUMMARY_LABEL}**")
    lines += ["", blockquote(c.quote)]
    return {
        "role": "assistant",
        "content": "\n".join(lines),
        "metadata": {"title": source_title(number, c), "status": "done"},
    }


def tool_message(call: ToolCall) -> dict | None:
    """The calculator's inputs and steps, so a user can redo the arithmetic by hand."""
    steps = call.output.get("steps") if isinstance(call.output, dict) else None
    if not steps:
        return None
    title = call.output.get("title") or call.name
    inputs = json.dumps(call.input, ensure_ascii=False)
    lines = [f"工具：`{call.name}`", f"输入：{inert(inputs)}", "", "计算步骤："]
    lines += [f"{i}. {inert(step)}" for i, step in enumerate(steps, 1)]
    verdict = call.output.get("verdict")
    if verdict:
        lines += ["", unlinked(safe_markdown(verdict))]
    return {"role": "assistant", "content": "\n".join(lines), "metadata": {"title": f"计算步骤：{title}"}}


def answer_messages(answer: Answer) -> list[dict]:
    # The body quotes documents verbatim: their text may carry images and links, shown as text.
    messages = [{"role": "assistant", "content": unlinked(safe_markdown(answer_body(answer)))}]
    messages += [m for m in (tool_message(t) for t in answer.tool_calls) if m]
    messages += [source_message(i, c) for i, c in enumerate(answer.citations, 1)]
    return messages


def user_message(text: str) -> dict:
    return {"role": "user", "content": inert(text)}


def respond(answerer, message: str, chat: list | None, asked: list[str] | None) -> tuple[str, list, list[str]]:
    """(cleared textbox, chat with the new turn, earlier questions): the last state `respond_stream` yields."""
    *_, last = respond_stream(answerer, message, chat, asked)
    return last


def respond_stream(answerer, message: str, chat: list | None, asked: list[str] | None):
    """Yields (cleared textbox, chat with the new turn, earlier questions); `asked` feeds follow-ups.

    With the generative mode the model's text streams in as it arrives; the final, verified answer
    (or the deterministic fallback) then replaces it.
    """
    chat, asked = list(chat or []), list(asked or [])
    if not (message or "").strip():
        yield "", chat, asked
        return
    turn = chat + [user_message(message)]
    try:
        if hasattr(answerer, "stream"):
            text = ""
            for item in answerer.stream(message, history=asked):
                if isinstance(item, Answer):
                    reply = answer_messages(item)
                    break
                text += item
                yield "", turn + [{"role": "assistant", "content": inert(text)}], asked
        else:
            reply = answer_messages(answerer.ask(message, history=asked))
    except Exception:  # a user sees a sentence, the log keeps the traceback
        log.exception("ask failed")
        reply = [{"role": "assistant", "content": ERROR_MESSAGE}]
    yield "", turn + reply, asked + [message]


def ask_api(assistant, question: str, history: list[str] | None = None) -> dict:
    """The same answer as JSON, for scripts and the load benchmark (`/ask`)."""
    return assistant.ask(question or "", history=list(history or [])).to_dict()
