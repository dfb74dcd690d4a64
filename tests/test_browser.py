"""The real app in a subprocess, driven by Debian's Chromium through Playwright."""
from __future__ import annotations

import json
import re
import sqlite3
import time
from contextlib import contextmanager

import pytest

from assistant.ui import screenshots as drive

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not drive.CHROMIUM.exists(), reason="/usr/bin/chromium 不存在：运行 make browser 安装 Debian 的 Chromium"),
]


FEEDBACK_DBS: dict[str, object] = {}  # app URL -> its feedback file


@pytest.fixture(scope="module")
def app_url(built_settings, tmp_path_factory):
    """The app in a subprocess, with a feedback file of its own (tests/test_browser_views.py imports
    this fixture and `session`: both need only conftest's fixtures)."""
    feedback_db = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    with drive.serve({"ASSISTANT_INDEX_DIR": str(built_settings.index_dir),
                      "ASSISTANT_FEEDBACK_DB": str(feedback_db)}) as url:
        FEEDBACK_DBS[url] = feedback_db
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


@pytest.fixture(scope="module")
def feedback_db(app_url):
    return FEEDBACK_DBS[app_url]


@pytest.fixture(scope="module")
def chromium(session):
    """The walk-through's Chromium: other pages open their own context in it (storage, locale, screen)."""
    return session[0].context.browser


@contextmanager
def page_in(browser, url: str, locale: str = "zh-CN", viewport: dict | None = None, clipboard: bool = False):
    context = browser.new_context(viewport=viewport or drive.VIEWPORT, locale=locale, accept_downloads=True)
    try:
        if clipboard:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
        page = context.new_page()
        drive.open_app(page, url)
        yield page
    finally:
        context.close()


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
    assert page.locator("#calc-chart .js-plotly-plot").count() == 1  # the interactive chart
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


# ---------------------------------------------------------------- issue 13: the chat tab

FEEDBACK_QUESTION = "专班组长是谁？"
CALCULATION = "我们小学有学生850人，音体美专任教师7人，达标吗？"
ENGLISH = re.compile(r"[A-Za-z][A-Za-z._-]{2,}")
# Words that are names, not interface language: file formats and the product names we offer.
ALLOWED_WORDS = {"CSV", "TSV", "XLSX", "API", "Markdown", "Word", "MCP", "OCR", "OFD", "PDF", "DOCX"}


@pytest.fixture(scope="module")
def chat_page(chromium, app_url):
    with page_in(chromium, app_url, clipboard=True) as page:
        yield page


def last_answer(page):
    return page.locator("#chatbot .message-row.bot-row").last


def test_clicking_a_citation_highlights_its_exact_passage(chat_page, assistant):
    expected = assistant.ask("市财政局负责什么？").citations[0]
    drive.ask(chat_page, "市财政局负责什么？", "来源[1]")
    last_answer(chat_page).locator(".cite-ref", has_text="[1]").first.click()
    mark = chat_page.locator("#viewer-body mark#cite-mark")
    mark.wait_for(timeout=30_000)
    assert mark.text_content() == expected.quote
    head = chat_page.locator("#viewer-body .viewer-head").inner_text()
    assert "曲政办字〔2024〕17号" in head and "2024-09-03" in head and "（九）市财政局" in head
    # scrolled to the passage: the scroll runs just after the viewer renders, so wait for it, bounded
    chat_page.wait_for_function(
        "() => { const b = document.getElementById('viewer-text').getBoundingClientRect();"
        " const m = document.getElementById('cite-mark').getBoundingClientRect();"
        " return b.top <= m.top && m.top < b.bottom; }", timeout=10_000)
    chat_page.click("#viewer-close")
    chat_page.locator("#viewer").wait_for(state="hidden", timeout=10_000)


def test_a_source_panel_also_opens_its_passage(chat_page, assistant):
    expected = assistant.ask("市财政局负责什么？").citations[1]
    content = drive.open_source(chat_page, "来源[2]")
    content.locator(".cite-ref").click()
    chat_page.locator("#viewer-body mark", has_text=expected.quote).wait_for(timeout=30_000)
    assert chat_page.locator("#viewer-body mark").text_content() == expected.quote
    chat_page.click("#viewer-close")


def test_copy_gives_clean_text_with_numbered_sources(chat_page):
    drive.ask(chat_page, CALCULATION, "来源[2]")
    button = last_answer(chat_page).locator("xpath=following-sibling::div[contains(@class,'message-buttons')][1]") \
        .locator("button[title^='复制']")
    assert button.get_attribute("title") == "复制回答（含来源）"  # a Chinese tooltip
    button.click()
    time.sleep(0.5)
    text = chat_page.evaluate("() => navigator.clipboard.readText()")
    assert "0.82 < 0.9" in text and "\\" not in text and "&lt;" not in text and "&quot;" not in text
    assert "**" not in text and "<button" not in text
    assert "\n[1] 《曲阜市创建全国义务教育优质均衡发展市工作实施方案》（曲政办字〔2024〕17号" in text
    assert "（二）强化教师队伍管理" in text and "check_resource_indicator" not in text


def test_calculation_steps_once_and_internals_behind_a_toggle(chat_page):
    answer = last_answer(chat_page)
    assert answer.inner_text().count("7 ÷ 850 × 100") == 1
    assert "check_resource_indicator" not in answer.inner_text()
    assert '"indicator"' not in answer.inner_text()
    details = answer.locator(".thought-group", has_text="技术细节")
    details.locator(".title").click()
    details.locator(".content").wait_for(timeout=10_000)
    assert "check_resource_indicator" in details.inner_text()
    assert answer.inner_text().count("7 ÷ 850 × 100") == 1  # not in the details either


def test_thumbs_down_with_a_reason_writes_a_row(chat_page, feedback_db):
    drive.ask(chat_page, FEEDBACK_QUESTION, "来源[1]")
    bar = last_answer(chat_page).locator("xpath=following-sibling::div[contains(@class,'message-buttons')][1]")
    bar.locator("button[aria-label='踩']").click()
    chat_page.locator("#feedback-reasons").wait_for(timeout=30_000)
    chat_page.get_by_label("引用不对").check()
    chat_page.fill("#feedback-comment textarea", "应引用专班名单原文")
    chat_page.click("#feedback-submit")
    chat_page.locator("#feedback-note", has_text="已记录原因").wait_for(timeout=30_000)
    with sqlite3.connect(feedback_db) as conn:
        rows = conn.execute("SELECT rating, reason, comment, question, intent, citations, answer FROM feedback").fetchall()
    assert len(rows) == 1
    rating, reason, comment, question, intent, citations, answer = rows[0]
    assert (rating, reason, comment, question) == ("down", "引用不对", "应引用专班名单原文", FEEDBACK_QUESTION)
    assert intent and json.loads(citations)[0]["quote"] and "来源" in answer


def test_thumbs_up_writes_a_row_and_the_feedback_view_filters_and_exports(chat_page, feedback_db, tmp_path):
    answers = chat_page.locator("#chatbot .message-row.bot-row")
    first = answers.nth(0).locator("xpath=following-sibling::div[contains(@class,'message-buttons')][1]")
    first.locator("button[aria-label='赞']").click()
    chat_page.locator("#feedback-note", has_text="👍").wait_for(timeout=30_000)
    with sqlite3.connect(feedback_db) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT rating FROM feedback")) == ["down", "up"]
    drive.open_tab(chat_page, "反馈")
    table = chat_page.locator("#feedback-table")
    chat_page.wait_for_function("() => document.querySelector('#feedback-table').innerText.includes('市财政局负责什么？')",
                                timeout=30_000)
    assert FEEDBACK_QUESTION in table.inner_text()
    chat_page.locator("#feedback-only-down input").check()
    chat_page.wait_for_function("() => !document.querySelector('#feedback-table').innerText.includes('市财政局负责什么？')",
                                timeout=30_000)
    assert FEEDBACK_QUESTION in table.inner_text()
    with chat_page.expect_download() as info:
        chat_page.click("#feedback-csv")
    path = tmp_path / "feedback.csv"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("时间,评价,原因") and "引用不对" in text and "👎" in text and "👍" not in text
    drive.open_tab(chat_page, "问答")


def test_the_conversation_exports_as_markdown_and_word(chat_page, tmp_path):
    import docx

    with chat_page.expect_download() as info:
        chat_page.click("#export-md")
    md = tmp_path / "chat.md"
    info.value.save_as(md)
    text = md.read_text(encoding="utf-8")
    assert "## 1. 市财政局负责什么？" in text and f"## 3. {FEEDBACK_QUESTION}" in text
    assert "[1] 《曲阜市创建全国义务教育优质均衡发展市工作实施方案》（曲政办字〔2024〕17号，2024-09-03） 附件 › 二、工作专班工作职责 › （九）市财政局" in text
    with chat_page.expect_download() as info:
        chat_page.click("#export-docx")
    word = tmp_path / "chat.docx"
    info.value.save_as(word)
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert "1. 市财政局负责什么？" in paragraphs
    assert any(p.startswith("[1] 《曲阜市创建全国义务教育优质均衡发展市工作实施方案》（曲政办字〔2024〕17号") for p in paragraphs)


def test_a_reload_keeps_the_conversation(chat_page):
    before = chat_page.locator('#chatbot [data-testid="user"]').all_inner_texts()
    assert len(before) == 3
    chat_page.reload()
    drive.open_app(chat_page, chat_page.url)
    chat_page.wait_for_function("n => document.querySelectorAll('#chatbot [data-testid=\"user\"]').length === n",
                                arg=len(before), timeout=30_000)
    assert chat_page.locator('#chatbot [data-testid="user"]').all_inner_texts() == before
    # …and the reloaded answers still open their sources and carry on the conversation
    drive.ask(chat_page, "那交通运输局呢？", "市交通运输局")
    last_answer(chat_page).locator(".cite-ref").first.click()
    chat_page.locator("#viewer-body mark").wait_for(timeout=30_000)
    chat_page.click("#viewer-close")


def test_an_example_question_is_sent_on_click(chat_page):
    turns = chat_page.locator('#chatbot [data-testid="user"]').count()
    chat_page.locator(".example-q", has_text="专班办公室设在哪里？").click()
    chat_page.wait_for_function("n => document.querySelectorAll('#chatbot [data-testid=\"user\"]').length > n",
                                arg=turns, timeout=30_000)
    assert chat_page.locator('#chatbot [data-testid="user"]').last.inner_text().strip() == "专班办公室设在哪里？"
    assert "市教体局" in last_answer(chat_page).inner_text()


def test_a_suggested_follow_up_is_a_chip_that_sends_it(chat_page, assistant):
    question = "市公安局负责什么？"
    suggestions = assistant.ask(question).suggestions
    if not suggestions:
        pytest.skip("the answer layer gives no follow-up suggestions for this question yet")
    drive.ask(chat_page, question, "来源[1]")
    chip = chat_page.locator("#chatbot").get_by_role("button", name=suggestions[0], exact=True)
    chip.wait_for(timeout=30_000)
    turns = chat_page.locator('#chatbot [data-testid="user"]').count()
    chip.click()
    chat_page.wait_for_function("n => document.querySelectorAll('#chatbot [data-testid=\"user\"]').length > n",
                                arg=turns, timeout=30_000)
    assert chat_page.locator('#chatbot [data-testid="user"]').last.inner_text().strip() == suggestions[0]


def test_clearing_forgets_the_conversation_after_a_reload(chat_page):
    chat_page.click("#clear-chat")
    chat_page.wait_for_function("() => document.querySelectorAll('#chatbot [data-testid=\"user\"]').length === 0",
                                timeout=30_000)
    chat_page.reload()
    drive.open_app(chat_page, chat_page.url)
    time.sleep(2)
    assert chat_page.locator('#chatbot [data-testid="user"]').count() == 0


def english_words(page) -> set[str]:
    """English words a user can see or a screen reader can hear: visible text, labels, tooltips."""
    texts = page.evaluate("""() => {
      const out = [document.body.innerText];
      for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
        if (!el.getClientRects().length) continue;
        for (const name of ['aria-label', 'title', 'placeholder', 'alt']) out.push(el.getAttribute(name) || '');
      }
      for (const el of document.querySelectorAll('[aria-live], .sr-only')) out.push(el.textContent || '');
      return out;
    }""")
    return {w for t in texts for w in ENGLISH.findall(t or "")} - ALLOWED_WORDS


def test_an_english_browser_gets_a_chinese_app(chromium, app_url):
    with page_in(chromium, app_url, locale="en-US") as page:
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        drive.ask(page, "市财政局负责什么？", "来源[1]")
        found = {"问答": english_words(page)}
        for tab in ("我的单位", "指标测算", "文件", "新成员入门", "反馈"):
            drive.open_tab(page, tab)
            time.sleep(1)
            found[tab] = english_words(page)
        english = {tab: sorted(words) for tab, words in found.items() if words}
        assert not english, json.dumps(english, ensure_ascii=False)
        heard = page.evaluate("() => [...document.querySelectorAll('[aria-live], [role=status], .sr-only')]"
                              ".map(e => e.textContent).join(' ') + document.body.innerText")
        assert "common." not in heard  # gradio's untranslated key, read out by screen readers


def test_on_a_phone_the_chat_fits_and_a_long_answer_opens_at_its_start(chromium, app_url):
    with page_in(chromium, app_url, viewport={"width": 390, "height": 844}) as page:
        chatbot = page.locator("#chatbot").bounding_box()
        assert chatbot["height"] < 560
        question = page.locator("#question textarea").bounding_box()
        assert question["y"] + question["height"] <= 844  # the question box is on the first screen
        drive.ask(page, "这个方案是什么文件？", "来源[11]")
        time.sleep(1)
        row = page.locator("#chatbot .message-row.user-row").last.bounding_box()
        top = page.locator("#chatbot").bounding_box()["y"]
        assert top - 1 <= row["y"] <= top + 120, (row, top)  # the new question at the top, its answer below
        page.locator("#chatbot .cite-ref").first.click()
        viewer = page.locator("#viewer")
        viewer.locator("mark").wait_for(timeout=30_000)
        box = viewer.bounding_box()
        assert box["width"] >= 380 and box["x"] <= 1  # the viewer covers the phone screen
        mark = viewer.locator("mark").bounding_box()
        assert 0 <= mark["x"] and mark["x"] + mark["width"] <= 390 and 0 <= mark["y"] < 844  # and shows the passage
        page.click("#viewer-close")


# ---------------------------------------------------------------- many documents side by side (issue 12)

@pytest.fixture(scope="module")
def multidoc_page(multidoc_settings, chromium, tmp_path_factory):
    """The app over four documents (two regions' plans, one superseded version), in its own page."""
    feedback_db = tmp_path_factory.mktemp("feedback-multidoc") / "feedback.sqlite3"
    with drive.serve({"ASSISTANT_INDEX_DIR": str(multidoc_settings.index_dir),
                      "ASSISTANT_FEEDBACK_DB": str(feedback_db)}) as url:
        with page_in(chromium, url) as page:
            yield page


def test_the_superseded_switch_answers_from_the_old_plan_only_when_on(multidoc_page):
    page = multidoc_page
    question = "汶河区2023年方案里的工作目标是什么"
    switch = page.get_by_label("包括已被替代的文件", exact=True)
    assert not switch.is_checked()  # settings.include_superseded is off
    drive.ask(page, question, "已被《汶河区2024方案》替代")
    answer = page.locator("#chatbot .message-row").filter(has_text="工作目标").last.inner_text()
    assert "您问到的《汶河区2023方案》已被《汶河区2024方案》替代" in answer
    current = page.locator("#chatbot .thought-group", has_text="来源[1]").last
    current.locator(".title").click()
    assert "汶政办字〔2024〕23号" in current.locator(".content").inner_text()
    switch.check()
    drive.ask(page, question, "该文件已被《汶河区2024方案》替代")
    sources = page.locator("#chatbot .thought-group", has_text="来源[1]").last
    sources.locator(".title").click()
    text = sources.locator(".content").inner_text()
    assert "汶政办字〔2023〕31号" in text and "被替代" in text
    switch.uncheck()


def test_the_documents_tab_lists_date_and_status(multidoc_page):
    page = multidoc_page
    drive.open_tab(page, "文件")
    rows = page.locator("#doc-list tbody tr")
    rows.first.wait_for(timeout=10_000)
    texts = rows.all_inner_texts()
    assert any("汶河区2023方案" in t and "2023-06-12" in t and "被替代（被《汶河区2024方案》替代）" in t
               and "有效期至2024-10-14" in t for t in texts), texts
    assert any("曲阜市优质均衡实施方案" in t and "2024-09-03" in t and "现行有效" in t for t in texts), texts


def test_the_unit_tab_lists_each_regions_own_units(multidoc_page):
    page = multidoc_page
    drive.open_tab(page, "我的单位")
    region = page.locator("#unit-region")
    region.wait_for(timeout=10_000)
    assert page.locator("#unit-pick label").count() == 21  # the home plan's
    region.locator("input").click()
    page.get_by_role("option", name="汶河区", exact=True).click()
    page.locator("#unit-pick label", has_text="区政府办公室").wait_for(timeout=30_000)
    assert page.locator("#unit-pick label").count() == 20
    drive.open_unit(page, "区财政局", typed="财政")
    heading = page.get_by_text("依据：《汶河区创建全国义务教育优质均衡发展区工作实施方案》").first
    heading.wait_for(timeout=30_000)
