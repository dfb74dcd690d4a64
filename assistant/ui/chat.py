"""问答 tab: one question → `Assistant.ask` → chat messages (answer, technical details, sources).

The conversation is a list of turns (`Turn` dicts: id, question, the answer as a record, time) kept
in the browser's own storage (gr.BrowserState): the chat, the copy texts, the export files and the
follow-up history are all drawn from it, so a reload shows the same conversation.
"""
from __future__ import annotations

import html
import json
import logging
import re
import uuid
from dataclasses import fields
from datetime import datetime
from urllib.parse import quote

from assistant.answer.compose import render_sources
from assistant.answer.examples import example_questions
from assistant.domain.indicators import SUMMARY_LABEL
from assistant.models import IN_FORCE, Answer, Citation, ToolCall
from assistant.retrieve.scope import home_plan
from assistant.ui.links import unlinked
from assistant.ui.text import blockquote, inert, safe_markdown

log = logging.getLogger(__name__)

ERROR_MESSAGE = "处理这个问题时出错了，请换一种问法或稍后再试。"
TECH_TITLE = "技术细节"
MAX_SUGGESTIONS = 3
MAX_TURNS = 100  # kept in the browser; older turns drop off the front
CITE_TITLE = "在原文中查看"

def question_placeholder(index) -> str:
    """The question box's hint: the first unit question of the examples."""
    return f"请输入问题，例如：{example_questions(index)['单位职责'][0]}"


_MARK = re.compile(r"\\\[(\d+)\\\]")  # a citation mark [n] after unlinked() escaped its brackets
_BOLD = re.compile(r"\*\*(.+?)\*\*")


# ---------------------------------------------------------------- citations

def citation_ref(c: Citation) -> str:
    """What a [n] button sends to the viewer: document and character offsets, nothing else."""
    return f"{quote(c.doc_id, safe='')}:{c.start}:{c.end}"


def cite_button(number: int, c: Citation) -> str:
    """An HTML button, not a link: it opens the passage in the viewer beside the chat (shell.CLIENT_JS).
    The reference rides in `value`: gradio's sanitizer keeps it and drops data-* attributes."""
    ref = html.escape(citation_ref(c), quote=True)
    return (f'<button type="button" class="cite-ref" value="{ref}" title="{CITE_TITLE}（来源[{number}]）">'
            f"[{number}]</button>")


def link_marks(markdown: str, citations: list[Citation]) -> str:
    """Every escaped [n] with a citation behind it becomes its button."""
    def swap(m: re.Match) -> str:
        n = int(m.group(1))
        return cite_button(n, citations[n - 1]) if 1 <= n <= len(citations) else m.group(0)

    return _MARK.sub(swap, markdown)


def doc_facts(c: Citation, docs: dict | None) -> tuple[str, str]:
    """(文号, 日期) of a citation's document: from the citation, else from the loaded index."""
    doc = (docs or {}).get(c.doc_id)
    number = c.doc_number or getattr(doc, "doc_number", "")
    date = c.date or getattr(doc, "date", "")
    return number, date


def source_heading(c: Citation, docs: dict | None) -> str:
    """《标题》（文号，日期） — plain text; a document no longer in force says so (被替代, 已废止)."""
    number, date = doc_facts(c, docs)
    status = "" if c.status in ("", IN_FORCE) else c.status
    facts = "，".join(x for x in (number, date, status) if x)
    return f"《{c.doc_title}》" + (f"（{facts}）" if facts else "")


def section_text(c: Citation) -> str:
    return " › ".join(c.section_path) if c.section_path else c.label


# ---------------------------------------------------------------- messages

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


def source_message(number: int, c: Citation, docs: dict | None = None) -> dict:
    lines = [inert(source_heading(c, docs)), f"位置：{inert(section_text(c))}"]
    if not c.verbatim:
        lines.append(f"**{SUMMARY_LABEL}**")
    lines += ["", blockquote(c.quote), "", cite_button(number, c).replace(f">[{number}]<", f">{CITE_TITLE}<")]
    return {
        "role": "assistant",
        "content": "\n".join(lines),
        "metadata": {"title": source_title(number, c), "status": "done"},
    }


def _steps(call: ToolCall) -> list[str]:
    steps = call.output.get("steps") if isinstance(call.output, dict) else None
    return [str(s) for s in steps] if isinstance(steps, list) else []


def _fence(text: str) -> str:
    run = max((len(r) for r in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, run + 1)
    return f"{bar}json\n{text}\n{bar}"


def tech_message(calls: list[ToolCall]) -> dict | None:
    """Tool names and their JSON, for whoever checks the calculator's wiring: collapsed, never in the answer."""
    if not calls:
        return None
    parts = []
    for call in calls:
        output = {k: v for k, v in (call.output or {}).items() if k not in ("steps", "verdict", "title")} \
            if isinstance(call.output, dict) else call.output
        parts += [f"工具：{inert(call.name)}", "输入：", _fence(json.dumps(call.input, ensure_ascii=False, indent=1)),
                  "输出：", _fence(json.dumps(output, ensure_ascii=False, indent=1))]
    return {"role": "assistant", "content": "\n".join(parts), "metadata": {"title": TECH_TITLE, "status": "done"}}


def missing_steps(answer: Answer) -> list[str]:
    """Calculator steps the answer text does not already show (each step is shown once)."""
    body = answer.answer
    out = []
    for call in answer.tool_calls:
        steps = _steps(call)
        if steps and not all(step in body for step in steps):
            out += steps
    return out


def answer_messages(answer: Answer, docs: dict | None = None) -> list[dict]:
    # The body quotes documents verbatim: their text may carry images and links, shown as text.
    body = answer_body(answer)
    steps = missing_steps(answer)
    markdown = unlinked(safe_markdown(body))
    if steps:
        markdown += "\n\n计算过程：\n" + "\n".join(f"{i}. {unlinked(safe_markdown(s))}" for i, s in enumerate(steps, 1))
    messages = [{"role": "assistant", "content": link_marks(markdown, answer.citations)}]
    tech = tech_message(answer.tool_calls)
    if tech:
        messages.append(tech)
    messages += [source_message(i, c, docs) for i, c in enumerate(answer.citations, 1)]
    chips = [s for s in (answer.suggestions or []) if isinstance(s, str) and s.strip()][:MAX_SUGGESTIONS]
    if chips:
        messages[-1] = {**messages[-1], "options": [{"value": s, "label": s} for s in chips]}
    return messages


def user_message(text: str) -> dict:
    return {"role": "user", "content": inert(text)}


# ---------------------------------------------------------------- plain text (copy, export)

def plain_body(answer: Answer) -> str:
    """The answer as a person would paste it: no markdown escapes, no HTML entities, no bold marks."""
    text = _BOLD.sub(r"\1", answer_body(answer))
    steps = missing_steps(answer)
    if steps:
        text += "\n\n计算过程：\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    return text


def source_lines(answer: Answer, docs: dict | None = None) -> list[str]:
    """[n] 《标题》（文号，日期）位置：“原文” — one line per source, the whole quote."""
    lines = []
    for i, c in enumerate(answer.citations, 1):
        label = "" if c.verbatim else f"（{SUMMARY_LABEL}）"
        lines.append(f"[{i}] {source_heading(c, docs)} {section_text(c)}{label}：“{c.quote}”")
    return lines


def plain_text(answer: Answer, docs: dict | None = None) -> str:
    """Answer + numbered sources with 文号 and section: what the copy button puts on the clipboard."""
    sources = source_lines(answer, docs)
    return plain_body(answer) + ("\n\n来源：\n" + "\n".join(sources) if sources else "")


# ---------------------------------------------------------------- turns (the stored conversation)

def answer_record(answer: Answer) -> dict:
    """What the browser keeps of an answer: enough to draw it again, without the retrieval trace."""
    data = answer.to_dict()
    data.pop("retrieved", None)
    data.pop("elapsed_ms", None)
    return data


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def answer_from_record(data: dict) -> Answer:
    """An answer again from the browser's copy (ValueError/TypeError/KeyError when it is not one)."""
    citations = [Citation(**{**_known(Citation, c), "section_path": list(c.get("section_path") or [])})
                 for c in data.get("citations") or []]
    for c in citations:
        if not (isinstance(c.doc_id, str) and isinstance(c.quote, str) and isinstance(c.start, int)
                and isinstance(c.end, int)):
            raise ValueError("bad citation")
    calls = [ToolCall(str(t["name"]), dict(t.get("input") or {}), dict(t.get("output") or {}))
             for t in data.get("tool_calls") or []]
    suggestions = [s for s in data.get("suggestions") or [] if isinstance(s, str)]
    answer = Answer(str(data["question"]), str(data["answer"]), str(data.get("intent") or ""), citations, calls,
                    notice=str(data.get("notice") or ""), fallback=str(data.get("fallback") or ""))
    answer.suggestions = suggestions
    return answer


def new_turn(question: str, answer: Answer | None) -> dict:
    return {"id": uuid.uuid4().hex, "question": question,
            "answer": answer_record(answer) if answer is not None else None,
            "time": datetime.now().astimezone().isoformat(timespec="seconds")}


def turns_of(saved) -> list[dict]:
    """The turns in what the browser sent, each checked; anything else is dropped, never trusted."""
    turns = saved.get("turns") if isinstance(saved, dict) else saved
    out = []
    for t in turns if isinstance(turns, list) else []:
        if not (isinstance(t, dict) and isinstance(t.get("question"), str) and isinstance(t.get("id"), str)):
            continue
        if t.get("answer") is not None:
            try:
                answer_from_record(t["answer"])
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        out.append(t)
    return out[-MAX_TURNS:]


def turn_answer(turn: dict) -> Answer | None:
    return answer_from_record(turn["answer"]) if turn.get("answer") is not None else None


def turn_messages(turn: dict, docs: dict | None = None) -> list[dict]:
    answer = turn_answer(turn)
    reply = answer_messages(answer, docs) if answer else [{"role": "assistant", "content": ERROR_MESSAGE}]
    return [user_message(turn["question"]), *reply]


def chat_messages(turns: list[dict], docs: dict | None = None) -> list[dict]:
    messages = []
    for turn in turns:
        messages += turn_messages(turn, docs)
    return messages


def copy_texts(turns: list[dict], docs: dict | None = None) -> str:
    """JSON [[question, answer text], …] for the page's copy buttons (app.CLIENT_JS reads it)."""
    rows = []
    for turn in turns:
        answer = turn_answer(turn)
        rows.append([turn["question"], plain_text(answer, docs) if answer else ERROR_MESSAGE])
    return json.dumps(rows, ensure_ascii=False)


def turn_at(turns: list[dict], message_index: int, docs: dict | None = None) -> dict | None:
    """The turn a chat message (by its index in the chat) belongs to."""
    start = 0
    for turn in turns:
        end = start + len(turn_messages(turn, docs))
        if start <= message_index < end:
            return turn
        start = end
    return None


# ---------------------------------------------------------------- one question

def respond(answerer, message: str, saved, docs: dict | None = None, include_superseded: bool | None = None):
    """(cleared textbox, chat, stored conversation, copy texts): the last state `respond_stream` yields."""
    *_, last = respond_stream(answerer, message, saved, docs, include_superseded)
    return last


def respond_stream(answerer, message: str, saved, docs: dict | None = None, include_superseded: bool | None = None):
    """Yields (cleared textbox, chat, stored conversation, copy texts). The earlier questions go with
    the new one, so follow-ups such as “那交通运输局呢？” work; an example question is sent the same way
    and the question frame decides whether it follows on.

    With the generative mode the model's text streams in as it arrives; the final, verified answer
    (or the deterministic fallback) then replaces it. `include_superseded` is the tab's 包括已被替代的文件
    switch (None: the setting's rule), for the generative mode as for the deterministic one.
    """
    turns = turns_of(saved)
    shown = chat_messages(turns, docs)
    if not (message or "").strip():
        yield "", shown, {"turns": turns}, copy_texts(turns, docs)
        return
    asked = [t["question"] for t in turns]
    pending = shown + [user_message(message)]
    answer = None
    copies = copy_texts(turns, docs)  # the earlier turns do not change while the answer streams
    options = {} if include_superseded is None else {"include_superseded": bool(include_superseded)}
    try:
        if hasattr(answerer, "stream"):
            text = ""
            for item in answerer.stream(message, history=asked, **options):
                if isinstance(item, Answer):
                    answer = item
                    break
                text += item
                yield "", pending + [{"role": "assistant", "content": inert(text)}], {"turns": turns}, copies
        else:
            answer = answerer.ask(message, history=asked, **options)
        answer_messages(answer, docs)  # an answer that cannot be drawn is an error, not a broken page
    except Exception:  # a user sees a sentence, the log keeps the traceback
        log.exception("ask failed")
        answer = None
    turns = (turns + [new_turn(message, answer)])[-MAX_TURNS:]
    yield "", chat_messages(turns, docs), {"turns": turns}, copy_texts(turns, docs)


def ask_api(assistant, question: str, history: list[str] | None = None, include_superseded: bool | None = None) -> dict:
    """The same answer as JSON, for scripts and the load benchmark (`/ask`); `include_superseded` as
    the chat tab's switch (None: the setting)."""
    return assistant.ask(question or "", history=list(history or []), include_superseded=include_superseded).to_dict()
