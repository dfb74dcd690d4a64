"""The eval harness behind `assistant eval`, the eval floor test and `make bench`.

Judgment of one answer (schema of `eval/questions.jsonl`: see eval/README_questions.md):
  content pass = every `expect` group has one string in the answer text
                 AND no `must_not` string is in it
                 AND (refuse → the answer says "现有文件中未找到相关规定" and cites nothing;
                      gold → some citation quote contains the gold fragment)
  strict pass  = content pass AND the answer's intent equals the expected intent
The headline pass rate is the content pass; intent accuracy and the strict pass are shown beside it.

Retrieval: the gold clause's rank in `Answer.retrieved` (a retrieved chunk "holds" the gold when its
text contains the gold fragment) gives recall@k (k = 1..10) and MRR@10, over questions with a gold.

Citations: a citation is *verbatim-ok* when it is marked verbatim and the document text at
[start:end] equals its quote (checked against `assistant.index.docs`); citations marked not verbatim
are our own summaries (要点摘要) and are counted apart. Citation accuracy is the share of all
citations that are verbatim-ok and — for a question with a gold — contain the gold fragment (a
citation on a refusal item is never accurate).

Wrong figures (must be 0 on every set): an answer that states a 达标/未达标 verdict, or computes a
value, that disagrees with the item — distinct from an answer that merely omits something. The
item's `verdicts` (one per school, or ["ask"] when the assistant must ask instead of computing) and
`values` say what is right; older calculation items without them are read from their wording (`must_not`
未达标 → 达标 expected; an `expect` group of 未达标 → 未达标 expected). The stated verdicts are read from the answer's tool calls (their `met`) and from
bold headlines (**达标** / **未达标**); stated values from the tool calls' `numbers.value` (and a
value's share of its standard); a value is wrong when an expected one is missing and another stands
in its place. A stated
verdict the item never expects is wrong, and so is a stated value's verdict that differs from the
one the item pairs with that value; a verdict left unstated is an omission, not a wrong figure.
Where every value the item pairs has a check of its own in the answer, the pairs alone decide: the
school's verdict by the 85% rule beside an indicator's own 未达标 is not that value's verdict.

Multi-document items name the document (`doc`) the answer must cite; citing another region's plan
mixes two counties and fails, unless the question (or its history) names that region itself.

Nothing here normalises whitespace: two gold fragments keep the source's double spaces.
"""
from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable

from assistant.domain.calculator import round_to

REFUSAL_TEXT = "现有文件中未找到相关规定"
RECALL_KS = tuple(range(1, 11))


# ---------------------------------------------------------------------------------------------
# Questions


def _user_turns(history) -> tuple[str, ...]:
    """Earlier user turns: plain strings, or chat messages ({"role", "content"}) of which the
    user's are kept (the assistant answers its own earlier turns)."""
    return tuple(str(h.get("content", "")) if isinstance(h, dict) else str(h)
                 for h in history if not isinstance(h, dict) or h.get("role", "user") == "user")


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    category: str
    question: str
    history: tuple[str, ...] = ()
    intent: str = ""
    expect: tuple[tuple[str, ...], ...] = ()
    gold: str = ""
    refuse: bool = False
    must_not: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    doc: str = ""  # multi-document sets: the document the answer must cite (and no other plan)

    @classmethod
    def from_dict(cls, data: dict) -> "EvalQuestion":
        missing = [k for k in ("id", "question") if k not in data]
        if missing:
            raise ValueError(f"评测题缺少字段：{', '.join(missing)}")
        return cls(
            id=str(data["id"]),
            category=str(data.get("category") or str(data["id"]).split("-", 1)[0]),
            question=str(data["question"]),
            history=_user_turns(data.get("history") or ()),
            intent=str(data.get("intent") or ""),
            expect=tuple(tuple(str(s) for s in group) for group in data.get("expect") or ()),
            gold=str(data.get("gold") or ""),
            refuse=bool(data.get("refuse", False)),
            must_not=tuple(str(s) for s in data.get("must_not") or ()),
            values=tuple(str(s) for s in data.get("values") or ()),
            verdicts=tuple(str(s) for s in data.get("verdicts") or ()),
            doc=str(data.get("doc") or ""),
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id, "category": self.category, "question": self.question,
            "history": list(self.history), "intent": self.intent,
            "expect": [list(g) for g in self.expect], "gold": self.gold,
            "refuse": self.refuse, "must_not": list(self.must_not),
            **({"values": list(self.values)} if self.values else {}),
            **({"verdicts": list(self.verdicts)} if self.verdicts else {}),
            **({"doc": self.doc} if self.doc else {}),
        }

    def expected_verdicts(self) -> tuple[str, ...] | None:
        """What the answer may state: verdict words per school, ("ask",), () for none, or None
        when the item does not say (a calculation item written before `verdicts` existed)."""
        if self.verdicts:
            return self.verdicts
        if self.intent != "calculation":
            return None  # an older non-calculation item may still carry the user's figure ("只占九成，行吗")
        if any("未达标" in s for s in self.must_not):
            return ("达标",)
        if any("未达标" in s for group in self.expect for s in group):
            return ("未达标",)
        return None

    @property
    def retrieval_query(self) -> str:
        """What a pipeline without follow-up resolution searches for: earlier turns, then the question."""
        return "；".join([*self.history, self.question]) if self.history else self.question


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a JSONL eval set; blank lines are skipped, a bad line raises ValueError naming its line."""
    questions, seen = [], set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            question = EvalQuestion.from_dict(json.loads(line))
        except (json.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path} 第 {number} 行无法读取：{exc}") from exc
        if question.id in seen:
            raise ValueError(f"{path} 第 {number} 行：编号 {question.id} 重复")
        seen.add(question.id)
        questions.append(question)
    return questions


# ---------------------------------------------------------------------------------------------
# Reading an answer (an `Answer` dataclass or the dict of its JSON form)


def _get(obj: Any, name: str, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _citations(answer) -> list:
    return list(_get(answer, "citations", None) or [])


def gold_rank(retrieved: Iterable, gold: str) -> int | None:
    """1-based rank of the first retrieved chunk whose text holds the gold fragment."""
    if not gold:
        return None
    for rank, item in enumerate(retrieved, 1):
        text = item if isinstance(item, str) else _get(item, "text", "") or ""
        if gold in text:
            return rank
    return None


def citation_is_verbatim(citation, docs: dict | None) -> bool | None:
    """True/False for a citation marked verbatim (offsets reproduce the quote); None for a summary."""
    if not _get(citation, "verbatim", True):
        return None
    if docs is None:
        return True  # nothing to check against: trust the flag (only used without an index)
    doc = docs.get(_get(citation, "doc_id", ""))
    if doc is None:
        return False
    text = _get(doc, "text", "") or ""
    start, end = _get(citation, "start", None), _get(citation, "end", None)
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(text):
        return False
    return text[start:end] == (_get(citation, "quote", "") or "")


# ---------------------------------------------------------------------------------------------
# One question


@dataclass
class Judgment:
    id: str
    category: str
    question: str
    expected_intent: str
    intent: str
    passed: bool  # content pass (without intent)
    intent_ok: bool
    reasons: list[str] = field(default_factory=list)
    gold: str = ""
    gold_rank: int | None = None  # rank of the gold clause in `retrieved`, None when absent or no gold
    citations: int = 0
    citations_verbatim_ok: int = 0  # marked verbatim and offsets reproduce the quote
    citations_verbatim_broken: int = 0  # marked verbatim but they do not: must be 0
    citations_summary: int = 0  # marked not verbatim (our own summaries)
    citations_accurate: int = 0  # verbatim-ok and (if the question has a gold) holding it
    gold_cited: bool | None = None  # some citation holds the gold (None: the question has no gold)
    elapsed_ms: float = 0.0
    answer: str = ""
    error: str = ""
    wrong_figures: list[str] = field(default_factory=list)  # stated verdicts/values that disagree

    @property
    def strict_passed(self) -> bool:
        return self.passed and self.intent_ok

    def to_dict(self) -> dict:
        data = asdict(self)
        data["strict_passed"] = self.strict_passed
        return data


def judge(question: EvalQuestion, answer, docs: dict | None = None, kinds: dict | None = None,
          regions: dict | None = None) -> Judgment:
    """Judge one answer against one eval item (see the module docstring for the rules). `kinds`:
    each document's kind (plan, national_rule…), for items that name the document to cite;
    `regions`: each document's region, so a plan of a region the question itself names may be cited."""
    text = _get(answer, "answer", "") or ""
    intent = _get(answer, "intent", "") or ""
    citations = _citations(answer)
    reasons: list[str] = []

    for group in question.expect:
        if group and not any(s in text for s in group):
            reasons.append("缺少预期内容：" + " / ".join(group))
    for bad in question.must_not:
        if bad and bad in text:
            reasons.append(f"含有不应出现的内容：{bad}")
    if question.refuse:
        if REFUSAL_TEXT not in text:
            reasons.append(f"应拒答（“{REFUSAL_TEXT}”）但给出了回答")
        if citations:
            reasons.append(f"拒答时不应引用，却有 {len(citations)} 条引用")
    gold_cited = any(question.gold in (_get(c, "quote", "") or "") for c in citations) if question.gold else None
    if not question.refuse and gold_cited is False:
        reasons.append(f"没有引用包含标准条款的原文：{question.gold}")
    if question.doc and not question.refuse:
        cited = {_get(c, "doc_id", "") for c in citations}
        if question.doc not in cited:
            reasons.append(f"没有引用应依据的文件：{question.doc}")
        asked = question.retrieval_query
        plans = {d for d in cited if (kinds or {}).get(d) == "plan"
                 and not _names_region(asked, (regions or {}).get(d, ""))}  # "曲阜和汶河各是多少": both
        # an ask item wants each region's standard shown beside the question "which region?": no mix
        if (kinds or {}).get(question.doc) == "plan" and plans - {question.doc} and question.verdicts != ("ask",):
            reasons.append(f"混用了其他文件的方案：{'、'.join(sorted(plans - {question.doc}))}")

    verbatim_ok = broken = summary = accurate = 0
    for c in citations:
        state = citation_is_verbatim(c, docs)
        if state is None:
            summary += 1
            continue
        if not state:
            broken += 1
            continue
        verbatim_ok += 1
        # a citation on a question the documents do not cover is never accurate
        if not question.refuse and (not question.gold or question.gold in (_get(c, "quote", "") or "")):
            accurate += 1
    if broken:
        reasons.append(f"{broken} 条引用标为原文但与原文不一致")

    wrong = wrong_figures(question, answer)
    reasons += wrong
    retrieved = _get(answer, "retrieved", None) or []
    return Judgment(
        id=question.id, category=question.category, question=question.question,
        expected_intent=question.intent, intent=intent,
        passed=not reasons, intent_ok=(not question.intent or intent == question.intent),
        reasons=reasons, gold=question.gold, gold_rank=gold_rank(retrieved, question.gold),
        citations=len(citations), citations_verbatim_ok=verbatim_ok, citations_verbatim_broken=broken,
        citations_summary=summary, citations_accurate=accurate, gold_cited=gold_cited,
        elapsed_ms=float(_get(answer, "elapsed_ms", 0.0) or 0.0), answer=text, wrong_figures=wrong,
    )


HEADLINE_VERDICT = re.compile(r"\*\*(达标|未达标)\*\*")


def stated_verdicts(answer) -> list[str]:
    """Verdicts the answer states: its tool calls' `met` (also per school), else bold headlines."""
    found = [("达标" if c["met"] else "未达标") for c in _checks(answer) if c.get("met") is not None]
    return found or HEADLINE_VERDICT.findall(_get(answer, "answer", "") or "")


def stated_values(answer) -> list[str]:
    return [str(v) for v in ((c.get("numbers") or {}).get("value") for c in _checks(answer)) if v is not None]


def stated_shares(answer) -> list[str]:
    """Each check's share of its standard (the 85% rule's 88.00), and the 0.88 some items write for it."""
    shares = [str(v) for v in ((c.get("numbers") or {}).get("ratio_percent") for c in _checks(answer)) if v is not None]
    return [*shares, *(str(round_to(Fraction(s) / 100)) for s in shares)]


def _checks(answer) -> list[dict]:
    """The innermost checks of the answer's tool calls: one per school, per indicator of a school."""
    out: list[dict] = []

    def walk(item) -> None:
        if not isinstance(item, dict):
            return
        inner = item.get("schools") or item.get("checks")
        if isinstance(inner, list) and inner:
            for sub in inner:
                walk(sub)
        else:
            out.append(item)

    for output in _outputs(answer):
        walk(output)
    return out


def _outputs(answer) -> list[dict]:
    return [_get(call, "output", {}) or {} for call in _get(answer, "tool_calls", None) or []]


def wrong_figures(question: EvalQuestion, answer) -> list[str]:
    """Stated verdicts or values that disagree with the item (see the module docstring)."""
    expected = question.expected_verdicts()
    if expected is None:
        return []
    stated = stated_verdicts(answer)
    if expected in ((), ("ask",)):
        return [f"错误数字：不应给出达标结论，却给出“{'、'.join(stated)}”"] if stated else []
    problems = []
    overall = [("达标" if o["met"] else "未达标") for o in _outputs(answer) if o.get("met") is not None]
    if len(set(expected)) == 1 and set(overall) == set(expected):
        stated = overall  # "达标吗" has one answer: the overall verdict, whatever its parts say
    # A verdict never expected is wrong; one left unstated is an omission (the expect groups catch
    # it). Where the item pairs each value with its verdict, a stated value's verdict must be its own.
    pairs = list(zip(question.values, expected)) if len(question.values) == len(expected) else []
    expected_of = {v: e for v, e in pairs if all(f == e for w, f in pairs if w == v)}  # unambiguous ones
    checks = [c for c in _checks(answer) if c.get("met") is not None]
    mismatched = [c for c in checks if str((c.get("numbers") or {}).get("value")) in expected_of
                  and ("达标" if c["met"] else "未达标") != expected_of[str(c["numbers"]["value"])]]
    # Every paired value has its own check: the pairs decide. A verdict of another rule beside them
    # (the school 达标 by the 85% rule while the indicator itself is 未达标) is not the value's.
    by_pairs = bool(expected_of) and set(expected_of) <= {str((c.get("numbers") or {}).get("value")) for c in checks}
    unexpected = not by_pairs and stated and not set(stated) <= set(expected)
    if (mismatched and (by_pairs or stated)) or unexpected:
        problems.append(f"错误数字：结论应为“{'、'.join(expected)}”，答案给出“{'、'.join(stated)}”")
    values = stated_values(answer)
    reached = [*values, *stated_shares(answer)]
    # wrong when an expected value is missing and another stands in its place (0.78 read as 280)
    if question.values and values and not set(question.values) <= set(reached) and not set(values) <= set(question.values):
        problems.append(f"错误数字：计算值应为“{'、'.join(question.values)}”，答案为“{'、'.join(values)}”")
    return problems


def _names_region(text: str, region: str) -> bool:
    """"汶河" names 汶河区: a region is named by its full name or without its 市/区/县."""
    short = region[:-1] if len(region) > 2 and region[-1] in "市区县省" else region
    return bool(short) and short in text


def failed_judgment(question: EvalQuestion, error: str, elapsed_ms: float = 0.0) -> Judgment:
    return Judgment(question.id, question.category, question.question, question.intent, "", False, False,
                    [f"出错：{error}"], gold=question.gold, elapsed_ms=elapsed_ms, error=error)


# ---------------------------------------------------------------------------------------------
# Metrics shared with the benchmark


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    data = sorted(values)
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def retrieval_metrics(ranks: list[int | None], ks: Iterable[int] = RECALL_KS) -> dict:
    """recall@k and MRR over gold ranks (one per question that has a gold; None = not retrieved)."""
    n = len(ranks)
    recall = {k: (sum(1 for r in ranks if r is not None and r <= k) / n if n else 0.0) for k in ks}
    mrr = sum(1.0 / r for r in ranks if r) / n if n else 0.0
    return {"n": n, "recall": recall, "mrr": mrr}


def _rate(num: int, den: int) -> float:
    return num / den if den else 0.0


# ---------------------------------------------------------------------------------------------
# The report


@dataclass
class EvalReport:
    judgments: list[Judgment]
    label: str = "deterministic"
    seconds: float = 0.0

    # --- counts and rates ---
    @property
    def n(self) -> int:
        return len(self.judgments)

    @property
    def passed(self) -> int:
        return sum(j.passed for j in self.judgments)

    @property
    def pass_rate(self) -> float:
        return _rate(self.passed, self.n)

    @property
    def strict_pass_rate(self) -> float:
        return _rate(sum(j.strict_passed for j in self.judgments), self.n)

    @property
    def intent_accuracy(self) -> float:
        return _rate(sum(j.intent_ok for j in self.judgments), self.n)

    @property
    def wrong_figure_count(self) -> int:
        return sum(1 for j in self.judgments if j.wrong_figures)

    @property
    def wrong_figure_items(self) -> list[Judgment]:
        return [j for j in self.judgments if j.wrong_figures]

    @property
    def errors(self) -> int:
        return sum(bool(j.error) for j in self.judgments)

    @property
    def gold_ranks(self) -> list[int | None]:
        # an answer that failed with an error retrieved nothing: it counts as a miss
        return [j.gold_rank for j in self.judgments if j.gold]

    @property
    def retrieval(self) -> dict:
        return retrieval_metrics(self.gold_ranks)

    @property
    def recall_at_1(self) -> float:
        return self.retrieval["recall"][1]

    @property
    def recall_at_5(self) -> float:
        return self.retrieval["recall"][5]

    @property
    def mrr(self) -> float:
        return self.retrieval["mrr"]

    @property
    def citations(self) -> dict:
        total = sum(j.citations for j in self.judgments)
        ok = sum(j.citations_verbatim_ok for j in self.judgments)
        broken = sum(j.citations_verbatim_broken for j in self.judgments)
        summary = sum(j.citations_summary for j in self.judgments)
        accurate = sum(j.citations_accurate for j in self.judgments)
        gold_qs = [j for j in self.judgments if j.gold]
        return {
            "total": total, "verbatim_ok": ok, "verbatim_broken": broken, "summary": summary,
            "accurate": accurate,
            # share of citations claimed verbatim whose offsets reproduce the quote (must be 1.0)
            "verbatim_rate": _rate(ok, ok + broken) if ok + broken else 1.0,
            # share of all citations that are verbatim-ok (summaries count against it)
            "verbatim_share": _rate(ok, total) if total else 1.0,
            "accuracy": _rate(accurate, total) if total else 1.0,
            # share of questions with a gold where some citation holds it
            "gold_cited": _rate(sum(1 for j in gold_qs if j.gold_cited), len(gold_qs)),
        }

    @property
    def latencies(self) -> list[float]:
        return [j.elapsed_ms for j in self.judgments if not j.error]

    @property
    def latency(self) -> dict:
        values = self.latencies
        return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
                "max_ms": max(values) if values else 0.0, "mean_ms": statistics.fmean(values) if values else 0.0}

    @property
    def per_category(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for j in self.judgments:
            row = out.setdefault(j.category, {"n": 0, "passed": 0, "strict_passed": 0, "intent_ok": 0})
            row["n"] += 1
            row["passed"] += j.passed
            row["strict_passed"] += j.strict_passed
            row["intent_ok"] += j.intent_ok
        for row in out.values():
            row["pass_rate"] = _rate(row["passed"], row["n"])
            row["strict_pass_rate"] = _rate(row["strict_passed"], row["n"])
            row["intent_accuracy"] = _rate(row["intent_ok"], row["n"])
        return out

    @property
    def failures(self) -> list[Judgment]:
        return [j for j in self.judgments if not j.passed]

    @property
    def intent_misses(self) -> list[Judgment]:
        return [j for j in self.judgments if not j.intent_ok]

    @property
    def retrieval_misses(self) -> list[Judgment]:
        """Questions with a gold whose clause is not in the top 5 retrieved."""
        return [j for j in self.judgments if j.gold and (j.gold_rank is None or j.gold_rank > 5)]

    # --- output ---
    def summary(self) -> dict:
        c, lat, ret = self.citations, self.latency, self.retrieval
        return {
            "label": self.label, "questions": self.n, "passed": self.passed,
            "pass_rate": self.pass_rate, "intent_accuracy": self.intent_accuracy,
            "strict_pass_rate": self.strict_pass_rate, "errors": self.errors,
            "wrong_figures": self.wrong_figure_count,
            "recall_at_1": ret["recall"][1], "recall_at_5": ret["recall"][5], "mrr": ret["mrr"],
            "recall_at_k": {str(k): v for k, v in ret["recall"].items()}, "gold_questions": ret["n"],
            "citation_verbatim_rate": c["verbatim_rate"], "citation_accuracy": c["accuracy"],
            "latency_p50_ms": lat["p50_ms"], "latency_p95_ms": lat["p95_ms"], "seconds": self.seconds,
        }

    def to_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "citations": self.citations,
            "latency": self.latency,
            "per_category": self.per_category,
            "failures": [{"id": j.id, "question": j.question, "reason": "；".join(j.reasons),
                          "intent": j.intent, "expected_intent": j.expected_intent} for j in self.failures],
            "intent_misses": [{"id": j.id, "question": j.question, "intent": j.intent,
                               "expected_intent": j.expected_intent} for j in self.intent_misses],
            "retrieval_misses": [{"id": j.id, "question": j.question, "gold": j.gold, "rank": j.gold_rank}
                                 for j in self.retrieval_misses],
            "judgments": [j.to_dict() for j in self.judgments],
        }

    def to_markdown(self, max_failures: int = 100) -> str:
        s, c, lat = self.summary(), self.citations, self.latency
        pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
        lines = [
            f"## 评测结果（{self.label}）",
            "",
            "| 指标 | 数值 |",
            "|---|---|",
            f"| 题数 | {self.n} |",
            f"| 通过率（不含意图） | **{pct(s['pass_rate'])}**（{self.passed}/{self.n}） |",
            f"| 意图准确率 | {pct(s['intent_accuracy'])} |",
            f"| 通过率（含意图，严格） | {pct(s['strict_pass_rate'])} |",
            f"| 标准条款召回 recall@1 / @5 | {pct(s['recall_at_1'])} / {pct(s['recall_at_5'])}（{s['gold_questions']} 题有标准条款） |",
            f"| MRR@10 | {s['mrr']:.3f} |",
            f"| 引用逐字一致率 | {pct(c['verbatim_rate'])}（{c['verbatim_ok']}/{c['verbatim_ok'] + c['verbatim_broken']}；另有要点摘要 {c['summary']} 条） |",
            f"| 引用准确率（逐字且含标准条款） | {pct(c['accuracy'])}（{c['accurate']}/{c['total']}） |",
            f"| 有标准条款的题中引用了它 | {pct(c['gold_cited'])} |",
            f"| 延迟 p50 / p95 | {lat['p50_ms']:.1f} ms / {lat['p95_ms']:.1f} ms |",
            f"| 错误数字（结论或计算值与预期不符，须为 0） | **{self.wrong_figure_count}** |",
            f"| 出错 | {self.errors} |",
            "",
            "### 分类通过率",
            "",
            "| 类别 | 题数 | 通过率 | 意图准确率 | 严格通过率 |",
            "|---|---|---|---|---|",
        ]
        for cat, row in sorted(self.per_category.items()):
            lines.append(f"| {cat} | {row['n']} | {pct(row['pass_rate'])} | {pct(row['intent_accuracy'])} | {pct(row['strict_pass_rate'])} |")
        wrong = self.wrong_figure_items
        if wrong:
            lines += ["", f"### 错误数字（{len(wrong)}）", ""]
            lines += [f"- `{j.id}` {j.question}：{'；'.join(j.wrong_figures)}" for j in wrong[:max_failures]]
        failures = self.failures
        lines += ["", f"### 未通过（{len(failures)}）", ""]
        if not failures:
            lines.append("无。")
        for j in failures[:max_failures]:
            lines.append(f"- `{j.id}` {j.question}：{'；'.join(j.reasons)}")
        if len(failures) > max_failures:
            lines.append(f"- ……另有 {len(failures) - max_failures} 题")
        misses = self.intent_misses
        if misses:
            lines += ["", f"### 意图不符（{len(misses)}）", ""]
            for j in misses[:max_failures]:
                lines.append(f"- `{j.id}` {j.question}：得到 {j.intent or '—'}，应为 {j.expected_intent}")
        rmiss = self.retrieval_misses
        if rmiss:
            lines += ["", f"### 标准条款不在检索前 5（{len(rmiss)}）", ""]
            for j in rmiss[:max_failures]:
                where = f"第 {j.gold_rank} 位" if j.gold_rank else "前 10 未出现"
                lines.append(f"- `{j.id}` {j.question}：{where}（{j.gold}）")
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Running


def run_eval(assistant, questions: list[EvalQuestion], ask: Callable | None = None,
             docs: dict | None = None, label: str = "deterministic",
             progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Ask every question (with its history) and judge the answers.

    ask: `ask(question, history=[...]) -> Answer` (defaults to `assistant.ask`); the LLM mode passes
    its own. docs: the documents citations are checked against (defaults to `assistant.index.docs`).
    An exception from `ask` fails that question with the error as its reason; the run goes on.
    """
    ask = ask or assistant.ask
    index = getattr(assistant, "index", None)
    if docs is None:
        docs = getattr(index, "docs", None)
    profiles = getattr(index, "profiles", None) or {}
    kinds = {d: p.kind for d, p in profiles.items()}
    regions = {d: p.region for d, p in profiles.items()}
    started = time.perf_counter()
    judgments = []
    for i, q in enumerate(questions, 1):
        t0 = time.perf_counter()
        try:
            answer = ask(q.question, history=list(q.history))
        except Exception as exc:  # one broken question must not hide the others
            judgments.append(failed_judgment(q, f"{type(exc).__name__}: {exc}", (time.perf_counter() - t0) * 1000))
        else:
            judgments.append(judge(q, answer, docs, kinds, regions))
        if progress:
            progress(i, len(questions))
    return EvalReport(judgments, label, time.perf_counter() - started)


def default_questions_path() -> Path:
    from assistant.settings import REPO_ROOT

    return REPO_ROOT / "eval" / "questions.jsonl"


def main_eval(settings, questions_path: str | Path | None = None, as_json: bool = False) -> int:
    """`assistant eval`: print the report (markdown, or one JSON object with --json); returns the exit code.

    The generative mode is evaluated by `assistant eval --llm` (assistant/llm/evaluate.py), which
    reuses `run_eval` and prints the deterministic figures beside it. Errors such as a missing index
    propagate (the CLI turns them into one Chinese line).
    """
    from assistant.answer.service import Assistant

    questions = load_questions(questions_path or default_questions_path())
    assistant = Assistant.from_settings(settings)
    report = run_eval(assistant, questions, label="deterministic")
    if as_json:
        data = report.to_dict()
        data.pop("judgments", None)
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(report.to_markdown())
    return 0
