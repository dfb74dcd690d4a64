"""Four documents side by side (the plan, a second county's plan and its superseded older version, a
national rule labelled 示例 — eval/multidoc/corpus, all fictional except the plan), indexed for real
in a temp dir; and a fifth county's plan written here (虚构) indexed with no code change.
"""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from assistant.answer import compose
from assistant.answer.briefing import build_briefing
from assistant.answer.service import Assistant
from assistant.domain.indicators import default_registry
from assistant.index.builder import build_index
from assistant.index.store import open_index
from assistant.retrieve.hybrid import hybrid_search
from assistant.retrieve.scope import answer_scope, documents_for_region, home_plan, resolve_units, validity_note
from assistant.settings import REPO_ROOT, Settings
from assistant.understand.roster import read_roster_ask
from tests.fictional_docs import COUNTY_META, COUNTY_PLAN

MULTIDOC = REPO_ROOT / "eval" / "multidoc" / "corpus"
QUFU, WENHE, WENHE_OLD, RULE = "qufu-2024-17-plan", "wenhe-2024-23-plan", "wenhe-2023-31-plan", "national-yzjh-rule-example"

def corpus_with(target, extra: dict[str, str] | None = None):
    target.mkdir()
    for folder in (REPO_ROOT / "corpus", MULTIDOC):
        for path in folder.iterdir():
            if path.is_file():
                shutil.copy(path, target / path.name)
    for name, text in (extra or {}).items():
        (target / name).write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    assert MULTIDOC.is_dir(), "eval/multidoc/corpus is the shared four-document test corpus"
    root = tmp_path_factory.mktemp("multidoc")
    s = Settings().with_(corpus_dir=corpus_with(root / "corpus"), index_dir=root / "index")
    build_index(s, progress=False)
    return s


@pytest.fixture(scope="module")
def index(settings):
    return open_index(settings)


def test_profiles_are_stored_with_the_index(index):
    p = index.profiles
    assert {d: (p[d].kind, p[d].region, p[d].status) for d in (QUFU, WENHE, WENHE_OLD, RULE)} == {
        QUFU: ("plan", "曲阜市", "现行有效"), WENHE: ("plan", "汶河区", "现行有效"),
        WENHE_OLD: ("plan", "汶河区", "被替代"), RULE: ("national_rule", "全国", "现行有效")}
    assert home_plan(index).doc_id == QUFU and home_plan(index, "汶河区").doc_id == WENHE
    assert len(p[WENHE].units) == 20 and p[WENHE].target_year == "2026"


def test_regions_scope_the_documents(index):
    assert documents_for_region(index, "汶河区") == [WENHE]  # the superseded version is left out
    assert documents_for_region(index, "邹城市") == []
    assert set(answer_scope(index)) == {QUFU, RULE, "indicator-registry"}
    assert set(answer_scope(index, "汶河区")) == {WENHE, RULE, "indicator-registry"}


def test_superseded_document_is_left_out_of_retrieval_by_default(settings, index):
    hits = hybrid_search(index, "新增义务教育学位", 10)
    assert WENHE in {h.chunk.doc_id for h in hits} and WENHE_OLD not in {h.chunk.doc_id for h in hits}
    with_old = open_index(settings.with_(include_superseded=True))
    hits = hybrid_search(with_old, "新增义务教育学位", 10)
    assert WENHE_OLD in {h.chunk.doc_id for h in hits}
    old = next(h.chunk for h in hits if h.chunk.doc_id == WENHE_OLD)
    cite = compose.chunk_citation(with_old, old)
    assert cite.status == "被替代" and "被替代" in compose.render_sources([cite])


def test_a_question_naming_the_superseded_plan(settings, index):
    """By default the current plan answers and says the one asked about was replaced; with the
    per-question switch on, the old plan itself answers, labelled."""
    assistant = Assistant(index, settings)
    question = "汶河区2023年方案里的工作目标是什么"
    default = assistant.ask(question)
    assert {c.doc_id for c in default.citations} == {WENHE}
    assert "您问到的《汶河区2023方案》已被《汶河区2024方案》替代" in default.answer and "2026年" in default.answer
    old = assistant.ask(question, include_superseded=True)
    assert {c.doc_id for c in old.citations} == {WENHE_OLD}
    assert "2027年" in old.answer and "该文件已被《汶河区2024方案》替代" in old.answer
    assert assistant.scoped_index(True) is assistant.scoped_index(True)  # made once per index
    assert assistant.scoped_index(False) is index and assistant.ask(question).answer == default.answer


def test_docs_filter_limits_retrieval(index):
    hits = hybrid_search(index, "特殊教育学校生均公用经费", 10, docs=[WENHE])
    assert hits and {h.chunk.doc_id for h in hits} == {WENHE}


def test_a_second_countys_unit_resolves_to_its_own_annex(index):
    assert [(d, u.name) for d, u in resolve_units(index, "区财政局负责什么")] == [(WENHE, "区财政局")]
    assert [(d, u.name) for d, u in resolve_units(index, "市财政局负责什么")] == [(QUFU, "市财政局")]
    draft = compose.compose_duty(index, "区财政局负责什么？", ["市财政局"])
    assert {c.doc_id for c in draft.citations} == {WENHE}
    assert draft.citations[0].label == "附件 二（七）区财政局"
    assert "《汶河区2024方案》" in draft.body and "韩志远" not in draft.body
    qufu = compose.compose_duty(index, "市财政局负责什么？", ["市财政局"])
    assert {c.doc_id for c in qufu.citations} == {QUFU}
    # A unit only the second county has: its own document, whoever asks.
    data = compose.compose_duty(index, "区数据局负责什么", [])
    assert {c.doc_id for c in data.citations} == {WENHE} and "区数据局" in data.body


def test_citations_name_their_document(index):
    draft = compose.compose_duty(index, "区财政局负责什么？", [])
    cite = draft.citations[0]
    assert (cite.short_title, cite.doc_number, cite.date, cite.status) == (
        "汶河区2024方案", "汶政办字〔2024〕23号", "2024-10-15", "现行有效")
    sources = compose.render_sources(draft.citations)
    assert "[1] 《汶河区2024方案》汶政办字〔2024〕23号（2024-10-15） 附件 二（七）区财政局" in sources


def test_plan_and_national_rule_both_cited_and_the_applicable_one_said(index):
    ind = default_registry().get("special_ed_funding_per_student")
    cites = compose.indicator_citations(index, ind)
    assert {c.doc_id for c in cites} == {QUFU, RULE} and all(c.verbatim for c in cites)
    draft = compose.compose_target(index, "特殊教育学校生均公用经费标准是多少", [ind.key], "", [])
    assert "8000" in draft.body and "6000" in draft.body and "以本市方案的8000元为准" in draft.body
    # Where both state the same figure the answer says so, naming both documents.
    draft = compose.compose_target(index, "初中三年巩固率", ["junior_consolidation_rate"], "", [])
    assert "对此的规定一致" in draft.body and {c.doc_id for c in draft.citations} == {QUFU, RULE}


def test_another_countys_figures_come_from_its_own_plan(index):
    wenhe = answer_scope(index, "汶河区")
    draft = compose.compose_target(index, "特殊教育学校生均公用经费", ["special_ed_funding_per_student"], "", [], wenhe)
    assert "不低于9000元" in draft.body and "8000" not in draft.body  # its own figure, read from its text
    assert {c.doc_id for c in draft.citations} == {WENHE, RULE}  # the national rule beside it, never Qufu's
    assert "高于国家办法" in draft.body
    hits = hybrid_search(index, "特殊教育学校生均公用经费不低于多少", 10, docs=wenhe)
    draft = compose.compose_general(index, "特殊教育学校生均公用经费不低于多少", hits, wenhe)
    assert "9000" in draft.body and QUFU not in {c.doc_id for c in draft.citations}


def test_overview_and_roster_follow_the_asked_region(index):
    wenhe = answer_scope(index, "汶河区")
    overview = compose.compose_overview(index, "这个方案的文号", wenhe)
    assert "汶政办字〔2024〕23号" in overview.body and "曲政办字" not in overview.body
    roster = compose.compose_roster(index, read_roster_ask("专班组长是谁"), "", [], wenhe)
    assert "韩志远" in roster.body and {c.doc_id for c in roster.citations} == {WENHE}
    home = compose.compose_roster(index, read_roster_ask("专班组长是谁"), "", [])
    assert {c.doc_id for c in home.citations} == {QUFU}
    assert "加强组织领导" not in home.body or "（一）" in home.body


def test_general_answers_never_mix_two_counties(index):
    hits = hybrid_search(index, "交流轮岗教师比例", 10)
    assert WENHE in {h.chunk.doc_id for h in hits}  # both counties state it: retrieval finds both
    draft = compose.compose_general(index, "交流轮岗教师比例", hits)
    assert draft and {c.doc_id for c in draft.citations} <= {QUFU, RULE}
    wenhe = compose.compose_general(index, "交流轮岗教师比例", hits, answer_scope(index, "汶河区"))
    assert wenhe and {c.doc_id for c in wenhe.citations} <= {WENHE, RULE}


def test_validity_note_names_the_successor(settings):
    old = open_index(settings.with_(include_superseded=True)).profiles
    assert validity_note(old[WENHE_OLD], date(2026, 1, 1), old) == "该文件已被《汶河区2024方案》替代。"
    assert validity_note(old[QUFU], date(2026, 12, 1), old) == "目标年份为2025年。"


def test_home_plan_questions_still_answer_from_the_plan(settings):
    assistant = Assistant.from_settings(settings)
    answer = assistant.ask("市财政局负责什么")
    assert answer.citations and {c.doc_id for c in answer.citations} == {QUFU}
    assert "《曲阜市优质均衡实施方案》曲政办字〔2024〕17号" in answer.answer
    overview = assistant.ask("这个方案的文号")
    assert "曲政办字〔2024〕17号" in overview.answer and "汶政办字" not in overview.answer
    brief = build_briefing(assistant.index, default_registry())
    assert brief.title.startswith("曲阜市") and brief.goal_year == "2025年" and len(brief.units) == 21


def test_with_two_regions_indexed_a_calculation_without_a_place_gives_the_value_and_asks_the_region(settings):
    assistant = Assistant.from_settings(settings)
    # 19 ÷ 2000 × 100 = 0.95: 达标 by 曲阜's 0.9, not by 汶河区's own 1.0 — the verdict depends on the place
    answer = assistant.ask("有个小学两千学生，音体美老师十九个，每百名多少？达标吗")
    assert "0.95人" in answer.answer and "汶河区" in answer.answer and "请说明学校所在的地区" in answer.answer
    assert "**达标**" not in answer.answer and all("met" not in t.output for t in answer.tool_calls)
    # each region's standard, quoted, and no verdict until the region is known
    assert "曲阜市的方案：每百名学生拥有音体美专任教师数（小学）：不低于0.9人" in answer.answer
    assert "汶河区的方案：每百名学生拥有音体美专任教师数（小学）：不低于1.0人" in answer.answer
    assert "达标。" not in answer.answer and {c.doc_id for c in answer.citations} >= {QUFU, WENHE}
    given = assistant.ask("特教学校生均公用经费八千五百块，算达标吗")  # a per-student value given directly
    assert "8500.00 ≥ 8000" not in given.answer and "不低于9000元" in given.answer and "不低于8000元" in given.answer
    assert "，达标" not in given.answer
    placed = assistant.ask("曲阜的小学两千学生，音体美老师十九个，达标吗")
    assert "**达标**" in placed.answer and "0.95人" in placed.answer


def test_a_rule_clause_is_quoted_only_where_it_states_the_figure(index):
    # 第二条 names 社会认可度 among the four 方面; 第八条 sets its 85%
    cites = compose.indicator_citations(index, default_registry().get("social_recognition"))
    assert [(c.doc_id, c.label) for c in cites] == [(RULE, "第五章第八条")] and "85%" in cites[0].quote


@pytest.mark.parametrize("question, present, absent", [
    ("汶河争取通过评估的年份有变化吗", ["“力争2026年通过", "原为 《汶河区2023方案》一：“力争2027年通过"], ["3600"]),
    ("汶河新方案学位目标比老版本多了多少", ["3600个以上”", "3000个以上”"], ["2026年"]),
    ("汶河新版专班里新加了哪个单位", ["新增成员单位：区数据局"], ["2026年"]),
    ("汶政办字2024年23号跟2023年31号是啥关系", ["替代了《汶河区2023方案》", "同时废止"], []),
    ("汶河组长换人了吗", ["“组  长：韩志远  区委副书记、区长”", "邵国栋"], ["3600"]),
    ("汶河创建专班组长换人了吗？现在是谁", ["“组  长：韩志远  区委副书记、区长”", "邵国栋"], ["3600"]),  # one question
    ("汶河区通过评估的年份是不是往前提了，现在定的哪年", ["“力争2026年通过", "2027年"], ["3600"]),  # 往前提: a change
    # a unit named: the changes inside its duties; a unit added: the lines that name it
    ("汶河城管那条职责，新版是怎么改的", ["占道经营", "删去 《汶河区2023方案》附件 二（十一）"], ["3600"]),
    ("汶河新名单比去年多了哪个单位", ["新增成员单位：区数据局", "“林  雪  区数据局局长”"], ["3600"]),
    # no place named, and only 汶河 has an older version; the figure the question gives points at the change
    ("学位建设原来说三千个，新版改成多少了？", ["3600个以上”", "3000个以上”"], ["数据局"]),
    ("汶河新方案跟23年那版比，计划通过评估的年份改了没", ["“力争2026年通过"], ["同时废止"]),  # 23 is not 2023's
    ("汶河区新增学位目标24版调成多少了", ["3600个以上”"], ["2026年"]),
])
def test_what_changed_is_read_from_both_versions(settings, question, present, absent):
    answer = Assistant.from_settings(settings).ask(question)
    assert all(p in answer.answer for p in present) and not any(a in answer.answer for a in absent)
    assert {c.doc_id for c in answer.citations} <= {WENHE, WENHE_OLD} and "已被《汶河区2024方案》替代" in answer.answer


def test_a_plan_that_replaced_nothing_answers_as_before(settings):
    assistant = Assistant.from_settings(settings)
    assert "两版相比" not in assistant.ask("曲阜方案的目标年份有变化吗").answer
    # no place named: another county's versions answer only a change the question's words name
    off_topic = assistant.ask("中考体育分值今年有变化吗")
    assert "两版相比" not in off_topic.answer and not off_topic.citations
    # "新标准多少" asks the standard in force, not the change
    current = assistant.ask("汶河特教学校生均公用经费新标准多少钱")
    assert "9000元" in current.answer and "8000元" not in current.answer


def test_a_fifth_document_needs_no_code(tmp_path, settings):
    corpus = corpus_with(tmp_path / "corpus", {"sihe-2025-8-plan.txt": COUNTY_PLAN,
                                               "sihe-2025-8-plan.meta.json": json.dumps(COUNTY_META, ensure_ascii=False)})
    fifth = settings.with_(corpus_dir=corpus, index_dir=tmp_path / "index")
    shutil.copytree(settings.index_dir, fifth.index_dir, symlinks=True)  # reuses the vectors already made
    build_index(fifth, progress=False)
    index = open_index(fifth)
    profile = index.profiles["sihe-2025-8-plan"]
    assert (profile.kind, profile.region, profile.status, profile.target_year) == ("plan", "泗河县", "现行有效", "2027")
    assert [u.name for u in profile.units] == ["县财政局", "县发展和改革局", "县交通运输局", "各镇街"]
    duty = compose.compose_duty(index, "县交通运输局负责什么", [])
    assert {c.doc_id for c in duty.citations} == {"sihe-2025-8-plan"} and "专线公交" in duty.body
    scope = answer_scope(index, "泗河县")
    overview = compose.compose_overview(index, "这个方案的文号是什么", scope)
    assert "泗政办字〔2025〕8号" in overview.body
    roster = compose.compose_roster(index, read_roster_ask("专班组长是谁"), "", [], scope)
    assert "周远山" in roster.body
    # The home region's answers are not moved by the newcomer.
    assert {c.doc_id for c in compose.compose_duty(index, "交通运输局负责什么", []).citations} == {QUFU}


def test_a_countys_school_is_judged_by_its_own_plans_figure(settings):
    assistant = Assistant.from_settings(settings)
    # 19 ÷ 2000 × 100 = 0.95 < 汶河区's own 1.0 (曲阜 and the national rule say 0.9)
    answer = assistant.ask("汶河区实验小学在校生两千人，音体美专任老师十九个，达标没？")
    assert "**未达标**" in answer.answer and "0.95人" in answer.answer and "1.0人" in answer.answer
    assert {c.doc_id for c in answer.citations} == {WENHE} and "曲阜" not in answer.answer
    special = assistant.ask("汶河区特教学校两百个学生，一年公用经费一百七十三万六千元，生均达标吗？")
    assert "8680.00元" in special.answer and "不低于9000元" in special.answer and "**未达标**" in special.answer


def test_a_region_named_resolves_units_in_its_own_annex(settings):
    assistant = Assistant.from_settings(settings)
    frame = assistant.understand("汶河区市监局要做哪些事？")
    assert frame.place == "汶河区" and frame.unit_names == ["区市场监督管理局"]
    police = assistant.ask("汶河那边派出所在创建工作里负责什么")
    assert {c.doc_id for c in police.citations} == {WENHE}
    staff = assistant.ask("汶河人社要干哪些活")  # the abbreviation alone, in the county's own annex
    assert "区人力资源和社会保障局" in staff.answer and {c.doc_id for c in staff.citations} == {WENHE}
    follow = assistant.understand("那副组长是哪几个？", ["汶河区专班组长是谁"])
    assert follow.place == "汶河区"  # a follow-up stays in its region


def test_an_article_of_the_rule_is_quoted_by_its_number(settings):
    assistant = Assistant.from_settings(settings)
    item = assistant.ask("评估办法第六条第四项讲的啥？")
    assert "（四）不足100名学生的村小学和教学点按100名学生核定公用经费" in item.answer
    assert "（五）" not in item.answer.split("**来源**")[0] and {c.doc_id for c in item.citations} == {RULE}
    whole = assistant.ask("第12条说了什么")
    assert "各地可以结合实际制定高于本办法的标准" in whole.answer


def test_whether_a_document_still_holds_is_answered_from_its_profile_and_its_successor(settings):
    assistant = Assistant.from_settings(settings)
    for question in ("汶河区现在还按汶政办字二〇二三年三十一号那个方案执行吗？", "汶河区2023年那个方案还管用吗？"):
        answer = assistant.ask(question)
        assert "不再执行" in answer.answer and "被替代" in answer.answer, question
        assert "（汶政办字〔2023〕31号）同时废止" in answer.answer and {c.doc_id for c in answer.citations} == {WENHE}
    current = assistant.ask("曲阜的方案还有效吗")
    assert "现行有效" in current.answer and "本方案目标年份为2025年" in current.answer


def test_a_body_the_annex_does_not_list_is_said_to_be_missing(settings):
    assistant = Assistant.from_settings(settings)
    answer = assistant.ask("曲阜市数据局在优质均衡创建里负责什么")
    assert answer.intent == "out_of_scope" and "成员单位中没有“数据局”" in answer.answer and not answer.citations
    wenhe = assistant.ask("汶河区农业农村局在创建里负责什么？")
    assert "汶河区创建全国义务教育优质均衡发展区工作实施方案" in wenhe.answer and "没有“农业农村局”" in wenhe.answer
    assert assistant.understand("专班办公室设在哪里").unlisted == []  # the taskforce's own office


def test_two_regions_in_one_question_are_answered_each_from_its_own_plan(settings):
    assistant = Assistant.from_settings(settings)
    answer = assistant.ask("曲阜和汶河区，哪个特教经费标准高？各多少")
    first, second = answer.answer.split("**（二）")
    assert "不低于8000元" in first and "不低于9000元" in second.split("**来源**")[0]
    assert {c.doc_id for c in answer.citations} >= {QUFU, WENHE}


def test_a_rules_name_scopes_the_question_to_its_region(settings):
    assistant = Assistant.from_settings(settings)
    assert assistant.understand("评估办法里申请认定要满足啥前提").place == "全国"
    assert assistant.understand("督导评估办法第九条").place == "全国"


def test_a_compound_part_naming_no_place_stays_in_the_questions_region(settings):
    assistant = Assistant.from_settings(settings)
    answer = assistant.ask("汶河区初中1000人，音体美老师9个，达标吗？另外市监局负责什么？")
    assert {c.doc_id for c in answer.citations} == {WENHE} and "曲阜" not in answer.answer


def test_a_documents_own_repeal_sentence_answers_what_it_replaced(settings):
    answer = Assistant.from_settings(settings).ask("汶河区2024方案废止了哪个文件？")
    assert "（汶政办字〔2023〕31号）同时废止" in answer.answer and "现行有效" in answer.answer


def test_a_county_calculation_by_a_reported_rate_uses_the_countys_figure(settings):
    answer = Assistant.from_settings(settings).ask("汶河区残疾儿童少年入学率96%达标吗")
    assert "**未达标**" in answer.answer and "97%" in answer.answer


def test_a_region_is_asked_for_only_when_its_figures_would_change_the_verdict(settings):
    assistant = Assistant.from_settings(settings)
    # 9000元: 达标 by 曲阜's 8000 and by 汶河区's own 9000 alike — no need to ask where the school is
    same = assistant.ask("特教学校有学生150人，一年公用经费135万，生均够不够")
    assert "**达标**" in same.answer and "请说明学校所在的地区" not in same.answer
    # 汶河区's plan is silent on school size: the national 2000 holds there as in 曲阜
    size = assistant.ask("一所小学在校生2300人，学校规模超了吗")
    assert "**未达标**" in size.answer and "请说明学校所在的地区" not in size.answer
    # a school is in a county: "国家标准" in the question does not make the national figure the judge
    national = assistant.ask("特教学校生均公用经费按国家标准6000元拨付了，达标了吧？")
    assert "**未达标**" in national.answer and "8000" in national.answer


def test_a_claim_about_a_countys_standard_is_checked_against_its_own_figure(settings):
    answer = Assistant.from_settings(settings).ask("汶河区音体美专任教师标准是每百名学生0.9人，对吗？")
    assert answer.answer.startswith("不对") and "不低于1.0人" in answer.answer


@pytest.mark.parametrize("question, doc, label, quoted", [
    # the rare word (程序) outweighs the words every document has (优质均衡, 评估认定)
    ("优质均衡评估认定走什么程序", RULE, "第六章第九条", "县级自评、市级初审、省级评估、国家审核认定"),
    # a rule's provision is quoted across its semicolon
    ("已经认定的县后来指标下滑了咋办", RULE, "第六章第十一条", "责令限期整改；整改不到位的，撤销认定。"),
    # a scope of rules only: the rule's own 文号
    ("那个国家层面的评估办法示例是啥文号", RULE, "文件头", "教督示字〔2024〕9号（示例）"),
    # a rule asked for its aspects: the article naming them
    ("这个督导评估办法从哪几个方面评", RULE, "第一章第二条", "资源配置、政府保障程度、教育质量、社会认可度四个方面"),
    # the roster note in the county's own words (撤销, where 曲阜 says 解散)
    ("汶河区专班什么时候撤销？", WENHE, "附件 一 专班办公室", "创建任务完成后，工作专班自行撤销。"),
])
def test_rule_and_county_wording_find_their_clause(settings, index, question, doc, label, quoted):
    answer = Assistant(index, settings).ask(question)
    assert any(c.doc_id == doc and c.label == label and quoted in c.quote for c in answer.citations), answer.answer


def test_another_stage_named_by_its_own_name_is_refused(settings, index):
    answer = Assistant(index, settings).ask("汶河区职业教育发展规划有哪些内容")
    assert answer.intent == "out_of_scope" and "没有针对职业教育的规定" in answer.answer and not answer.citations


def test_the_national_certification_is_the_plans_target_not_a_region(settings, index):
    answer = Assistant(index, settings).ask("什么时候要通过国家评估认定")
    assert any(c.doc_id == QUFU and "力争2025年" in c.quote for c in answer.citations), answer.answer


def test_two_ratios_without_a_region_show_both_values_and_ask(settings, index):
    answer = Assistant(index, settings).ask("我校今年派出10名老师去别的学校，骨干占2名；够条件交流的一共90人。这样算合规吗")
    assert "11.11%" in answer.answer and "20.00%" in answer.answer and "请说明学校所在的地区" in answer.answer
    assert "不低于12%" in answer.answer and "达标" not in answer.answer.split("请说明")[0].replace("是否达标", "")


def test_a_county_compared_with_the_national_rule_answers_each_from_its_own(settings, index):
    answer = Assistant(index, settings).ask("汶河的音体美教师标准和国家评估办法比，是高了还是一样")
    assert {c.doc_id for c in answer.citations} >= {WENHE, RULE} and "1.0人" in answer.answer and "0.9人" in answer.answer
    follow = Assistant(index, settings).ask("初中呢", ["国家评估办法里网络多媒体教室小学要求多少？"])
    assert [c.doc_id for c in follow.citations] == [RULE] and "2.4间" in follow.answer  # the rule's name is no indicator
