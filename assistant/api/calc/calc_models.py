"""Bodies of the calculator routes. Figures are JSON numbers, bounded like a table cell
(schools.MAX_CELL_VALUE); counts of people and rooms are whole numbers."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from assistant.domain.schools import MAX_CELL_VALUE

_MAX = int(MAX_CELL_VALUE)
Count = Annotated[StrictInt, Field(ge=0, le=_MAX)]
Amount = Annotated[StrictInt | StrictFloat, Field(ge=0, le=_MAX, allow_inf_nan=False)]


class SchoolFigures(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt figure must not be silently left out

    level: Literal["小学", "初中"] = Field(description="学段（九年一贯制学校按学段分别测算）")
    students: StrictInt = Field(ge=1, le=_MAX, description="在校生数")
    school: str | None = Field(default=None, max_length=100, description="学校名称（可不填，只用于结论文字）")
    teachers_above_degree: Count | None = Field(default=None, description="高于规定学历教师数（人）")
    backbone_teachers: Count | None = Field(default=None, description="县级以上骨干教师数（人）")
    pe_art_teachers: Count | None = Field(default=None, description="音体美专任教师数（人）")
    teaching_area_m2: Amount | None = Field(default=None, description="教学及辅助用房面积（㎡）")
    sports_area_m2: Amount | None = Field(default=None, description="体育运动场馆面积（㎡）")
    equipment_value_yuan: Amount | None = Field(default=None, description="教学仪器设备值（元）")
    multimedia_classrooms: Count | None = Field(default=None, description="网络多媒体教室数（间）")

    def amounts(self) -> dict[str, int | float]:
        skip = {"level", "students", "school"}
        return {k: v for k, v in self.model_dump().items() if k not in skip and v is not None}


class Figures(BaseModel):
    name: str = Field(description="指标名称")
    met: bool | None = Field(description="是否达标；只算出所需数量时为 null")
    unit: str = Field(description="单位")
    threshold: str = Field(description="标准值")
    required: str = Field(description="按在校生数计，达标至少需要的数量")
    value: str | None = Field(default=None, description="指标值（未达标时向不利方向取两位小数，绝不四舍五入成达标）")
    ratio_percent: str | None = Field(default=None, description="达标程度：实际值 ÷ 标准值（%）")
    gap: str | None = Field(default=None, description="还差的数量（已达标为 0）")


class IndicatorResult(Figures):
    key: str = Field(description="指标代码，如 pe_art_teachers_per100")
    steps: list[str] = Field(description="计算步骤")
    verdict: str = Field(description="结论（Markdown）")


class SchoolResult(BaseModel):
    school: str | None = Field(description="学校名称")
    level: str = Field(description="学段")
    students: int = Field(description="在校生数")
    indicators: list[IndicatorResult] = Field(description="给出的各项资源配置指标（最多 7 项）")
    met_count: int = Field(description="达标项数")
    given: int = Field(description="给出数据的项数")
    passes: bool | None = Field(description="是否符合学校达标要求（7 项中至少 6 项达标、余项不低于 85%）；不足 7 项时为 null")
    verdict: str = Field(description="结论（Markdown）")
    steps: list[str] = Field(description="逐项结论与学校达标规则的判断")


class CvFigures(BaseModel):
    name: str = Field(description="指标名称")
    students: int = Field(description="该学段在校生总数")
    schools: int = Field(description="学校数")
    mean: str = Field(description="按在校生加权的平均值")
    sd: str | None = Field(default=None, description="加权标准差")
    cv: str | None = Field(description="差异系数；平均值为 0 时为 null")
    limit: str = Field(description="差异系数标准（小学 0.50，初中 0.45）")
    met: bool | None = Field(description="是否达标")
    steps: list[str] = Field(description="计算步骤")


class CountyReport(BaseModel):
    students: int = Field(description="在校生总数")
    schools: int = Field(description="学校数")
    cv_limit: str = Field(description="差异系数标准")
    indicators: dict[str, CvFigures] = Field(description="各指标的校际差异系数")
    met: bool | None = Field(description="各指标差异系数是否都达标")
    verdict: str = Field(description="结论")


class SchoolRow(BaseModel):
    school: str = Field(description="学校名称")
    level: str = Field(description="学段")
    row: int = Field(description="在上传文件中的行号（表头为第 1 行）")
    students: int = Field(description="在校生数")
    indicators: dict[str, Figures] = Field(description="7 项资源配置指标")
    met_count: int = Field(description="达标项数")
    passes: bool | None = Field(description="是否符合学校达标要求")
    verdict: str = Field(description="结论")


class LevelSummary(BaseModel):
    schools: int = Field(description="学校数")
    passing_schools: list[str] = Field(description="符合学校达标要求的学校")
    failing_schools: list[str] = Field(description="不符合的学校")
    failing_cv: list[str] = Field(description="差异系数超标的指标代码")


class LevelReport(BaseModel):
    schools: list[SchoolRow] = Field(description="各校结果")
    county: CountyReport = Field(description="校际差异系数")
    summary: LevelSummary = Field(description="小结")


class TableReport(BaseModel):
    filename: str = Field(description="上传的文件名")
    rows: int = Field(description="读取的学校数据行数")
    levels: dict[str, LevelReport] = Field(description="按学段（小学、初中）的测算报告")
