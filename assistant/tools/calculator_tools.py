"""The calculators as langchain StructuredTools, for an LLM agent.

Each tool calls the same function in `assistant.domain.calculator.OPERATIONS`
that the deterministic path runs, and returns its `.to_dict()`. Bad arguments
come back as a Chinese error message (ToolException) instead of a crash.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Literal

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, Field

from assistant.domain import calculator
from assistant.domain.indicators import default_registry

_registry = default_registry()
Level = Literal["小学", "初中"]
ResourceKey = Literal[tuple(ind.key for ind in _registry.resource_indicators)]
PercentKey = Literal[tuple(calculator.PERCENT_TARGETS)]



def _value(key: str) -> str:
    return str(_registry.get(key).threshold())


def _standard(key: str) -> str:
    """A target as the registry states it, e.g. "小学≤45人、初中≤50人"."""
    ind = _registry.get(key)
    parts = [f"{level if level != 'all' else ''}{ind.threshold_text(None if level == 'all' else level)}"
             for level in ind.values]
    return "、".join(parts)


class ResourceIndicatorArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    indicator: ResourceKey = Field(description="资源配置指标 key")
    students: int = Field(gt=0, description="在校生数")
    amount: Decimal | None = Field(default=None, ge=0,
                                   description="对应的原始数量（教师人数、面积㎡、设备值元或教室间数）；不填则只计算所需数量")


class SchoolResourcesArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    students: int = Field(gt=0, description="在校生数")
    school: str | None = Field(default=None, description="学校名称")
    teachers_above_degree: int | None = Field(default=None, ge=0, description="高于规定学历教师数")
    backbone_teachers: int | None = Field(default=None, ge=0, description="县级以上骨干教师数")
    pe_art_teachers: int | None = Field(default=None, ge=0, description="体育艺术（音体美）专任教师数")
    teaching_area_m2: Decimal | None = Field(default=None, ge=0, description="教学及辅助用房面积（㎡）")
    sports_area_m2: Decimal | None = Field(default=None, ge=0, description="体育运动场馆面积（㎡）")
    equipment_value_yuan: Decimal | None = Field(default=None, ge=0, description="教学仪器设备值（元）")
    multimedia_classrooms: int | None = Field(default=None, ge=0, description="网络多媒体教室数（间）")


class SchoolRuleArgs(BaseModel):
    level: Level | None = Field(default=None, description="学段：小学或初中（给出指标值时需要）")
    met_count: int | None = Field(default=None, ge=0, le=len(_registry.resource_indicators),
                                  description="7项资源配置指标中已达标的项数")
    values: dict[ResourceKey, Decimal] | None = Field(default=None, description="未达标项的指标值（资源配置指标 key → 值）")


class SchoolAmount(BaseModel):
    school: str = Field(description="学校名称")
    students: int = Field(gt=0, description="在校生数")
    amount: Decimal = Field(ge=0, description="该校此项指标的原始数量")


class CountyVariationArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    indicator: ResourceKey = Field(description="资源配置指标 key")
    schools: list[SchoolAmount] = Field(min_length=1, description="该学段每所学校的在校生数和原始数量")


class RotationArgs(BaseModel):
    eligible_teachers: int = Field(gt=0, description="符合交流轮岗条件的教师总数")
    rotated_teachers: int = Field(ge=0, description="本年度交流轮岗教师数")
    backbone_rotated: int | None = Field(default=None, ge=0, description="其中骨干教师人数")


class TrainingFundsArgs(BaseModel):
    public_budget_yuan: Decimal = Field(gt=0, description="年度公用经费预算总额（元）")
    training_funds_yuan: Decimal | None = Field(default=None, ge=0, description="教师培训经费（元）；不填则只计算最低应安排额")


class AdmissionArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    area: Literal["城区", "镇区"] | None = Field(default=None, description="公办学校所在区域（标准适用于城区和镇区）")
    nearby_admitted: int = Field(ge=0, description="就近划片入学人数（不含寄宿制学校）")
    total_admitted: int = Field(gt=0, description="招生总人数")


class SpecialEdArgs(BaseModel):
    per_student_yuan: Decimal | None = Field(default=None, ge=0, description="生均公用经费（元）")
    total_yuan: Decimal | None = Field(default=None, ge=0, description="公用经费总额（元），与 students 同时给出")
    students: int | None = Field(default=None, gt=0, description="学生数")


class ClassSizeArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    class_sizes: list[int] = Field(min_length=1, description="各班学生数")


class AverageClassSizeArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    students: int | None = Field(default=None, gt=0, description="学生总数")
    classes: int | None = Field(default=None, gt=0, description="班级数")
    average: float | None = Field(default=None, gt=0, description="平均班额（只知道平均数时）")


class SchoolSizeArgs(BaseModel):
    kind: Literal["小学", "初中", "一贯制"] = Field(description="学校类型；九年一贯制、十二年一贯制填“一贯制”")
    students: int = Field(gt=0, description="义务教育阶段在校生数")


class MusicArtRoomsArgs(BaseModel):
    classes: int = Field(gt=0, description="班级数")
    music_rooms: int = Field(ge=0, description="音乐专用教室间数")
    art_rooms: int = Field(ge=0, description="美术专用教室间数")
    music_room_areas: list[Decimal] = Field(default_factory=list, description="每间音乐专用教室面积（㎡），可不填")
    art_room_areas: list[Decimal] = Field(default_factory=list, description="每间美术专用教室面积（㎡），可不填")


class SmallSchoolArgs(BaseModel):
    students: int = Field(ge=0, description="村小学或教学点的学生数")
    per_student_yuan: Decimal | None = Field(default=None, ge=0, description="生均公用经费标准（元），可不填")


class PercentageArgs(BaseModel):
    key: PercentKey = Field(description="百分比指标 key")
    part: int = Field(ge=0, description="分子（如持证上岗教师数、已入学人数）")
    whole: int = Field(gt=0, description="分母（如专任教师总数、适龄儿童总数）")


# A figure the user states directly: a rate, a room's area, a 差异系数 — any indicator with one number.
RateKey = Literal[tuple(ind.key for ind in _registry if ind.measure is None)]


class IndicatorValueArgs(BaseModel):
    level: Level | None = Field(default=None, description="学段：小学或初中（两学段标准相同时可不填）")
    indicator: ResourceKey = Field(description="资源配置指标 key")
    value: Decimal = Field(ge=0, description="用户已算好的指标值（生均或每百名学生的值）")


class IndicatorValuesArgs(BaseModel):
    level: Level | None = Field(default=None, description="学段：小学或初中（各项标准都相同时可不填）")
    values: dict[ResourceKey, Decimal] = Field(description="资源配置指标 key → 用户已算好的指标值")


class ReportedRateArgs(BaseModel):
    key: RateKey = Field(description="指标 key（比例、面积等用户直接给出数值的指标）")
    rate_percent: Decimal = Field(ge=0, description="用户给出的数值（比例时为百分数的数字部分）")
    level: str | None = Field(default=None, description="学段或区域（城区/镇区），指标分档时填写")


class ReportedRatesArgs(BaseModel):
    rates: list[ReportedRateArgs] = Field(description="几项用户直接给出的比例")


class SchoolValue(BaseModel):
    school: str = Field(description="学校名称")
    students: int = Field(gt=0, description="在校生数")
    value: Decimal = Field(ge=0, description="该校的指标值")


class CvValuesArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    indicator: ResourceKey = Field(description="资源配置指标 key")
    schools: list[SchoolValue] = Field(description="各校在校生数和已算好的指标值")


class ReportedCvArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    cv: Decimal = Field(ge=0, description="用户给出的差异系数")


class CvMomentsArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    mean: Decimal = Field(gt=0, description="全县某项指标的平均数")
    sd: Decimal = Field(ge=0, description="该指标的标准差")


class IndicatorSchools(BaseModel):
    indicator: ResourceKey = Field(description="资源配置指标 key")
    schools: list[dict] = Field(description="各校数据：school、students，以及 amount（原始数量）或 value（指标值）")


class CountyVariationsArgs(BaseModel):
    level: Level = Field(description="学段：小学或初中")
    indicators: list[IndicatorSchools] = Field(description="几项指标，各自的各校数据")


_SPECS: list[tuple[str, type[BaseModel], str]] = [
    ("check_school_resources", SchoolResourcesArgs,
     "按学校原始数据核算资源配置7项指标（每百名学生高学历/骨干/音体美教师、生均教学用房/运动场馆/仪器设备值、"
     f"每百名学生网络多媒体教室），7项齐全时判断“至少{_value('school_rule_min_met')}项达标、"
     f"余项不低于{_value('school_rule_unmet_min_ratio')}%”。"),
    ("check_school_rule", SchoolRuleArgs,
     f"只知道达标项数或未达标项的值时判断学校达标规则：至少{_value('school_rule_min_met')}项达标、"
     f"余项不低于标准值的{_value('school_rule_unmet_min_ratio')}%。"),
    ("check_resource_indicator", ResourceIndicatorArgs,
     "核算一所学校的一项资源配置指标：实际值、标准、是否达标、达标所需数量和差额。"),
    ("county_variation", CountyVariationArgs,
     f"按在校生数加权计算某学段一项资源配置指标的校际差异系数，标准{_standard('resource_cv_limit')}。"),
    ("check_rotation", RotationArgs,
     f"教师交流轮岗：交流比例（标准{_standard('teacher_rotation_ratio')}）和其中骨干教师比例"
     f"（标准{_standard('backbone_rotation_ratio')}），并给出最低人数。"),
    ("check_training_funds", TrainingFundsArgs,
     f"教师培训经费占年度公用经费预算总额的比例（标准{_standard('training_funds_ratio')}），或最低应安排额。"),
    ("check_admission_ratio", AdmissionArgs,
     f"公办小学、初中就近划片入学比例，标准{_standard('nearby_admission_ratio')}（不含寄宿制学校）。"),
    ("check_special_ed_funding", SpecialEdArgs,
     "特殊教育学校生均公用经费：同时对照本市方案和国家办法的标准，以本市方案的更高标准为准。"),
    ("check_class_size", ClassSizeArgs, f"逐班核对班额，标准{_standard('class_size')}。"),
    ("check_average_class_size", AverageClassSizeArgs,
     "只有学生总数和班级数（或只有平均班额）时核对平均班额，并给出不超标所需的最少班级数。"),
    ("check_school_size", SchoolSizeArgs, f"学校规模，标准{_standard('school_size')}。"),
    ("check_music_art_rooms", MusicArtRoomsArgs,
     f"音乐、美术专用教室：每{calculator.CLASSES_PER_ROOM}个班级各{_value('music_art_rooms_per_12_classes')}间以上，"
     f"并核对每间面积（音乐{_standard('music_room_area')}、美术{_standard('art_room_area')}）。"),
    ("check_small_school_funding", SmallSchoolArgs,
     f"不足{_value('small_school_funding_basis')}名学生的村小学和教学点按{_value('small_school_funding_basis')}"
     "名学生核定公用经费：给出核定人数和金额。"),
    ("check_percentage_target", PercentageArgs,
     "百分比类目标（持证上岗率、360学时培训完成率、名额分配比例、随迁子女就读比例、残疾儿童少年入学率、"
     "初中三年巩固率、适龄儿童入学率、社会认可度）：由分子、分母计算比例并对照标准。"),
    ("check_indicator_value", IndicatorValueArgs,
     "用户已给出某项资源配置指标的值（如生均教学仪器设备值2600元）时，直接对照标准，不再除以学生数。"),
    ("check_indicator_values", IndicatorValuesArgs, "用户给出同一学校几项资源配置指标的值时，逐项直接对照标准。"),
    ("check_reported_rate", ReportedRateArgs, "用户直接给出的一项数值（如巩固率93.5%、音乐专用教室85平方米）对照标准。"),
    ("check_reported_rates", ReportedRatesArgs, "用户直接给出的几项数值一并对照标准。"),
    ("check_cv_values", CvValuesArgs, "由各校已算好的指标值和在校生数计算校际差异系数。"),
    ("check_reported_cv", ReportedCvArgs, f"用户给出的差异系数对照标准（{_standard('resource_cv_limit')}）。"),
    ("check_cv_from_moments", CvMomentsArgs, "由某项指标的平均数和标准差计算校际差异系数（标准差÷平均数）并对照标准。"),
    ("county_variations", CountyVariationsArgs, "几项指标的校际差异系数一并计算。"),
]


def _plain(value: Any) -> Any:
    """Nested pydantic models to dicts, so the calculator sees plain data."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _runner(name: str) -> Callable[..., dict[str, Any]]:
    operation = calculator.OPERATIONS[name]

    def run(**kwargs: Any) -> dict[str, Any]:
        try:
            return operation(**{k: _plain(v) for k, v in kwargs.items()}).to_dict()
        except (ValueError, KeyError) as exc:
            raise ToolException(str(exc).strip("'\"")) from exc

    return run


def calculator_tools() -> list[StructuredTool]:
    return [
        StructuredTool.from_function(
            func=_runner(name), name=name, description=description, args_schema=schema,
            handle_tool_error=True,
        )
        for name, schema, description in _SPECS
    ]
