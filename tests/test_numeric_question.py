"""Numeric questions: which numbers the user gives, what they count, which calculation, what is missing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.domain.numeric_question import looks_numeric, parse_numeric_question, run

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
    no_level = parse_numeric_question("我们学校有学生850人，音体美专任教师7人，达标吗")
    assert no_level.missing == ["学段（小学或初中）"]
    no_students = parse_numeric_question("我们小学有音体美专任教师7人，达标吗")
    assert no_students.missing == ["在校生数"]


def test_requirement_question_needs_no_amount():
    result = run(parse_numeric_question("我们小学850名学生，需要几个音体美老师？"))
    assert result.met is None and result.output["numbers"]["required"] == "8"


@pytest.mark.parametrize(
    "question, key, value, met",
    [
        ("小学在校生1,200人，教学及辅助用房5000平方米，够吗", "teaching_area_per_student", "4.16", False),
        ("初中学生1000人，运动场馆面积1.2万平方米", "sports_area_per_student", "12.00", True),
        ("小学教学仪器设备值150万元，学生850人", "equipment_value_per_student", "1764.70", False),
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
    request = parse_numeric_question("我们镇区小学招生200人，其中就近划片入学180人，达标吗")
    assert request.args["area"] == "镇区"
    result = run(request)
    assert result.met is False and result.output["numbers"]["required"] == "190"
    assert parse_numeric_question("城区初中招生300人，就近入学300人").args["area"] == "城区"
    assert parse_numeric_question("招生200人，就近入学190人，达标吗").missing == ["学校所在区域（城区或镇区）"]


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
