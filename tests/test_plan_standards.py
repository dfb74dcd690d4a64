"""A plan's own figures read from its text (assistant.domain.plan_standards): on the real plan, whose
figures the registry holds (so the reader is checked against them), and on plan text written here
(虚构, in the style of a county plan)."""
from __future__ import annotations

from decimal import Decimal

from assistant.domain import calculator
from assistant.domain.indicators import default_registry
from assistant.domain.plan_standards import read_standards, with_plan_standards
from assistant.settings import REPO_ROOT

# 虚构：a county plan's clauses, each a way plans state a figure
FICTIONAL = (
    "3. 提升教育装备水平。生均教学仪器设备值小学、初中分别达到2200元、2800元以上，每百名学生拥有网络多媒体教室数达到国家标准。\n"
    "1. 配齐配强学科教师。每百名学生拥有音体美专任教师数，小学、初中均达到1.0人以上。每年校际交流轮岗教师比例不低于"
    "符合交流轮岗条件教师总数的12%，其中骨干教师交流轮岗人数不低于交流轮岗教师总数的25%。\n"
    "2. 提升素养。每百名学生拥有1名以上区级及以上骨干教师；每百名学生拥有高于规定学历教师数：小学4.6人以上，初中5.6人以上。\n"
    "特殊教育学校生均公用经费不低于9000元。\n"
)


def _values(found, key):
    return {level: str(v) for level, v in found[key].values.items()}


def test_the_real_plan_reads_as_the_registry_holds_it():
    text = (REPO_ROOT / "corpus" / "qufu-2024-17-plan.txt").read_text(encoding="utf-8")
    registry = default_registry()
    found = read_standards(text, registry)
    assert len(found) >= 8
    for key, std in found.items():
        ind = registry.get(key)
        assert std.quote in text, key  # verbatim: the sentence it came from
        for level, value in std.values.items():
            assert value == ind.threshold(None if level == "all" else level), key


def test_figures_bind_to_the_clause_subject_and_the_levels():
    found = read_standards(FICTIONAL, default_registry())
    assert _values(found, "equipment_value_per_student") == {"小学": "2200", "初中": "2800"}
    assert _values(found, "pe_art_teachers_per100") == {"小学": "1.0", "初中": "1.0"}
    assert _values(found, "teacher_rotation_ratio") == {"all": "12"}
    assert _values(found, "backbone_rotation_ratio") == {"all": "25"}  # the clause's subject, not 交流轮岗教师总数
    assert _values(found, "backbone_teachers_per100") == {"小学": "1", "初中": "1"}  # the figure before its noun
    assert _values(found, "teachers_above_degree_per100") == {"小学": "4.6", "初中": "5.6"}  # "…，初中5.6人" goes on
    assert _values(found, "special_ed_funding_per_student") == {"all": "9000"}
    assert "multimedia_classrooms_per100" not in found  # 达到国家标准: no figure of its own


def test_a_figure_stated_twice_differently_is_not_used():
    text = "特殊教育学校生均公用经费不低于9000元。特殊教育学校生均公用经费不低于8500元。"
    assert "special_ed_funding_per_student" not in read_standards(text, default_registry())


def test_the_plan_registry_judges_by_the_plans_figure_and_never_below_the_national_one():
    registry = default_registry()
    national = frozenset(s.doc_id for ind in registry for s in ind.sources if not s.verbatim)
    text = FICTIONAL + "每百名学生拥有网络多媒体教室数小学、初中分别达到2.0间、2.1间以上。"
    own = with_plan_standards(registry, read_standards(text, registry), "fictional-plan", "虚构方案", national)
    pe_art = own.get("pe_art_teachers_per100")
    assert pe_art.threshold("小学") == Decimal("1.0") and pe_art.sources[0].doc_id == "fictional-plan"
    assert "高于国家办法" in pe_art.note
    # 19 ÷ 2000 × 100 = 0.95: 达标 by the registry's 0.9, 未达标 by the plan's own 1.0
    assert calculator.check_resource_indicator("小学", "pe_art_teachers_per100", 2000, 19).met is True
    assert calculator.check_resource_indicator("小学", "pe_art_teachers_per100", 2000, 19, own).met is False
    # 2.0 is below the national 2.3: a local standard may be higher, never lower, so the registry's stays
    assert own.get("multimedia_classrooms_per100").threshold("小学") == Decimal("2.3")


def test_what_the_reader_must_not_take_for_a_standard():
    registry = default_registry()
    # a sentence reporting the present state sets nothing
    assert read_standards("2022年，全区小学、初中平均班额分别为44人、49人。", registry) == {}
    # 中小学 names both levels; a thousands separator is part of the figure, never a 0
    both = read_standards("全区中小学生均教学仪器设备值达到2200元以上。", registry)
    assert _values(both, "equipment_value_per_student") == {"小学": "2200", "初中": "2200"}
    money = read_standards("特殊教育学校生均公用经费不低于9,000元。", registry)
    assert _values(money, "special_ed_funding_per_student") == {"all": "9000"}
    # two indicators in one sentence each keep their own figures
    pair = read_standards("小学、初中生均教学及辅助用房面积分别达到4.8平方米、6平方米，"
                          "生均体育运动场馆面积分别达到8平方米、11平方米以上。", registry)
    assert _values(pair, "teaching_area_per_student") == {"小学": "4.8", "初中": "6"}
    assert _values(pair, "sports_area_per_student") == {"小学": "8", "初中": "11"}
    # figures for only one of the indicator's levels are not used (the other level's would be unquoted)
    assert read_standards("小学生均体育运动场馆面积达到8平方米以上。", registry) == {}


def test_a_figure_equal_to_the_national_one_carries_no_higher_note():
    registry = default_registry()
    national = frozenset(s.doc_id for ind in registry for s in ind.sources if not s.verbatim)
    text = "特殊教育学校生均公用经费不低于6000元。每百名学生拥有音体美专任教师数，小学、初中均达到1.0人以上。"
    own = with_plan_standards(registry, read_standards(text, registry), "fictional-plan", "虚构方案", national)
    assert own.get("special_ed_funding_per_student").note is None  # 6000 is the national figure itself
    assert "高于国家办法" in own.get("pe_art_teachers_per100").note
