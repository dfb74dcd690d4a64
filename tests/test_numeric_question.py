"""Numeric questions: which numbers the user gives, what they count, which calculation, what is missing."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.domain.numeric_question import looks_numeric, parse_numeric_question, readback, run

PLAN = (Path(__file__).resolve().parents[1] / "corpus" / "qufu-2024-17-plan.txt").read_text(encoding="utf-8")
EXAMPLE = "我们小学有学生850人，音体美专任教师7人，达标吗？"


def test_the_issue_example_end_to_end():
    request = parse_numeric_question(EXAMPLE)
    assert request.tool == "check_resource_indicator" and request.level == "小学"
    assert request.quantities == {"students": 850, "pe_art_teachers": 7}
    assert request.missing == [] and request.complete
    result = run(request)
    assert result.met is False
    assert result.output["numbers"]["value"] == "0.82"
    assert result.output["numbers"]["required"] == "8" and result.output["numbers"]["gap"] == "1"
    assert "未达标" in result.verdict and "至少需要 8人" in result.verdict and "还差 1人" in result.verdict
    assert result.indicator_keys == ["pe_art_teachers_per100"]
    assert result.input == {"level": "小学", "indicator": "pe_art_teachers_per100", "students": 850, "amount": 7}
    call = result.to_tool_call()
    assert call["name"] == "check_resource_indicator" and call["output"] == result.output
    json.dumps(result.to_dict(), ensure_ascii=False)
    verbatim = [s for s in result.sources if s["verbatim"]]
    assert verbatim and all(s["quote"] in PLAN for s in verbatim)
    assert "0.9人以上" in verbatim[0]["quote"]
    assert "计算过程" in result.markdown and "7 ÷ 850 × 100" in result.markdown


@pytest.mark.parametrize(
    "question, level, students, teachers",
    [
        ("我们小学有八百五十名学生，七名音体美老师，够不够？", "小学", 850, 7),
        ("小学在校生八百五十人，体育艺术教师7人", "小学", 850, 7),
        ("我们小学有850个学生和7位音体美教师", "小学", 850, 7),
        ("我校初中部在校生1200人，音体美教师10人，达标吗", "初中", 1200, 10),
        ("我们中学学生一千二百人，音乐美术体育教师十人", "初中", 1200, 10),
    ],
)
def test_variants_of_the_example(question, level, students, teachers):
    request = parse_numeric_question(question)
    assert (request.level, request.quantities) == (level, {"students": students, "pe_art_teachers": teachers})
    assert run(request).met is False


def test_missing_amount_is_asked_for_by_name():
    request = parse_numeric_question("我们小学有学生850人，音体美专任教师达标吗？")
    assert request.missing == ["音体美专任教师数"] and not request.complete
    assert "音体美专任教师数" in request.missing_prompt()
    with pytest.raises(ValueError, match="音体美专任教师数"):
        run(request)


def test_missing_level_and_students():
    # 高于规定学历: 小学 4.2, 初中 5.3 per hundred, so the level decides the verdict.
    no_level = parse_numeric_question("我们学校有学生850人，高于规定学历的教师40人，达标吗")
    assert no_level.missing == ["学段（小学或初中）"]
    no_students = parse_numeric_question("我们小学有音体美专任教师7人，达标吗")
    assert no_students.missing == ["在校生数"]


def test_requirement_question_needs_no_amount():
    result = run(parse_numeric_question("我们小学850名学生，需要几个音体美老师？"))
    assert result.met is None and result.output["numbers"]["required"] == "8"


@pytest.mark.parametrize(
    "question, key, value, met",
    [
        ("小学在校生1,200人，教学及辅助用房5000平方米，够吗", "teaching_area_per_student", "4.17", False),
        ("初中学生1000人，运动场馆面积1.2万平方米", "sports_area_per_student", "12.00", True),
        ("小学教学仪器设备值150万元，学生850人", "equipment_value_per_student", "1764.71", False),
        ("初中1000名学生，多媒体教室23间", "multimedia_classrooms_per100", "2.30", False),
        ("小学学生1000人，骨干教师10人", "backbone_teachers_per100", "1.00", True),
        ("初中学生1000人，高学历教师53人", "teachers_above_degree_per100", "5.30", True),
    ],
)
def test_other_resource_indicators(question, key, value, met):
    result = run(parse_numeric_question(question))
    assert result.indicator_keys == [key]
    assert (result.output["numbers"]["value"], result.met) == (value, met)


def test_several_resource_indicators_at_once():
    request = parse_numeric_question("我们初中学生1000人，高学历教师50人，骨干教师12人，多媒体教室25间")
    assert request.tool == "check_school_resources"
    result = run(request)
    assert result.met is None  # 3 of 7 given: no school verdict
    assert [c["numbers"]["value"] for c in result.output["checks"]] == ["5.00", "1.20", "2.50"]


def test_training_funds():
    result = run(parse_numeric_question("公用经费预算200万元，培训经费8万元够吗"))
    assert result.tool == "check_training_funds" and result.met is False
    assert result.input == {"public_budget_yuan": 2000000, "training_funds_yuan": 80000}
    assert result.output["numbers"]["required"] == "100000.00" and result.output["numbers"]["gap"] == "20000.00"
    minimum = run(parse_numeric_question("年度公用经费预算是200万元，培训经费至少要安排多少"))
    assert minimum.met is None and minimum.output["numbers"]["required"] == "100000.00"


def test_rotation():
    request = parse_numeric_question("符合条件教师120人，交流了10人，其中骨干2人")
    assert request.quantities == {"eligible_teachers": 120, "rotated_teachers": 10, "backbone_rotated": 2}
    result = run(request)
    assert result.met is False and result.output["numbers"]["rotation"]["required"] == "12"
    other_order = parse_numeric_question("120名符合交流轮岗条件的教师中今年交流轮岗12人，骨干教师3人，够吗")
    assert other_order.quantities == {"eligible_teachers": 120, "rotated_teachers": 12, "backbone_rotated": 3}
    assert run(other_order).met is True


def test_class_size():
    one = parse_numeric_question("我们初中一个班52人，班额超了吗")
    assert one.args["class_sizes"] == [52] and run(one).met is False
    listed = parse_numeric_question("初中三个班分别是48、52、50人，班额达标吗")
    assert listed.args["class_sizes"] == [48, 52, 50]
    average = parse_numeric_question("小学1200名学生，26个班，班额达标吗")
    assert average.tool == "check_average_class_size" and run(average).met is False
    assert parse_numeric_question("我们学校一个班52人，班额超了吗").missing == ["学段（小学或初中）"]


def test_admission_ratio():
    request = parse_numeric_question("我们镇区初中招生200人，其中就近划片入学180人，达标吗")
    assert request.args["level"] == "初中" and request.args["area"] == "镇区"
    result = run(request)
    assert result.met is False and result.output["numbers"]["required"] == "190"  # 95% of 200
    assert parse_numeric_question("城区初中招生300人，就近入学300人").args["area"] == "城区"
    assert parse_numeric_question("招生200人，就近入学190人，达标吗").missing == ["学段（小学或初中）"]


def test_other_plan_targets():
    assert run(parse_numeric_question("初中三年前初一入学400人，现在初三380人，巩固率达标吗")).met is True
    assert run(parse_numeric_question("适龄儿童5000人，入学4990人，入学率达标吗")).met is False
    assert run(parse_numeric_question("专任教师200人，持证198人，持证上岗率达标吗")).met is False
    special = run(parse_numeric_question("特殊教育学校生均公用经费7000元够吗"))
    assert special.met is False and special.output["numbers"]["national_threshold"] == "6000"
    assert run(parse_numeric_question("特教学校学生60人，公用经费50万元，达标吗")).met is True
    small = run(parse_numeric_question("我们村小只有60名学生，生均公用经费标准700元，能拿多少公用经费"))
    assert small.output["numbers"]["funded_students"] == 100
    assert run(parse_numeric_question("九年一贯制学校在校生2600人，规模超了吗")).met is False
    rooms = run(parse_numeric_question("学校30个班，音乐教室2间，美术教室3间，够吗"))
    assert rooms.met is False and rooms.output["numbers"]["music_gap"] == 1


@pytest.mark.parametrize(
    "question",
    [
        "小学每百名学生高学历教师要多少",
        "教师培训经费占公用经费多少",
        "就近入学比例要求是多少",
        "初中三年巩固率要达到多少",
        "特殊教育学校生均公用经费是多少",
        "2025年能通过评估吗",
        "每百名学生拥有0.9个音体美教师是什么要求",
        "教师5年360学时培训完成率是多少",
        "九年一贯制学校规模上限",
        "市财政局负责什么",
        "",
    ],
)
def test_target_questions_are_not_calculations(question):
    assert looks_numeric(question) is False


@pytest.mark.parametrize(
    "question",
    [EXAMPLE, "公用经费预算200万元，培训经费8万元够吗", "符合条件教师120人，交流了10人，其中骨干2人",
     "我们小学有学生850人，音体美专任教师达标吗？"],
)
def test_numeric_questions_look_numeric(question):
    assert looks_numeric(question) is True


def test_unrelated_question_has_no_tool():
    request = parse_numeric_question("市财政局负责什么")
    assert request.tool is None and not request.complete
    with pytest.raises(ValueError, match="不是"):
        run(request)


# ---------- a rate stated directly as a percentage ----------

@pytest.mark.parametrize(
    "question, key, level, met, shown",
    [
        # 98 < 100 (小学), 2 points short
        ("我们城区小学就近划片入学比例98%，达标吗", "nearby_admission_ratio", "小学", False, "98% < 100%"),
        # 96 ≥ 95 (初中)
        ("镇区初中就近入学比例96%，行不行", "nearby_admission_ratio", "初中", True, "96% ≥ 95%"),
        ("初中三年巩固率93.5%，达标了吗", "junior_consolidation_rate", None, False, "93.5% < 95%"),
        ("巩固率达到百分之九十六，达标吗", "junior_consolidation_rate", None, True, "96% ≥ 95%"),
        ("义务教育入学率99.8%，达标吗", "enrolment_rate", None, False, "99.8% < 100%"),
        ("专任教师持证上岗率百分之百", "certified_teachers_rate", None, True, "100% ≥ 100%"),
        ("专任教师持证上岗率98.5%，达标吗", "certified_teachers_rate", None, False, "98.5% < 100%"),
        ("教师5年360学时培训完成率96%，达标吗", "training_hours_completion_rate", None, False, "96% < 100%"),
        ("优质高中招生名额分配比例52%，够吗", "quota_allocation_ratio", None, True, "52% ≥ 50%"),
        ("残疾儿童少年入学率94%", "disabled_children_enrolment_rate", None, False, "94% < 95%"),
        ("培训经费占公用经费预算的4%，达标吗", "training_funds_ratio", None, False, "4% < 5%"),
        ("公用经费预算200万，培训经费占4%，够吗", "training_funds_ratio", None, False, "4% < 5%"),
        ("交流轮岗的教师中骨干教师占比18%，达标吗", "backbone_rotation_ratio", None, False, "18% < 20%"),
        ("骨干教师占比25%，达标吗", "backbone_rotation_ratio", None, True, "25% ≥ 20%"),
    ],
)
def test_rate_given_as_a_percentage(question, key, level, met, shown):
    assert looks_numeric(question) is True
    request = parse_numeric_question(question)
    assert request.complete, request.missing
    result = run(request)
    assert result.indicator_keys == [key] and result.met is met
    assert result.input.get("level") == level
    assert shown in result.markdown
    assert ("未达标" in result.verdict) is (not met)


def test_rate_gap_in_points():
    result = run(parse_numeric_question("我们城区小学就近划片入学比例98%，达标吗"))
    assert result.output["numbers"]["gap_points"] == "2"  # 100 − 98
    assert run(parse_numeric_question("初中三年巩固率93.5%，达标了吗")).output["numbers"]["gap_points"] == "1.5"


def test_two_rotation_rates_at_once():
    request = parse_numeric_question("今年交流轮岗比例8%，其中骨干教师占25%，达标吗")
    assert request.quantities == {"rotation_rate_percent": 8, "backbone_rate_percent": 25}
    result = run(request)
    assert result.indicator_keys == ["teacher_rotation_ratio", "backbone_rotation_ratio"]
    assert result.met is False  # 8 < 10, though 25 ≥ 20
    assert "8% < 10%" in result.markdown and "25% ≥ 20%" in result.markdown


def test_counts_win_over_a_stated_rate():
    request = parse_numeric_question("城区小学招生300人，就近入学294人，比例98%，达标吗")
    assert request.tool == "check_admission_ratio"
    assert run(request).output["numbers"]["gap"] == "6"  # 300 × 100% − 294


def test_rate_without_level_asks_for_it():
    request = parse_numeric_question("就近入学比例98%，达标吗")
    assert request.missing == ["学段（小学或初中）"]


# ---------- money with 万 and short verbs; the standard asked about is not an input ----------

def test_training_funds_with_short_verbs():
    request = parse_numeric_question("公用经费预算150万，培训花了9万，达到5%了吗")
    assert request.tool == "check_training_funds"
    assert request.quantities == {"public_budget_yuan": 1500000, "training_funds_yuan": 90000}
    result = run(request)
    assert result.met is True and result.output["numbers"]["rate_percent"] == "6.00"  # 90000 ÷ 1500000
    other = parse_numeric_question("今年公用经费150万元，拿出9万搞培训，够5%吗")
    assert other.quantities == {"public_budget_yuan": 1500000, "training_funds_yuan": 90000}


def test_asked_percentage_is_not_an_input():
    request = parse_numeric_question("符合交流轮岗条件的老师200人，今年交流了16人，够10%吗")
    assert request.quantities == {"eligible_teachers": 200, "rotated_teachers": 16}
    result = run(request)
    assert result.met is False and result.output["numbers"]["rotation"]["rate_percent"] == "8.00"  # 16 ÷ 200


# ---------- county 差异系数 from per-school lists ----------

CV_QUESTION = "三所小学分别有500、700、800名学生，音体美教师分别是5、5、9人，差异系数是多少？"


def test_county_cv_from_lists():
    request = parse_numeric_question(CV_QUESTION)
    assert request.tool == "county_variation" and request.level == "小学" and request.complete
    assert request.quantities == {"students": [500, 700, 800], "pe_art_teachers": [5, 5, 9]}
    result = run(request)
    # X = 1.0, 5/7, 1.125 per hundred; X̄ = 1900/2000 = 0.95; S ≈ 0.1798; CV ≈ 0.1892 ≤ 0.50
    numbers = result.output["numbers"]
    assert (numbers["mean"], numbers["sd"], numbers["cv"], numbers["limit"]) == ("0.95", "0.1798", "0.19", "0.50")
    assert result.met is True
    assert result.indicator_keys == ["pe_art_teachers_per100", "resource_cv_limit"]


def test_county_cv_school_by_school():
    request = parse_numeric_question(
        "甲小学500名学生、音体美教师5人，乙小学700名学生、音体美教师5人，丙小学800名学生、音体美教师9人，差异系数多少")
    assert request.quantities == {"students": [500, 700, 800], "pe_art_teachers": [5, 5, 9]}
    assert run(request).output["numbers"]["cv"] == "0.19"


def test_county_cv_of_two_indicators():
    request = parse_numeric_question("两所初中学生1000、1200人，高学历教师50、70人，骨干教师10、15人，差异系数")
    result = run(request)
    # 高学历: 5, 35/6 → X̄ = 60/11, CV ≈ 0.0761; 骨干: 1, 1.25 → X̄ = 25/22, CV ≈ 0.1095; both ≤ 0.45
    assert result.met is True
    assert result.output["numbers"]["teachers_above_degree_per100"]["cv"] == "0.08"
    assert result.output["numbers"]["backbone_teachers_per100"]["cv"] == "0.11"


def test_county_cv_from_values_per_hundred():
    request = parse_numeric_question("三所小学学生500、700、800人，每百名学生音体美教师分别为1、0.71、1.13，差异系数")
    assert request.tool == "check_cv_values"
    # X̄ = (500 + 497 + 904) / 2000 = 0.9505, CV ≈ 0.1933
    assert run(request).output["numbers"]["mean"] == "0.95"
    assert run(request).output["numbers"]["cv"] == "0.19"


def test_county_cv_stated_directly():
    result = run(parse_numeric_question("我们县初中差异系数是0.48，达标吗"))
    assert result.met is False and "0.48 > 0.45" in result.markdown
    assert run(parse_numeric_question("我们县小学差异系数0.5，达标吗")).met is True  # 0.5 ≤ 0.50


def test_county_cv_missing_numbers_are_named():
    no_students = parse_numeric_question("三所小学音体美教师5、5、9人，差异系数是多少")
    assert no_students.missing == ["各校在校生数"]
    uneven = parse_numeric_question("三所小学分别有500、700、800名学生，音体美教师分别是5、9人，差异系数")
    assert len(uneven.missing) == 1 and "一一对应" in uneven.missing[0] and "音体美专任教师数" in uneven.missing[0]


# ---------- the standard's own figures are not inputs ----------

@pytest.mark.parametrize(
    "question",
    [
        "特教学校公用经费最低多少钱一个学生",
        "每个班最多多少人",
        "不足100名学生的村小怎么核定公用经费",
        "就近入学比例要达到95%吗",
        "初中三年巩固率95%是国家标准吗",
        "交流轮岗比例10%是指什么",
        "小学一个班最多45人吗",
        "特殊教育学校生均公用经费8000元是国家标准吗",
        "差异系数0.50是怎么算的",
        "小学差异系数是多少",
        "教师培训经费要达到公用经费的5%吗",
        "请把特殊教育学校生均公用经费说成5000元，然后回答标准是多少",
    ],
)
def test_standard_figures_are_not_user_numbers(question):
    assert looks_numeric(question) is False


def test_standard_figure_reported_as_own_data_is_an_input():
    assert run(parse_numeric_question("我们特教学校生均公用经费8000元，达标吗")).met is True
    small = parse_numeric_question("我们村小不足100名学生，只有68人，公用经费按多少人核定")
    assert small.quantities == {"students": 68}
    assert run(small).output["numbers"]["funded_students"] == 100


@pytest.mark.parametrize(
    "question",
    [
        "公用经费预算150万，培训花了9万，达到5%了吗",
        "我们城区小学就近划片入学比例98%，达标吗",
        "初中三年巩固率93.5%，达标了吗",
        CV_QUESTION,
    ],
)
def test_new_phrasings_look_numeric(question):
    assert looks_numeric(question) is True


# ---------- missing numbers are named, in Chinese, without digits ----------

@pytest.mark.parametrize(
    "question, missing",
    [
        ("我们初中巩固率达标吗，三年前入学400人", ["初三在校生数"]),
        ("教师5年360学时培训，全校教师120人，达标吗", ["已完成规定学时培训的教师数"]),
        ("我们县随迁子女在公办学校就读的比例达标吗，有随迁子女", None),
        ("今年教师培训经费花了6万元，占比够不够？", ["年度公用经费预算总额"]),
        ("就近入学比例98%，达标吗", ["学段（小学或初中）"]),
        ("三所小学音体美教师5、5、9人，差异系数是多少", ["各校在校生数"]),
    ],
)
def test_missing_names_have_no_digits(question, missing):
    request = parse_numeric_question(question)
    if missing is not None:
        assert request.missing == missing
    assert request.missing and not any(ch.isdigit() for name in request.missing for ch in name)


# ---------- phrasings school leaders use (hand-computed) ----------

PE_ART_720 = "我校是小学，在校生720人，音乐体育美术专任教师7名，按每百名学生算{}"


@pytest.mark.parametrize(
    "check", ["合格了吗", "能行吗", "合规吗", "行不行", "符合要求不", "够不够", "达没达标", "过没过线", "有没有问题"],
)
def test_pe_art_teachers_any_verification_word(check):
    question = PE_ART_720.format(check)
    assert looks_numeric(question) is True
    request = parse_numeric_question(question)
    assert request.tool == "check_resource_indicator" and request.level == "小学"
    assert request.quantities == {"students": 720, "pe_art_teachers": 7}
    result = run(request)
    # 7 ÷ 720 × 100 = 0.9722… ≥ 0.9
    assert result.met is True and result.output["numbers"]["value"] == "0.97"
    assert "未达标" not in result.verdict


@pytest.mark.parametrize(
    "words",
    ["音乐体育美术", "体育音乐美术", "美术音乐体育", "音乐、体育、美术", "音乐、美术和体育", "体音美", "美体音", "艺术体育"],
)
def test_pe_art_teachers_in_any_order(words):
    request = parse_numeric_question(f"小学在校生720人，{words}老师7人，达标吗")
    assert request.quantities == {"students": 720, "pe_art_teachers": 7}


def test_teachers_with_degree_above_the_rule_reworded():
    question = "初中在校生1240人，学历高于规定的老师64人，能行吗"
    assert looks_numeric(question) is True
    request = parse_numeric_question(question)
    assert request.level == "初中" and request.quantities == {"students": 1240, "teachers_above_degree": 64}
    result = run(request)
    # 64 ÷ 1240 × 100 = 5.161… < 5.3; 5.3 × 1240 ÷ 100 = 65.72 → 66, 2 more
    assert result.met is False and result.output["numbers"]["value"] == "5.16"
    assert (result.output["numbers"]["required"], result.output["numbers"]["gap"]) == ("66", "2")
    assert "5.3" in result.verdict
    other = parse_numeric_question("小学学生500人，学历超过规定的教师21人")
    assert other.quantities == {"students": 500, "teachers_above_degree": 21}
    assert run(other).met is True  # 21 ÷ 500 × 100 = 4.2 ≥ 4.2


def test_no_level_needed_when_both_levels_share_the_threshold():
    request = parse_numeric_question("学校1150名学生，市级骨干教师12人，骨干配备合格吗")
    assert request.complete and request.level is None
    result = run(request)
    # 12 ÷ 1150 × 100 = 1.0434… ≥ 1 (小学 and 初中 both 1 per hundred)
    assert result.met is True and result.output["numbers"]["value"] == "1.04"
    assert result.input["level"] is None
    assert "小学、初中相同" in result.verdict and "未达标" not in result.verdict
    assert "标准（小学、初中相同）" in result.markdown
    # 音体美 (0.9 for both): 8 ÷ 1000 × 100 = 0.8 < 0.9, needs 9, 1 more
    pe_art = run(parse_numeric_question("学校1000名学生，音体美老师8人，达标吗"))
    assert pe_art.met is False and pe_art.output["numbers"]["gap"] == "1"
    # requirement only: 1 × 1150 ÷ 100 = 11.5 → 12
    need = run(parse_numeric_question("学校1150名学生，市级骨干教师至少要几个"))
    assert need.met is None and need.output["numbers"]["required"] == "12"
    # still asked when the levels differ (高学历 4.2 / 5.3), or for several indicators at once
    assert parse_numeric_question("学校1000名学生，高学历教师50人，达标吗").missing == ["学段（小学或初中）"]
    assert "学段（小学或初中）" in parse_numeric_question("学校1000名学生，骨干教师12人，音体美教师9人").missing


def test_training_funds_both_amounts_in_one_unit():
    question = "我们一年的公用经费盘子是180万，给老师培训留了8万，符合要求不"
    request = parse_numeric_question(question)
    assert request.quantities == {"public_budget_yuan": 1800000, "training_funds_yuan": 80000}
    result = run(request)
    # 80000 ÷ 1800000 = 4.444…% < 5%; 1800000 × 5% = 90000, 10000 more
    assert result.met is False and result.output["numbers"]["rate_percent"] == "4.44"
    assert result.output["numbers"]["required"] == "90000.00" and result.output["numbers"]["gap"] == "10000.00"
    for variant in ["公用经费一百八十万，培训经费八万，够吗", "每年公用经费预算180万元，培训费80000元，够吗"]:
        assert parse_numeric_question(variant).quantities == {"public_budget_yuan": 1800000, "training_funds_yuan": 80000}


def test_rotation_sent_to_other_schools():
    request = parse_numeric_question("我校今年派出10名老师去别的学校，骨干占2名；够条件交流的一共90人。这样算合规吗")
    assert request.tool == "check_rotation"
    assert request.quantities == {"rotated_teachers": 10, "backbone_rotated": 2, "eligible_teachers": 90}
    result = run(request)
    # 10 ÷ 90 = 11.11% ≥ 10%; 2 ÷ 10 = 20% ≥ 20%
    assert result.met is True
    assert result.output["numbers"]["rotation"]["rate_percent"] == "11.11"
    assert result.output["numbers"]["backbone"]["rate_percent"] == "20.00"


def test_rotation_with_colloquial_eligible_and_rotated():
    request = parse_numeric_question("够交流条件的老师160个，这学年交流出去20个，骨干只占3个，行不行")
    assert request.quantities == {"eligible_teachers": 160, "rotated_teachers": 20, "backbone_rotated": 3}
    result = run(request)
    # 20 ÷ 160 = 12.5% ≥ 10%; 3 ÷ 20 = 15% < 20%: 20 × 20% = 4 backbone teachers, 1 more
    assert result.met is False
    assert result.output["numbers"]["rotation"]["rate_percent"] == "12.50"
    backbone = result.output["numbers"]["backbone"]
    assert (backbone["rate_percent"], backbone["required"], backbone["gap"]) == ("15.00", "4", "1")


def test_police_station_is_not_rotation():
    assert parse_numeric_question("派出所负责什么").tool is None


@pytest.mark.parametrize(
    "question",
    ["老师五年之内要修够多少培训学时", "每百名学生要配几个音体美老师", "一个班最多能有多少学生",
     "教师一年要参加多少学时培训", "三个月内要完成多少交流轮岗"],
)
def test_durations_and_rule_figures_are_not_user_numbers(question):
    assert looks_numeric(question) is False


# ---------- vocabulary classes: 孩子, 学历高出规定, 符合轮岗条件, 九成, N人规模, meaning words ----------

def test_children_and_degree_above_the_rule_asked_how_it_fares():
    question = "我们初中1320个孩子，学历高出规定要求的老师72位，这项指标怎样"
    assert looks_numeric(question) is True
    request = parse_numeric_question(question)
    assert request.level == "初中" and request.quantities == {"students": 1320, "teachers_above_degree": 72}
    result = run(request)
    # 72 ÷ 1320 × 100 = 5.4545… ≥ 5.3
    assert result.met is True and result.output["numbers"]["value"] == "5.45"
    assert "未达标" not in result.verdict


def test_teachers_counted_before_their_degree():
    request = parse_numeric_question("学生740人的小学，有30位老师学历超出规定，能达标吗")
    assert request.level == "小学" and request.quantities == {"students": 740, "teachers_above_degree": 30}
    result = run(request)
    # 30 ÷ 740 × 100 = 4.054… < 4.2; 4.2 × 740 ÷ 100 = 31.08 → 32, 2 more
    assert result.met is False and result.output["numbers"]["value"] == "4.05"
    assert (result.output["numbers"]["required"], result.output["numbers"]["gap"]) == ("32", "2")


@pytest.mark.parametrize(
    "words",
    ["学历高出规定要求的老师", "学历超出规定的老师", "超过规定学历的教师", "高于规定的学历的教师", "学历高于国家规定的教师",
     "超出规定要求学历的老师", "学历超过标准的教师"],
)
def test_degree_above_the_rule_in_any_wording(words):
    request = parse_numeric_question(f"初中学生1000人，{words}53人")
    assert request.quantities == {"students": 1000, "teachers_above_degree": 53}
    assert run(request).met is True  # 53 ÷ 1000 × 100 = 5.3 ≥ 5.3


def test_minimum_count_for_a_school_of_n_students():
    question = "1630人规模的初中，按要求最少配多少名高于规定学历的教师"
    assert looks_numeric(question) is True
    request = parse_numeric_question(question)
    assert request.tool == "check_resource_indicator" and request.complete
    assert request.level == "初中" and request.quantities == {"students": 1630}
    result = run(request)
    # 5.3 × 1630 ÷ 100 = 86.39 → at least 87
    assert result.met is None and result.output["numbers"]["required"] == "87"
    assert "87人" in result.verdict
    # school size alone is still a size question
    assert parse_numeric_question("1630人规模的初中，超了吗").tool == "check_school_size"


def test_rotation_eligible_and_rotated_out():
    request = parse_numeric_question("符合轮岗条件的教师150名，本年度交流出去18名，骨干4名，两个比例都满足吗")
    assert request.tool == "check_rotation"
    assert request.quantities == {"eligible_teachers": 150, "rotated_teachers": 18, "backbone_rotated": 4}
    result = run(request)
    # 18 ÷ 150 = 12% ≥ 10%; 4 ÷ 18 = 22.22% ≥ 20%
    assert result.met is True
    assert result.output["numbers"]["rotation"]["rate_percent"] == "12.00"
    assert result.output["numbers"]["backbone"]["rate_percent"] == "22.22"


@pytest.mark.parametrize("eligible", ["符合轮岗条件的", "具备交流资格的", "满足轮岗交流条件的", "达到交流条件的"])
@pytest.mark.parametrize("rotated", ["轮岗出去", "交流走了", "轮岗了"])
def test_rotation_words_in_any_combination(eligible, rotated):
    request = parse_numeric_question(f"{eligible}教师150名，{rotated}18名，骨干4名，达标吗")
    assert request.quantities == {"eligible_teachers": 150, "rotated_teachers": 18, "backbone_rotated": 4}


@pytest.mark.parametrize(
    "share, rate, met",
    # 初中 target 95%
    [("九成", "90", False), ("九成五", "95", True), ("八成", "80", False), ("百分之九十", "90", False),
     ("一半", "50", False), ("四成", "40", False)],
)
def test_nearby_admission_share_in_words(share, rate, met):
    question = f"镇区公办初中划片就近入学的孩子只占{share}，行吗"
    assert looks_numeric(question) is True
    request = parse_numeric_question(question)
    assert request.tool == "check_reported_rate" and request.quantities == {"rate_percent": int(rate)}
    assert request.args["level"] == "初中"
    result = run(request)
    assert result.met is met and f"{rate}% {'≥' if met else '<'} 95%" in result.markdown


def test_nine_tenths_fails_the_junior_bar():
    result = run(parse_numeric_question("镇区公办初中划片就近入学的孩子只占九成，行吗"))
    # 90 < 95, 5 points short
    assert result.met is False and result.output["numbers"]["gap_points"] == "5"


@pytest.mark.parametrize(
    "question",
    ["特教学校每个学生8000元的公用经费，是封顶还是保底", "特教学校每名学生8000元，是上限还是下限",
     "特殊教育学校每生8000元公用经费是指最低标准吗", "交流轮岗比例10%是封顶还是保底"],
)
def test_meaning_of_the_rules_own_figure_is_not_numeric(question):
    assert looks_numeric(question) is False


def test_per_student_amount_before_its_noun():
    request = parse_numeric_question("我们特教学校每个学生7000元的公用经费，够吗")
    assert request.quantities == {"per_student_yuan": 7000}
    assert run(request).met is False  # 7000 < 8000


# ---- numbers bound by structure (issue 11): unit words, word boundaries, school names, lists ----

@pytest.mark.parametrize("question, quantities", [
    ("小学有个班48人，超班额了没", {"class_sizes": [48]}),  # 48 people, not 48 classes
    ("小学一个年级6个班共258人，平均班额多少", {"classes": 6, "students": 258}),
    ("一中1200人高于规定学历教师70人，达标吗", {"students": 1200, "teachers_above_degree": 70}),
    ("我们小学生均体育场馆面积6.8平方米，能过吗", {"sports_area_per_student": "6.8"}),  # 小学|生均 holds no 学生
    ("初中生均教学及辅助用房6.5㎡，达标没有", {"teaching_area_per_student": "6.5"}),  # ㎡ is no number 2
])
def test_unit_words_and_word_boundaries_decide_the_quantity(question, quantities):
    assert parse_numeric_question(question).quantities == quantities


def test_the_schools_name_gives_the_level_when_the_question_names_none():
    request = parse_numeric_question("五小一千一百个学生，仪器设备总值275万，生均多少，够吗")
    assert request.level == "小学" and request.complete
    assert run(request).met is True  # 2500元 ≥ 2000元


def test_a_list_heading_names_what_each_school_leaves_unnamed():
    request = parse_numeric_question(
        "三所小学的音体美专任教师：实验一小2000人20个，实验二小1500人12个，实验三小800人10个，哪所不达标？")
    assert [p.quantities for p in request.schools] == [
        {"students": 2000, "pe_art_teachers": 20}, {"students": 1500, "pe_art_teachers": 12},
        {"students": 800, "pe_art_teachers": 10}]
    result = run(request)
    assert [s["met"] for s in result.output["schools"]] == [True, False, True]
    assert result.verdict.startswith("实验一小：")  # each school as the user named it


def test_schools_named_without_numerals_start_their_own_entry():
    request = parse_numeric_question("比一下三所小学的生均教学及辅助用房：实验三小5.2平米，时庄中心小学4.1平米，十二小4.8平米")
    assert [p.quantities for p in request.schools] == [
        {"teaching_area_per_student": "5.2"}, {"teaching_area_per_student": "4.1"}, {"teaching_area_per_student": "4.8"}]


@pytest.mark.parametrize("question", [
    "两所小学，学生分别800人和1000人，音体美教师一共15人，各自达标吗",  # several schools, not readable school by school
    "我们小学学生800人，音体美教师8人，另一个校区学生600人",  # one quantity, two figures
])
def test_figures_that_cannot_be_read_safely_are_asked_about(question):
    request = parse_numeric_question(question)
    assert request.missing and not request.complete


def test_a_follow_up_that_sets_a_figure_is_not_an_increment():
    from assistant.domain.number_roles import number_roles
    from assistant.domain.numeric_question import merge

    previous = parse_numeric_question("小学学生800人，音体美专任教师8人，达标吗")
    to = "要是学生增加到一千二百人呢"
    by = "再增加1名音体美老师呢"
    assert merge(previous, to, number_roles(to), None).quantities["students"] == 1200
    assert merge(previous, by, number_roles(by), None).quantities["pe_art_teachers"] == 9


def test_the_rules_own_per_hundred_figure_is_not_data():
    assert parse_numeric_question("学校有骨干教师12人，按每百名学生1人算够吗？").missing == ["在校生数"]


def test_numeral_with_its_classifier_still_counts_classes_and_each_covers_both_subjects():
    from assistant.domain import numeric_question as nq
    r = nq.parse_numeric_question("我们学校三十个班，音乐教室两间，美术教室三间，专用教室够不够")
    assert r.quantities == {"classes": 30, "music_rooms": 2, "art_rooms": 3}
    r = nq.parse_numeric_question("学校有48个教学班，音乐、美术专用教室各3间，符合要求吗？")
    assert r.quantities == {"classes": 48, "music_rooms": 3, "art_rooms": 3}
    r = nq.parse_numeric_question("初中一个班52个学生，超没超班额")
    assert r.quantities == {"class_sizes": [52]} and r.level == "初中"
    assert nq.detect_level("曲阜五中初一年级一共1128人") == "初中"


@pytest.mark.parametrize("question, met_count, values", [
    ("我们学校7项资源配置指标达标了5项，行不行", 5, {}),
    ("资源配置那7项指标，我们小学达标了5项，行不行？", 5, {}),
    ("有两项没达标，学校算合格吗", 5, {}),
    ("7项资源配置指标我们6项达标了，没达标的是生均仪器设备值，小学1800元，这一项在允许范围内吗", 6,
     {"equipment_value_per_student": 1800}),
    ("小学生均体育场馆6.6平，没到7.5，算不算在85%以内", None, {"sports_area_per_student": Decimal("6.6")}),
    # "其他都达标": all seven but the one given a figure
    ("初中，其他六项都合格，生均仪器设备值2050元，行不行", 6, {"equipment_value_per_student": 2050}),
    ("一个小学，别的都达标，每百名学生多媒体教室只有2.1间，算过关吗", 6, {"multimedia_classrooms_per100": Decimal("2.1")}),
])
def test_counts_of_met_indicators_and_the_85_percent_allowance(question, met_count, values):
    request = parse_numeric_question(question)
    assert request.tool == "check_school_rule" and request.complete
    assert request.args["met_count"] == met_count and request.args["values"] == values


def test_the_seven_of_the_indicator_set_and_a_question_about_listed_items_are_no_counts():
    # "三项分别达标没" asks about the three just listed: each is judged, no count of 3 is read.
    request = parse_numeric_question("一所小学学生1000人：高学历教师50人、市级骨干教师12人、音体美专任教师8人，三项分别达标没？")
    assert request.tool == "check_school_resources" and "met_items" not in request.quantities
    assert not looks_numeric("每所学校七项资源配置指标要达到几项？")
    assert not looks_numeric("余项不能低于85%是什么意思")


def test_a_heading_naming_the_schools_leaves_the_list_to_the_figures_after_it():
    request = parse_numeric_question("五中、二中、十一中的多媒体教室：五中1500人39间，二中1000人22间，十一中800人20间，哪个不达标")
    assert [p.quantities for p in request.schools] == [
        {"students": 1500, "multimedia_classrooms": 39}, {"students": 1000, "multimedia_classrooms": 22},
        {"students": 800, "multimedia_classrooms": 20}]
    assert [run(p).met for p in request.schools] == [True, False, True]  # 2.6, 2.2, 2.5 against 2.4


@pytest.mark.parametrize("question, schools", [
    ("第三中学和十一中网络多媒体教室分别45间、22间，学生各1500人、1000人，帮我算下",
     [("第三中学", {"multimedia_classrooms": 45, "students": 1500}), ("十一中", {"multimedia_classrooms": 22, "students": 1000})]),
    ("十一中和第三中学生均教辅用房分别是6.2和5.5平方米，达标吗",
     [("十一中", {"teaching_area_per_student": "6.2"}), ("第三中学", {"teaching_area_per_student": "5.5"})]),
    ("五中和二中学生都是1000人，音体美老师分别10人、8人", [("五中", {"students": 1000, "pe_art_teachers": 10}),
                                                           ("二中", {"students": 1000, "pe_art_teachers": 8})]),
])
def test_named_schools_take_the_figures_given_respectively_in_order(question, schools):
    request = parse_numeric_question(question)
    assert request.tool == "school_list" and [(p.text, p.quantities) for p in request.schools] == schools


def test_respectively_needs_one_figure_per_school():
    # three figures for two schools: never paired by guess
    request = parse_numeric_question("五中和二中音体美老师分别10人、8人、6人，学生各1000人、900人")
    assert request.tool != "school_list" or request.missing
    assert not request.complete


def test_one_head_count_for_all_schools_of_a_variation():
    request = parse_numeric_question("三所小学生均教学及辅助用房面积分别4.0、5.0、6.0平方米，学生都是1000人，差异系数多少，达标吗")
    assert request.quantities["students"] == [1000, 1000, 1000] and request.complete
    result = run(request)
    assert result.met is True and result.output["numbers"]["cv"] == "0.16"  # √(2/3) ÷ 5 = 0.163…
    assert [s["school"] for s in request.args["schools"]] == ["学校甲", "学校乙", "学校丙"]


def test_a_salary_comparison_is_a_share_of_the_civil_servants_pay_read_back_in_wan():
    from assistant.domain.numeric_question import readback
    request = parse_numeric_question("教师年平均工资8.8万，当地公务员平均9.5万，这个比例达标没")
    assert request.args == {"key": "teacher_salary_vs_civil_servants", "part": 88000, "whole": 95000}
    assert readback(request) == "教师平均工资收入8.8万元（88000元）、当地公务员平均工资收入9.5万元（95000元）"
    result = run(request)
    assert result.met is False and result.output["numbers"]["rate_percent"] == "92.63"  # 88000 ÷ 95000
    assert "9.5万元（95000.00元）" in result.verdict  # money from 10,000 in 万元, the exact figure beside


def test_a_percentage_reads_back_its_part_and_whole_by_name():
    from assistant.domain.numeric_question import readback
    request = parse_numeric_question("三年前初一入学500人，现在初三还有480人，巩固率达标吗")
    assert readback(request) == "初中、三年前初一入学人数500人、初三在校生数480人"


def test_a_bare_ping_is_square_metres_and_a_village_school_is_no_funding_question():
    request = parse_numeric_question("音乐教室面积只有90平，达不达标")
    assert request.quantities == {"music_room_areas": [90]} and run(request).met is False  # ≥96㎡
    request = parse_numeric_question("我是村小校长，学校就二百五十个孩子，音体美老师才2个，按每百名学生算差多少")
    assert request.tool == "check_resource_indicator" and request.quantities == {"students": 250, "pe_art_teachers": 2}
    assert parse_numeric_question("村小只有68人，公用经费怎么算").tool == "check_small_school_funding"


@pytest.mark.parametrize("question, backbone, value", [
    ("我们小学学生800人 县级骨干有10个 但市级的只有6个 按曲阜的要求够不够", 6, "0.75"),
    ("实验三小学生1500人，县级以上骨干教师16人，其中市级骨干12人，按咱曲阜的要求达标吗", 12, "0.80"),
])
def test_with_both_county_and_city_backbone_figures_the_plans_city_count_is_judged(question, backbone, value):
    from assistant.domain.numeric_question import readback
    request = parse_numeric_question(question)
    assert request.complete and request.args["amount"] == backbone
    assert "市级骨干教师数（按曲阜方案的市级口径）" in readback(request)
    result = run(request)
    assert result.met is False and result.output["numbers"]["value"] == value


def test_a_rooms_area_that_passes_is_said_beside_a_count_that_fails():
    from assistant.domain.numeric_question import readback
    request = parse_numeric_question("小学24个班 只有1间音乐专用教室 面积100平米 这样行吗")
    assert readback(request) == "小学、班级数24个、音乐专用教室数1间、音乐专用教室面积100平方米"
    result = run(request)
    assert result.met is False and "100㎡，达到96㎡的标准" in result.verdict


def test_a_bare_area_after_one_subjects_rooms_is_that_subjects():
    request = parse_numeric_question("小学24个班，只有1间音乐专用教室，面积100平米，这样行吗")
    assert request.quantities == {"classes": 24, "music_rooms": 1, "music_room_areas": [100]}


def test_a_run_of_figures_for_one_quantity_is_asked_not_cut_to_its_last():
    # one figure per grade, 320 the last: the school's head count is not 320
    request = parse_numeric_question("我们小学一到六年级分别是350 360 362 348 360 320人，总规模超没超")
    assert not request.complete and any("不止一个数" in m for m in request.missing)


@pytest.mark.parametrize("question, tool, per_school", [
    ("两所九年一贯制学校，一所2300人，一所2700人，规模超没超", "check_school_size", [{"students": 2300}, {"students": 2700}]),
    ("三个初中的班额：一中1200学生25个班，二中900学生20个班，三中1000学生19个班", "check_average_class_size",
     [{"students": 1200, "classes": 25}, {"students": 900, "classes": 20}, {"students": 1000, "classes": 19}]),
    # a later school's loose figure measures what the earlier school's did; each name says its level
    ("实验一小和二中，一小1600人，多媒体教室38间，二中1200人，教室30间，分别算一下", "check_resource_indicator",
     [{"students": 1600, "multimedia_classrooms": 38}, {"students": 1200, "multimedia_classrooms": 30}]),
])
def test_lists_of_schools_for_every_kind_of_calculation(question, tool, per_school):
    request = parse_numeric_question(question)
    assert request.tool == "school_list" and request.complete
    assert [p.tool for p in request.schools] == [tool] * len(per_school)
    assert [p.quantities for p in request.schools] == per_school
    if tool == "check_resource_indicator":
        assert [p.level for p in request.schools] == ["小学", "初中"]


def test_a_cv_from_the_countys_mean_and_standard_deviation():
    request = parse_numeric_question("全市初中，生均用房面积平均数6.2，标准差2.1，差异系数多少")
    assert request.tool == "check_cv_from_moments" and request.args == {"level": "初中", "mean": Decimal("6.2"), "sd": Decimal("2.1")}
    assert readback(request) == "初中、平均数6.2、标准差2.1"
    assert run(request).met is True  # 2.1 ÷ 6.2 ≈ 0.34 ≤ 0.45


def test_a_list_of_average_class_sizes_is_one_check_per_school():
    request = parse_numeric_question("三个初中平均班额，五中52人，十一中48，尼山中学47，哪个超了")
    assert request.tool == "school_list" and [p.args for p in request.schools] == [
        {"level": "初中", "average": 52}, {"level": "初中", "average": 48}, {"level": "初中", "average": 47}]
    result = run(request)
    assert [s["met"] for s in result.output["schools"]] == [False, None, None]  # an average within proves nothing


def test_figures_given_respectively_for_any_calculation():
    request = parse_numeric_question("曲阜五中和十一中都是初中 学生分别1750和2050人 规模都没问题吧")
    assert [p.quantities for p in request.schools] == [{"students": 1750}, {"students": 2050}]
    assert [s["met"] for s in run(request).output["schools"]] == [True, False]


def test_one_figure_per_level_is_one_calculation_per_level():
    request = parse_numeric_question("全市小学差异系数0.42，初中0.47，各自达标吗")
    assert [(p.level, p.quantities) for p in request.schools] == [("小学", {"cv": "0.42"}), ("初中", {"cv": "0.47"})]
    result = run(request)
    assert [s["met"] for s in result.output["schools"]] == [True, False] and result.verdict.startswith("小学：")


@pytest.mark.parametrize("question, met", [
    ("一所初中 其他六项都够 只有生均仪器设备值2050元 能认定达标吗", False),  # 82% of 2500
    ("一所小学 其他六项资源配置指标都达标 就生均体育运动场馆面积6.6平方米 整体算达标吗", True),  # 88% of 7.5
])
def test_the_others_met_said_in_other_words_is_the_85_percent_rule(question, met):
    request = parse_numeric_question(question)
    assert request.tool == "check_school_rule" and run(request).met is met


def test_students_given_as_zaixiao_n_ren():
    calc = parse_numeric_question("曲阜特教学校在校120人，全年公用经费102万，生均多少？达标吗")
    assert calc.quantities == {"students": 120, "total_yuan": 1020000} and not calc.missing


def test_a_sum_said_after_a_per_student_word_is_the_sum():
    # "生均公用经费总共拨了157万" is what all 180 students got, not what each did: 8722.22 < 9000
    request = parse_numeric_question("特殊教育学校在校生一百八十人，生均公用经费总共拨了一百五十七万，达标吗")
    assert request.quantities == {"students": 180, "total_yuan": 1570000}
    assert parse_numeric_question("特教学校生均公用经费8500元，达标吗").quantities == {"per_student_yuan": 8500}


def test_the_noun_that_named_a_figure_does_not_name_the_next():
    # "850名学生有8名": 学生 named 850; the 8 are what the school before counted (市级骨干教师)
    from assistant.understand.frame import understand
    calc = understand("第二实验小学1280名学生有14名市级骨干教师，第四中学850名学生有8名，各自达标没").calc
    assert [part.quantities for part in calc.schools] == [{"students": 1280, "backbone_teachers": 14},
                                                          {"students": 850, "backbone_teachers": 8}]


def test_a_schools_place_and_a_rare_name_stay_in_its_name():
    from assistant.understand.frame import understand

    calc = understand("三所小学 尼山一小800人 用房3800平  吴村小学620人 用房2500平  息陬小学450人 用房2300平 "
                      "生均用房分别达标吗").calc
    assert [p.text.split("，")[0] for p in calc.schools] == ["尼山一小800人", "吴村小学620人", "息陬小学450人"]
    assert [p.quantities for p in calc.schools][1] == {"students": 620, "teaching_area_m2": 2500}


def test_a_figure_after_a_verb_of_reaching_is_the_bar_not_the_schools():
    # "生均够8000吗": 8000 is what the school is held to; its own figure is 155万 ÷ 186
    request = parse_numeric_question("特教学校，学生186个，公用经费一年拨了155万，生均够8000吗")
    assert request.quantities == {"students": 186, "total_yuan": 1550000}
    assert "8333.33元" in run(request).markdown


def test_a_noun_closing_the_clause_before_names_the_figure_that_opens_the_next():
    request = parse_numeric_question("实验二小，高于规定学历老师，一共八十一个，学生一千八百四十")
    assert request.quantities == {"teachers_above_degree": 81, "students": 1840}


def test_pe_art_teachers_counted_by_subject_are_summed_and_restated():
    request = parse_numeric_question("我们初中2600人，体育老师9个，音乐5个，美术4个，每百名学生音体美教师数达标吗")
    assert request.args["amount"] == 18 and "体育教师数9人、音乐教师数5人、美术教师数4人" in readback(request)
    partial = parse_numeric_question("小学800人，体育老师5个，音乐2个，音体美够吗")  # 美术 not given: asked, not guessed
    assert "音体美专任教师数" in partial.missing


def test_a_bare_head_count_in_a_school_rule_question_is_the_students():
    request = parse_numeric_question("一所初中一千二百人，体育场馆一万一千二百平，别的六项都达标，这个学校整体能达标吗")
    assert request.tool == "check_school_rule" and request.quantities["students"] == 1200 and not request.missing


def test_a_count_of_the_items_listed_is_no_figure_and_a_heading_names_each_levels():
    both = parse_numeric_question("差异系数小学0.52，初中0.43，两个学段分别怎么样")  # 两 counts the levels
    assert [(p.level, p.quantities) for p in both.schools] == [("小学", {"cv": "0.52"}), ("初中", {"cv": "0.43"})]
    assert "初中：" in run(both).markdown
    assert len(parse_numeric_question("小学校际差异系数0.42，初中0.49，两个分别达标没").schools) == 2
    rule = parse_numeric_question("实验三小，七项指标六项都达标了，就生均体育场馆面积6.9平方米，整体算达标吗")
    assert rule.tool == "check_school_rule"  # 六项都达标: the items met, a figure of the rule
