"""Schools tables (CSV or XLSX): read and validate, evaluate every school and each level, report.

Reading never writes anything; a bad file raises SchoolsTableError with a Chinese
message naming the row and the column. Every input is bounded: bytes read, rows, the unpacked size
of an XLSX, the magnitude and decimals of a cell, and the seconds and memory of a calculation.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

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

# Bounds (README, reliability section). A county has a few hundred schools; the figures leave room.
MAX_FILE_BYTES = 5 * 1024 * 1024  # default for read_table; the CLI and the web app pass ASSISTANT_MAX_UPLOAD_MB
MAX_ROWS = 1000  # school rows in one table
MAX_XLSX_UNPACKED_MB = 50  # an XLSX is a zip: its parts may not unpack to more than this
MAX_CELL_VALUE = Decimal(10) ** 12  # 一万亿: more than any school's area, headcount or equipment value
MAX_DECIMAL_PLACES = 20  # Excel's computed cells carry up to ~17; 1e-999999 would carry a million
MAX_CELL_CHARS = 60  # longer text in a number column is not a number (and is not parsed)
CALC_TIME_LIMIT_S = 30  # one table's calculation, in a child process that is stopped after this
CALC_MEMORY_MB = 1024  # address space of that child
HEADER_SCAN_ROWS = 20  # rows of each XLSX sheet looked at to find the header
SHOWN_CHARS = 24  # of a rejected value, in a message
# Separators people save instead of commas, named in the message (a semicolon file often uses decimal commas).
DELIMITERS = {";": "分号", "\t": "制表符", "，": "中文逗号", "|": "竖线"}
# Text a spreadsheet would run as a formula (CSV/XLSX injection); a plain number is not one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


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

TABLE_TYPES = (".csv", ".xlsx")  # the files a school table may come in, for the web app and the API


def upload_problem(name: str, size: int, max_mb: int, suffixes: tuple[str, ...] = TABLE_TYPES) -> tuple[str, str] | None:
    """Why an uploaded file is refused, as (kind, Chinese message) with kind "type" or "size", or
    None: one wording for the web app and the API."""
    if Path(name).suffix.lower() not in suffixes:
        return "type", f"“{name}”的类型不支持：请上传 {'、'.join(suffixes)} 文件。"
    if size > max_mb * 1024 * 1024:
        return "size", f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {max_mb} MB。"
    return None


def read_table(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[SchoolRow]:
    """Read a CSV (UTF-8 with/without BOM, or GBK) or XLSX file of schools: a regular file of at most
    `max_bytes` (a device such as /dev/zero never ends, a pipe may never open)."""
    path = Path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise SchoolsTableError(f"“{path.name}”不是普通文件（可能是设备或管道）：请指定一个 CSV 或 XLSX 文件")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SchoolsTableError(f"无法读取文件 {path.name}：{exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SchoolsTableError(f"文件过大：超过 {max_bytes / 1024 / 1024:.1f} MB 的上限")
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
        return _xlsx_rows(data, filename)
    return _rows_from_records(_csv_records(data, filename))


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
        return _bounded((reader.line_num, row) for row in reader)
    except csv.Error:  # its reason is English ("field larger than field limit")
        raise SchoolsTableError(f"“{filename}”第{reader.line_num}行不是有效的 CSV：可能有未配对的引号，"
                                "或某个单元格过长") from None


def _bounded(records: Iterator[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """The records, stopping as soon as there are more school rows than MAX_ROWS (plus the header)."""
    out, filled = [], 0
    for number, row in records:
        out.append((number, row))
        filled += not all(_blank(c) for c in row)
        if filled > MAX_ROWS + 1:
            raise SchoolsTableError(f"表中学校数据超过 {MAX_ROWS} 行的上限：请分成几个文件分别测算")
    return out


def _check_unpacked_size(data: bytes, filename: str) -> None:
    """A zip states each part's unpacked size, and Python's zip reader never yields more than it
    states: checking the sum first stops a zip bomb (1 MB that unpacks to 1 GB) before any reading."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SchoolsTableError(_broken_xlsx(filename)) from None
    if unpacked > MAX_XLSX_UNPACKED_MB * 1024 * 1024:
        raise SchoolsTableError(f"“{filename}”解压后有 {unpacked / 1024 / 1024:.0f} MB，超过 {MAX_XLSX_UNPACKED_MB} MB 的上限："
                                "学校数据表不会这么大，请检查文件，或只保留学校数据另存为新的 XLSX")


def _broken_xlsx(filename: str) -> str:
    """The reader's own reason ("File is not a zip file") is English and says nothing a user can act on."""
    return (f"“{filename}”不是有效的 XLSX 表格（文件已损坏，或并非 Excel 文件）：请在 Excel 或 WPS 中打开原表，"
            "另存为 .xlsx（或 CSV）后重新上传")


def _xlsx_rows(data: bytes, filename: str) -> list[SchoolRow]:
    """Rows of the sheet whose header has the most of our columns (a cover sheet often comes first)."""
    from openpyxl import load_workbook  # only XLSX uploads need it

    _check_unpacked_size(data, filename)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SchoolsTableError(_broken_xlsx(filename)) from None
    try:
        sheets = book.worksheets
        matches = [len(_known_columns(_first_filled(sheet))) for sheet in sheets]
        best = max(range(len(sheets)), key=lambda i: matches[i], default=0)
        names = "、".join(f"“{sheet.title}”" for sheet in sheets)
        if len(sheets) > 1 and not matches[best]:
            raise SchoolsTableError(f"“{filename}”的工作表{names}中都没有找到学校数据的表头：表头应包含"
                                    + "、".join(f"“{name}”" for _, name, _ in COLUMNS))
        try:
            return _rows_from_records(_bounded(_sheet_records(sheets[best])))
        except SchoolsTableError as exc:
            if len(sheets) == 1:
                raise
            raise SchoolsTableError(f"工作表“{sheets[best].title}”{exc}（本文件的工作表：{names}）") from None
    finally:
        book.close()


def _sheet_records(sheet) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, list(row)
    except ValueError:  # openpyxl itself, e.g. on a number of more than 4300 digits
        raise SchoolsTableError(f"第{number + 1}行有无法读取的单元格：数字的位数过多，请检查该行") from None


def _first_filled(sheet) -> list[Any]:
    rows = itertools.islice(_sheet_records(sheet), HEADER_SCAN_ROWS)
    return next((row for _, row in rows if not all(_blank(c) for c in row)), [])


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


def _header_lookup() -> dict[str, str]:
    return {_normalize_header(alias): key for key, name, aliases in COLUMNS for alias in (key, name, *aliases)}


def _known_columns(header: list[Any]) -> set[str]:
    lookup = _header_lookup()
    return {lookup[n] for n in map(_normalize_header, header) if n in lookup}


def _other_delimiter(header: list[Any]) -> str | None:
    """The separator a one-column header was really split by, when splitting by it finds our columns."""
    text = "".join(str(c) for c in header if not _blank(c))
    for mark in DELIMITERS:
        if mark in text and len(_known_columns(text.split(mark))) >= 2:
            return mark
    return None


def _header_positions(header: list[Any], line: int) -> dict[str, int]:
    lookup = _header_lookup()
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
    mark = _other_delimiter(header) if missing else None
    if mark:
        raise SchoolsTableError(f"第{line}行表头的各列是用{DELIMITERS[mark]}分隔的，不是逗号：请在 Excel 中另存为"
                                "“CSV（逗号分隔）”，或上传 XLSX")
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


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}…（共 {len(text)} 个字符）"


def _number(line: int, key: str, value: Any) -> Decimal:
    """A cell as an exact number, bounded in magnitude and decimals: 1e100000000 would pin a CPU for an
    hour in exact arithmetic, and Python refuses to print an integer of more than 4300 digits."""
    where = f"第{line}行“{HEADER_NAMES[key]}”"
    if isinstance(value, bool):
        raise SchoolsTableError(f"{where}的值“{value}”不是数字")
    text = normalize(str(value)).strip().replace(",", "").replace(" ", "")
    if len(text) > MAX_CELL_CHARS:
        raise SchoolsTableError(f"{where}的值“{_shown(value)}”超出范围：位数过多，不是学校数据中的数字")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise SchoolsTableError(f"{where}的值“{_shown(value)}”不是数字") from None
    if not number.is_finite():
        raise SchoolsTableError(f"{where}的值“{_shown(value)}”不是数字")
    if number < 0:
        raise SchoolsTableError(f"{where}的值“{_shown(value)}”为负数")
    if number > MAX_CELL_VALUE:
        raise SchoolsTableError(f"{where}的值“{_shown(value)}”超出范围：应不超过 {MAX_CELL_VALUE:,}（一万亿）")
    if number and _decimal_places(number) > MAX_DECIMAL_PLACES:
        raise SchoolsTableError(f"{where}的值“{_shown(value)}”小数位数过多：最多 {MAX_DECIMAL_PLACES} 位")
    if key in _WHOLE and number != number.to_integral_value():
        raise SchoolsTableError(f"{where}的值“{_shown(value)}”应为整数")
    return number


def _decimal_places(number: Decimal) -> int:
    """Decimals that matter: 4500.000 has none, 1e-999999 a million."""
    _, digits, exponent = number.as_tuple()
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing)


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


def evaluate_within(rows: Sequence[SchoolRow], level: str | None = None,
                    seconds: float = CALC_TIME_LIMIT_S) -> dict[str, Any]:
    """`evaluate` in a child process that is stopped after `seconds` (and may use CALC_MEMORY_MB):
    whatever slipped past the reader's bounds, one table cannot pin a CPU or fill the memory."""
    request = json.dumps({"level": level, "rows": [_row_json(r) for r in rows]}, ensure_ascii=False)
    command = [sys.executable, "-c", "from assistant.domain.schools import serve_evaluation; serve_evaluation()"]
    try:
        done = subprocess.run(command, input=request.encode("utf-8"), capture_output=True, timeout=seconds,
                              cwd=Path(__file__).resolve().parents[2])  # where `assistant` can be imported
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise SchoolsTableError(f"测算超过 {seconds:g} 秒仍未完成，已停止：请检查表中是否有异常的数字") from None
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        raise SchoolsTableError(f"测算进程意外退出（退出码 {done.returncode}），没有得到结果") from None
    if "error" in answer:
        raise SchoolsTableError(answer["error"])
    return answer["report"]


def serve_evaluation() -> None:
    """The child side of `evaluate_within`: rows as JSON on stdin, {"report"} or {"error"} on stdout."""
    import resource

    limit = CALC_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    try:
        answer = {"report": evaluate([_row_from_json(r) for r in request["rows"]], request["level"])}
    except SchoolsTableError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        answer = {"error": f"测算所需内存超过 {CALC_MEMORY_MB} MB 的上限，已停止：请检查表中是否有异常的数字"}
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8"))


def _row_json(row: SchoolRow) -> dict[str, Any]:
    return {"row": row.row, "school": row.school, "level": row.level, "students": row.students,
            "amounts": {key: str(value) for key, value in row.amounts.items()}}


def _row_from_json(data: dict[str, Any]) -> SchoolRow:
    return SchoolRow(data["row"], data["school"], data["level"], data["students"],
                     {key: Decimal(value) for key, value in data["amounts"].items()})


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


def to_markdown(report: dict[str, Any], registry: Registry | None = None, escape: Callable[[str], str] = str,
                limit: int | None = None) -> str:
    """The report as Markdown. `escape` is applied to every string that came from the table (school names,
    and the verdicts that quote them): the web page passes its markdown escaper. `limit` caps the schools
    listed per level (the downloads always have all of them)."""
    reg = registry or default_registry()
    parts = []
    for level, data in report["levels"].items():
        county = data["county"]
        shown = data["schools"][:limit]
        parts.append(f"## {level}（{county['schools']}所学校，在校生{county['students']}人）")
        parts.append(_school_table(level, shown, reg, escape))
        if len(shown) < len(data["schools"]):
            parts.append(f"（上表只列出前 {len(shown)} 所学校，共 {len(data['schools'])} 所；全部结果见下载的 CSV/XLSX 报告。）")
        parts.append(_cv_table(level, county, reg))
        parts.append(_summary(data["summary"], shown, county, reg, escape))
    return "\n\n".join(parts) + "\n"


def _school_table(level: str, schools: list[dict], reg: Registry, escape: Callable[[str], str]) -> str:
    inds = reg.resource_indicators
    head = ["学校", "在校生"] + [f"{SHORT_NAMES[i.key]}（{i.threshold_text(level)}）" for i in inds] + ["达标项", "学校达标"]
    lines = ["### 各校资源配置指标", _row(head), _row(["---"] * len(head))]
    for s in schools:
        cells = [escape(s["school"]), str(s["students"])]
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


def _summary(summary: dict, schools: list[dict], county: dict, reg: Registry, escape: Callable[[str], str]) -> str:
    passing = summary["passing_schools"]
    listed = [s["school"] for s in schools if s["passes"]]
    rule = (f"{len(reg.resource_indicators)}项中至少{reg.get('school_rule_min_met').threshold()}项达标、"
            f"余项不低于{reg.get('school_rule_unmet_min_ratio').threshold()}%")
    more = "等" if len(listed) < len(passing) else ""
    lines = ["### 小结",
             f"- 达到学校达标要求（{rule}）的学校：{len(passing)}/{summary['schools']}所"
             + (f"（{'、'.join(escape(name) for name in listed)}{more}）" if listed else "")]
    for s in schools:
        if not s["passes"]:
            lines.append(f"- ❌ {escape(s['verdict'].split('：', 1)[1])}")
    failing = [county["indicators"][k]["name"] for k in summary["failing_cv"]]
    lines.append(f"- 差异系数超过{county['cv_limit']}的指标：" + ("、".join(failing) if failing else "无"))
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    """A table row; a line break inside a cell (possible in a quoted CSV cell) would end the table."""
    return "| " + " | ".join(re.sub(r"[\r\n]+", " ", str(c)).replace("|", "/") for c in cells) + " |"


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


def spreadsheet_text(text: str) -> str:
    """A CSV cell a spreadsheet shows as the text it is: text starting with = + - @, tab or CR would run
    as a formula (=HYPERLINK(...) in a school name), so it gets a leading apostrophe; numbers stay numbers."""
    return "'" + text if _formula_like(text) else text


def _formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)


def write_csv(report: dict[str, Any], path: str | Path) -> None:
    """Schools table, a blank line, then the 差异系数 table; UTF-8 with BOM so Excel reads it."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in [*to_csv_rows(report), [], *cv_rows(report)]:
            writer.writerow([spreadsheet_text(str(cell)) for cell in row])


def write_xlsx(report: dict[str, Any], path: str | Path) -> None:
    """Every cell is text; formula-like text is stored as text with Excel's quote-prefix flag (openpyxl
    would otherwise write any string starting with = as a live formula)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "各校指标"
    _append_text_rows(sheet, to_csv_rows(report))
    _append_text_rows(book.create_sheet("差异系数"), cv_rows(report))
    book.save(path)


def _append_text_rows(sheet, rows: list[list[str]]) -> None:
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row, 1):
            cell = sheet.cell(row=number, column=column, value=str(value))
            cell.data_type = "s"
            if _formula_like(cell.value):
                cell.quotePrefix = True
