"""Hostile data in the web page (issue 16, items 3 and 7, and the chart item of 16).

School names and document text are data: they render as the characters they are, never as an image,
a link or a formula, and a chart never fails on them. Big tables are capped, paged and charted for a
bounded number of schools. Checked on the markdown we hand to gradio (rendered with markdown-it) and,
for real, in Chromium against the running app: no request leaves the machine.
"""
from __future__ import annotations

import csv
import html
import io
import re
import shutil
import time

import pytest
from markdown_it import MarkdownIt

from assistant.domain.indicators import default_registry
from assistant.index.builder import build_index
from assistant.ui import calc_view, chat
from assistant.ui.calc_view import MAX_TABLE_SCHOOLS
from assistant.ui.charts import MAX_CHART_SCHOOLS
from assistant.ui.screenshots import CHROMIUM
from tests.test_index import clone_index

HEADER = "学校名称,学段,在校生数,高于规定学历教师数,县级以上骨干教师数,体育艺术专任教师数,教学及辅助用房面积,体育运动场馆面积,教学仪器设备值,网络多媒体教室数"
EVIL = "evil.example"
HOSTILE_NAMES = [
    f"![x](http://{EVIL}/track.png)", f"[点我](http://{EVIL}/phish)", f"<http://{EVIL}/auto>",
    f'<img src="http://{EVIL}/raw.png">', f"http://{EVIL}/bare", f"www.{EVIL}", r"$\undefinedcommand$",
    "**粗体**学校", "第一小学\n| 伪造 | 行 |",
]
DOC_TEXT = ("校车接送管理办法\n第一章 总则\n"
            f"第一条 校车接送管理的要求见图 ![图](http://{EVIL}/doc.png) 和 [通知原文](http://{EVIL}/doc-phish)，"
            f"也可访问 http://{EVIL}/doc-bare 或 www.{EVIL} 查询。\n"
            "第二条 校车接送管理由学校负责，每学期检查一次。\n")
DOC_QUESTION = "校车接送管理有什么要求？"
RENDER = MarkdownIt("commonmark").enable("table")


def table(names: list[str], level: str = "小学") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    for name in names:
        writer.writerow([name, level, 1000, 42, 10, 9, 4500, 7500, 2000000, 23])
    return out.getvalue().encode("utf-8")


def rendered(markdown: str) -> str:
    return RENDER.render(markdown)


def assert_inert(markdown: str) -> None:
    """No element that fetches or links anything, and no URL left whole for gradio's linkifier (which
    markdown-it here does not have): in the source every scheme and "www." carries a backslash."""
    page = rendered(markdown)
    assert "<img" not in page and "<a " not in page and "<script" not in page, page
    assert not re.search(r"(?i)(https?://|www\.)" + re.escape(EVIL), markdown), markdown


def visible_text(markdown: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered(markdown)))


# ---------------------------------------------------------------- 3. names from an uploaded table

@pytest.fixture(scope="module")
def hostile_result(tmp_path_factory):
    return calc_view.evaluate_bytes(table(HOSTILE_NAMES), "学校.csv", tmp_path_factory.mktemp("out"))


def test_school_names_render_as_text_never_as_images_links_or_rows(hostile_result):
    assert hostile_result.ok, hostile_result.status
    assert_inert(hostile_result.markdown)
    assert_inert(hostile_result.status)
    text = visible_text(hostile_result.markdown)
    for name in HOSTILE_NAMES:
        assert name.replace("\n", " ").replace("|", "/") in text  # shown, character for character
    school_rows = [ln for ln in hostile_result.markdown.splitlines() if re.search(r"\| \d/7 \| \S+ \|$", ln)]
    assert len(school_rows) == len(HOSTILE_NAMES)  # the newline in a name did not forge a row


def test_the_chart_draws_every_name_literally(hostile_result):
    """plotly reads <a>, <b> and <br> in labels and typesets $…$: a name is escaped and never ends in $."""
    figure = calc_view.chart(hostile_result.report)
    labels = [label.replace("<br>", "") for trace in figure.data if trace.type == "bar" for label in trace.y]
    assert any(label.startswith(r"$\undefinedcommand$") for label in labels)
    assert not any("<a" in label or "<img" in label or label.endswith("$") for label in labels)


# ---------------------------------------------------------------- 7. big tables

@pytest.fixture(scope="module")
def big_result(tmp_path_factory):
    names = [f"学校{i:03d}" for i in range(MAX_TABLE_SCHOOLS + 20)]
    return names, calc_view.evaluate_bytes(table(names), "学校.csv", tmp_path_factory.mktemp("big"))


def test_the_chart_shows_a_bounded_number_of_schools(big_result):
    names, result = big_result
    figure = calc_view.chart(result.report)
    assert sum(len(trace.y) for trace in figure.data if trace.type == "bar") == MAX_CHART_SCHOOLS
    assert f"前 {MAX_CHART_SCHOOLS} 所" in figure.layout.title.text and str(len(names)) in figure.layout.title.text


def test_the_page_lists_a_bounded_number_of_schools_and_the_downloads_all(big_result):
    names, result = big_result
    rows = [ln for ln in result.markdown.splitlines() if re.match(r"\| 学校\d{3} \|", ln)]
    assert len(rows) == MAX_TABLE_SCHOOLS
    assert f"只列出前 {MAX_TABLE_SCHOOLS} 所学校，共 {len(names)} 所" in result.markdown
    with open(result.csv_path, encoding="utf-8-sig", newline="") as handle:
        written = {row[1] for row in csv.reader(handle) if len(row) > 1}
    assert set(names) <= written


# ---------------------------------------------------------------- 3. text of a document

@pytest.fixture(scope="module")
def linked_doc_settings(built_settings, tmp_path_factory):
    """The shipped corpus plus a document whose text carries an image, links and bare URLs."""
    from assistant.settings import REPO_ROOT

    root = tmp_path_factory.mktemp("linked")
    shutil.copytree(REPO_ROOT / "corpus", root / "corpus")
    (root / "corpus" / "bus.txt").write_text(DOC_TEXT, encoding="utf-8")
    settings = clone_index(built_settings, root / "index", corpus_dir=root / "corpus")
    build_index(settings, progress=False)
    return settings


def test_an_answer_quoting_a_document_with_links_renders_no_link(linked_doc_settings):
    from assistant.answer.service import Assistant

    answer = Assistant.from_settings(linked_doc_settings).ask(DOC_QUESTION)
    assert any(EVIL in c.quote for c in answer.citations), answer.answer  # the text really is quoted
    for message in chat.answer_messages(answer):
        assert_inert(message["content"])
    body = visible_text(chat.answer_messages(answer)[0]["content"])
    assert "校车接送" in body


def test_a_source_title_from_a_hostile_heading_is_text(linked_doc_settings):
    """gradio renders message titles as markdown; a label can carry a document's own heading text."""
    from dataclasses import replace

    from assistant.answer.service import Assistant

    citation = Assistant.from_settings(linked_doc_settings).ask(DOC_QUESTION).citations[0]
    hostile = replace(citation, label=f"附件 二（九）[点我](http://{EVIL}/title)")
    assert_inert(chat.source_message(1, hostile)["metadata"]["title"])


# ---------------------------------------------------------------- the same, in Chromium

@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium 不存在：运行 make browser 安装 Debian 的 Chromium")
def test_in_the_browser_nothing_hostile_is_fetched_or_linked(linked_doc_settings, tmp_path):
    from assistant.ui import screenshots as drive

    upload = tmp_path / "学校.csv"
    upload.write_bytes(table(HOSTILE_NAMES))
    requests: list[str] = []
    with drive.serve({"ASSISTANT_INDEX_DIR": str(linked_doc_settings.index_dir),
                      "ASSISTANT_CORPUS_DIR": str(linked_doc_settings.corpus_dir)}) as url:
        with drive.browser_page(requests) as page:
            drive.open_app(page, url)
            drive.ask(page, DOC_QUESTION, "校车接送")
            drive.ask(page, HOSTILE_NAMES[0] + " " + HOSTILE_NAMES[1], "点我")
            drive.open_tab(page, "指标测算")
            page.set_input_files("#upload input[type=file]", str(upload))
            page.locator("#calc-results table").first.wait_for(timeout=60_000)
            time.sleep(1)  # let the browser fetch whatever the page asks for
            links = page.eval_on_selector_all("a[href], img[src]", "els => els.map(e => e.href || e.src)")
            assert [u for u in requests if EVIL in u] == []
            assert [u for u in links if EVIL in u] == []
            assert "undefinedcommand" in page.locator("#calc-results").inner_text()
            page.locator("#calc-chart .js-plotly-plot").wait_for(timeout=60_000)  # the chart drew the names
            page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    assert drive.non_local(requests) == []
