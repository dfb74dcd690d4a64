"""The indicator registry: values as the documents state them, verbatim quotes, validation, lookups."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from assistant.domain.indicators import DEFAULT_PATH, SUMMARY_LABEL, default_registry, load_registry

PLAN_ID = "qufu-2024-17-plan"
NATIONAL_ID = "jiaodu-2017-6"
PLAN_FILE = Path(__file__).resolve().parents[1] / "corpus" / "qufu-2024-17-plan.txt"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def plan() -> str:
    return PLAN_FILE.read_text(encoding="utf-8")


# The 7 resource indicators as 教督〔2017〕6号 sets them (小学, 初中).
RESOURCE = {
    "teachers_above_degree_per100": ("4.2", "5.3", "人"),
    "backbone_teachers_per100": ("1", "1", "人"),
    "pe_art_teachers_per100": ("0.9", "0.9", "人"),
    "teaching_area_per_student": ("4.5", "5.8", "㎡"),
    "sports_area_per_student": ("7.5", "10.2", "㎡"),
    "equipment_value_per_student": ("2000", "2500", "元"),
    "multimedia_classrooms_per100": ("2.3", "2.4", "间"),
}

# Targets the plan itself states, with the figure its quote must hold.
PLAN_TARGETS = {
    "pe_art_teachers_per100": "0.9",
    "backbone_teachers_per100": "1名以上市级骨干教师",
    "certified_teachers_rate": "100%",
    "teachers_above_degree_per100": "4.2人以上、5.3人以上",
    "teacher_rotation_ratio": "10%",
    "backbone_rotation_ratio": "20%",
    "training_funds_ratio": "5%",
    "training_hours_completion_rate": "360学时培训完成率达到100%",
    "nearby_admission_ratio": "100%、95%以上",
    "quota_allocation_ratio": "50%",
    "enrolment_rate": "100%",
    "junior_consolidation_rate": "95%以上",
    "small_school_funding_basis": "100名学生",
    "special_ed_funding_per_student": "8000元",
    "national_assessment_year": "2025年",
}


def test_registry_loads_every_kind(registry):
    kinds = {ind.kind for ind in registry}
    assert kinds == {"school_resource", "resource_rule", "government", "quality", "plan_target", "social"}
    assert len(registry) >= 30


def test_seven_resource_indicators_with_both_levels(registry):
    assert [i.key for i in registry.resource_indicators] == list(RESOURCE)
    for key, (primary, junior, unit) in RESOURCE.items():
        ind = registry[key]
        assert ind.threshold("小学") == Decimal(primary)
        assert ind.threshold("初中") == Decimal(junior)
        assert ind.unit == unit and ind.comparison == ">="
        assert ind.measure.per_students in (1, 100)


def test_cv_limits_and_school_rule(registry):
    cv = registry["resource_cv_limit"]
    assert cv.comparison == "<="
    assert str(cv.threshold("小学")) == "0.50" and str(cv.threshold("初中")) == "0.45"
    assert registry["school_rule_min_met"].threshold() == 6
    assert registry["school_rule_unmet_min_ratio"].threshold() == 85


@pytest.mark.parametrize(
    "key, values",
    [
        ("music_room_area", {"all": "96"}),
        ("art_room_area", {"all": "90"}),
        ("school_size", {"小学": "2000", "初中": "2000", "一贯制": "2500"}),
        ("class_size", {"小学": "45", "初中": "50"}),
        ("nearby_admission_ratio", {"小学": "100", "初中": "95"}),
        ("quota_allocation_ratio", {"all": "50"}),
        ("migrant_children_public_ratio", {"all": "85"}),
        ("junior_consolidation_rate", {"all": "95"}),
        ("disabled_children_enrolment_rate", {"all": "95"}),
        ("training_funds_ratio", {"all": "5"}),
        ("quality_monitoring_school_difference", {"all": "0.15"}),
        ("social_recognition", {"all": "85"}),
        ("teacher_rotation_ratio", {"all": "10"}),
        ("backbone_rotation_ratio", {"all": "20"}),
        ("national_assessment_year", {"all": "2025"}),
    ],
)
def test_target_values(registry, key, values):
    assert {k: str(v) for k, v in registry[key].values.items()} == values


def test_every_plan_quote_is_verbatim_in_the_corpus(registry, plan):
    plan_sources = [(ind, s) for ind in registry for s in ind.sources if s.doc_id == PLAN_ID]
    assert len(plan_sources) >= 20
    for ind, source in plan_sources:
        assert source.verbatim is True, ind.key
        assert source.quote in plan, (ind.key, source.quote)
        assert source.doc_title == "曲阜市创建全国义务教育优质均衡发展市工作实施方案"
    assert registry.verify_quotes({PLAN_ID: plan}) == []


@pytest.mark.parametrize("key, figure", PLAN_TARGETS.items())
def test_plan_targets_quote_the_clause_with_the_figure(registry, plan, key, figure):
    quotes = [s.quote for s in registry[key].sources if s.doc_id == PLAN_ID]
    assert any(figure in q for q in quotes), key


def test_national_entries_are_labelled_summaries_with_anchors(registry):
    national = [s for ind in registry for s in ind.sources if s.doc_id == NATIONAL_ID]
    assert len(national) >= 25
    for source in national:
        assert source.verbatim is False
        assert source.anchor and source.anchor in source.quote
        assert source.label == SUMMARY_LABEL
        assert "教督〔2017〕6号" in source.doc_title


def test_summary_label_text():
    assert SUMMARY_LABEL == "要点摘要（非原文），请以正式文件为准"


def test_special_education_records_both_and_the_local_bar_applies(registry):
    ind = registry["special_ed_funding_per_student"]
    assert ind.threshold() == 8000
    assert ind.source_value(PLAN_ID) == 8000
    assert ind.source_value(NATIONAL_ID) == 6000
    assert "8000" in ind.note and "6000" in ind.note and "本市方案" in ind.note
    assert ind.passes(8000) and not ind.passes(Fraction(79999, 10))


def test_verify_quotes_reports_missing_and_altered_text(registry, plan):
    problems = registry.verify_quotes({PLAN_ID: plan.replace("0.9人以上", "0.8人以上")})
    assert len(problems) == 1 and "pe_art_teachers_per100" in problems[0]
    missing = registry.verify_quotes({})
    assert missing and all("不在语料中" in p for p in missing)


def test_passes_is_exact_and_threshold_text(registry):
    ind = registry["pe_art_teachers_per100"]
    assert ind.passes(Fraction(9, 10), "小学")
    assert not ind.passes(Fraction(8999, 10000), "小学")
    assert ind.threshold_text("初中") == "≥0.9人"
    assert registry["resource_cv_limit"].threshold_text("小学") == "≤0.50"
    assert registry["quality_monitoring_school_difference"].passes(Fraction(149, 1000))
    assert not registry["quality_monitoring_school_difference"].passes(Fraction(15, 100))
    with pytest.raises(KeyError, match="高中"):
        ind.threshold("高中")
    with pytest.raises(KeyError, match="没有"):
        registry.get("no_such_key")


@pytest.mark.parametrize(
    "question, expected",
    [
        ("学校音体美教师要配多少", "pe_art_teachers_per100"),
        ("体育艺术教师的标准", "pe_art_teachers_per100"),
        ("音乐美术教师够不够", "pe_art_teachers_per100"),
        ("小学每百名学生高学历教师要多少", "teachers_above_degree_per100"),
        ("高于规定学历教师数", "teachers_above_degree_per100"),
        ("骨干教师要求", "backbone_teachers_per100"),
        ("生均教学及辅助用房面积", "teaching_area_per_student"),
        ("运动场馆面积要求", "sports_area_per_student"),
        ("仪器设备值多少算达标", "equipment_value_per_student"),
        ("多媒体教室要几间", "multimedia_classrooms_per100"),
        ("就近入学比例要求是多少", "nearby_admission_ratio"),
        ("划片招生", "nearby_admission_ratio"),
        ("教师培训经费占公用经费多少", "training_funds_ratio"),
        ("交流轮岗比例", "teacher_rotation_ratio"),
        ("骨干教师交流轮岗比例", "backbone_rotation_ratio"),
        ("初中三年巩固率", "junior_consolidation_rate"),
        ("适龄儿童入学率", "enrolment_rate"),
        ("残疾儿童少年入学率", "disabled_children_enrolment_rate"),
        ("持证上岗率", "certified_teachers_rate"),
        ("优质高中名额分配", "quota_allocation_ratio"),
        ("特殊教育学校生均公用经费是多少", "special_ed_funding_per_student"),
        ("班额不超过多少", "class_size"),
        ("学校规模上限", "school_size"),
        ("音乐美术专用教室", "music_art_rooms_per_12_classes"),
        ("音乐教室面积", "music_room_area"),
        ("随迁子女就读比例", "migrant_children_public_ratio"),
        ("社会认可度", "social_recognition"),
        ("差异系数是多少", "resource_cv_limit"),
        ("360学时", "training_hours_completion_rate"),
        ("村小公用经费怎么核定", "small_school_funding_basis"),
    ],
)
def test_find_names_and_aliases(registry, question, expected):
    assert registry.find(question)[0].key == expected


def test_find_orders_by_position_and_ignores_unrelated_text(registry):
    assert [i.key for i in registry.find("班额和巩固率")] == ["class_size", "junior_consolidation_rate"]
    assert registry.find("市财政局负责什么") == []


def test_default_path_is_the_packaged_yaml():
    assert DEFAULT_PATH.name == "indicators.yaml" and DEFAULT_PATH.exists()


# ---------- validation ----------

def _entry(**changes):
    entry = {
        "key": "demo_indicator", "name": "示例指标", "unit": "%", "comparison": ">=",
        "values": {"all": 10}, "kind": "government", "aliases": ["示例"],
        "sources": [{"doc_id": "d", "doc_title": "t", "clause": "一", "quote": "q", "verbatim": True}],
    }
    entry.update(changes)
    return entry


def _write(tmp_path, entries) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump({"indicators": entries}, allow_unicode=True), encoding="utf-8")
    return path


def test_valid_minimal_registry(tmp_path):
    registry = load_registry(_write(tmp_path, [_entry()]))
    assert registry["demo_indicator"].threshold() == 10


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"unit": None}, None),
        ({"comparison": "≥"}, "comparison"),
        ({"kind": "other"}, "kind"),
        ({"key": "Bad Key"}, "蛇形"),
        ({"values": {"all": "十"}}, "不是数字"),
        ({"values": {"高中": 1}}, "未知学段"),
        ({"values": {}}, "values"),
        ({"sources": []}, "出处"),
        ({"sources": [{"doc_id": "d", "doc_title": "t", "clause": "一", "quote": "q"}]}, "verbatim"),
        ({"sources": [{"doc_id": "d", "doc_title": "t", "clause": "一", "quote": "q", "verbatim": False}]}, "anchor"),
        ({"kind": "school_resource"}, "measure"),
        ({"aliases": [""]}, "aliases"),
    ],
)
def test_bad_entries_raise_chinese_errors(tmp_path, changes, message):
    entry = _entry(**changes)
    if changes.get("unit", "") is None:
        del entry["unit"]
        message = "缺少字段“unit”"
    with pytest.raises(ValueError, match=message) as info:
        load_registry(_write(tmp_path, [entry]))
    assert "demo_indicator" in str(info.value) or "Bad Key" in str(info.value)


def test_duplicate_alias_is_rejected(tmp_path):
    second = _entry(key="other_indicator", name="另一指标")
    with pytest.raises(ValueError, match="同时属于"):
        load_registry(_write(tmp_path, [_entry(), second]))


def test_unreadable_or_empty_registry(tmp_path):
    with pytest.raises(ValueError, match="无法读取"):
        load_registry(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("indicators: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="indicators"):
        load_registry(empty)


def test_a_term_shared_by_two_indicators_of_one_clause_names_both():
    keys = [ind.key for ind in default_registry().find("交流轮岗比例怎么要求的")]
    assert keys == ["teacher_rotation_ratio", "backbone_rotation_ratio"]
    assert [ind.key for ind in default_registry().find("骨干教师交流轮岗比例多少")] == ["backbone_rotation_ratio"]
