"""Hand-computed checks of every calculator: values, gaps, the school rule, 差异系数 and plan targets."""
from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml

from assistant.domain import calculator as calc
from assistant.domain.indicators import DEFAULT_PATH, load_registry

# Every 小学 resource indicator exactly at its threshold, for 1000 students.
AT_THRESHOLD = dict(
    teachers_above_degree=42, backbone_teachers=10, pe_art_teachers=9, teaching_area_m2=4500,
    sports_area_m2=7500, equipment_value_yuan=2000000, multimedia_classrooms=23,
)


# ---------- display rounding ----------

def test_round_to_modes():
    assert calc.round_to(Fraction(899, 1000), 2, "down") == Decimal("0.89")
    assert calc.round_to(Fraction(891, 1000), 2, "up") == Decimal("0.90")
    assert calc.round_to(Fraction(905, 1000), 2, "half_up") == Decimal("0.91")
    assert calc.round_to(Fraction(904, 1000), 2, "half_up") == Decimal("0.90")


def test_a_failing_value_is_never_shown_as_a_pass():
    assert calc.shown(Fraction(8995, 10000), ">=", False, threshold="0.9") == "0.89"  # not 0.90
    assert calc.shown(Fraction(501, 1000), "<=", False, threshold="0.50") == "0.51"  # not 0.50
    assert calc.shown(Fraction(899, 1000), ">=", True, threshold="0.9") == "0.90"
    # far from the threshold a fail is rounded half-up like any other value: 1150 ÷ 22 is 52.27, not 52.28
    assert calc.shown(Fraction(1150, 22), "<=", False, threshold=50) == "52.27"


# ---------- the 7 resource indicators ----------

def test_the_issue_example_850_students_7_pe_art_teachers():
    check = calc.check_resource_indicator("小学", "pe_art_teachers_per100", 850, 7)
    assert check.met is False
    assert check.value == Fraction(700, 850)
    assert check.numbers["value"] == "0.82"
    assert check.numbers["required"] == "8"  # 0.9 × 850 ÷ 100 = 7.65 → 8
    assert check.numbers["gap"] == "1"
    assert check.numbers["ratio_percent"] == "91.50"  # 0.8235… ÷ 0.9 = 91.503…%
    assert check.steps[0] == "每百名学生拥有音体美专任教师数 = 7 ÷ 850 × 100 ≈ 0.82人"
    assert "7.65" in check.steps[3] and "8人" in check.steps[3]
    assert "未达标" in check.verdict and "还差 1人" in check.verdict


@pytest.mark.parametrize(
    "level, key, students, amount, value, met, required, gap, ratio",
    [
        ("小学", "teachers_above_degree_per100", 1000, 41, "4.10", False, "42", "1", "97.62"),
        ("初中", "teachers_above_degree_per100", 1000, 53, "5.30", True, "53", "0", "100.00"),
        ("小学", "backbone_teachers_per100", 850, 8, "0.94", False, "9", "1", "94.12"),
        ("初中", "pe_art_teachers_per100", 1200, 11, "0.92", True, "11", "0", "101.85"),
        ("初中", "teaching_area_per_student", 850, "4000.5", "4.71", False, "4930.00", "929.50", "81.15"),
        ("初中", "sports_area_per_student", 1000, 10200, "10.20", True, "10200.00", "0.00", "100.00"),
        ("小学", "sports_area_per_student", 1000, 7505, "7.51", True, "7500.00", "0.00", "100.07"),
        ("小学", "equipment_value_per_student", 850, 1500000, "1764.71", False, "1700000.00", "200000.00", "88.24"),
        ("小学", "multimedia_classrooms_per100", 1000, 23, "2.30", True, "23", "0", "100.00"),
        ("初中", "multimedia_classrooms_per100", 1000, 23, "2.30", False, "24", "1", "95.83"),
    ],
)
def test_resource_indicator_values(level, key, students, amount, value, met, required, gap, ratio):
    check = calc.check_resource_indicator(level, key, students, amount)
    assert (check.numbers["value"], check.met) == (value, met)
    assert (check.numbers["required"], check.numbers["gap"]) == (required, gap)
    assert check.numbers["ratio_percent"] == ratio


def test_failing_value_just_under_threshold_shows_rounded_down():
    check = calc.check_resource_indicator("小学", "teaching_area_per_student", 1000, 4499)  # 4.499
    assert check.met is False and check.numbers["value"] == "4.49"
    assert check.numbers["gap"] == "1.00"


def test_area_gap_is_rounded_up_to_a_hundredth():
    check = calc.check_resource_indicator("初中", "teaching_area_per_student", 3, "13.001")
    assert check.numbers["required"] == "17.40"  # 5.8 × 3
    assert check.numbers["gap"] == "4.40"  # 4.399 rounded up


def test_requirement_only_when_the_amount_is_not_given():
    check = calc.check_resource_indicator("初中", "teachers_above_degree_per100", 850)
    assert check.met is None and check.value is None
    assert check.numbers["required"] == "46"  # 5.3 × 850 ÷ 100 = 45.05 → 46
    assert "至少需要 46人" in check.verdict


@pytest.mark.parametrize(
    "args, message",
    [
        (("高中", "pe_art_teachers_per100", 850, 7), "学段"),
        (("小学", "pe_art_teachers_per100", 0, 7), "在校生数应大于0"),
        (("小学", "pe_art_teachers_per100", 850, -1), "不能为负数"),
        (("小学", "pe_art_teachers_per100", 850, "7.5"), "应为整数"),
        (("小学", "pe_art_teachers_per100", 850, "七"), "不是数字"),
        (("小学", "class_size", 850, 7), "不是校级资源配置指标"),
    ],
)
def test_resource_indicator_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        calc.check_resource_indicator(*args)


# ---------- the school rule: ≥6 of 7, every unmet one ≥85% ----------

def test_all_seven_at_threshold_pass():
    school = calc.check_school("小学", 1000, **AT_THRESHOLD)
    assert school.met is True and school.met_count == 7


def test_one_unmet_at_exactly_85_percent_passes():
    school = calc.check_school("小学", 1000, **{**AT_THRESHOLD, "sports_area_m2": 6375})  # 6.375 = 85% of 7.5
    sports = next(c for c in school.checks if c.keys == ("sports_area_per_student",))
    assert sports.ratio == Fraction(85, 100)
    assert school.met_count == 6 and school.met is True


def test_one_unmet_just_under_85_percent_fails_and_is_not_shown_as_85():
    school = calc.check_school("小学", 1000, **{**AT_THRESHOLD, "sports_area_m2": "6374.99"})
    sports = next(c for c in school.checks if c.keys == ("sports_area_per_student",))
    assert sports.ratio < Fraction(85, 100)
    assert sports.numbers["ratio_percent"] == "84.99"
    assert school.met_count == 6 and school.met is False
    assert "低于85%" in school.verdict


def test_two_unmet_fail_even_above_85_percent():
    school = calc.check_school("小学", 1000, **{**AT_THRESHOLD, "sports_area_m2": 7000, "teaching_area_m2": 4400})
    assert school.met_count == 5 and school.met is False
    assert "少于 6 项" in school.verdict


def test_incomplete_school_data_gives_no_school_verdict():
    school = calc.check_school("小学", 850, pe_art_teachers=7, multimedia_classrooms=20)
    assert school.met is None and len(school.checks) == 2
    assert "7项数据齐全" in school.verdict
    with pytest.raises(ValueError, match="未知"):
        calc.check_school("小学", 850, teachers=7)
    with pytest.raises(ValueError, match="至少需要"):
        calc.check_school("小学", 850)


# ---------- 差异系数 ----------

def test_cv_worked_example_from_the_issue():
    # 500, 700, 800 students with 5, 5, 9 PE/art teachers → 1.0, 0.714…, 1.125 per hundred.
    cv = calc.county_variation("小学", "pe_art_teachers_per100", [
        {"school": "甲", "students": 500, "amount": 5},
        {"school": "乙", "students": 700, "amount": 5},
        {"school": "丙", "students": 800, "amount": 9},
    ])
    mean = Fraction(95, 100)  # (500×1 + 700×5/7 + 800×9/8) ÷ 2000 = 1900 ÷ 2000
    variance = (500 * (1 - mean) ** 2 + 700 * (Fraction(5, 7) - mean) ** 2 + 800 * (Fraction(9, 8) - mean) ** 2) / 2000
    expected = Decimal(variance.numerator / variance.denominator).sqrt() / Decimal("0.95")
    assert cv.numbers["mean"] == "0.95"
    assert abs(cv.cv - expected) < Decimal("1e-12")
    assert round(cv.cv, 3) == Decimal("0.189")
    assert cv.numbers["cv"] == "0.19" and cv.met is True
    assert cv.keys == ("pe_art_teachers_per100", "resource_cv_limit")


def test_cv_exactly_at_the_limit_passes_for_primary_and_fails_for_junior():
    # Equal weights, values 0.5 and 1.5: X̄ = 1, S = 0.5, CV = 0.50 exactly.
    schools = [{"school": "甲", "students": 200, "amount": 1}, {"school": "乙", "students": 200, "amount": 3}]
    primary = calc.county_variation("小学", "pe_art_teachers_per100", schools)
    junior = calc.county_variation("初中", "pe_art_teachers_per100", schools)
    assert primary.cv == Decimal("0.5") and primary.met is True
    assert junior.met is False and junior.numbers["cv"] == "0.50" and junior.numbers["limit"] == "0.45"


def test_failing_values_round_half_up_unless_that_looks_like_a_pass():
    # CV a hair over 1.0 is far over 0.50: half-up (1.00) cannot look like a pass
    tilted = [("甲", 5001, Fraction(0)), ("乙", 4999, Fraction(2))]
    check = calc.check_cv("小学", "pe_art_teachers_per100", tilted)
    assert check.cv > 1 and check.numbers["cv"] == "1.00"
    # 0.8995 against ≥0.9: half-up would show 0.90, a pass; it is shown 0.89 and the note says why
    assert calc.shown(Fraction(8995, 10000), ">=", False, threshold="0.9") == "0.89"
    assert "0.90" in calc.truncation_note(Fraction(8995, 10000), ">=", False, "0.9")
    # 0.5004 against ≤0.50: half-up 0.50 would look met → 0.51
    assert calc.shown(Fraction(5004, 10000), "<=", False, threshold="0.50") == "0.51"
    # 14 ÷ 1800 × 100 = 0.777… fails clearly: shown 0.78, as the user would round it
    assert calc.check_resource_indicator("初中", "pe_art_teachers_per100", 1800, 14).numbers["value"] == "0.78"


def test_cv_of_all_zero_values_is_undefined_and_one_school_is_zero():
    zero = calc.check_cv("小学", "pe_art_teachers_per100", [("甲", 100, Fraction(0)), ("乙", 300, Fraction(0))])
    assert zero.cv is None and zero.met is None
    single = calc.check_cv("初中", "pe_art_teachers_per100", [("甲", 100, Fraction(1))])
    assert single.cv == 0 and single.met is True


def test_weighted_variation_is_exact():
    mean, variance = calc.weighted_variation([(1, Fraction(0)), (3, Fraction(4))])
    assert mean == 3 and variance == Fraction(1 * 9 + 3 * 1, 4)


def test_check_county_lists_failing_indicators():
    even = calc.check_school("小学", 1000, **AT_THRESHOLD)
    uneven = calc.check_school("小学", 1000, **{**AT_THRESHOLD, "pe_art_teachers": 30})
    county = calc.check_county("小学", [even, uneven])
    assert county.met is False
    assert county.numbers["failing"] == ["pe_art_teachers_per100"]  # 0.9 vs 3.0: CV ≈ 0.54
    assert len(county.cv_checks) == 7
    with pytest.raises(ValueError, match="没有学校数据"):
        calc.check_county("初中", [even])


# ---------- percentage targets ----------

def test_rotation_example():
    check = calc.check_rotation(120, 10, 2)
    assert check.met is False
    assert check.numbers["rotation"]["rate_percent"] == "8.33"
    assert check.numbers["rotation"]["required"] == "12" and check.numbers["rotation"]["gap"] == "2"
    assert check.numbers["backbone"]["rate_percent"] == "20.00"
    assert check.numbers["backbone_required_at_minimum"] == 3  # 20% of 12 = 2.4 → 3
    assert check.keys == ("teacher_rotation_ratio", "backbone_rotation_ratio")


def test_rotation_edges():
    assert calc.check_rotation(120, 12, 3).met is True
    short_backbone = calc.check_rotation(120, 12, 2)  # 2/12 = 16.66…% < 20%
    assert short_backbone.met is False and short_backbone.numbers["backbone"]["rate_percent"] == "16.67"
    assert calc.check_rotation(120, 12).met is True
    with pytest.raises(ValueError, match="不能多于"):
        calc.check_rotation(120, 12, 13)


def test_training_funds():
    check = calc.check_training_funds(2000000, 80000)
    assert check.met is False
    assert check.numbers == {"rate_percent": "4.00", "threshold_percent": "5", "required": "100000.00",
                             "gap": "20000.00", "unit": "元"}
    assert calc.check_training_funds(2000000, 100000).met is True
    minimum = calc.check_training_funds("1234567.89")
    assert minimum.met is None and minimum.numbers["required"] == "61728.40"  # 61728.3945 rounded up


def test_admission_ratio_is_100_percent_for_primary_and_95_for_junior():
    junior = calc.check_admission_ratio("初中", 190, 200, area="镇区")
    assert junior.met is True and junior.numbers["rate_percent"] == "95.00"
    assert calc.check_admission_ratio("小学", 190, 200).met is False  # 95% < 100%, in 城区 or 镇区 alike
    primary = calc.check_admission_ratio("小学", 99999, 100000)
    assert primary.met is False and primary.numbers["rate_percent"] == "99.99"  # never 100.00
    with pytest.raises(ValueError, match="城区或镇区"):
        calc.check_admission_ratio("小学", 1, 2, area="农村")


def test_consolidation_and_enrolment_rates():
    assert calc.check_consolidation_rate(400, 380).met is True
    low = calc.check_consolidation_rate(400, 379)
    assert low.met is False and low.numbers["rate_percent"] == "94.75" and low.numbers["gap"] == "1"
    assert calc.check_enrolment_rate(5000, 5000).met is True
    assert calc.check_enrolment_rate(4990, 5000).numbers["rate_percent"] == "99.80"
    with pytest.raises(ValueError, match="不支持"):
        calc.check_percentage_target("class_size", 1, 2)


def test_percentage_target_uses_the_registry_threshold():
    check = calc.check_percentage_target("certified_teachers_rate", 198, 200)
    assert check.met is False and check.numbers["threshold_percent"] == "100"


# ---------- funding, sizes, rooms ----------

def test_small_school_funding_basis():
    small = calc.check_small_school_funding(60, 700)
    assert small.numbers == {"funded_students": 100, "funding_yuan": "70000.00"}
    assert calc.check_small_school_funding(150).numbers["funded_students"] == 150
    assert calc.check_small_school_funding(100).numbers["funded_students"] == 100


def test_special_education_funding_local_and_national():
    low = calc.check_special_ed_funding(7000)
    assert low.met is False and low.numbers["met_national"] is True and low.numbers["gap_per_student"] == "1000.00"
    assert "以方案为准" in low.verdict
    assert calc.check_special_ed_funding(8000).met is True
    both_low = calc.check_special_ed_funding(5999)
    assert both_low.met is False and both_low.numbers["met_national"] is False
    total = calc.check_special_ed_funding(total_yuan=500000, students=60)
    assert total.met is True and total.numbers["per_student_yuan"] == "8333.33"
    with pytest.raises(ValueError, match="请提供"):
        calc.check_special_ed_funding()


def test_class_size():
    primary = calc.check_class_size("小学", [45, 46, 44])
    assert primary.met is False and primary.numbers["over_limit_classes"] == 1 and primary.numbers["largest"] == 46
    assert calc.check_class_size("初中", [50, 50]).met is True
    assert calc.check_class_size("初中", [51]).met is False


def test_average_class_size():
    over = calc.check_average_class_size("小学", 1200, 26)  # 46.153… > 45
    assert over.met is False and over.numbers["average"] == "46.15" and over.numbers["min_classes"] == 27
    within = calc.check_average_class_size("小学", 1200, 27)
    assert within.met is None and "逐班核对" in within.verdict
    stated = calc.check_average_class_size("初中", average=52)  # "平均班额52人": the user's own average
    assert stated.met is False and stated.numbers["average"] == "52.00" and "min_classes" not in stated.numbers
    assert calc.check_average_class_size("初中", average=48).met is None  # within: every class still to check
    with pytest.raises(ValueError, match="平均班额"):
        calc.check_average_class_size("初中")


def test_school_size():
    assert calc.check_school_size("小学", 2000).met is True
    over = calc.check_school_size("初中", 2001)
    assert over.met is False and over.numbers["excess"] == 1
    assert calc.check_school_size("一贯制", 2500).met is True
    with pytest.raises(ValueError, match="学校类型"):
        calc.check_school_size("高中", 100)


def test_music_and_art_rooms():
    assert calc.check_music_art_rooms(12, 1, 1).met is True
    thirteen = calc.check_music_art_rooms(13, 1, 2)
    assert thirteen.numbers["required_each"] == 2 and thirteen.numbers["music_gap"] == 1 and thirteen.met is False
    areas = calc.check_music_art_rooms(24, 2, 2, [96, "95.9"], [90, 90])
    assert areas.met is False and "95.9㎡" in areas.verdict
    assert areas.keys == ("music_art_rooms_per_12_classes", "music_room_area", "art_room_area")
    assert calc.check_music_art_rooms(24, 2, 2, [96, 120], [90]).met is True


# ---------- cross-cutting ----------

ALL_CHECKS = [
    lambda: calc.check_resource_indicator("小学", "pe_art_teachers_per100", 850, 7),
    lambda: calc.check_school("小学", 1000, school="甲", **AT_THRESHOLD),
    lambda: calc.county_variation("小学", "pe_art_teachers_per100", [{"school": "a", "students": 5, "amount": 1}]),
    lambda: calc.check_county("小学", [calc.check_school("小学", 1000, **AT_THRESHOLD)]),
    lambda: calc.check_rotation(120, 10, 2),
    lambda: calc.check_training_funds(2000000, 80000),
    lambda: calc.check_admission_ratio("小学", 1, 2),
    lambda: calc.check_special_ed_funding(7000),
    lambda: calc.check_class_size("小学", [46]),
    lambda: calc.check_average_class_size("小学", 100, 2),
    lambda: calc.check_school_size("小学", 100),
    lambda: calc.check_music_art_rooms(30, 2, 3, [100], [80]),
    lambda: calc.check_small_school_funding(60, 700),
    lambda: calc.check_consolidation_rate(400, 380),
]


@pytest.mark.parametrize("make", ALL_CHECKS)
def test_every_result_is_json_with_keys_steps_and_verdict(make):
    data = make().to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["keys"] and data["steps"] and data["verdict"].startswith("**")
    assert set(data) >= {"keys", "title", "input", "numbers", "met", "steps", "verdict"}


def test_thresholds_come_from_the_registry(tmp_path):
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    for entry in data["indicators"]:
        if entry["key"] == "pe_art_teachers_per100":
            entry["values"] = {"小学": 0.8, "初中": 0.8}
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    check = calc.check_resource_indicator("小学", "pe_art_teachers_per100", 850, 7, registry=load_registry(path))
    assert check.met is True and check.numbers["threshold"] == "0.8"


def test_operations_cover_every_tool_name():
    assert set(calc.OPERATIONS) == {
        "check_resource_indicator", "check_school_resources", "check_school_rule", "county_variation", "check_rotation",
        "check_training_funds", "check_admission_ratio", "check_special_ed_funding", "check_class_size",
        "check_average_class_size", "check_school_size", "check_music_art_rooms", "check_small_school_funding",
        "check_percentage_target", "check_indicator_value", "check_indicator_values", "check_reported_rate", "check_reported_rates",
        "check_cv_values", "check_reported_cv", "check_cv_from_moments", "county_variations",
    }


def test_a_check_of_several_parts_gives_each_its_own_verdict():
    check = calc.check_rotation(400, 50, 8)  # 12.5% 达标, 骨干 16% 未达标
    assert check.met is False
    assert [part["met"] for part in check.to_dict()["checks"]] == [True, False]
    assert "达标。" in check.verdict and "未达标。" in check.verdict


def test_the_backbone_share_alone_when_the_eligible_count_is_not_given():
    check = calc.check_rotation(None, 150, 27)
    assert check.keys == ("backbone_rotation_ratio",) and check.met is False  # 18% < 20%


def test_several_indicator_values_of_one_school_are_each_judged():
    check = calc.OPERATIONS["check_indicator_values"](
        "初中", {"teaching_area_per_student": Decimal("6.2"), "sports_area_per_student": Decimal("9.6")})
    assert [p["met"] for p in check.to_dict()["checks"]] == [True, False]


def test_one_subjects_rooms_are_judged_without_the_other():
    check = calc.check_music_art_rooms(36, 2, None)
    assert check.met is False and "美术" not in check.verdict.split("；")[-1]
    with pytest.raises(ValueError):
        calc.check_music_art_rooms(36, None, None)


def test_a_stated_room_area_is_judged_in_its_own_unit():
    check = calc.check_reported_rate("music_room_area", 85)
    assert check.met is False and "85㎡" in check.verdict


def test_rooms_per_12_classes_are_shown_per_subject():
    from assistant.domain.calculator import check_music_art_rooms
    check = check_music_art_rooms(30, 2, 3)
    assert [p.numbers["per_12_classes"] for p in check.parts] == ["0.80", "1.20"]
    assert [p.met for p in check.parts] == [False, True] and check.met is False


def test_the_school_rule_on_a_count_of_met_indicators_and_the_misses_figures():
    assert calc.check_school_rule(met_count=5).met is False  # fewer than 6: no allowance can make up for it
    assert calc.check_school_rule(met_count=7).met is True
    pending = calc.check_school_rule(met_count=6)
    assert pending.met is None and "请给出该项的数值" in pending.verdict  # the seventh's share is unknown
    within = calc.check_school_rule("小学", 6, {"equipment_value_per_student": 1800})
    assert within.met is True and within.numbers["ratios_percent"] == {"equipment_value_per_student": "90.00"}
    below = calc.check_school_rule("小学", None, {"equipment_value_per_student": 1600})
    assert below.met is False and "80.00%" in below.verdict  # 1600 ÷ 2000 = 80% < 85%
    two_misses = calc.check_school_rule("小学", None, {"equipment_value_per_student": 1900,
                                                       "sports_area_per_student": 7})
    assert two_misses.met is False and "最多只允许 1 项" in two_misses.verdict
    raw = calc.check_school_rule("初中", students=1000, pe_art_teachers=8)  # 0.8 per hundred = 88.89% of 0.9
    # the share is judged against the 85% floor: half-up (88.888… shows 88.89), truncated only where
    # rounding would lift a share onto the floor
    assert raw.met is True and raw.numbers["ratios_percent"] == {"pe_art_teachers_per100": "88.89"}
    with pytest.raises(ValueError):
        calc.check_school_rule(met_count=8)
    with pytest.raises(ValueError):
        calc.check_school_rule()


def test_a_stated_value_shows_its_standard_as_a_decimal():
    check = calc.check_indicator_value("小学", "sports_area_per_student", Decimal("6.6"))
    assert "7.5" in " ".join(check.steps) and "15/2" not in " ".join(check.steps)


def test_cv_from_moments_is_the_standard_deviation_over_the_mean():
    check = calc.check_cv_from_moments("小学", "1.4", "0.8")  # 0.8 ÷ 1.4 = 0.5714…
    assert check.met is False and check.numbers["cv"] == "0.57"  # half-up: well past the limit either way
    assert calc.check_cv_from_moments("初中", "6.2", "2.1").numbers["cv"] == "0.34"
    with pytest.raises(ValueError):
        calc.check_cv_from_moments("小学", "0", "1")


def test_every_operation_judges_by_the_registry_it_is_given():
    # a county plan's own figures reach every calculator (none falls back to the default registry)
    import inspect
    assert all("registry" in inspect.signature(f).parameters for f in calc.OPERATIONS.values())


def test_a_share_just_under_the_85_percent_floor_is_never_rounded_onto_it():
    # 0.7649 of 0.9 per hundred = 84.99%: half-up would show 85.00% and look like a pass
    check = calc.check_indicator_value("小学", "pe_art_teachers_per100", "0.76499")
    assert check.numbers["ratio_percent"] == "84.99"
