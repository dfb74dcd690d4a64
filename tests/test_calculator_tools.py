"""The langchain tools wrap the same calculator functions as the deterministic path."""
from __future__ import annotations

import pytest
from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ValidationError

from assistant.domain import calculator
from assistant.tools.calculator_tools import calculator_tools


@pytest.fixture(scope="module")
def tools() -> dict[str, StructuredTool]:
    return {t.name: t for t in calculator_tools()}


def test_one_tool_per_operation_with_schema_and_chinese_description(tools):
    assert set(tools) == set(calculator.OPERATIONS)
    for tool in tools.values():
        assert isinstance(tool, StructuredTool)
        assert issubclass(tool.args_schema, BaseModel)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in tool.description)
        for field in tool.args_schema.model_fields.values():
            assert field.description


def test_descriptions_state_registry_thresholds(tools):
    assert "小学≤0.50、初中≤0.45" in tools["county_variation"].description
    assert "≥10%" in tools["check_rotation"].description
    assert "小学≤45人、初中≤50人" in tools["check_class_size"].description


def test_resource_tool_matches_the_direct_call(tools):
    args = {"level": "小学", "indicator": "pe_art_teachers_per100", "students": 850, "amount": 7}
    out = tools["check_resource_indicator"].invoke(args)
    assert out == calculator.check_resource_indicator(**args).to_dict()
    assert out["met"] is False and out["numbers"]["required"] == "8"


def test_school_tool(tools):
    out = tools["check_school_resources"].invoke({
        "level": "小学", "students": 1000, "school": "甲", "teachers_above_degree": 42, "backbone_teachers": 10,
        "pe_art_teachers": 9, "teaching_area_m2": 4500, "sports_area_m2": 6375, "equipment_value_yuan": 2000000,
        "multimedia_classrooms": 23,
    })
    assert out["met"] is True and out["numbers"]["met_count"] == 6 and len(out["checks"]) == 7


def test_county_tool_worked_example(tools):
    out = tools["county_variation"].invoke({
        "level": "小学", "indicator": "pe_art_teachers_per100",
        "schools": [{"school": "甲", "students": 500, "amount": 5}, {"school": "乙", "students": 700, "amount": 5},
                    {"school": "丙", "students": 800, "amount": 9}],
    })
    assert out["numbers"]["mean"] == "0.95" and out["numbers"]["cv"] == "0.19" and out["met"] is True


@pytest.mark.parametrize(
    "name, args, met",
    [
        ("check_rotation", {"eligible_teachers": 120, "rotated_teachers": 10, "backbone_rotated": 2}, False),
        ("check_training_funds", {"public_budget_yuan": 2000000, "training_funds_yuan": 100000}, True),
        ("check_admission_ratio", {"level": "初中", "area": "镇区", "nearby_admitted": 180, "total_admitted": 200}, False),
        ("check_special_ed_funding", {"per_student_yuan": 7000}, False),
        ("check_class_size", {"level": "初中", "class_sizes": [50, 49]}, True),
        ("check_average_class_size", {"level": "小学", "students": 1200, "classes": 26}, False),
        ("check_school_size", {"kind": "一贯制", "students": 2400}, True),
        ("check_music_art_rooms", {"classes": 13, "music_rooms": 2, "art_rooms": 2, "music_room_areas": [96, 97]}, True),
        ("check_small_school_funding", {"students": 60, "per_student_yuan": 700}, None),
        ("check_percentage_target", {"key": "junior_consolidation_rate", "part": 380, "whole": 400}, True),
    ],
)
def test_plan_target_tools(tools, name, args, met):
    out = tools[name].invoke(args)
    assert out["met"] is met and out["steps"]


def test_calculator_errors_come_back_as_messages(tools):
    out = tools["check_rotation"].invoke({"eligible_teachers": 120, "rotated_teachers": 10, "backbone_rotated": 11})
    assert out == "交流轮岗的骨干教师数不能多于交流轮岗教师总数"
    out = tools["check_special_ed_funding"].invoke({})
    assert "请提供" in out


def test_schema_rejects_bad_arguments(tools):
    with pytest.raises(ValidationError):
        tools["check_resource_indicator"].invoke(
            {"level": "高中", "indicator": "pe_art_teachers_per100", "students": 850, "amount": 7})
    with pytest.raises(ValidationError):
        tools["check_resource_indicator"].invoke(
            {"level": "小学", "indicator": "class_size", "students": 850, "amount": 7})
    with pytest.raises(ValidationError):
        tools["check_training_funds"].invoke({"public_budget_yuan": -1})
