"""`Assistant.ask`: the one entry point the CLI, the web app, the API and the eval call.

Flow: understand (the question read once into a `QueryFrame`, follow-ups resolved on frames) →
scope (another region or school stage the documents do not cover is said plainly) → retrieve →
compose from verbatim quotes (or the calculator, on the frame's bound figures, with a read-back of
them) → numeric grounding check → markdown with numbered sources.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from functools import partial

from assistant.answer import compose, evidence, versions
from assistant.answer.examples import empty_message
from assistant.answer.grounding import quotes_are_verbatim, ungrounded_numbers
from assistant.domain import numeric_question
from assistant.domain.indicators import default_registry
from assistant.domain.numerals import extract_numbers, plain_number
from assistant.index.embedding import backend_id
from assistant.index.store import LoadedIndex, open_index
from assistant.models import SUMMARY_KIND, Answer, Citation, DocumentProfile, ToolCall
from assistant.retrieve import scope
from assistant.retrieve.hybrid import hybrid_search
from assistant.settings import Settings
from assistant.understand.frame import QueryFrame, change_words, understand

RETRIEVED_K = 10
NATIONAL = "全国"


@dataclass(frozen=True)
class Turn:
    """One question's view of the corpus: the index as it was when the question came (a rebuild
    that switches indexes mid-answer cannot mix two), and the documents the question may use."""

    index: LoadedIndex
    docs: list[str]
    left_out: DocumentProfile | None = None  # a superseded document the question names, not retrieved


class Assistant:
    def __init__(self, index: LoadedIndex, settings: Settings):
        self.index = index
        self.settings = settings
        self._twin: tuple[LoadedIndex, LoadedIndex] | None = None  # (index, the same with the other validity rule)
        self._twin_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "Assistant":
        settings = settings or Settings.from_env()
        return cls(open_index(settings), settings)

    def search(self, query: str, k: int | None = None):
        return hybrid_search(self.index, query, k or self.settings.top_k)

    def unit_profile(self, unit: str) -> compose.UnitProfile | None:
        return compose.unit_profile(self.index, unit)

    def understand(self, question: str, history: list[str] | None = None,
                   index: LoadedIndex | None = None) -> QueryFrame:
        index = index or self.index
        return understand(question, history, max_chars=self.settings.max_question_chars,
                          embed=index.query_vector, model_key=backend_id(self.settings.embedding_backend),
                          people=index.people, units_of=partial(_units_of, index),
                          regions=scope.region_aliases(index))

    def scoped_index(self, include_superseded: bool | None = None) -> LoadedIndex:
        """The current index, or, when a question asks for the other validity rule than the setting's
        (the UI's 包括已被替代的文件 switch), the same index with that rule: made once per index."""
        index = self.index
        if include_superseded is None or include_superseded == index.settings.include_superseded:
            return index
        with self._twin_lock:
            if self._twin is None or self._twin[0] is not index:
                self._twin = (index, replace(index, settings=index.settings.with_(include_superseded=include_superseded)))
            return self._twin[1]

    def ask(self, question: str, history: list[str] | None = None, include_superseded: bool | None = None) -> Answer:
        """`include_superseded` overrides Settings.include_superseded for this question only."""
        started = time.perf_counter()
        index = self.scoped_index(include_superseded)
        frame = self.understand(question, history, index)
        if not frame.question:
            return Answer(question, empty_message(index), "out_of_scope", elapsed_ms=_ms(started))
        turn = self._turn(index, frame)
        refusal = self._out_of_scope(turn, frame)
        if refusal:
            return self._finish(turn, question, compose.Draft(refusal), "out_of_scope", [], frame, started)
        if frame.parts:
            draft, intent, hits = self._compose_parts(turn, frame)
        else:
            refused = frame.intent == "out_of_scope" and frame.rule_intent == "out_of_scope"
            hits = [] if refused else hybrid_search(index, frame.text, RETRIEVED_K, docs=turn.docs)
            draft, intent = self._compose(turn, frame, hits)
        return self._finish(turn, question, draft, intent, hits, frame, started)

    @staticmethod
    def _turn(index: LoadedIndex, frame: QueryFrame) -> Turn:
        """The documents a frame is answered from: its region's, when the corpus has them."""
        region = frame.place if scope.documents_for_region(index, frame.place) else ""
        named = scope.named_document(index, _whole_figures(frame), region) if frame.numbers else None
        if named is not None and (named.in_force or frame.asks_change or frame.asks_relation or frame.asks_validity):
            named = None  # comparing versions or asking its validity is answered from both, and says so
        if named is not None and scope.usable(index, named):
            return Turn(index, [named.doc_id])  # superseded ones switched on: "2023年那个方案里…" answers from it
        if frame.intent == "calculation" and region and scope.home_plan(index, region) is None:
            region = ""  # a school is in a county: "按国家标准6000元拨付了，达标了吧" is judged at home
        return Turn(index, scope.answer_scope(index, region), named)

    def _compose_parts(self, turn: Turn, frame: QueryFrame) -> tuple[compose.Draft, str, list]:
        """Each part of a compound question retrieved and answered in turn, under its own heading,
        sources shared; the parts' hits (first part first) stand for the question's."""
        combined, intents, hits = compose.Draft(""), [], {}
        for i, part in enumerate(frame.parts):
            # "汶河区和曲阜…": each part in its own region's documents
            own = self._turn(turn.index, part) if part.place != frame.place else turn
            part_hits = hybrid_search(own.index, part.text, RETRIEVED_K, docs=own.docs)
            hits.update((h.chunk.chunk_id, h) for h in part_hits if h.chunk.chunk_id not in hits)
            draft, intent = self._compose(own, part, part_hits)
            intents.append(intent)
            heading = f"**（{'一二三'[i]}）{part.text}**"  # numbered in Chinese: no digit to ground
            combined.body += ("\n\n" if combined.body else "") + heading + "\n" + compose.adopt(combined, draft)
        answered = [i for i in intents if i != "out_of_scope"]
        return combined, (answered[0] if answered else "out_of_scope"), list(hits.values())[:RETRIEVED_K]

    def _out_of_scope(self, turn: Turn, frame: QueryFrame) -> str:
        covered = _covered_regions(turn.index)
        if frame.place and frame.place not in covered:
            have = "、".join(sorted(covered)) or "（无）"
            return (f"{compose.NOT_FOUND}已收录的文件涉及{have}，没有关于{frame.place}的文件，"
                    f"不能用其他地方的规定代替作答。如有{frame.place}的文件，可放入文件库后再问。")
        if frame.stage:
            return (f"{compose.NOT_FOUND}已收录的文件是关于义务教育（小学、初中）的，"
                    f"没有针对{frame.stage}的规定。")
        return ""

    def _compose(self, turn: Turn, frame: QueryFrame, hits) -> tuple[compose.Draft, str]:
        index, docs, intent = turn.index, turn.docs, frame.intent
        # The place is the scope (docs), not a topic: its name is in no clause of its own documents.
        text = frame.text.replace(frame.place_words, "") if frame.place_words else frame.text
        if intent == "out_of_scope" and frame.rule_intent != "out_of_scope":
            # The examples alone doubt the question: answer retrieval-first when a clause supports it.
            draft = compose.compose_general(index, text, hits, docs) or evidence.rescue(index, text, hits)
            return (draft, "general") if draft else (compose.not_found(index), intent)
        if intent == "out_of_scope":
            return compose.not_found(index), intent
        if intent in ("calculation", "general") and frame.claims and frame.indicators and not frame.binds_numbers:
            intent = "target"  # a figure said to be the standard is checked, not computed
        if frame.unlisted and not frame.units and intent in ("duty", "general", "out_of_scope"):
            unlisted = compose.unit_not_listed(index, frame.unlisted[0], docs)  # "数据局负责什么": not a member
            if unlisted is not None:
                return unlisted, "out_of_scope"
        if frame.asks_validity and intent != "calculation":  # "2023年那个方案还管用吗"
            figures = _whole_figures(frame)
            # no 文号 or year given: the region's own plan ("曲阜的方案还有效吗")
            named = scope.named_document(index, figures, frame.place) if figures else scope.home_plan(index, frame.place)
            if named is not None:
                return compose.compose_validity(index, named), "general"
        named = scope.numbered_documents(index, _whole_figures(frame)) if frame.asks_change or frame.asks_relation else []
        if (frame.asks_change or len(named) >= 2) and intent != "calculation":  # "新方案改成哪年了": versions compared
            plan, asked = _newer_version(index, frame, docs, named)
            # every figure it states, the claimed and the year ones too ("还是10%吗", "2027年"): changes hold them
            figures = tuple(plain_number(r.mention.value) for r in frame.numbers
                            if r.role not in ("name", "ordinal", "schools"))
            changed = versions.compose_change(
                index, compose.topic_tokens(text, list(change_words())), plan, frame.change_of_units, frame.unit_names,
                figures, on_topic=not asked) if plan else None
            if changed is not None:
                return changed, intent
        if frame.article[0] and intent != "calculation":  # "第三条规定的啥": the article itself
            article = compose.compose_article(index, frame.article, docs)
            if article is not None:
                return article, "general"
        duty_count = frame.roster.duties and not frame.unit_names
        if duty_count and intent != "calculation":
            intent = "roster"  # how many units the annex lists: counted, whatever the examples said
        attempts = {
            "duty": lambda: compose.compose_duty(index, text, frame.unit_names, docs),
            "who": lambda: compose.compose_who(index, text, hits, docs, frame.helped),
            "target": lambda: compose.compose_target(index, text, frame.indicators, frame.level, hits, docs),
            "calculation": lambda: self._calculate(turn, frame, hits),
            "roster": lambda: compose.compose_duty_count(index, docs) if duty_count else
            compose.compose_roster(index, frame.roster, frame.person, frame.unit_names, docs),
            "overview": lambda: compose.compose_overview(index, text, docs),
            "help": lambda: compose.compose_help(index, docs if frame.place else None),
            "general": lambda: compose.compose_general(index, text, hits, docs),
        }
        draft = attempts[intent]()
        if draft is None and intent != "general":  # retrieval-first: the best-supported sentences, quoted
            draft, intent = compose.compose_general(index, text, hits, docs), "general"
        if draft is None and intent == "general":  # the words do not meet: the closest sentence by meaning
            draft = evidence.rescue(index, text, hits)
        if draft is None:
            return compose.not_found(index), "out_of_scope"
        if intent == "target" and frame.claims:
            draft.body = _claim_line(frame, compose.registry_for(index, docs)) + "\n\n" + draft.body
        return draft, intent

    def _calculate(self, turn: Turn, frame: QueryFrame, hits) -> compose.Draft | None:
        request = frame.calc
        if request is None or request.tool is None:
            return None  # numbers, but nothing the indicators measure (e.g. plain arithmetic)
        if request.missing:
            needed = "、".join(request.missing)
            heard = numeric_question.readback(request)
            lead = f"我从问题中读到：{heard}。" if heard else ""
            ask = compose.Draft(f"{lead}要完成这项测算，还需要您提供：{needed}。请把这些数字补充到问题里再问一次。")
            # the standard the figures will be held against, quoted, so the asker sees what is needed
            standard = compose.compose_target(turn.index, frame.text, frame.indicators, frame.level, hits, turn.docs)
            if standard is not None:
                ask.body += "\n\n" + compose.adopt(ask, standard)
            return ask
        registry = compose.registry_for(turn.index, turn.docs)  # a county's plan: its own figures
        try:
            result = numeric_question.run(request, registry)
        except ValueError as exc:  # the calculator's own Chinese message (e.g. 在校生数应大于0)
            return compose.Draft(f"按 {numeric_question.readback(request)} 无法完成测算：{exc}。请核对数字后再问一次。")
        foreign = [key for key in result.indicator_keys
                   if not compose.registry_speaks_for(turn.index, registry.get(key), turn.docs)]
        if foreign:
            # Another region's plan sets its own figure we could not read: judging by another plan's
            # would state a verdict we cannot stand behind. Its own clauses answer instead.
            quoted = compose.compose_general(turn.index, frame.text, hits, turn.docs)
            lead = (f"我从问题中读到：{numeric_question.readback(request)}。该地区的方案对这项指标有自己的规定，"
                    "本助手的测算标准取自其他文件，不能直接套用，因此不给出达标结论")
            if quoted is None:
                return compose.Draft(lead + "。请对照该地区方案的原文核对。")
            quoted.body = lead + "；该地区方案的相关原文如下：\n\n" + quoted.body
            return quoted
        differing = [] if frame.place else _regions_setting_otherwise(turn.index, request, result)
        if differing:
            return _value_without_verdict(turn.index, request, result, differing)
        draft = compose.Draft(f"按 {numeric_question.readback(request)} 计算：\n\n{result.markdown}")
        draft.tool_calls.append(ToolCall(result.tool, result.input, result.output))
        marks = []
        for key in result.indicator_keys:
            for c in compose.indicator_citations(turn.index, registry.get(key), turn.docs):
                marks.append(f"[{draft.cite(c)}]")
        if marks:
            draft.body += "\n\n标准依据：" + "".join(dict.fromkeys(marks))
        return draft

    def _finish(self, turn: Turn, question: str, draft: compose.Draft, intent: str, hits, frame: QueryFrame,
                started: float) -> Answer:
        # The user's own figures may be restated (the read-back, a claim checked); they need no source.
        tool_outputs = [str(t.output) + str(t.input) for t in draft.tool_calls] + [frame.question, frame.text]
        if frame.calc:
            tool_outputs.append(str(frame.calc.quantities) + str([p.quantities for p in frame.calc.schools]))
            tool_outputs.append(numeric_question.readback(frame.calc))  # the same figures, in 万元 where large
        labels = [c.label for c in draft.citations]
        citations = draft.citations
        problems = quotes_are_verbatim([c for c in citations if c.verbatim], turn.index.docs)
        body = draft.body
        if ungrounded_numbers(body, citations, tool_outputs, labels) or problems:
            body = _quotes_only(turn.index, citations)  # never state a number we cannot point to
        notes = validity_notes(turn.index, citations)
        if turn.left_out and turn.left_out.doc_id not in {c.doc_id for c in citations}:
            notes = "\n".join(filter(None, [notes, left_out_note(turn.index, turn.left_out)]))
        text = (f"> {frame.notice}\n\n" if frame.notice else "") + body + (f"\n\n{notes}" if notes else "")
        if citations:
            text += "\n\n" + compose.render_sources(citations)
        retrieved = [
            {"chunk_id": h.chunk.chunk_id, "label": h.chunk.label, "text": h.chunk.text, "score": round(h.score, 6)}
            for h in hits
        ]
        return Answer(question, text, intent, citations, draft.tool_calls, retrieved, _ms(started), frame.notice,
                      suggestions=suggestions(frame, intent))


def _newer_version(index: LoadedIndex, frame: QueryFrame, docs: list[str], named: list):
    """The document a question about changes asks of, and whether the question asked of it: the one
    its 文号 figures name (`named`: "23号跟2023年31号"), the newer where they name two or one that was
    replaced; else the scope's plan; else (no place named, the home plan has no older version) the one
    document that has one — not asked of, so it answers only a change the question's words name."""
    for profile in named:
        if profile.in_force:
            return profile, True
        if profile.superseded_by in index.profiles:
            return index.profiles[profile.superseded_by], True
    plan = compose.scope_plan(index, docs)
    if frame.place or (plan and versions.predecessor(index, plan)):
        return plan, True
    versioned = [p for p in scope.profiles(index) if p.in_force and versions.predecessor(index, p)]
    return (versioned[0], False) if len(versioned) == 1 else (plan, True)


def _whole_figures(frame: QueryFrame) -> list[int]:
    """The question's whole numbers: what a 文号 or a year is written with."""
    return [int(r.mention.value) for r in frame.numbers if r.mention.value == int(r.mention.value)]


def _regions_setting_otherwise(index: LoadedIndex, request, result) -> list[str]:
    """Other regions whose plan would judge this calculation otherwise: with no place named, a verdict
    by the home plan's figure would be a guess for their schools. A region whose own figures give the
    same verdict changes nothing and is not asked about."""
    home = scope.home_plan(index)
    ours = compose.registry_for(index, [home.doc_id] if home else None)
    keys = result.indicator_keys
    out = []
    for region in sorted(scope.regions(index) - {NATIONAL}):
        plan = scope.home_plan(index, region)
        if not plan or plan == home:
            continue
        theirs = compose.registry_for(index, [plan.doc_id])
        if not any(_differs(index, ours, theirs, k, plan.doc_id) for k in keys):
            continue
        if all(compose.registry_speaks_for(index, theirs.get(k), [plan.doc_id]) for k in keys) \
                and _same_verdict(request, result, theirs):
            continue  # "9000元": 达标 by 8000 and by 9000 alike
        out.append(region)
    return out


def _same_verdict(request, result, registry) -> bool:
    try:
        return numeric_question.run(request, registry).met == result.met
    except ValueError:  # their standard cannot judge these figures: the region has to be asked
        return False


def _differs(index: LoadedIndex, ours, theirs, key: str, doc_id: str) -> bool:
    """The region judges `key` by another figure (its plan's own, or the national one where its plan is
    silent and ours is higher), or by one we could not read."""
    if not compose.registry_speaks_for(index, theirs.get(key), [doc_id]):
        return True
    return dict(theirs.get(key).values) != dict(ours.get(key).values)


def _value_without_verdict(index: LoadedIndex, request, result, regions: list[str]) -> compose.Draft:
    """The computed value and each region's own standard, quoted — no 达标 verdict, which depends on
    the region — and the question which region the school is in."""
    numbers = result.output.get("numbers", {})
    # a check with no single value (rooms, two ratios) shows its steps that state no verdict
    plain = [st for st in result.steps if "达标" not in st]
    value = f"{result.output.get('title', '')}为 {numbers['value']}{numbers.get('unit', '')}。" if "value" in numbers \
        else "".join(f"{st}。" for st in plain)
    home = scope.home_plan(index)
    draft, lines = compose.Draft(""), []
    for region in [home.region, *regions] if home else regions:
        docs = scope.answer_scope(index, region)
        registry = compose.registry_for(index, docs)
        if not all(compose.registry_speaks_for(index, registry.get(k), docs) for k in result.indicator_keys):
            lines.append(f"- {region}的方案：对这项指标有自己的规定，请对照其原文。")
            continue
        standard = "；".join(compose.target_line(registry.get(k), request.level or "", bold=False)
                             for k in result.indicator_keys)
        marks = "".join(dict.fromkeys(f"[{draft.cite(c)}]" for k in result.indicator_keys
                                      for c in compose.indicator_citations(index, registry.get(k), docs)))
        lines.append(f"- {region}的方案：{standard}{marks}")
    draft.body = (f"按 {numeric_question.readback(request)} 计算：{value}\n\n已收录的文件中，各地方案对这项指标的标准不同，"
                  "是否达标要看学校在哪个地区：\n" + "\n".join(lines) +
                  f"\n\n请说明学校所在的地区（例如“{regions[0]}的{request.level or '学校'}……”），以便按该地区的标准判断。")
    draft.tool_calls.append(ToolCall(result.tool, result.input, {"title": result.output.get("title"), "numbers": numbers,
                                                                "steps": plain}))
    return draft


def _covered_regions(index: LoadedIndex) -> set[str]:
    """The regions the profiles cover; the national standards too when our indicator summary (which
    states them, labelled as a summary) is indexed."""
    summaries = any(p.kind == SUMMARY_KIND for p in index.profiles.values())
    return scope.regions(index) | ({NATIONAL} if summaries else set())


def _units_of(index: LoadedIndex, text: str, region: str = "") -> list:
    """The units `text` names, each resolved within its own document's table; a question about a
    region with documents of its own resolves them in those only (汶河区's 市监局 is its own)."""
    own = [d for d in scope.documents_for_region(index, region) if d in scope.unit_documents(index)] if region else []
    return [unit for _, unit in scope.resolve_units(index, text, own or None)]


def validity_notes(index: LoadedIndex, citations: list[Citation]) -> str:
    """The line each cited document's validity calls for (superseded, expired, past its target
    year), once per document; added after the grounding check, since the lines are ours, not quotes."""
    today, notes = date.today(), {}
    for c in citations:
        profile = index.profiles.get(c.doc_id)
        line = scope.validity_note(profile, today, index.profiles) if profile else ""
        if line:
            notes.setdefault(profile.name, line)
    if len(notes) == 1 and len({c.doc_id for c in citations}) == 1:  # one document: "本方案" is unambiguous
        line = next(iter(notes.values()))
        return f"注意：{'本方案' if line.startswith('目标年份') else ''}{line}"
    return "\n".join(f"注意：《{name}》{line}" for name, line in notes.items())


def left_out_note(index: LoadedIndex, profile: DocumentProfile) -> str:
    """Why a document the question names is not what the answer quotes: it is superseded and left
    out of retrieval (the setting or the UI switch brings it back)."""
    line = (scope.validity_note(profile, date.today(), index.profiles) or "该文件已不再有效。").removeprefix("该文件")
    return f"注意：您问到的《{profile.name}》{line}以上按现行文件作答；如需查看旧文件原文，可打开“包括已被替代的文件”。"


def suggestions(frame: QueryFrame, intent: str) -> list[str]:
    """Two or three next questions drawn from the frame: the other school level of a target or a
    calculation, the unit's place in the taskforce or its duties, the calculator for a target.
    Each is a question the frame logic reads the same way when it is sent (a follow-up or whole)."""
    registry = default_registry()
    out: list[str] = []
    other = {"小学": "初中", "初中": "小学"}.get(frame.level)
    levelled = [k for k in frame.indicators if set(registry.get(k).values) - {"all"}]
    if intent in ("target", "calculation") and other and (levelled or intent == "calculation"):
        out.append(f"那{other}呢？")
    if intent == "target" and frame.indicators:
        ind = registry.get(frame.indicators[0])
        if ind.measure is not None:
            out.append(f"我们{frame.level or '小学'}有学生800人，至少需要多少{ind.measure.input_name.removesuffix('数')}？")
    for unit in frame.unit_names[:1]:
        if intent == "duty":
            out.append(f"{unit}在工作专班里是谁？")
        elif intent in ("roster", "who"):
            out.append(f"{unit}负责什么？")
    if intent == "roster" and not frame.unit_names:
        out.append("专班办公室设在哪里？")
    return list(dict.fromkeys(out))[:3]


def _claim_line(frame: QueryFrame, registry) -> str:
    """The figures the question says the standard is, checked against the scope's registry (a
    county's own figures where its plan sets them): each is said to agree or not, and the real
    standard given; never computed as the school's data."""
    indicators = [registry.get(key) for key in frame.indicators]
    percent = any(r.mention.percent for r in frame.claims)
    # "要占一半吧": the indicators a percentage can be (the 20% share, not the 骨干 per hundred)
    indicators = [ind for ind in indicators if (ind.unit == "%") == percent] or indicators
    right, wrong, elsewhere = [], [], []
    told = [r for r in frame.claims if r.role == "instruction"]
    known = {Fraction(v) for ind in indicators for lv, v in ind.values.items()
             if not frame.level or lv in (frame.level, "all")}
    known |= {Fraction(n.value) for ind in indicators for n in extract_numbers(ind.name)}  # 5年360学时
    # another document's own figure (the national 6000 where the plan sets 8000): not the one that applies
    other = {Fraction(src.value) for ind in indicators for src in ind.sources if src.value is not None}
    for r in frame.claims:
        if r.role == "instruction":
            continue  # what the question tells us to say is not repeated, only the standard given
        value = Fraction(r.mention.value)
        (right if value in known else elsewhere if value in other else wrong).append(f"“{r.mention.text}”")
    standard = "；".join(compose.target_line(ind, frame.level, bold=False) for ind in indicators[:2])
    if told and not (wrong or right or elsewhere):
        head = "本助手只按文件原文作答，不按问题指定的数字回答"
    elif wrong:
        head = f"不对：问题中的{'、'.join(wrong)}与文件规定不符"
    elif elsewhere:
        head = f"不对：问题中的{'、'.join(elsewhere)}是另一文件的标准，不是这里适用的"
    elif right:
        head = f"是的，问题中的{'、'.join(right)}与文件规定一致"
    else:
        head = "问题中的数字是对标准的说法"
    tail = f"，文件规定{standard}。" if standard else "。"
    return head + tail + "问题中的数字不作为学校的实际数据测算；以下原文为准："


def _quotes_only(index: LoadedIndex, citations: list[Citation]) -> str:
    if not citations:  # nothing to fall back on: say so rather than show an empty list
        return compose.not_found(index).body
    return "以下是文件原文的相关内容：\n" + "\n".join(f"- “{c.quote}”[{i}]" for i, c in enumerate(citations, 1))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
