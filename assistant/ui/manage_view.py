"""文件管理 tab: the documents with their profiles, and (for an authorised user) upload, mark superseded,
remove — each followed by a background re-index; the app answers from the previous index until the
new one is switched in. The corpus changes themselves are library calls (ingest/corpus_admin.py,
index/reindex.py); this module checks who may make them and formats.
"""
from __future__ import annotations

import html

import gradio as gr

from assistant.api.guard import is_loopback
from assistant.index.reindex import Reindexer, ReindexStatus
from assistant.index.store import LoadedIndex
from assistant.ingest import corpus_admin
from assistant.ingest.loaders import SUPPORTED
from assistant.ingest.profile import KINDS, STATUSES
from assistant.retrieve.scope import profiles
from assistant.settings import Settings
from assistant.ui.files import UploadRejected, take_upload

HEADERS = ["文档编号", "简称", "文号", "日期", "类别", "地区", "状态", "段数"]
KIND_NAMES = {"plan": "实施方案", "national_rule": "国家规定", "provincial_rule": "省级规定", "notice": "通知",
              "summary": "要点摘要"}
LOCAL_USER = "本机用户"
NOT_ALLOWED = "您没有管理文件的权限（请用管理员账号登录；管理员由 ASSISTANT_ADMIN_USERS 指定）。"


def document_rows(index: LoadedIndex) -> list[list]:
    """One row per corpus document (our generated summary is not managed here), newest first."""
    return [[p.doc_id, p.name, p.doc_number, p.date, KIND_NAMES.get(p.kind, p.kind), p.region, p.status, p.chunks]
            for p in profiles(index) if p.kind != "summary"]


def who_may_manage(settings: Settings, username: str | None) -> str:
    """The name a change is logged under, or "" when this user may not change the corpus."""
    if settings.admin_users:
        return username if username in settings.admin_users else ""
    if settings.auth_user:
        return username or ""
    return LOCAL_USER if is_loopback(settings.host) else ""


def progress_html(status: ReindexStatus) -> str:
    if not status.running and not status.message:
        return "<div id='reindex-status'>索引为最新。</div>"
    if status.running:
        pct = round(status.fraction * 100)
        return (f"<div id='reindex-status'>正在重新索引（{html.escape(status.stage)}）：{pct}%"
                f"<progress max='100' value='{pct}' style='width:100%'></progress>"
                "回答仍使用原索引，完成后自动切换。</div>")
    return f"<div id='reindex-status'>{html.escape(status.message)}</div>"


def _file_of(index: LoadedIndex, doc_id: str) -> str:
    doc = index.docs.get(doc_id)
    if doc is None:
        raise corpus_admin.CorpusChangeRejected(f"没有文档编号为 {doc_id} 的文件")
    return doc.path


def upload(settings: Settings, index: LoadedIndex, path: str | None, meta: dict, who: str) -> str:
    if not path:
        raise corpus_admin.CorpusChangeRejected("请先选择要上传的文件")
    try:
        data, name = take_upload(path, SUPPORTED, settings.max_upload_mb)
    except UploadRejected as exc:
        raise corpus_admin.CorpusChangeRejected(str(exc)) from None
    change = corpus_admin.add_document(settings.corpus_dir, name, data, meta, who, set(index.docs))
    return f"已加入 {change.file}（文档编号 {change.doc_id}）"


def supersede(settings: Settings, index: LoadedIndex, doc_id: str, by: str, who: str) -> str:
    if not doc_id or not by:
        raise corpus_admin.CorpusChangeRejected("请选择被替代的文件和替代它的新文件")
    change = corpus_admin.mark_superseded(settings.corpus_dir, _file_of(index, doc_id), doc_id, by, who, set(index.docs))
    return f"已将 {change.doc_id} 标记为被 {by} 替代"


def remove(settings: Settings, index: LoadedIndex, doc_id: str, confirmed: bool, who: str) -> str:
    if not doc_id:
        raise corpus_admin.CorpusChangeRejected("请选择要删除的文件")
    if not confirmed:
        raise corpus_admin.CorpusChangeRejected("请勾选“确认删除”后再删除")
    change = corpus_admin.remove_document(settings.corpus_dir, _file_of(index, doc_id), doc_id, who)
    return f"已删除 {change.file}（原文件保存在文件目录的 .removed 文件夹中）"


def manage_tab(assistant) -> None:
    """The tab's components and events; `assistant.index` is replaced when a rebuild is done."""
    settings: Settings = assistant.settings
    reindexer = Reindexer(settings, lambda index: setattr(assistant, "index", index))
    ids = [p.doc_id for p in profiles(assistant.index) if p.kind != "summary"]
    gr.Markdown("### 已收录的文件\n被替代或已废止的文件默认不参与检索（ASSISTANT_INCLUDE_SUPERSEDED=true 时参与，并在来源中标明状态）。")
    table = gr.Dataframe(value=document_rows(assistant.index), headers=HEADERS, interactive=False,
                         elem_id="manage-table")
    progress = gr.HTML(progress_html(reindexer.status()), elem_id="manage-progress")
    result = gr.Markdown(elem_id="manage-result")
    with gr.Accordion("上传新文件", open=False, elem_id="manage-upload"):
        file = gr.File(label=f"文件（{'、'.join(SUPPORTED)}，不超过 {settings.max_upload_mb} MB）", type="filepath",
                       elem_id="manage-file")
        with gr.Row():
            title = gr.Textbox(label="标题（必填）", elem_id="meta-title")
            short = gr.Textbox(label="简称", elem_id="meta-short")
            number = gr.Textbox(label="文号", elem_id="meta-number")
        with gr.Row():
            issuer = gr.Textbox(label="发文单位", elem_id="meta-issuer")
            date = gr.Textbox(label="印发日期（YYYY-MM-DD）", elem_id="meta-date")
            region = gr.Textbox(label="地区（如 曲阜市、全国、山东省）", elem_id="meta-region")
        with gr.Row():
            kind = gr.Dropdown(choices=list(KINDS), value="plan", label="类别", elem_id="meta-kind")
            status = gr.Dropdown(choices=list(STATUSES), value=STATUSES[0], label="状态", elem_id="meta-status")
            doc_id = gr.Textbox(label="文档编号（可不填，默认取文件名）", elem_id="meta-docid")
        add = gr.Button("上传并重新索引", variant="primary", elem_id="manage-add")
    with gr.Accordion("标记为被替代", open=False):
        with gr.Row():
            old = gr.Dropdown(choices=ids, label="被替代的文件", elem_id="manage-old")
            new = gr.Dropdown(choices=ids, label="替代它的新文件", elem_id="manage-new")
        mark = gr.Button("标记并重新索引", elem_id="manage-mark")
    with gr.Accordion("删除文件", open=False):
        gone = gr.Dropdown(choices=ids, label="要删除的文件", elem_id="manage-gone")
        sure = gr.Checkbox(label="确认删除", elem_id="manage-sure")
        drop = gr.Button("删除并重新索引", variant="stop", elem_id="manage-drop")
    timer = gr.Timer(1.0)

    def changed(action, request: gr.Request):
        who = who_may_manage(settings, getattr(request, "username", None) if request else None)
        if not who:
            return NOT_ALLOWED, progress_html(reindexer.status())
        try:
            message = action(who)
        except corpus_admin.CorpusChangeRejected as exc:
            return f"未做任何修改：{exc}", progress_html(reindexer.status())
        started = reindexer.start()
        tail = "；正在后台重新索引" if started else "；另一次重新索引正在进行，完成后请再次刷新"
        return message + tail, progress_html(reindexer.status())

    def on_add(path, t, s, n, i, d, r, k, st, di, request: gr.Request):
        meta = {"title": t, "short_title": s, "doc_number": n, "issuer": i, "date": d, "region": r, "kind": k,
                "status": st, "doc_id": di}
        return changed(lambda who: upload(settings, assistant.index, path, meta, who), request)

    def on_mark(o, n, request: gr.Request):
        return changed(lambda who: supersede(settings, assistant.index, o, n, who), request)

    def on_drop(g, confirmed, request: gr.Request):
        return changed(lambda who: remove(settings, assistant.index, g, confirmed, who), request)

    def tick():
        current = [p.doc_id for p in profiles(assistant.index) if p.kind != "summary"]
        choices = [gr.update(choices=current)] * 3
        return progress_html(reindexer.status()), document_rows(assistant.index), *choices

    add.click(on_add, [file, title, short, number, issuer, date, region, kind, status, doc_id], [result, progress],
              api_visibility="private")
    mark.click(on_mark, [old, new], [result, progress], api_visibility="private")
    drop.click(on_drop, [gone, sure], [result, progress], api_visibility="private")
    timer.tick(tick, None, [progress, table, old, new, gone], api_visibility="private", show_progress="hidden")
