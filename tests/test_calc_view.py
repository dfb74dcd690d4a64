"""指标测算 tab (issue 13, items 1, 3 and 10): empty optional boxes mean "not given", errors are
Chinese and clear the earlier results, the XLSX report has numbers, widths, units and a frozen header,
and the template reads back."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from assistant.domain import schools
from assistant.ui import calc_view

SAMPLE = calc_view.SAMPLE


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    result = calc_view.evaluate_bytes(SAMPLE.read_bytes(), "sample_schools.csv", tmp_path_factory.mktemp("out"))
    assert result.ok, result.status
    return result


# ---------------------------------------------------------------- 1. optional boxes

@pytest.mark.parametrize("empty", [None, "", "  ", float("nan")])
def test_an_empty_optional_box_gives_the_minimum_not_a_verdict_on_zero(empty):
    training = calc_view.training_form("1000000", empty)
    assert "至少应安排 5万元（50000.00元）" in training and "未达标" not in training
    rotation = calc_view.rotation_form("200", "20", empty)
    assert "骨干" not in rotation.split("计算过程")[0] or "0%" not in rotation
    assert "交流轮岗的骨干教师数" not in rotation  # no 骨干 check at all


def test_form_boxes_take_text_as_typed():
    assert "至少应安排 5000.00元" in calc_view.training_form("１０００００")  # full-width, from an input method
    assert "至少应安排 5万元（50000.00元）" in calc_view.training_form("1,000,000")
    assert calc_view.training_form("") == "❌ 请先填写必填的数字。"
    assert "“abc”不是数字" in calc_view.rotation_form("200", "abc")
    assert "超出范围" in calc_view.training_form("1e30")


# ---------------------------------------------------------------- 3. errors

def test_an_error_is_chinese_and_says_the_results_are_gone(tmp_path):
    bad = calc_view.evaluate_bytes("学校名称,学段\n甲,小学\n".encode(), "学校.csv", tmp_path)
    assert bad.status.startswith("❌") and "缺少必需的列" in bad.status
    assert calc_view.STALE in bad.page_status and bad.report is None and bad.markdown == ""
    assert calc_view.chart(bad.report) is None


def test_a_corrupt_xlsx_says_so_in_chinese(tmp_path):
    for data in (b"PK\x03\x04 not really a zip", b"\x00\x01binary junk that is no zip"):
        status = calc_view.evaluate_bytes(data, "学校.xlsx", tmp_path).status
        assert "不是有效的 XLSX 表格" in status and "已损坏" in status
        assert "zip" not in status.lower() and "File is" not in status


def test_a_truncated_xlsx_says_so_in_chinese(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    status = calc_view.evaluate_bytes(buffer.getvalue(), "学校.xlsx", tmp_path).status
    assert "不是有效的 XLSX 表格" in status and "no item" not in status and "workbook" not in status, status


def test_an_oversized_file_gets_the_servers_chinese_sentence():
    refused = calc_view.oversized("大表.csv", 6 * 1024 * 1024, 5)
    assert refused.status.replace("\\", "") == "❌ 文件过大（6.0 MB），上限为 5 MB。"
    assert calc_view.STALE in refused.page_status
    assert "上限为 5 MB" in calc_view.oversized(None, "not a number", 5).status
    js = calc_view.upload_guard_js(5)
    assert str(5 * 1024 * 1024) in js and "#upload" in js and "trigger('click'" in js


# ---------------------------------------------------------------- 10. reports and template

def test_the_xlsx_report_has_numbers_widths_units_and_a_frozen_header(result):
    book = load_workbook(result.xlsx_path)
    sheet = book["各校指标"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["学段", "学校名称", "在校生数（人）"]
    assert all("（" in h for h in header if h.endswith("差额") or "差额" in h)
    assert "每百名学生拥有高于规定学历教师数差额：还需高于规定学历教师数（人）" in header
    row = [c.value for c in sheet[2]]
    assert row[1] == "示例小学A（虚构）" and row[2] == 850
    assert isinstance(row[3], float) and row[3] == pytest.approx(4.71)  # a number Excel can sum, not '4.71'
    assert sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["B"].width >= 20 and sheet.column_dimensions["A"].width >= calc_view.MIN_WIDTH
    cv = book["差异系数"]
    assert [c.value for c in cv[1]][:4] == ["学段", "指标", "加权平均值", "单位"]
    assert isinstance(cv["C2"].value, float) and cv.freeze_panes == "A2"


def test_the_csv_report_has_the_same_headers(result):
    text = result.csv_path.read_bytes().decode("utf-8-sig")
    assert text.startswith("学段,学校名称,在校生数（人）,") and "示例小学A（虚构）" in text


def test_formula_text_stays_text_in_the_xlsx(tmp_path):
    data = SAMPLE.read_bytes().replace("示例小学A（虚构）".encode(), b"=HYPERLINK(\"x\")")
    result = calc_view.evaluate_bytes(data, "s.csv", tmp_path)
    cell = load_workbook(result.xlsx_path)["各校指标"]["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")' and cell.quotePrefix


def test_the_template_has_units_and_reads_back(tmp_path):
    csv_path, xlsx_path = calc_view.write_templates(tmp_path)
    header = csv_path.read_bytes().decode("utf-8-sig").splitlines()[0]
    assert "教学及辅助用房面积（㎡）" in header and "教学仪器设备值（元）" in header and "网络多媒体教室数（间）" in header
    filled = header + "\n甲小学,小学,500,25,5,5,2500,4000,1100000,12\n"
    rows = schools.parse_table(filled.encode("utf-8"), "模板.csv")
    assert rows[0].school == "甲小学" and rows[0].students == 500
    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["学校数据", "填写说明"]
    assert [c.value for c in book["学校数据"][1]] == header.split(",")
