"""The gradio app: five tabs wired to library calls. `python app.py` / `make run` calls `main()`,
which serves it together with the HTTP API (assistant.api) from one process: the gradio Blocks are
mounted on the API's FastAPI app and uvicorn serves both on one port.

Offline and closed by default: binds settings.host (127.0.0.1), no tunnel, no analytics, no
external fonts; a non-loopback address needs a login (and API keys for the API). Each tab's logic
lives in the library (`Assistant`, `schools`, `calculator`, `briefing`); the helpers here only format.
"""
from __future__ import annotations

import atexit
import logging
import signal
import socket
import sys
from functools import partial
from pathlib import Path

from assistant.settings import Settings, quiet_third_parties

quiet_third_parties()  # before gradio is imported: it reads its analytics switch at import time

import gradio as gr  # noqa: E402

import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from assistant.answer import briefing  # noqa: E402
from assistant.answer.examples import example_questions  # noqa: E402
from assistant.api import create_api  # noqa: E402
from assistant.api.guard import is_loopback, keys_required  # noqa: E402
from assistant.domain.indicators import LEVELS, default_registry  # noqa: E402
from assistant.api.units.units_service import plan_regions  # noqa: E402
from assistant.index.builder import IndexMissing  # noqa: E402
from assistant.ui import calc_view, chat, docs_view, export, feedback, guards, shell, unit_view  # noqa: E402
from assistant.ui import viewer as viewer_mod  # noqa: E402
from assistant.ui.files import fresh_dir, output_root, remove_tree  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "政策助手"
CHAT_CONCURRENCY = 4  # ask() is read-only over the loaded index; a few at once keeps latency flat
CSS = """
.doc-tree details { margin-left: 1em; }
.doc-tree summary { cursor: pointer; padding: 2px 0; }
.doc-tree .section-text { white-space: pre-wrap; margin: 4px 0 8px 1em; padding: 6px 8px;
  border-left: 3px solid #90a4ae; background: rgba(144, 164, 174, 0.08); }
.doc-tree .doc-meta { color: #607d8b; margin: 2px 0 6px 1em; }
.summary-label { color: #b26a00; font-weight: 600; }
#chatbot .cite-ref { border: none; background: none; padding: 0 1px; margin: 0; font: inherit; cursor: pointer;
  color: var(--link-text-color, #2563eb); text-decoration: underline; }
#chatbot .cite-ref:focus-visible { outline: 2px solid var(--color-accent); }
#viewer-body .viewer-head { margin-bottom: 8px; }
#viewer-body .viewer-title { font-weight: 600; }
#viewer-body .viewer-meta span { margin-right: 1em; color: #455a64; }
#viewer-body .viewer-section { color: #455a64; margin-top: 2px; }
#viewer-body .viewer-note { color: #b26a00; margin-top: 2px; }
#viewer-body .viewer-text { position: relative; white-space: pre-wrap; max-height: min(480px, 60vh); overflow-y: auto;
  padding: 8px; border: 1px solid var(--border-color-primary); border-radius: 6px; line-height: 1.7; }
#viewer-body mark { background: #ffe082; color: inherit; padding: 1px 0; }
@media (max-width: 640px) {
  #viewer { position: fixed; inset: 0; z-index: 1000; margin: 0; padding: 12px; overflow-y: auto;
    flex-wrap: nowrap; background: var(--background-fill-primary); }
  #viewer-body .viewer-text { max-height: calc(100dvh - 200px); }
}
"""
CSS += docs_view.CSS + calc_view.CSS + unit_view.CSS  # the non-chat tabs' rules, kept with their views
SUPERSEDED_LABEL = "包括已被替代的文件"  # the per-question validity switch (Assistant.ask(include_superseded=))
CHAT_HEIGHT = "clamp(320px, calc(100dvh - 340px), 560px)"  # 560 px on a desktop, less on a phone
# The conversation stays in this browser's localStorage (gr.BrowserState), under a fixed key so it
# survives a restart of the app too. gradio's "encryption" key is sent to the page anyway: it hides
# nothing from whoever can read the browser's storage, and the conversation never leaves the browser
# except to this app.
CHAT_STORAGE_KEY = "policy-assistant-chat-v1"
CHAT_STORAGE_SECRET = "policy-assistant-chat-v1"
EMPTY_CHAT = {"turns": []}
SHUTDOWN_S = 5  # open event streams (gradio's heartbeats) are closed after this on Ctrl+C / SIGTERM


# ---------------------------------------------------------------- security

def launch_problem(settings: Settings) -> str | None:
    """Why the app must not start with these settings, or None."""
    user, password = bool(settings.auth_user), bool(settings.auth_password)
    if user != password:
        return "登录设置不完整：ASSISTANT_AUTH_USER 和 ASSISTANT_AUTH_PASSWORD 须同时设置。"
    if not is_loopback(settings.host) and not user:
        return (f"拒绝启动：监听地址 {settings.host} 可从其他计算机访问，必须同时设置环境变量 "
                "ASSISTANT_AUTH_USER 和 ASSISTANT_AUTH_PASSWORD 启用登录；仅本机使用请设 ASSISTANT_HOST=127.0.0.1。")
    return None


def launch_options(settings: Settings) -> dict:
    """Arguments of `gr.mount_gradio_app`. Mounted, gradio has no `share` tunnel to open at all."""
    auth = (settings.auth_user, settings.auth_password) if settings.auth_user and settings.auth_password else None
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": auth,
        "auth_message": "请输入政策助手的用户名和密码。" if auth else None,
        "max_file_size": settings.max_upload_mb * 1024 * 1024,  # gradio rejects bigger uploads itself
        "show_error": False,
        "ssr_mode": False,
        "pwa": False,
        "mcp_server": False,
        "enable_monitoring": False,
        "footer_links": ["api", "settings"],  # not the link to gradio.app
        "theme": gr.themes.Default(),  # bundled local fonts only
        "css": CSS,
        "js": shell.CLIENT_JS,  # the chat tab's [n] buttons, copy texts and scrolling; Chinese labels
        "i18n": shell.i18n(),  # the keys gradio's own zh-CN table lacks
    }


# ---------------------------------------------------------------- tabs

def _chat_tab(app: gr.Blocks, assistant, answerer, store: feedback.FeedbackStore, out_root: Path) -> None:
    def docs() -> dict:
        return assistant.index.docs  # read at each call: the index may be swapped for a rebuilt one

    saved = gr.BrowserState(EMPTY_CHAT, storage_key=CHAT_STORAGE_KEY, secret=CHAT_STORAGE_SECRET)
    copy_box = gr.Textbox(visible="hidden", elem_id="copy-texts", label="复制内容")
    cite_box = gr.Textbox(visible="hidden", elem_id="cite-request", label="引文")
    pending = gr.State("")  # the turn a 👎 reason is for
    with gr.Row(equal_height=False, elem_id="chat-row"):
        with gr.Column(scale=3, min_width=300):
            chatbot = gr.Chatbot(label="对话", height=CHAT_HEIGHT, elem_id="chatbot", autoscroll=False,
                                 feedback_options=("Like", "Dislike"), buttons=["copy"],
                                 placeholder="请在下方输入问题，或点击示例问题。")
            with gr.Row():
                box = gr.Textbox(label="问题", show_label=False, placeholder=chat.question_placeholder(assistant.index),
                                 scale=8, max_lines=4, elem_id="question", autofocus=True)
                send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
            superseded = gr.Checkbox(label=SUPERSEDED_LABEL, value=assistant.settings.include_superseded,
                                     elem_id="include-superseded", container=False)
            with gr.Group(visible=False, elem_id="feedback-reason") as reason_group:
                reason = gr.Radio(choices=list(feedback.REASONS), label="哪里不对？（可不填）", elem_id="feedback-reasons")
                comment = gr.Textbox(label="补充说明（可不填）", max_lines=4, elem_id="feedback-comment")
                with gr.Row():
                    submit_reason = gr.Button("提交", size="sm", variant="primary", elem_id="feedback-submit")
                    skip_reason = gr.Button("不用了", size="sm")
            feedback_note = gr.Markdown(elem_id="feedback-note")
            with gr.Row():
                clear = gr.Button("清空对话", size="sm", elem_id="clear-chat")
                md_file = gr.DownloadButton("导出 Markdown", size="sm", visible=False, elem_id="export-md")
                docx_file = gr.DownloadButton("导出 Word", size="sm", visible=False, elem_id="export-docx")
            gr.Markdown("**示例问题**（点击即发送）")
            examples = []
            with gr.Row():
                for group, questions in example_questions(assistant.index).items():
                    with gr.Column(min_width=240):
                        gr.Markdown(group)
                        examples += [(q, gr.Button(q, size="sm", elem_classes=["example-q"])) for q in questions]
        with gr.Column(scale=2, min_width=300, visible=False, elem_id="viewer") as viewer:
            with gr.Row(elem_id="viewer-bar"):
                gr.Markdown("### 原文")
                close = gr.Button("关闭", size="sm", scale=0, min_width=60, elem_id="viewer-close")
            passage = gr.HTML(elem_id="viewer-body")

    shown = [chatbot, saved, copy_box]

    def exports(state):
        files = export.write_exports(chat.turns_of(state), docs(), out_root)
        if files is None:
            return gr.update(visible=False, value=None), gr.update(visible=False, value=None)
        return gr.update(visible=True, value=str(files[0])), gr.update(visible=True, value=str(files[1]))

    def chat_question(message, state, with_old):  # not `ask`: that name is the public /ask endpoint's
        yield from chat.respond_stream(answerer, message, state, docs(), with_old)

    def ask_example(state, with_old, question):
        for _, *rest in chat.respond_stream(answerer, question, state, docs(), with_old):
            yield rest

    def pick_suggestion(state, with_old, evt: gr.SelectData):
        yield from ask_example(state, with_old, str(evt.value or ""))

    def after(event):
        event.then(None, js=shell.SCROLL_TO_QUESTION_JS).then(exports, [saved], [md_file, docx_file],
                                                              api_visibility="private")

    options = dict(concurrency_limit=CHAT_CONCURRENCY, concurrency_id="ask", api_visibility="private")
    for trigger in (box.submit, send.click):
        after(trigger(chat_question, [box, saved, superseded], [box, *shown], **options))
    for question, button in examples:
        after(button.click(partial(ask_example, question=question), [saved, superseded], shown, **options))
    after(chatbot.option_select(pick_suggestion, [saved, superseded], shown, **options))

    def restore(state):
        turns = chat.turns_of(state)
        return chat.chat_messages(turns, docs()), {"turns": turns}, chat.copy_texts(turns, docs()), *exports(state)

    app.load(restore, [saved], [*shown, md_file, docx_file], api_visibility="private")

    def forget():
        hidden = gr.update(visible=False, value=None)
        return [], EMPTY_CHAT, "[]", hidden, hidden, gr.update(visible=False), gr.update(visible=False), ""

    wiped = [*shown, md_file, docx_file, viewer, reason_group, feedback_note]
    clear.click(forget, None, wiped, api_visibility="private")
    chatbot.clear(forget, None, wiped, api_visibility="private")  # the chatbot's own bin button

    def rate(state, evt: gr.LikeData):
        turns = chat.turns_of(state)
        turn = chat.turn_at(turns, evt.index if isinstance(evt.index, int) else evt.index[0], docs())
        answer = chat.turn_answer(turn) if turn else None
        if answer is None:
            return gr.update(visible=False), "", ""
        liked = evt.liked
        if liked in (None, ""):  # the same thumb clicked again
            store.withdraw(turn["id"])
            return gr.update(visible=False), "", "已撤回评价。"
        rating = "up" if liked is True or liked == "Like" else "down"
        earlier = [t["question"] for t in turns[: turns.index(turn)]]
        store.rate(turn["id"], rating, question=turn["question"], answer=chat.plain_text(answer, docs()),
                   intent=answer.intent, citations=[c.to_dict() for c in answer.citations], history=earlier)
        if rating == "up":
            return gr.update(visible=False), "", "已记录 👍，谢谢反馈。"
        return gr.update(visible=True), turn["id"], "已记录 👎。可以选择原因并补充说明（可不填）。"

    chatbot.like(rate, [saved], [reason_group, pending, feedback_note], api_visibility="private")

    def explain(turn_id, why, text):
        if turn_id:
            store.explain(turn_id, why or "", text or "")
        return gr.update(visible=False), None, "", "已记录原因，谢谢反馈。"

    submit_reason.click(explain, [pending, reason, comment], [reason_group, reason, comment, feedback_note],
                        api_visibility="private")
    skip_reason.click(lambda: (gr.update(visible=False), None, "", ""), None,
                      [reason_group, reason, comment, feedback_note], api_visibility="private")

    def open_passage(ref):
        return gr.update(visible=True), viewer_mod.passage_html(assistant.index, ref)

    cite_box.change(open_passage, [cite_box], [viewer, passage], api_visibility="private").then(
        None, js=shell.SHOW_MARK_JS)
    close.click(lambda: gr.update(visible=False), None, viewer, api_visibility="private")


def _feedback_tab(store: feedback.FeedbackStore, out_root: Path):
    """The 反馈 view; returns (its load function, and the components it reads and fills) for the tab's select."""
    gr.Markdown("用户对问答回答的评价（👍/👎 及原因），保存在本机的反馈数据库中，可导出 CSV 用于下一轮评测。"
                "开启登录时只有登录用户能打开本页面；仅本机访问时即本机用户。")
    with gr.Row():
        only_down = gr.Checkbox(label="只看 👎", value=False, elem_id="feedback-only-down")
        refresh = gr.Button("刷新", size="sm", elem_id="feedback-refresh")
        download = gr.DownloadButton("导出 CSV", size="sm", elem_id="feedback-csv")
    table = gr.Dataframe(headers=feedback.TABLE_HEADER, value=[], interactive=False, wrap=True,
                         elem_id="feedback-table", label="反馈记录（最新在前）")

    def load(down: bool):
        rows = store.rows(bool(down))
        path = store.write_csv(fresh_dir(out_root) / "政策助手反馈.csv", bool(down))
        return feedback.table_rows(rows) or [[""] * len(feedback.TABLE_HEADER)], str(path)

    for event in (only_down.change, refresh.click):
        event(load, [only_down], [table, download], api_visibility="private")
    return load, only_down, table, download


def _unit_tab(assistant, out_root: Path) -> None:
    index = assistant.index
    regions = plan_regions(index)
    home = regions[0] if regions else ""
    gr.Markdown("选择您所在的单位，查看方案附件中本单位的职责（原文逐句）、方案正文中提到本单位的条款，以及本单位在工作专班中的成员。")
    # Several counties' plans indexed: each lists its own units (区财政局 is not 市财政局).
    region = gr.Dropdown(choices=regions, value=home, label="地区", elem_id="unit-region", visible=len(regions) > 1)
    units = unit_view.region_units(index, home)
    names = [u.name for u in units]
    # A search box over a list, not a filterable dropdown: gradio's dropdown did not narrow for typed
    # Chinese (住建, 财政) and emptied itself when left with text that is no choice. `change`, not
    # `input`: gradio 6's text box sends no `input` event for text a browser inserts.
    find = gr.Textbox(label="查找单位", placeholder=unit_view.search_placeholder(units), max_lines=1,
                      elem_id="unit-search")
    hint = gr.Markdown(unit_view.search_hint("", [], units), elem_id="unit-hint")
    pick = gr.Radio(choices=names, value=None, label=_pick_label(len(names)), elem_id="unit-pick")
    heading = gr.Markdown()
    duties = gr.CheckboxGroup(choices=[], label="本单位职责（原文）", elem_id="unit-duties", visible=False)
    details = gr.Markdown(elem_id="unit-details")
    download = gr.File(label="下载职责清单（Markdown）", visible=False, elem_id="unit-sheet")

    def narrow(text: str, current: str | None, place: str):
        listed = unit_view.region_units(assistant.index, place)
        found = unit_view.matching_units(listed, text)
        if len(found) == 1:
            return gr.update(choices=found, value=found[0]), unit_view.search_hint(text, found, listed)
        # The unit on show stays in the list (and on show) until another one is picked.
        kept = [u.name for u in listed if u.name in found or u.name == current]
        return gr.update(choices=kept, value=current if current in kept else None), unit_view.search_hint(text, found, listed)

    def switch(place: str):
        listed = unit_view.region_units(assistant.index, place)
        return (gr.update(value="", placeholder=unit_view.search_placeholder(listed)),
                gr.update(choices=[u.name for u in listed], value=None, label=_pick_label(len(listed))),
                unit_view.search_hint("", [], listed))

    def show(unit: str, place: str):
        view = unit_view.unit_view(assistant, unit, place)
        if view is None:
            hidden = gr.update(visible=False, value=None)
            return unit_view.NOT_FOUND if unit else "", gr.update(choices=[], value=[], visible=False), "", hidden
        path = unit_view.write_sheet(view, unit, out_root)
        return (view.heading, gr.update(choices=view.duties, value=[], visible=True), view.details,
                gr.update(value=str(path), visible=True))

    find.change(narrow, [find, pick, region], [pick, hint], api_visibility="private", show_progress="hidden")
    region.change(switch, [region], [find, pick, hint], api_visibility="private")
    pick.change(show, [pick, region], [heading, duties, details, download], api_visibility="private")


def _pick_label(count: int) -> str:
    return f"我的单位（{count}个成员单位）"


def _calc_tab(settings: Settings, out_root: Path) -> None:
    mb = settings.max_upload_mb
    registry = default_registry()
    gr.Markdown("### 学校资源配置测算")
    # First in the tab: an error is seen without scrolling, whatever the table below holds.
    status = gr.Markdown(elem_id="calc-status")
    # A file over the limit is stopped in the browser and reported here in Chinese (gradio's own check
    # would show an English toast); the size cap stays in gradio too (launch max_file_size), so an
    # oversized upload that bypasses the page is refused before it is stored.
    guard = gr.HTML("", js_on_load=calc_view.upload_guard_js(mb), elem_id="upload-guard", container=False)
    # No `file_types` here: gradio would reject other types with an English toast; our handler says
    # it in Chinese (and deletes the file).
    upload = gr.File(label=f"上传学校数据表（CSV 或 XLSX，不超过 {mb} MB）", type="filepath", elem_id="upload",
                     height=140)
    template_csv, template_xlsx = calc_view.write_templates(out_root, registry)
    with gr.Row():
        gr.DownloadButton("下载空白模板（CSV）", value=str(template_csv), size="sm", elem_id="template-csv")
        gr.DownloadButton("下载空白模板（XLSX）", value=str(template_xlsx), size="sm", elem_id="template-xlsx")
    with gr.Accordion("表格怎么填", open=False):
        gr.Markdown(calc_view.columns_help())
    table = gr.Dataframe(value=calc_view.sample_frame(), headers=calc_view.HEADERS, interactive=True,
                         label="学校数据（已填入示例数据，可直接编辑；上传文件后显示文件内容）", elem_id="school-table",
                         wrap=True)
    run = gr.Button("按上表数据测算", variant="primary", elem_id="run-table")
    results = gr.Markdown(elem_id="calc-results")
    report = gr.State(None)
    pick = gr.Dropdown(choices=calc_view.charts.indicator_choices(registry), value=registry.resource_indicators[0].key,
                       label="图表指标", elem_id="chart-pick", visible=False)
    chart = gr.Plot(show_label=False, elem_id="calc-chart", visible=False)
    with gr.Row():
        csv_out = gr.File(label="下载报告（CSV）", elem_id="report-csv")
        xlsx_out = gr.File(label="下载报告（XLSX）", elem_id="report-xlsx")

    def outputs(result: calc_view.TableResult, key: str, frame=gr.skip()):
        drawn = gr.update(value=calc_view.chart(result.report, key, registry), visible=result.report is not None)
        return (result.page_status, result.markdown, result.report, gr.update(visible=result.report is not None), drawn,
                _path(result.csv_path), _path(result.xlsx_path), frame)

    def from_upload(path, key):
        result = calc_view.evaluate_upload(path, mb, out_root)
        frame = calc_view.rows_to_frame(result.rows) if result.ok else gr.skip()
        return *outputs(result, key, frame), None  # the upload itself is already deleted

    def from_table(frame, key):
        return outputs(calc_view.evaluate_frame(frame, out_root), key)

    def refused(key, event: gr.EventData):
        data = getattr(event, "_data", None) or {}
        return outputs(calc_view.oversized(data.get("name"), data.get("size"), mb), key)

    shown = [status, results, report, pick, chart, csv_out, xlsx_out, table]
    upload.upload(from_upload, [upload, pick], [*shown, upload], api_visibility="private")
    run.click(from_table, [table, pick], shown, api_visibility="private")
    guard.click(refused, [pick], shown[:-1], api_visibility="private")
    pick.change(partial(calc_view.chart, registry=registry), [report, pick], chart, api_visibility="private")
    _target_forms()


def _path(path: Path | None) -> str | None:
    return str(path) if path else None


def _target_forms() -> None:
    # Text boxes, each starting empty: gradio's number box shows 0 when empty and sends it, so an
    # optional field would be judged as 0 (骨干 0%, 培训经费 0%). Empty is "not given" here: the form then
    # computes the minimum to budget. The calculator reads the text and names a box that holds no number.
    def box(label: str, optional: bool = False, elem_id: str | None = None) -> gr.Textbox:
        return gr.Textbox(label=label, placeholder="可不填" if optional else "必填，填数字", max_lines=1,
                          elem_id=elem_id)

    gr.Markdown("### 方案目标测算")
    with gr.Row():
        with gr.Column(elem_id="form-rotation"):
            gr.Markdown("**教师交流轮岗**")
            eligible = box("符合交流轮岗条件教师总数")
            rotated = box("交流轮岗教师数")
            backbone = box("其中骨干教师数（可不填：不填则只测算骨干教师至少应有多少）", True, "backbone")
            go = gr.Button("测算")
            out = gr.Markdown()
            go.click(calc_view.rotation_form, [eligible, rotated, backbone], out, api_visibility="private")
        with gr.Column(elem_id="form-training"):
            gr.Markdown("**教师培训经费**")
            budget = box("年度公用经费预算总额（元）")
            funds = box("教师培训经费（元，可不填：不填则计算至少应安排多少）", True, "training-funds")
            go = gr.Button("测算")
            out = gr.Markdown()
            go.click(calc_view.training_form, [budget, funds], out, api_visibility="private")
        with gr.Column(elem_id="form-admission"):
            gr.Markdown("**就近划片入学比例**")
            admission_level = gr.Radio(choices=list(LEVELS), value=LEVELS[0], label="学段（城区、镇区公办学校）")
            nearby = box("就近划片入学人数")
            total = box("招生总人数")
            go = gr.Button("测算")
            out = gr.Markdown()
            go.click(calc_view.admission_form, [admission_level, nearby, total], out, api_visibility="private")


def _docs_tab(assistant, registry) -> None:
    gr.Markdown("### 已收录的文件")
    gr.HTML(docs_view.documents_html(assistant.index), elem_id="doc-list")
    with gr.Row():
        with gr.Column(scale=1):
            gr.Markdown("### 文件目录\n点击标题展开，阅读该部分原文。")
            # Its script makes a hit's 位置 link open the tree at that section (docs_view.TREE_JS).
            gr.HTML(docs_view.tree_html(briefing.document_tree(assistant.index), assistant.index.profiles), elem_id="doc-tree",
                    js_on_load=docs_view.TREE_JS)
        with gr.Column(scale=1):
            gr.Markdown("### 全文检索")
            with gr.Row():
                query = gr.Textbox(show_label=False, placeholder="输入词语，例如：交流轮岗", scale=4, elem_id="doc-query")
                go = gr.Button("搜索", scale=1, elem_id="doc-search")
            hits = gr.HTML(elem_id="doc-hits", js_on_load=None)
            search = partial(docs_view.search_html, assistant)
            for event in (query.submit, go.click):
                event(search, [query], hits, api_visibility="private")
    with gr.Accordion("指标登记表：各项指标的目标值与出处", open=False, elem_id="indicators"):
        gr.Markdown(docs_view.indicators_markdown(briefing.indicator_rows(registry)))


def _intro_tab(assistant, registry, out_root: Path) -> None:
    brief = briefing.build_briefing(assistant.index, registry)
    if brief is None:
        gr.Markdown("索引中没有找到带文号的正式文件，无法生成入门简介。")
        return
    text = docs_view.briefing_display(briefing.briefing_markdown(brief), registry)
    gr.Markdown(text, elem_id="briefing")
    path = fresh_dir(out_root) / "新成员入门简介.md"
    path.write_text(text, encoding="utf-8")
    gr.DownloadButton("下载入门简介（Markdown）", value=str(path), elem_id="briefing-download")


def _manage_tab(assistant) -> None:
    from assistant.ui import manage_view  # the tab's own module: its components, checks and re-index

    manage_view.manage_tab(assistant)


# ---------------------------------------------------------------- app

def build_app(assistant, answerer=None) -> gr.Blocks:
    """`answerer` answers chat questions: the generative mode when configured, else `assistant`."""
    registry = default_registry()
    out_root = output_root()
    atexit.register(remove_tree, out_root)
    store = feedback.FeedbackStore(assistant.settings.feedback_path)
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(1800, 3600)) as app:
        gr.Markdown(f"# {TITLE}\n只依据已收录的政策文件作答，引文均为原文逐字摘录。")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                _chat_tab(app, assistant, answerer or assistant, store, out_root)
            with gr.Tab("我的单位", id="unit"):
                _unit_tab(assistant, out_root)
            with gr.Tab("指标测算", id="calc"):
                _calc_tab(assistant.settings, out_root)
            with gr.Tab("文件", id="docs"):
                _docs_tab(assistant, registry)
            with gr.Tab("新成员入门", id="intro"):
                _intro_tab(assistant, registry, out_root)
            with gr.Tab("文件管理", id="manage"):
                _manage_tab(assistant)
            with gr.Tab("反馈", id="feedback") as feedback_tab:
                load, only_down, table, download = _feedback_tab(store, out_root)
            feedback_tab.select(load, [only_down], [table, download], api_visibility="private")

        def ask(question: str, history: list[str] | None = None, include_superseded: bool | None = None) -> dict:
            problem = ask_input_problem(question, history, include_superseded)
            if problem:
                raise gr.Error(problem, print_exception=False)  # sent to the caller as a Chinese message
            return chat.ask_api(assistant, question, history, include_superseded)

        gr.api(ask, api_name="ask", concurrency_limit=CHAT_CONCURRENCY, concurrency_id="ask")
    return app


def ask_input_problem(question, history=None, include_superseded=None) -> str:
    """Why `/ask` cannot take these inputs (gradio passes whatever JSON the caller sent), or ""."""
    if not isinstance(question, str):
        return "参数 question 应为字符串（问题文本）"
    if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
        return "参数 history 应为字符串数组（此前的问题，按时间顺序）"
    if include_superseded is not None and not isinstance(include_superseded, bool):
        return "参数 include_superseded 应为 true 或 false（是否包括已被替代的文件）"
    return ""


def ask_call_data(data: list) -> list:
    """The raw `data` of POST /gradio_api/call/ask, checked, with the optional values filled in."""
    if not 1 <= len(data) <= 3:
        raise ValueError(f"data 应有 1–3 个值（问题，以及可选的此前问题数组、是否包括已被替代的文件），收到 {len(data)} 个")
    problem = ask_input_problem(*data)
    if problem:
        raise ValueError(problem)
    return [*data, *[None] * (3 - len(data))]


def build_server(assistant, answerer=None) -> FastAPI:
    """The API with the web app mounted at /, and the guards in front of the web app."""
    settings = assistant.settings
    server = create_api(assistant, answerer, settings)
    blocks = build_app(assistant, answerer)
    blocks.queue(default_concurrency_limit=2)
    gr.mount_gradio_app(server, blocks, path="/", **launch_options(settings))
    guards.install(server, blocks, settings, checks={"/gradio_api/call/ask": ask_call_data})
    server.add_middleware(shell.ForceChinese)  # the page in Chinese whatever the browser's language
    return server


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a taken port is reported in Chinese before anything else starts."""
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    return socket.create_server(address[:2], family=family)


def serve(server: FastAPI, settings: Settings) -> int:
    try:
        sock = bind(settings.host, settings.port)
    except OSError as exc:
        reason = exc.strerror or exc
        print(f"无法在 {settings.host}:{settings.port} 启动（端口可能已被占用，可用 ASSISTANT_PORT 换一个）：{reason}",
              file=sys.stderr)
        return 1
    config = uvicorn.Config(server, log_level="warning", access_log=False, timeout_graceful_shutdown=SHUTDOWN_S)
    runner = uvicorn.Server(config)  # stops on Ctrl+C and SIGTERM, then the exit handlers clean up
    base = f"http://{settings.host}:{settings.port}"
    login = "（需登录）" if settings.auth_user else ""
    key = "，需 API 密钥" if keys_required(settings) else ""
    print(f"政策助手已启动：{base}/{login}  API：{base}/v1（说明见 {base}/docs{key}）  按 Ctrl+C 停止", flush=True)
    if keys_required(settings) and not settings.api_keys:
        print("提示：没有设置 ASSISTANT_API_KEYS，API 在此地址上不对外开放（每个请求都返回 401）。", flush=True)
    # uvicorn re-raises the signal it stopped on once it is done: SIGTERM then ends like Ctrl+C, as an
    # exception, so the exit handlers (download folders, a local LLM server) still run.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        runner.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0 if runner.started else 1


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    quiet_third_parties()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio's own start-up probes
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"设置有误：{exc}", file=sys.stderr)
        return 2
    problem = launch_problem(settings)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from assistant.answer.service import Assistant

    try:
        assistant = Assistant.from_settings(settings)
        answerer = assistant
        if settings.llm_backend != "none":
            from assistant.llm.generative import configured_answerer

            answerer = configured_answerer(assistant, settings)
    except (IndexMissing, ValueError) as exc:  # ValueError: a bad setting, e.g. an unreachable LLM config
        print(str(exc), file=sys.stderr)
        return 1
    return serve(build_server(assistant, answerer), settings)
