"""Schools tables (CSV or XLSX): read and validate, evaluate every school and each level, report.

Reading never writes anything; a bad file raises SchoolsTableError with a Chinese
message naming the row and the column.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Sequence

from . import calculator
from .indicators import LEVELS, Registry, default_registry
from .numerals import normalize

# (key, Chinese header, accepted header aliases); resource columns are raw counts.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("school", "学校名称", ("学校", "校名", "学校名", "name")),
    ("level", "学段", ()),
    ("students", "在校生数", ("学生数", "在校学生数", "在校生", "学生人数")),
    ("teachers_above_degree", "高于规定学历教师数", ("高学历教师数",)),
    ("backbone_teachers", "县级以上骨干教师数", ("骨干教师数", "市级骨干教师数")),
    ("pe_art_teachers", "体育艺术专任教师数", ("音体美专任教师数", "音体美教师数", "体育艺术教师数")),
    ("teaching_area_m2", "教学及辅助用房面积", ("教学及辅助用房总面积",)),
    ("sports_area_m2", "体育运动场馆面积", ("体育场馆面积", "运动场馆面积")),
    ("equipment_value_yuan", "教学仪器设备值", ("教学仪器设备总值",)),
    ("multimedia_classrooms", "网络多媒体教室数", ("多媒体教室数",)),
)
HEADER_NAMES = {key: name for key, name, _ in COLUMNS}
SHORT_NAMES = {
    "teachers_above_degree_per100": "高学历教师/百生",
    "backbone_teachers_per100": "骨干教师/百生",
    "pe_art_teachers_per100": "音体美教师/百生",
    "teaching_area_per_student": "生均教学用房㎡",
    "sports_area_per_student": "生均运动场馆㎡",
    "equipment_value_per_student": "生均仪器设备元",
    "multimedia_classrooms_per100": "多媒体教室/百生",
}
_WHOLE = {"students", "teachers_above_degree", "backbone_teachers", "pe_art_teachers", "multimedia_classrooms"}
_SPREADSHEET_EXTENSIONS = {".csv", ".txt", ".xlsx", ".xlsm"}
_NOT_SPREADSHEET = (b"%PDF", b"\xd0\xcf\x11\xe0")  # PDF, and the OLE container of legacy .xls/.doc


class SchoolsTableError(ValueError):
    """A schools table that cannot be used; the message names the row and column."""


@dataclass(frozen=True)
class SchoolRow:
    row: int  # the line/row number a user sees in the file (header = 1)
    school: str
    level: str
    students: int
    amounts: dict[str, Decimal]


# ---------- reading ----------

def read_table(path: str | Path) -> list[SchoolRow]:
    """Read a CSV (UTF-8 with/without BOM, or GBK) or XLSX file of schools."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchoolsTableError(f"无法读取文件 {path.name}：{exc.strerror or exc}") from None
    return parse_table(data, path.name)


def parse_table(data: bytes, filename: str = "schools.csv") -> list[SchoolRow]:
    """Parse file content; `filename` only decides between CSV and XLSX."""
    suffix = Path(filename).suffix.lower()
    if suffix and suffix not in _SPREADSHEET_EXTENSIONS:
        raise SchoolsTableError(f"“{filename}”不是表格文件：请上传 CSV 或 XLSX（.xls 请另存为 .xlsx）")
    if not data.strip():
        raise SchoolsTableError("文件为空：没有表头，也没有学校数据")
    if data.startswith(_NOT_SPREADSHEET):
        raise SchoolsTableError(f"“{filename}”不是 CSV 或 XLSX 表格（可能是 PDF 或旧版 .xls）：请另存为 CSV 或 XLSX")
    is_zip = data[:4] == b"PK\x03\x04"
    if suffix in (".xlsx", ".xlsm") or is_zip:
        records = _xlsx_records(data, filename)
    else:
        records = _csv_records(data, filename)
    return _rows_from_records(records)


def _decode(data: bytes, filename: str) -> str:
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SchoolsTableError(f"“{filename}”的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV")


def _csv_records(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    if b"\x00" in data:
        raise SchoolsTableError(f"“{filename}”不是表格文件（含二进制内容）：请上传 CSV 或 XLSX")
    reader = csv.reader(io.StringIO(_decode(data, filename), newline=""))
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise SchoolsTableError(f"“{filename}”第{reader.line_num}行不是有效的 CSV：{exc}") from None


def _xlsx_records(data: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # only XLSX uploads need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SchoolsTableError(f"“{filename}”不是有效的 XLSX 表格：{exc}") from None
    try:
        sheet = book.worksheets[0]
        return [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def _blank(cell: Any) -> bool:
    return cell is None or str(cell).strip() == ""


def _rows_from_records(records: list[tuple[int, list[Any]]]) -> list[SchoolRow]:
    records = [(n, row) for n, row in records if not all(_blank(c) for c in row)]
    if not records:
        raise SchoolsTableError("文件为空：没有表头，也没有学校数据")
    header_line, header = records[0]
    positions = _header_positions(header, header_line)
    if len(records) == 1:
        raise SchoolsTableError("文件中只有表头，没有学校数据")
    rows = [_parse_row(n, row, positions) for n, row in records[1:]]
    _check_duplicates(rows)
    return rows


def _normalize_header(cell: Any) -> str:
    text = normalize(str(cell or "")).replace("\ufeff", "")
    text = re.sub(r"[（(][^）)]*[）)]", "", text)  # units such as （㎡）、(元)
    return re.sub(r"[\s、，,_·]", "", text).lower()


def _header_positions(header: list[Any], line: int) -> dict[str, int]:
    lookup = {}
    for key, name, aliases in COLUMNS:
        for alias in (key, name, *aliases):
            lookup[_normalize_header(alias)] = key
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = lookup.get(_normalize_header(cell))
        if key is None:
            continue
        if key in positions:
            raise SchoolsTableError(
                f"第{line}行表头中“{HEADER_NAMES[key]}”出现了两次（第{positions[key] + 1}列和第{index + 1}列）"
            )
        positions[key] = index
    missing = [f"“{HEADER_NAMES[k]}”（{k}）" for k, _, _ in COLUMNS if k not in positions]
    if missing:
        raise SchoolsTableError(f"第{line}行表头缺少必需的列：{'、'.join(missing)}")
    return positions


def _parse_row(line: int, row: list[Any], positions: dict[str, int]) -> SchoolRow:
    def cell(key: str) -> Any:
        index = positions[key]
        value = row[index] if index < len(row) else None
        if _blank(value):
            raise SchoolsTableError(f"第{line}行“{HEADER_NAMES[key]}”为空")
        return value

    school = str(cell("school")).strip()
    level = str(cell("level")).strip()
    if level not in LEVELS:
        raise SchoolsTableError(f"第{line}行“学段”的值“{level}”无效，应为小学或初中（九年一贯制学校请分两行填写）")
    numbers = {key: _number(line, key, cell(key)) for key, _, _ in COLUMNS[2:]}
    if numbers["students"] == 0:
        raise SchoolsTableError(f"第{line}行“在校生数”为0，无法计算生均和每百名学生指标")
    students = int(numbers.pop("students"))
    return SchoolRow(line, school, level, students, numbers)


def _number(line: int, key: str, value: Any) -> Decimal:
    where = f"第{line}行“{HEADER_NAMES[key]}”"
    if isinstance(value, bool):
        raise SchoolsTableError(f"{where}的值“{value}”不是数字")
    text = normalize(str(value)).strip().replace(",", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise SchoolsTableError(f"{where}的值“{value}”不是数字") from None
    if not number.is_finite():
        raise SchoolsTableError(f"{where}的值“{value}”不是数字")
    if number < 0:
        raise SchoolsTableError(f"{where}的值“{value}”为负数")
    if key in _WHOLE and number != number.to_integral_value():
        raise SchoolsTableError(f"{where}的值“{value}”应为整数")
    return number


def _check_duplicates(rows: Sequence[SchoolRow]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        first = seen.setdefault((row.level, row.school), row.row)
        if first != row.row:
            raise SchoolsTableError(
                f"第{row.row}行“学校名称”重复：{row.school}（{row.level}）已在第{first}行出现"
            )


# ---------- evaluating ----------

def evaluate(rows: Iterable[SchoolRow], level: str | None = None, registry: Registry | None = None) -> dict[str, Any]:
    """{"levels": {学段: {"schools": [...], "county": {...}, "summary": {...}}}}, JSON-able."""
    reg = registry or default_registry()
    rows = [r for r in rows if level is None or r.level == level]
    if not rows:
        raise SchoolsTableError(f"表中没有{level or ''}学校数据")
    levels = {}
    for name in LEVELS:
        checks = [
            calculator.check_school(r.level, r.students, school=r.school, registry=reg, **r.amounts)
            for r in rows if r.level == name
        ]
        if checks:
            county = calculator.check_county(name, checks, reg)
            rows_of_level = [r for r in rows if r.level == name]
            levels[name] = _level_report(rows_of_level, checks, county, reg)
    return {"levels": levels}


def _level_report(rows, checks, county, reg) -> dict[str, Any]:
    schools = [_school_report(r, c) for r, c in zip(rows, checks)]
    indicators = {
        cv.keys[0]: {"name": reg.get(cv.keys[0]).name, **cv.numbers, "met": cv.met, "steps": list(cv.steps)}
        for cv in county.cv_checks
    }
    passing = [s["school"] for s in schools if s["passes"]]
    return {
        "schools": schools,
        "county": {"students": county.numbers["students"], "schools": county.numbers["schools"],
                   "cv_limit": str(reg.get("resource_cv_limit").threshold(county.level)),
                   "indicators": indicators, "met": county.met, "verdict": county.verdict},
        "summary": {
            "schools": len(schools),
            "passing_schools": passing,
            "failing_schools": [s["school"] for s in schools if not s["passes"]],
            "failing_cv": county.numbers["failing"],
        },
    }


def _school_report(row: SchoolRow, check: calculator.SchoolCheck) -> dict[str, Any]:
    indicators = {
        c.keys[0]: {"name": c.title, "met": c.met, **c.numbers} for c in check.checks
    }
    return {
        "school": row.school, "level": row.level, "row": row.row, "students": row.students,
        "indicators": indicators, "met_count": check.met_count, "passes": check.met,
        "verdict": check.verdict,
    }


# ---------- reports ----------

def _mark(met: bool | None) -> str:
    return {True: "✅", False: "❌", None: "—"}[met]


def to_markdown(report: dict[str, Any], registry: Registry | None = None) -> str:
    reg = registry or default_registry()
    parts = []
    for level, data in report["levels"].items():
        county = data["county"]
        parts.append(f"## {level}（{county['schools']}所学校，在校生{county['students']}人）")
        parts.append(_school_table(level, data["schools"], reg))
        parts.append(_cv_table(level, county, reg))
        parts.append(_summary(data["summary"], data["schools"], county, reg))
    return "\n\n".join(parts) + "\n"


def _school_table(level: str, schools: list[dict], reg: Registry) -> str:
    inds = reg.resource_indicators
    head = ["学校", "在校生"] + [f"{SHORT_NAMES[i.key]}（{i.threshold_text(level)}）" for i in inds] + ["达标项", "学校达标"]
    lines = ["### 各校资源配置指标", _row(head), _row(["---"] * len(head))]
    for s in schools:
        cells = [s["school"], str(s["students"])]
        cells += [f"{s['indicators'][i.key]['value']} {_mark(s['indicators'][i.key]['met'])}" for i in inds]
        cells += [f"{s['met_count']}/{len(inds)}", _mark(s["passes"])]
        lines.append(_row(cells))
    return "\n".join(lines)


def _cv_table(level: str, county: dict, reg: Registry) -> str:
    limit = reg.get("resource_cv_limit").threshold_text(level)
    lines = [f"### 校际差异系数（标准{limit}，按在校生数加权）", _row(["指标", "加权平均值", "差异系数", "结果"]),
             _row(["---"] * 4)]
    for key, item in county["indicators"].items():
        cv = item["cv"] if item["cv"] is not None else "无法计算"
        lines.append(_row([item["name"], f"{item['mean']}{reg.get(key).unit}", cv, _mark(item["met"])]))
    return "\n".join(lines)


def _summary(summary: dict, schools: list[dict], county: dict, reg: Registry) -> str:
    passing = summary["passing_schools"]
    rule = (f"{len(reg.resource_indicators)}项中至少{reg.get('school_rule_min_met').threshold()}项达标、"
            f"余项不低于{reg.get('school_rule_unmet_min_ratio').threshold()}%")
    lines = ["### 小结",
             f"- 达到学校达标要求（{rule}）的学校：{len(passing)}/{summary['schools']}所"
             + (f"（{'、'.join(passing)}）" if passing else "")]
    for s in schools:
        if not s["passes"]:
            lines.append(f"- ❌ {s['verdict'].split('：', 1)[1]}")
    failing = [county["indicators"][k]["name"] for k in summary["failing_cv"]]
    lines.append(f"- 差异系数超过{county['cv_limit']}的指标：" + ("、".join(failing) if failing else "无"))
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |"


def to_csv_rows(report: dict[str, Any], registry: Registry | None = None) -> list[list[str]]:
    """Per-school rows (with a header) for a downloadable report."""
    reg = registry or default_registry()
    inds = reg.resource_indicators
    header = ["学段", "学校名称", "在校生数"]
    for ind in inds:
        header += [ind.name, f"{ind.name}标准", f"{ind.name}是否达标", f"{ind.name}差额"]
    header += ["达标项数", "学校是否达标"]
    rows = [header]
    for level, data in report["levels"].items():
        for s in data["schools"]:
            row = [level, s["school"], str(s["students"])]
            for ind in inds:
                item = s["indicators"][ind.key]
                row += [item["value"], ind.threshold_text(level), _yes(item["met"]), item["gap"]]
            rows.append(row + [str(s["met_count"]), _yes(s["passes"])])
    return rows


def cv_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = [["学段", "指标", "加权平均值", "差异系数", "标准", "是否达标"]]
    for level, data in report["levels"].items():
        for item in data["county"]["indicators"].values():
            rows.append([level, item["name"], item["mean"], item["cv"] or "无法计算",
                         f"≤{item['limit']}", _yes(item["met"])])
    return rows


def _yes(met: bool | None) -> str:
    return {True: "是", False: "否", None: "—"}[met]


def write_csv(report: dict[str, Any], path: str | Path) -> None:
    """Schools table, a blank line, then the 差异系数 table; UTF-8 with BOM so Excel reads it."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(to_csv_rows(report))
        writer.writerow([])
        writer.writerows(cv_rows(report))


def write_xlsx(report: dict[str, Any], path: str | Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "各校指标"
    for row in to_csv_rows(report):
        sheet.append(row)
    cv_sheet = book.create_sheet("差异系数")
    for row in cv_rows(report):
        cv_sheet.append(row)
    book.save(path)
