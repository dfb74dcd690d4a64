"""The real app in a subprocess, driven by Debian's Chromium through Playwright."""
from __future__ import annotations

import pytest

from assistant.ui import screenshots as drive

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not drive.CHROMIUM.exists(), reason="/usr/bin/chromium 不存在：运行 make browser 安装 Debian 的 Chromium"),
]


@pytest.fixture(scope="module")
def app_url(built_settings):
    with drive.serve({"ASSISTANT_INDEX_DIR": str(built_settings.index_dir)}) as url:
        yield url


@pytest.fixture(scope="module")
def session(app_url):
    """One browser page for the whole walk-through, with every request it made."""
    requests: list[str] = []
    dialogs: list[str] = []
    with drive.browser_page(requests) as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        drive.open_app(page, app_url)
        yield page, requests, dialogs


def download(page, component: str, name: str) -> bytes:
    """Fetch a file offered for download, as the browser would (same session, same server)."""
    link = page.locator(f'{component} a[download="{name}"]')
    link.wait_for(timeout=30_000)
    response = page.request.get(link.get_attribute("href"))
    assert response.ok, response.status
    return response.body()


def test_chat_shows_a_verbatim_source(session, tmp_path):
    page, _, _ = session
    drive.ask(page, "市财政局负责什么？", "来源[1] 附件 二（九）市财政局")
    content = drive.open_source(page, "来源[1] 附件 二（九）市财政局")
    assert "经费保障机制" in content.inner_text()
    page.screenshot(path=str(tmp_path / "chat.png"))


def test_follow_up_question(session, tmp_path):
    page, _, _ = session
    drive.ask(page, "那交通运输局呢？", "附件 二（十七）市交通运输局")
    assert page.locator("#chatbot .thought-group", has_text="市交通运输局").count() >= 1
    page.screenshot(path=str(tmp_path / "follow-up.png"))


def test_script_is_shown_as_text_and_never_runs(session):
    page, _, dialogs = session
    drive.ask(page, "<script>alert(1)</script>", "<script>alert(1)</script>")
    user = page.locator('#chatbot [data-testid="user"]').last
    assert user.inner_text().strip() == "<script>alert(1)</script>"
    assert page.locator("#chatbot script").count() == 0
    assert dialogs == []


def test_calculator_upload_shows_table_and_chart(session, tmp_path):
    page, _, _ = session
    drive.upload_schools(page)
    assert "已读取" in page.locator("#calc-status").inner_text()
    results = page.locator("#calc-results")
    assert results.locator("table").count() >= 4  # per-school and 差异系数 tables for both levels
    text = results.inner_text()
    assert "示例小学A（虚构）" in text and "差异系数" in text
    chart = page.locator("#calc-chart img")
    assert chart.evaluate("img => img.naturalWidth") > 300
    report = download(page, "#report-csv", "学校指标测算报告.csv").decode("utf-8-sig")
    assert report.startswith("学段,学校名称,在校生数") and "示例小学A（虚构）" in report
    page.screenshot(path=str(tmp_path / "calculator.png"), full_page=True)
    page.click("#run-table")  # the table in the page (now holding the upload) goes the same way
    page.locator("#calc-status", has_text="页面表格").wait_for(timeout=30_000)
    assert "示例初中E（虚构）" in results.inner_text()


def test_bad_uploads_show_a_chinese_message(session, tmp_path):
    page, _, _ = session
    drive.open_tab(page, "指标测算")
    status = page.locator("#calc-status")
    wrong = tmp_path / "报告.pdf"
    wrong.write_bytes(b"%PDF-1.4")
    page.set_input_files("#upload input[type=file]", str(wrong))
    status.filter(has_text="类型不支持").wait_for(timeout=30_000)
    broken = tmp_path / "学校.csv"
    broken.write_text("学校名称,学段\n示例小学,小学\n", encoding="utf-8")
    page.set_input_files("#upload input[type=file]", str(broken))
    status.filter(has_text="缺少必需的列").wait_for(timeout=30_000)
    assert "Traceback" not in page.content()


def test_my_unit_for_the_police(session, tmp_path):
    page, _, _ = session
    drive.open_unit(page, "市公安局")
    duties = page.locator("#unit-duties").inner_text()
    assert "平安校园" in duties and "校车安全管理" in duties
    sheet = download(page, "#unit-sheet", "市公安局职责清单.md").decode("utf-8")
    assert sheet.startswith("# 市公安局工作职责清单") and "平安校园" in sheet
    page.screenshot(path=str(tmp_path / "my-unit.png"))


def test_documents_tab_reads_a_section(session):
    page, _, _ = session
    drive.open_section(page, "附件", "二、工作专班工作职责", "（九）市财政局")
    assert page.locator("#doc-tree .section-text", has_text="经费保障机制").first.is_visible()


def test_no_request_leaves_the_machine(session):
    _, requests, _ = session
    assert requests, "the page made no request at all"
    assert drive.non_local(requests) == []
