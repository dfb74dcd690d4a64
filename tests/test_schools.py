"""Schools tables: reading CSV/XLSX in every accepted form, every rejected form, and the report."""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from assistant.domain.schools import (
    SchoolsTableError, cv_rows, evaluate, parse_table, read_table, to_csv_rows, to_markdown, write_csv, write_xlsx,
)

SAMPLE = Path(__file__).resolve().parents[1] / "eval" / "sample_schools.csv"
HEADER = "学校名称,学段,在校生数,高于规定学历教师数,县级以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数"
ROW_A = "甲小学,小学,1000,42,10,9,4500,7500,2000000,23"
ROW_B = "乙小学,小学,850,40,10,7,4000,7000,1800000,20"


def _csv(tmp_path, *lines, encoding="utf-8", name="schools.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _error(path) -> str:
    before = {p: p.read_bytes() for p in path.parent.iterdir()}
    with pytest.raises(SchoolsTableError) as info:
        read_table(path)
    assert {p: p.read_bytes() for p in path.parent.iterdir()} == before  # nothing on disk changed
    return str(info.value)


# ---------- accepted input ----------

def test_sample_file_is_invented_and_complete():
    rows = read_table(SAMPLE)
    assert len(rows) == 9
    assert all("（虚构）" in r.school for r in rows)
    assert {r.level for r in rows} == {"小学", "初中"}
    both = [r for r in rows if "九年一贯制" in r.school]
    assert sorted(r.level for r in both) == ["初中", "小学"]  # one school, two rows
    assert SAMPLE.read_text(encoding="utf-8").splitlines()[0] == HEADER


def test_utf8_csv(tmp_path):
    (row,) = read_table(_csv(tmp_path, HEADER, ROW_A))
    assert (row.row, row.school, row.level, row.students) == (2, "甲小学", "小学", 1000)
    assert row.amounts["equipment_value_yuan"] == Decimal(2000000)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_bom_and_gbk_csv(tmp_path, encoding):
    rows = read_table(_csv(tmp_path, HEADER, ROW_A, ROW_B, encoding=encoding))
    assert [r.school for r in rows] == ["甲小学", "乙小学"]


def test_english_headers_units_in_headers_and_extra_columns(tmp_path):
    header = ("school,level,students,teachers_above_degree,backbone_teachers,pe_art_teachers,"
              "teaching_area_m2,sports_area_m2,equipment_value_yuan,multimedia_classrooms,备注")
    (row,) = read_table(_csv(tmp_path, header, ROW_A + ",无"))
    assert row.amounts["multimedia_classrooms"] == 23
    chinese = HEADER.replace("教学及辅助用房面积", "教学及辅助用房面积（㎡）").replace("教学仪器设备值", "教学仪器设备值(元)")
    chinese = chinese.replace("体育艺术专任教师数", "体育、艺术（美术、音乐）专任教师数")
    (row,) = read_table(_csv(tmp_path, chinese, ROW_A))
    assert row.amounts["pe_art_teachers"] == 9


def test_thousands_separators_blank_lines_and_decimals(tmp_path):
    rows = read_table(_csv(tmp_path, HEADER, "", '甲小学,小学,"1,000",42,10,9,4500.5,7500,"2,000,000.50",23', ""))
    assert rows[0].students == 1000 and rows[0].amounts["teaching_area_m2"] == Decimal("4500.5")
    assert rows[0].row == 3


def _xlsx(tmp_path, rows, name="schools.xlsx") -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_xlsx(tmp_path):
    path = _xlsx(tmp_path, [HEADER.split(","), ["甲小学", "小学", 1000, 42, 10, 9, 4500.5, 7500, 2000000, 23]])
    (row,) = read_table(path)
    assert row.students == 1000 and row.amounts["teaching_area_m2"] == Decimal("4500.5")


def test_parse_table_from_bytes_for_uploads(tmp_path):
    data = (HEADER + "\n" + ROW_A + "\n").encode("gbk")
    assert parse_table(data, "上传.csv")[0].school == "甲小学"


# ---------- rejected input: each names the row and column ----------

def test_missing_required_column(tmp_path):
    header = HEADER.replace(",体育艺术专任教师数", "")
    row = ROW_A.replace(",9,4500", ",4500")
    message = _error(_csv(tmp_path, header, row))
    assert "第1行" in message and "体育艺术专任教师数" in message and "pe_art_teachers" in message


def test_duplicate_column(tmp_path):
    message = _error(_csv(tmp_path, HEADER + ",学生数", ROW_A + ",1000"))
    assert "在校生数" in message and "两次" in message


@pytest.mark.parametrize(
    "row, expected",
    [
        ("甲小学,小学,一千,42,10,9,4500,7500,2000000,23", ["第2行", "在校生数", "不是数字"]),
        ("甲小学,小学,1000,42,10,-1,4500,7500,2000000,23", ["第2行", "体育艺术专任教师数", "负数"]),
        ("甲小学,小学,1000,42,10,9.5,4500,7500,2000000,23", ["第2行", "体育艺术专任教师数", "整数"]),
        ("甲小学,小学,0,42,10,9,4500,7500,2000000,23", ["第2行", "在校生数", "为0"]),
        ("甲小学,高中,1000,42,10,9,4500,7500,2000000,23", ["第2行", "学段", "高中", "小学或初中"]),
        ("甲小学,小学,1000,42,10,9,,7500,2000000,23", ["第2行", "教学及辅助用房面积", "为空"]),
        ("甲小学,小学,1000,42,10,9", ["第2行", "教学及辅助用房面积", "为空"]),
        (",小学,1000,42,10,9,4500,7500,2000000,23", ["第2行", "学校名称", "为空"]),
        ("甲小学,小学,1000,42,10,9,4500,7500,NaN,23", ["第2行", "教学仪器设备值", "不是数字"]),
    ],
)
def test_bad_cells(tmp_path, row, expected):
    message = _error(_csv(tmp_path, HEADER, row))
    for part in expected:
        assert part in message
    # the same bad row one line further down is reported on that line
    assert "第3行" in _error(_csv(tmp_path, HEADER, ROW_B, row, name="later.csv"))


def test_duplicate_school_within_a_level_but_not_across_levels(tmp_path):
    message = _error(_csv(tmp_path, HEADER, ROW_A, ROW_B, ROW_A))
    assert "第4行" in message and "甲小学" in message and "第2行" in message and "重复" in message
    across = _csv(tmp_path, HEADER, ROW_A, ROW_A.replace(",小学,", ",初中,"), name="across.csv")
    assert len(read_table(across)) == 2


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "文件为空" in _error(empty)
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\n\n  \n")
    assert "文件为空" in _error(blank)
    assert "只有表头" in _error(_csv(tmp_path, HEADER, name="header.csv"))


def test_undecodable_encoding(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(HEADER.encode("utf-8") + b"\n\x80\x80,\x80\n")  # valid in neither UTF-8 nor GBK
    assert "编码" in _error(path) and "UTF-8" in _error(path)


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("report.pdf", b"%PDF-1.4 ...", "不是表格文件"),
        ("schools.csv", b"%PDF-1.4\n...", "PDF"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不是表格文件"),
        ("schools.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不是 CSV 或 XLSX"),
        ("schools.xlsx", b"PK\x03\x04not really a zip", "不是有效的 XLSX"),
        ("schools.xlsx", b"plain text", "不是有效的 XLSX"),
        ("schools.csv", b"a,b\x00c\n", "二进制"),
    ],
)
def test_not_a_spreadsheet(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    assert expected in _error(path)


def test_xlsx_errors_name_the_row(tmp_path):
    path = _xlsx(tmp_path, [HEADER.split(","), ["甲小学", "小学", 1000, 42, 10, 9, 4500, 7500, "两百万", 23]])
    message = _error(path)
    assert "第2行" in message and "教学仪器设备值" in message


def test_missing_file(tmp_path):
    with pytest.raises(SchoolsTableError, match="无法读取"):
        read_table(tmp_path / "nope.csv")


# ---------- evaluating and reporting ----------

@pytest.fixture(scope="module")
def report():
    return evaluate(read_table(SAMPLE))


def test_evaluate_structure_and_registry_keys(report):
    json.dumps(report, ensure_ascii=False)
    assert set(report["levels"]) == {"小学", "初中"}
    primary = report["levels"]["小学"]
    assert len(primary["schools"]) == 5 and primary["county"]["schools"] == 5
    assert primary["county"]["students"] == 850 + 620 + 1500 + 180 + 700
    assert set(primary["schools"][0]["indicators"]) == {
        "teachers_above_degree_per100", "backbone_teachers_per100", "pe_art_teachers_per100",
        "teaching_area_per_student", "sports_area_per_student", "equipment_value_per_student",
        "multimedia_classrooms_per100",
    }
    assert set(primary["county"]["indicators"]) == set(primary["schools"][0]["indicators"])
    assert primary["county"]["cv_limit"] == "0.50" and report["levels"]["初中"]["county"]["cv_limit"] == "0.45"


def test_evaluate_school_results_by_hand(report):
    schools = {s["school"]: s for s in report["levels"]["小学"]["schools"]}
    b = schools["示例小学B（虚构）"]  # 5 音体美 teachers for 620 students: 0.806 (89.6% of 0.9; shown half-up 0.81), the rest met
    assert b["met_count"] == 6 and b["passes"] is True
    assert b["indicators"]["pe_art_teachers_per100"]["value"] == "0.81"
    d = schools["示例村小D（虚构）"]  # 4 rooms for 180 students: 2.22 (96.6% of 2.3)
    assert d["met_count"] == 6 and d["passes"] is True
    nine_year = schools["示例九年一贯制学校（虚构）"]
    assert nine_year["met_count"] == 5 and nine_year["passes"] is False
    assert report["levels"]["小学"]["summary"]["passing_schools"] == [
        "示例小学A（虚构）", "示例小学B（虚构）", "示例村小D（虚构）"]
    assert report["levels"]["初中"]["summary"]["failing_cv"] == []


def test_level_filter(tmp_path):
    rows = read_table(SAMPLE)
    only = evaluate(rows, level="初中")
    assert list(only["levels"]) == ["初中"]
    with pytest.raises(SchoolsTableError, match="没有"):
        evaluate([r for r in rows if r.level == "小学"], level="初中")


def test_markdown_report(report):
    text = to_markdown(report)
    assert "## 小学（5所学校，在校生3850人）" in text and "## 初中" in text
    assert "✅" in text and "❌" in text
    assert "标准≤0.50" in text and "标准≤0.45" in text
    assert "| 示例小学B（虚构） | 620 |" in text and "0.81 ❌" in text
    assert "差异系数超过0.50的指标：无" in text
    assert "3/5所" in text


def test_markdown_names_a_failing_cv(tmp_path):
    path = _csv(tmp_path, HEADER, ROW_A, "丁小学,小学,1000,42,10,30,4500,7500,2000000,23")
    text = to_markdown(evaluate(read_table(path)))
    assert "差异系数超过0.50的指标：每百名学生拥有音体美专任教师数" in text


def test_csv_and_xlsx_downloads(tmp_path, report):
    rows = to_csv_rows(report)
    assert len(rows) == 1 + 9 and rows[0][:3] == ["学段", "学校名称", "在校生数"]
    assert len(cv_rows(report)) == 1 + 14
    csv_path = tmp_path / "report.csv"
    write_csv(report, csv_path)
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[:10] == rows
    xlsx_path = tmp_path / "report.xlsx"
    write_xlsx(report, xlsx_path)
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["各校指标", "差异系数"]
    assert book["各校指标"].max_row == 10 and book["差异系数"].max_row == 15
