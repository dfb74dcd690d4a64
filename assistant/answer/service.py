"""`Assistant.ask`: the one entry point the CLI, the web app and the eval call.

Flow: clean the question → resolve a follow-up against earlier turns → route → retrieve → compose
from verbatim quotes (or the calculator) → numeric grounding check → markdown with numbered sources.
"""
from __future__ import annotations

import re
import time

from assistant.answer import compose
from assistant.answer.grounding import quotes_are_verbatim, ungrounded_numbers
from assistant.answer.router import Route, detect_level, route
from assistant.answer.text import clean_question
from assistant.domain import numeric_question
from assistant.domain.indicators import default_registry
from assistant.domain.units import find_units
from assistant.index.store import LoadedIndex, open_index
from assistant.models import Answer, Citation, ToolCall
from assistant.retrieve.hybrid import hybrid_search
from assistant.settings import Settings

RETRIEVED_K = 10
ELLIPSIS = re.compile(r"^(那么|那|还有|另外|再问|然后|其中|要是|如果是?|换成)|换成|同样的|(呢|也一样吗|也是吗|一样吗)[？?]?$")
PRONOUN = re.compile(r"这家单位|这个单位|该单位|这个部门|该部门|这家|他们单位|他们")
QUESTION_WORD = re.compile(r"谁|哪|多少|什么|几|怎么|如何")
EMPTY_MESSAGE = "请输入问题。例如：“市财政局负责什么？”“专班组长是谁？”"
SHORT = 10


def resolve_follow_up(question: str, history: list[str]) -> tuple[str, str]:
    """(question to answer, intent carried from the previous turn or "").

    Elliptical follow-ups take what they leave out from the previous question: a new unit or level
    replaces the old one ("那交通运输局呢？", "那初中呢？"); a short complete question is read in the
    previous question's context ("主任是谁？" after "专班办公室设在哪"); a bare topic ("那校车呢？")
    keeps the previous intent.
    """
    if not history:
        return question, ""
    previous, _ = resolve_follow_up(history[-1], history[:-1])
    new_units, old_units = find_units(question), find_units(previous)
    if old_units and not new_units and PRONOUN.search(question):  # "这家单位分到的任务有哪些"
        return PRONOUN.sub(old_units[0].name, question, count=1), ""
    marked = ELLIPSIS.search(question)
    # A short question that names its own unit or indicator ("市财政局负责什么？") stands alone.
    names_its_subject = bool(new_units or default_registry().find(question))
    if len(question) > 16 or not (marked or (len(question) <= SHORT and not names_its_subject)):
        return question, ""
    if new_units and old_units:
        text = previous
        for alias in sorted({*old_units[0].aliases, old_units[0].name}, key=len, reverse=True):
            text = text.replace(alias, new_units[0].name)
        return text, ""
    level = detect_level(question)
    if level and not new_units:
        other = "初中" if level == "小学" else "小学"
        return (previous.replace(other, level) if other in previous else f"{level}{previous}"), ""
    for a, b in (("城区", "镇区"), ("镇区", "城区")):
        if a in question and b in previous:
            return previous.replace(b, a), ""
    if QUESTION_WORD.search(question) and not new_units:
        return f"{previous}，{question}", ""
    topic = ELLIPSIS.sub("", question).strip(" ？?，,。") or question
    return topic, route(previous).intent


class Assistant:
    def __init__(self, index: LoadedIndex, settings: Settings):
        self.index = index
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "Assistant":
        settings = settings or Settings.from_env()
        return cls(open_index(settings), settings)

    def search(self, query: str, k: int | None = None):
        return hybrid_search(self.index, query, k or self.settings.top_k)

    def unit_profile(self, unit: str) -> compose.UnitProfile | None:
        return compose.unit_profile(self.index, unit)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        started = time.perf_counter()
        cleaned, notice = clean_question(question, self.settings.max_question_chars)
        if not cleaned:
            return Answer(question, EMPTY_MESSAGE, "out_of_scope", elapsed_ms=_ms(started))
        history = [clean_question(h, self.settings.max_question_chars)[0] for h in (history or []) if h and h.strip()]
        effective, carried = resolve_follow_up(cleaned, history)
        routed = route(effective)
        if carried and routed.intent in ("general", "out_of_scope") and carried != "out_of_scope":
            routed.intent = carried
        hits = hybrid_search(self.index, effective, RETRIEVED_K) if routed.intent != "out_of_scope" else []
        draft, intent = self._compose(effective, routed, hits)
        return self._finish(question, draft, intent, hits, notice, started)

    def _compose(self, question: str, routed: Route, hits) -> tuple[compose.Draft, str]:
        index, intent = self.index, routed.intent
        if intent == "out_of_scope":
            return compose.not_found(), intent
        attempts = {
            "duty": lambda: compose.compose_duty(index, question, routed.units),
            "who": lambda: compose.compose_who(index, question, hits),
            "target": lambda: compose.compose_target(index, question, routed.indicators, routed.level, hits),
            "calculation": lambda: self._calculate(question),
            "roster": lambda: compose.compose_roster(index, question, routed.units),
            "overview": lambda: compose.compose_overview(index, question),
            "general": lambda: compose.compose_general(index, question, hits),
        }
        draft = attempts[intent]()
        if draft is None and intent in ("who", "target", "overview"):
            draft = compose.compose_general(index, question, hits)
        if draft is None:
            return compose.not_found(), "out_of_scope"
        return draft, intent

    def _calculate(self, question: str) -> compose.Draft | None:
        request = numeric_question.parse_numeric_question(question)
        if request.tool is None:
            return None  # numbers, but nothing the indicators measure (e.g. plain arithmetic)
        if request.missing:
            needed = "、".join(request.missing)
            return compose.Draft(f"要完成这项测算，还需要您提供：{needed}。请把这些数字补充到问题里再问一次。")
        result = numeric_question.run(request)
        draft = compose.Draft(result.markdown)
        draft.tool_calls.append(ToolCall(result.tool, result.input, result.output))
        registry = default_registry()
        marks = []
        for key in result.indicator_keys:
            for c in compose.indicator_citations(self.index, registry.get(key)):
                marks.append(f"[{draft.cite(c)}]")
        if marks:
            draft.body += "\n\n标准依据：" + "".join(dict.fromkeys(marks))
        return draft

    def _finish(self, question: str, draft: compose.Draft, intent: str, hits, notice: str, started: float) -> Answer:
        tool_outputs = [str(t.output) + str(t.input) for t in draft.tool_calls]
        labels = [c.label for c in draft.citations]
        citations = draft.citations
        problems = quotes_are_verbatim([c for c in citations if c.verbatim], self.index.docs)
        body = draft.body
        if ungrounded_numbers(body, citations, tool_outputs, labels) or problems:
            body = _quotes_only(citations)  # never state a number we cannot point to
        text = (f"> {notice}\n\n" if notice else "") + body
        if citations:
            text += "\n\n" + compose.render_sources(citations)
        retrieved = [
            {"chunk_id": h.chunk.chunk_id, "label": h.chunk.label, "text": h.chunk.text, "score": round(h.score, 6)}
            for h in hits
        ]
        return Answer(question, text, intent, citations, draft.tool_calls, retrieved, _ms(started), notice)


def _quotes_only(citations: list[Citation]) -> str:
    return "以下是文件原文的相关内容：\n" + "\n".join(f"- “{c.quote}”[{i}]" for i, c in enumerate(citations, 1))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
