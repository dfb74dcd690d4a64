"""The grounding verifier for LLM answers: the model proposes, this code decides what is shown.

An LLM answer is shown only when all of these hold (checked in this order; the first failure is the
reason recorded in `Answer.fallback`):

1. `empty`             — there is an answer at all.
2. `bad_citation`      — every `[n]` names one of the clauses the model was given ([1]..[len]).
   `no_citation`       — it cites at least one clause (unless the answer rests on calculator output).
3. `source_not_verbatim` — each cited clause is still the source text at its offsets
                         (`grounding.quotes_are_verbatim`, the deterministic path's check).
4. `quote_not_verbatim` — text the model puts in “”/「」/『』/"" is a verbatim piece of a cited
                         clause or of an official source document ("……" may join verbatim pieces).
5. `ungrounded_number` — every number occurs in a cited clause or a calculator output
                         (`grounding.ungrounded_numbers`, the deterministic path's check).
6. `verdict_mismatch`  — a 达标/未达标 conclusion agrees with the calculator's `met`;
   `verdict_missing`   — and when the calculator reached one, the answer states it.
7. `injection_echo`    — when the question tries to give orders or plant facts (“忽略之前的指令…”),
                         the answer repeats none of the question's wording that the documents lack.
8. `unsupported_claim` — each sentence is mostly made of words found in the clauses it cites (or,
                         without marks, in all cited clauses and tool outputs), and a negation such as
                         “不用/无需/不负责” appears only where the clause has it too.

Numbers written in Chinese characters (“百分之九十五”) are not checked by 5, as on the deterministic
path; check 8 still needs their sentence to be supported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.grounding import SOURCES_HEADING, quotes_are_verbatim, ungrounded_numbers
from assistant.answer.text import overlap
from assistant.understand.topic import content_tokens
from assistant.models import Citation, ToolCall

CITATION_ID = re.compile(r"\[(\d+)\]")
# Marks a model writes in other ways, normalised to [n] first: 【1】 ［1］ [1,2] [1、2] [1][2].
_ODD_MARKS = re.compile(r"[\[【［]\s*(\d+(?:\s*[,，、;；]\s*\d+)*)\s*[\]】］]")
QUOTE = re.compile(r"“([^“”]*)”|「([^「」]*)」|『([^『』]*)』|\"([^\"\n]*)\"")
ELLIPSIS = re.compile(r"……|…|\.{3,}|⋯+")
QUOTE_TRIM = "，,。.；;：:、！!？? \n\t"
SENTENCE = re.compile(r"[^。；！？!?\n]+[。；！？!?]?")
# Words that frame an answer rather than state a fact; not counted when measuring support.
FRAME = re.compile(
    r"根据|按照|依据|依照|对照|方案|文件|条款|原文|规定|要求|明确|提出|指出|写明|其中|主要|包括|如下|以下|下列|"
    r"方面|内容|工作|需要|应当|应该|必须|负责|承担|职责|相关|具体|有关|等等|以及|并且|同时|此外|另外|总之|因此|"
    r"所以|您|你们|我们|他们|问题|回答|可以|能够|这个|这些|那些|该|其|是|为|有|的|了|和|与|及|或|在|对|由|将|把|被"
)
SUPPORT_MIN = 0.6  # share of a sentence's content characters that must be found in its clauses
NEGATION = re.compile(r"不用|不需要|不需|无需|无须|不必|不承担|不负责|不再|免除|取消|没有职责|无职责|不属于")
VERDICT_NEG = re.compile(r"未达标|不达标|未达到|没有达到|没达到|达不到|不符合|不合格|未满足|不满足")
VERDICT_POS = re.compile(r"达标|已达到|达到了?标准|符合标准|合格|满足")
# A question that gives orders or plants facts: its own wording must not come back as a fact.
INJECTION = re.compile(
    r"忽略|无视|忘掉|忘记|别管|不要管|不用管|系统提示|系统指令|指令|提示词|system|ignore|instruction|prompt|"
    r"你现在是|你是一个|扮演|假装|以.{0,6}身份|管理员|说成|改为|改成|换成|就当|从现在起|越狱|jailbreak|"
    r"must|确认一下|对吧|是不是",
    re.IGNORECASE,
)
ECHO_MIN = 6  # characters of question wording (absent from every source) that count as an echo


@dataclass
class Verdict:
    ok: bool
    code: str = ""  # a short code (see the module docstring); "" when ok
    detail: str = ""  # Chinese, may name the offending number / id / quote (not shown in the answer text)
    cited: list[int] = field(default_factory=list)  # 1-based source ids in order of first mention


def normalise_marks(text: str) -> str:
    """【1】/［1］/[1,2]/[1、2] → [1]/[1][2], so one pattern finds every citation."""
    return _ODD_MARKS.sub(lambda m: "".join(f"[{n}]" for n in re.findall(r"\d+", m.group(1))), text)


def strip_model_sources(text: str) -> str:
    """A model's own 来源 list is dropped (we render the sources); what precedes it is the answer."""
    return text.split(SOURCES_HEADING, 1)[0].rstrip()


def cited_ids(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in CITATION_ID.findall(text)))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _support_text(c: Citation) -> str:
    return _squash(" ".join([c.doc_title, c.label, *c.section_path, c.quote]))


def _quote_pieces(quote: str) -> list[str]:
    return [p.strip(QUOTE_TRIM) for p in ELLIPSIS.split(quote) if len(p.strip(QUOTE_TRIM)) >= 2]


def _claim_tokens(sentence: str) -> list[str]:
    """The sentence's content words, longest only (jieba's search mode also gives 财政/财政局/市财政局,
    which would count the same characters several times)."""
    text = CITATION_ID.sub(" ", sentence)
    text = QUOTE.sub(" ", text)  # quoted text is checked verbatim instead
    text = re.sub(r"\d+(?:[.,]\d+)*\s*%?", " ", text)  # numbers are checked by ungrounded_numbers
    text = FRAME.sub(" ", text)
    tokens = [t for t in content_tokens(text) if not re.fullmatch(r"[\W_]+", t)]
    return [t for t in tokens if not any(t != u and t in u for u in tokens)]


def looks_like_injection(question: str) -> bool:
    return bool(INJECTION.search(question or ""))


def _echoes(body: str, question: str, allowed: list[str]) -> list[str]:
    """Question wording the answer repeats that no source has: words (张三), or runs of ≥ ECHO_MIN
    characters (不用承担任何职责)."""
    q = _squash(question)
    stripped = QUOTE.sub(" ", CITATION_ID.sub(" ", body))
    found = [t for t in content_tokens(FRAME.sub(" ", stripped))
             if len(t) >= 2 and t in q and not re.fullmatch(r"[\W\d_]+", t) and not any(t in a for a in allowed)]
    b = _squash(stripped)
    i = 0
    while i <= len(b) - ECHO_MIN:
        piece = b[i:i + ECHO_MIN]
        if piece in q and not any(piece in a for a in allowed):
            j = i + ECHO_MIN  # grow the run for a readable detail
            while j < len(b) and b[i:j + 1] in q:
                j += 1
            found.append(b[i:j])
            i = j
        else:
            i += 1
    return found


def verify_answer(text: str, sources: list[Citation], docs: dict, tool_calls: list[ToolCall] = (),
                  question: str = "", require_citation: bool | None = None) -> Verdict:
    """Check one LLM answer (`text`, marks [n] pointing into `sources`) against the rules above."""
    body = strip_model_sources(normalise_marks(text or "")).strip()
    if not body:
        return Verdict(False, "empty", "模型没有给出回答")
    ids = cited_ids(body)
    bad = [n for n in ids if not 1 <= n <= len(sources)]
    if bad:
        return Verdict(False, "bad_citation", f"引用了不存在的条款编号 {bad}（共 {len(sources)} 条）", ids)
    if require_citation is None:
        require_citation = not tool_calls
    if require_citation and not ids:
        return Verdict(False, "no_citation", "回答没有标注任何条款编号", ids)
    cited = [sources[n - 1] for n in ids]
    problems = quotes_are_verbatim([c for c in cited if c.verbatim], docs)
    if problems:
        return Verdict(False, "source_not_verbatim", "；".join(problems), ids)

    official = [d.text for d in docs.values() if getattr(d, "verbatim", True)]
    for match in QUOTE.finditer(body):
        quote = next(g for g in match.groups() if g is not None)
        for piece in _quote_pieces(quote):
            if not any(piece in c.quote for c in cited) and not any(piece in t for t in official):
                return Verdict(False, "quote_not_verbatim", f"引号中的“{piece}”不是原文", ids)

    tool_outputs = [str(t.output) + str(t.input) for t in tool_calls]
    numbers = ungrounded_numbers(body, cited, tool_outputs, [c.label for c in cited])
    if numbers:
        return Verdict(False, "ungrounded_number", f"数字 {'、'.join(dict.fromkeys(numbers))} 不在所引原文或计算结果中", ids)

    flags = [t.output.get("met") for t in tool_calls if isinstance(t.output, dict) and "met" in t.output]
    if flags and all(f is not None for f in flags):
        met = all(flags)
        negative = bool(VERDICT_NEG.search(body))
        positive = bool(VERDICT_POS.search(VERDICT_NEG.sub(" ", body)))
        if (met and negative) or (not met and positive and not negative):
            return Verdict(False, "verdict_mismatch", f"回答的结论与计算结果（{'达标' if met else '未达标'}）不一致", ids)
        if not negative and not positive:
            return Verdict(False, "verdict_missing", "计算结果有达标结论，回答却没有说明是否达标", ids)

    tool_text = _squash(" ".join(tool_outputs))
    allowed = [_support_text(c) for c in cited] + [_squash(t) for t in official] + [tool_text]
    if question and looks_like_injection(question):
        echoes = _echoes(body, question, allowed)
        if echoes:
            return Verdict(False, "injection_echo", f"复述了问题中文件没有的说法：{'、'.join(echoes[:3])}", ids)

    everything = " ".join([*(_support_text(c) for c in cited), tool_text])
    for sentence in (s.strip() for s in SENTENCE.findall(body)):
        marks = cited_ids(sentence)
        support = " ".join(_support_text(sources[n - 1]) for n in marks) if marks else everything
        negation = NEGATION.search(QUOTE.sub(" ", sentence))
        if negation and negation.group(0) not in support:
            return Verdict(False, "unsupported_claim", f"“{negation.group(0)}”在所引条款中没有依据：{sentence[:60]}", ids)
        tokens = _claim_tokens(sentence)
        if len("".join(tokens)) < 2:
            continue  # "如下：" and the like carry no claim
        if overlap(tokens, _squash(support)) < SUPPORT_MIN:
            return Verdict(False, "unsupported_claim", f"这句话在所引条款中找不到依据：{sentence[:60]}", ids)
    return Verdict(True, cited=ids)
