"""The non-chat tabs in Debian's Chromium (issue 13): optional boxes, upload errors, the chart, search,
the unit picker, the reports, the briefing, and the 390 px layout. The real app in a subprocess."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.ui import screenshots as drive
from tests.test_browser import app_url, session  # noqa: F401  the app in a subprocess, one page for the walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not drive.CHROMIUM.exists(), reason="/usr/bin/chromium 不存在：运行 make browser 安装 Debian 的 Chromium"),
]
SCREEN_HEIGHT = 900  # the errors must be in view on a 1280×900 screen without scrolling
ENGLISH = ("exceed the maximum", "File(s)", "is not a zip", "Error")


@pytest.fixture(scope="module")
def phone(session, app_url):
    """A 390 px page in the same browser (Playwright's sync API runs one instance at a time)."""
    page = session[0].context.browser.new_page(viewport=drive.PHONE, locale="zh-CN")
    drive.open_app(page, app_url)
    yield page
    page.close()


def download(page, selector: str) -> bytes:
    """The file a gr.File offers (fetched by its link) or a gr.DownloadButton gives when clicked."""
    link = page.locator(f"{selector} a[href]")
    if link.count():
        response = page.request.get(link.first.get_attribute("href"))
        assert response.ok, response.status
        return response.body()
    with page.expect_download(timeout=30_000) as offered:
        page.click(selector)
    return Path(offered.value.path()).read_bytes()


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN_HEIGHT


# ---------------------------------------------------------------- 1. optional boxes

def test_optional_boxes_start_empty_and_empty_means_not_given(session):
    page, _, _ = session
    drive.open_tab(page, "指标测算")
    for box in ("#backbone input", "#training-funds input"):
        assert page.locator(box).input_value() == ""  # gradio's number box showed 0 here
    page.locator("#form-training input").first.fill("1000000")
    page.locator("#form-training button").click()
    out = page.locator("#form-training").filter(has_text="计算过程")
    out.wait_for(timeout=30_000)
    assert "至少应安排 5万元（50000.00元）" in out.inner_text() and "未达标" not in out.inner_text()
    inputs = page.locator("#form-rotation input")
    inputs.nth(0).fill("200")
    inputs.nth(1).fill("20")
    page.locator("#form-rotation button").click()
    result = page.locator("#form-rotation").filter(has_text="计算过程")
    result.wait_for(timeout=30_000)
    text = result.inner_text()
    assert "达标" in text and "未达标" not in text  # 20 of 200 is 10%; an empty 骨干 box is no 0%
    assert "交流轮岗的骨干教师数" not in text


# ---------------------------------------------------------------- 3. upload errors

def test_an_upload_error_is_at_the_top_and_clears_the_old_results(session, tmp_path):
    page, _, _ = session
    drive.upload_schools(page)
    assert page.locator("#calc-results table").count() >= 4
    page.evaluate("window.scrollTo(0, 0)")
    broken = tmp_path / "学校.csv"
    broken.write_text("学校名称,学段\n示例小学,小学\n", encoding="utf-8")
    page.set_input_files("#upload input[type=file]", str(broken))
    status = page.locator("#calc-status").filter(has_text="缺少必需的列")
    status.wait_for(timeout=30_000)
    assert in_view(page, "#calc-status")
    assert "之前的测算结果已清除" in status.inner_text()
    assert page.locator("#calc-results table").count() == 0
    assert not page.locator("#calc-chart").is_visible()


def test_a_file_over_the_limit_gets_a_chinese_message_not_gradios_toast(session, tmp_path):
    page, _, _ = session
    drive.upload_schools(page)
    page.evaluate("window.scrollTo(0, 0)")
    big = tmp_path / "大表.csv"
    big.write_bytes(b"0" * (6 * 1024 * 1024))  # the app runs with the default 5 MB
    page.set_input_files("#upload input[type=file]", str(big))
    page.locator("#calc-status", has_text="文件过大").wait_for(timeout=30_000)
    assert "上限为 5 MB" in page.locator("#calc-status").inner_text() and in_view(page, "#calc-status")
    assert page.locator("#calc-results table").count() == 0
    body = page.locator("body").inner_text()
    assert not any(word in body for word in ENGLISH), body[-500:]


def test_a_corrupt_xlsx_says_so_in_chinese(session, tmp_path):
    page, _, _ = session
    drive.open_tab(page, "指标测算")
    for name, data in (("坏表.xlsx", b"PK\x03\x04 not really a zip"), ("截断.xlsx", _truncated_xlsx())):
        path = tmp_path / name
        path.write_bytes(data)
        page.set_input_files("#upload input[type=file]", str(path))
        status = page.locator("#calc-status").filter(has_text=name)
        status.wait_for(timeout=30_000)
        assert "不是有效的 XLSX 表格" in status.inner_text()
        assert not any(word in status.inner_text() for word in ENGLISH)


def _truncated_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


# ---------------------------------------------------------------- 7. chart, 10. reports

def test_the_chart_is_interactive_with_values_and_the_standard(session):
    page, _, _ = session
    drive.upload_schools(page)
    chart = page.locator("#calc-chart .js-plotly-plot")
    texts = chart.locator(".bartext").evaluate_all("els => els.map(e => e.textContent)")
    assert "4.71" in texts and len(texts) == 9
    assert chart.locator(".scatterlayer .point").count() == 9  # a standard mark per school
    assert "每百名学生拥有高于规定学历教师数" in chart.locator(".gtitle").text_content()
    page.locator("#chart-pick input").click()
    page.get_by_role("option", name="生均教学及辅助用房面积（㎡）").click()
    page.locator("#calc-chart .gtitle", has_text="生均教学及辅助用房面积").wait_for(timeout=30_000)


def test_the_xlsx_report_and_the_templates(session, tmp_path):
    page, _, _ = session
    drive.upload_schools(page)
    report = tmp_path / "report.xlsx"
    report.write_bytes(download(page, "#report-xlsx"))
    sheet = load_workbook(report)["各校指标"]
    assert sheet["C1"].value == "在校生数（人）" and sheet["C2"].value == 850 and isinstance(sheet["D2"].value, float)
    assert sheet.freeze_panes == "C2"
    template = tmp_path / "template.xlsx"
    template.write_bytes(download(page, "#template-xlsx"))
    assert load_workbook(template)["学校数据"]["G1"].value == "教学及辅助用房面积（㎡）"
    assert download(page, "#template-csv").decode("utf-8-sig").startswith("学校名称,学段,在校生数（人）")


# ---------------------------------------------------------------- 6. search, 5. no alias list

def test_search_says_not_found_for_nonsense(session):
    page, _, _ = session
    drive.open_tab(page, "文件")
    for query in ("火星基地", "a"):
        page.fill("#doc-query textarea", query)
        page.click("#doc-search")
        page.locator("#doc-hits", has_text=query).wait_for(timeout=30_000)
        text = page.locator("#doc-hits").inner_text()
        assert "未找到" in text and "相关度" not in text


def test_a_hit_marks_its_words_and_opens_the_tree_there(session):
    page, _, _ = session
    drive.open_tab(page, "文件")
    page.fill("#doc-query textarea", "交流轮岗")
    page.click("#doc-search")
    page.locator("#doc-hits mark", has_text="交流轮岗").first.wait_for(timeout=30_000)
    assert "常见说法" not in page.locator("#doc-hits").inner_text()
    link = page.locator("#doc-hits a[data-section]").first
    target = page.locator(f"#{link.get_attribute('data-section')}")
    assert not target.is_visible()  # inside closed <details>
    link.click()
    target.wait_for(state="visible", timeout=10_000)
    assert "交流轮岗" in target.inner_text()
    assert "flash" in target.get_attribute("class")


# ---------------------------------------------------------------- 9. unit picker

def test_typing_a_short_name_narrows_the_units_and_leaving_keeps_it(session):
    page, _, _ = session
    drive.open_tab(page, "我的单位")
    page.fill("#unit-search input", "住建")
    page.locator("#unit-hint", has_text="找到 1 个单位").wait_for(timeout=30_000)
    assert page.locator("#unit-pick label").all_inner_texts() == ["市住房和城乡建设局"]
    page.locator("#unit-duties").wait_for(timeout=30_000)
    page.locator("body").click(position={"x": 5, "y": 5})
    assert page.locator("#unit-search input").input_value() == "住建"
    page.fill("#unit-search input", "财政")
    page.locator("#unit-pick label", has_text="市财政局").wait_for(timeout=30_000)
    assert page.locator("#unit-pick label").count() == 1


# ---------------------------------------------------------------- 11. briefing

def test_the_briefing_has_no_doubled_quote_marks(session):
    page, _, _ = session
    drive.open_tab(page, "新成员入门")
    text = page.locator("#briefing").inner_text()
    assert "““" not in text and "「“一校一策”" in text and "此条未写具体数值" in text


# ---------------------------------------------------------------- 8. 390 px

def test_at_390_px_every_tab_is_in_view(phone):
    names = ["问答", "我的单位", "指标测算", "文件", "新成员入门"]
    for name in names:
        tab = phone.get_by_role("tab", name=name, exact=True)
        assert tab.is_visible(), name
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= drive.PHONE["width"]
    assert not phone.locator(".overflow-menu").is_visible()


def test_at_390_px_table_headers_and_the_chart_are_readable(phone):
    drive.upload_schools(phone)
    header = phone.locator("#calc-results th").nth(2)
    assert header.bounding_box()["width"] >= 70  # was ~20 px: one character per line
    chart = phone.locator("#calc-chart .js-plotly-plot")
    assert chart.bounding_box()["width"] <= drive.PHONE["width"]
    title = chart.locator(".gtitle").bounding_box()
    bar = chart.locator(".modebar").bounding_box() if chart.locator(".modebar").count() else None
    if bar:  # the plot's tool bar stands beside the plot, never over its title
        assert bar["y"] > title["y"] + title["height"] or bar["x"] > title["x"] + title["width"]
    briefing_cell = phone
    drive.open_tab(briefing_cell, "新成员入门")
    cell = phone.locator("#briefing th").first
    assert cell.bounding_box()["width"] >= 70


def test_no_request_leaves_the_machine(session):
    _, requests, _ = session
    assert requests and drive.non_local(requests) == []
