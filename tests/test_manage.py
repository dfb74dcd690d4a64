"""文件管理: corpus changes (all or nothing, logged), who may make them, and the background re-index
that switches the running app to the new index only when it is complete. Documents written here are
fictional (虚构)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from gradio.utils import get_upload_folder

from assistant.answer import compose
from assistant.index.builder import build_index
from assistant.index.reindex import Reindexer
from assistant.index.store import open_index
from assistant.ingest import corpus_admin
from assistant.ingest.corpus_admin import CorpusChangeRejected
from assistant.settings import Settings
from assistant.ui import manage_view

NEW_PLAN = """泗河县创建全国义务教育优质均衡发展县工作实施方案（虚构）
一、总体目标
力争2027年通过国家评估认定。
二、重点任务
（一）改善办学条件
1. 每年改扩建农村寄宿制学校2所以上。
附件
二、工作专班工作职责
（一）县交通运输局
开通农村学生上下学专线公交。
"""
META = {"title": "泗河县创建全国义务教育优质均衡发展县工作实施方案", "short_title": "泗河县方案", "doc_number": "泗政办字〔2025〕8号",
        "issuer": "泗河县人民政府办公室", "date": "2025-03-01", "kind": "plan", "region": "泗河县"}


def test_add_document_writes_file_sidecar_and_log(corpus_copy):
    change = corpus_admin.add_document(corpus_copy, "sihe-plan.txt", NEW_PLAN.encode(), META, "jyj")
    assert (corpus_copy / "sihe-plan.txt").read_text(encoding="utf-8") == NEW_PLAN
    assert json.loads((corpus_copy / "sihe-plan.meta.json").read_text(encoding="utf-8"))["doc_number"] == "泗政办字〔2025〕8号"
    (logged,) = corpus_admin.read_changes(corpus_copy)
    assert (logged.who, logged.what, logged.doc_id, logged.file) == ("jyj", "add", "sihe-plan", "sihe-plan.txt")
    assert logged == change and logged.when


@pytest.mark.parametrize("name, data, meta, message", [
    ("empty.txt", b"  ", META, "文件为空"),
    ("sheet.xlsx", b"x", META, "不支持的文件类型"),
    ("ok.txt", NEW_PLAN.encode(), {**META, "date": "2025年3月1日"}, "YYYY-MM-DD"),
    ("ok.txt", NEW_PLAN.encode(), {**META, "kind": "official-ish"}, "文件类别"),
    ("ok.txt", NEW_PLAN.encode(), {**META, "title": " "}, "标题"),
    ("qufu-2024-17-plan.txt", NEW_PLAN.encode(), META, "同名文件"),
    ("../escape.txt", NEW_PLAN.encode(), META, None),
])
def test_refused_uploads_change_nothing(corpus_copy, name, data, meta, message):
    before = sorted(p.name for p in corpus_copy.iterdir())
    if message is None:  # a path in the name is dropped: the file lands in the corpus as escape.txt
        corpus_admin.add_document(corpus_copy, name, data, meta, "jyj")
        assert (corpus_copy / "escape.txt").is_file() and not (corpus_copy.parent / "escape.txt").exists()
        return
    with pytest.raises(CorpusChangeRejected, match=message):
        corpus_admin.add_document(corpus_copy, name, data, meta, "jyj")
    assert sorted(p.name for p in corpus_copy.iterdir()) == before  # no staging folder, no log line


def test_mark_superseded_and_remove(corpus_copy):
    corpus_admin.add_document(corpus_copy, "sihe-plan.txt", NEW_PLAN.encode(), META, "jyj")
    corpus_admin.mark_superseded(corpus_copy, "qufu-2024-17-plan.txt", "qufu-2024-17-plan", "sihe-plan", "jyj",
                                 {"qufu-2024-17-plan", "sihe-plan"})
    meta = json.loads((corpus_copy / "qufu-2024-17-plan.meta.json").read_text(encoding="utf-8"))
    assert (meta["status"], meta["superseded_by"], meta["doc_number"]) == ("被替代", "sihe-plan", "曲政办字〔2024〕17号")
    with pytest.raises(CorpusChangeRejected, match="没有文档编号"):
        corpus_admin.mark_superseded(corpus_copy, "sihe-plan.txt", "sihe-plan", "nope", "jyj", {"sihe-plan"})
    corpus_admin.remove_document(corpus_copy, "sihe-plan.txt", "sihe-plan", "jyj")
    assert not (corpus_copy / "sihe-plan.txt").exists() and not (corpus_copy / "sihe-plan.meta.json").exists()
    kept = list((corpus_copy / corpus_admin.REMOVED).glob("*/sihe-plan.txt"))
    assert len(kept) == 1
    assert [c.what for c in corpus_admin.read_changes(corpus_copy)] == ["add", "supersede", "remove"]


def test_who_may_manage():
    local = Settings()
    assert manage_view.who_may_manage(local, None) == manage_view.LOCAL_USER
    assert manage_view.who_may_manage(local.with_(host="0.0.0.0"), None) == ""
    login = local.with_(auth_user="jyj", auth_password="x", host="0.0.0.0")
    assert manage_view.who_may_manage(login, "jyj") == "jyj" and manage_view.who_may_manage(login, None) == ""
    admins = login.with_(admin_users=("wang",))
    assert manage_view.who_may_manage(admins, "jyj") == "" and manage_view.who_may_manage(admins, "wang") == "wang"


def test_upload_reads_only_gradios_upload_folder_and_deletes_it(tmp_path, corpus_copy):
    settings = Settings().with_(corpus_dir=corpus_copy)
    index = SimpleNamespace(docs={})
    outside = tmp_path / "plan.txt"
    outside.write_text(NEW_PLAN, encoding="utf-8")
    with pytest.raises(CorpusChangeRejected, match="只能读取通过本页面上传的文件"):
        manage_view.upload(settings, index, str(outside), META, "jyj")
    folder = Path(get_upload_folder()) / "test-manage"
    folder.mkdir(parents=True, exist_ok=True)
    uploaded = folder / "sihe-plan.txt"
    uploaded.write_text(NEW_PLAN, encoding="utf-8")
    assert "sihe-plan" in manage_view.upload(settings, index, str(uploaded), META, "jyj")
    assert not uploaded.exists() and (corpus_copy / "sihe-plan.txt").is_file()


def test_reindex_switches_the_running_app_when_complete(tmp_path, corpus_copy):
    settings = Settings().with_(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings, progress=False)
    app = SimpleNamespace(index=open_index(settings))
    old = app.index
    stages = []
    reindexer = Reindexer(settings, lambda index: setattr(app, "index", index))
    reindexer._report = lambda stage, fraction, report=reindexer._report: (stages.append(stage), report(stage, fraction))
    corpus_admin.add_document(corpus_copy, "sihe-plan.txt", NEW_PLAN.encode(), META, "jyj")
    assert reindexer.start() and not reindexer.start()  # one rebuild at a time
    assert manage_view.progress_html(reindexer.status()).count("progress") >= 1
    status = reindexer.wait(600)
    assert not status.running and status.message.startswith("索引已更新"), status.message
    assert app.index is not old and "sihe-plan" in app.index.profiles and "sihe-plan" not in old.profiles
    assert "向量化" in stages and stages[-1] == "切换到新索引"
    duty = compose.compose_duty(app.index, "县交通运输局负责什么", [])
    assert duty.citations[0].doc_id == "sihe-plan"
    rows = manage_view.document_rows(app.index)
    assert ["sihe-plan", "泗河县方案", "泗政办字〔2025〕8号", "2025-03-01", "实施方案", "泗河县", "现行有效"] in [r[:7] for r in rows]
    # The old index keeps answering for whoever still holds it.
    assert compose.compose_duty(old, "市财政局负责什么", []).citations[0].doc_id == "qufu-2024-17-plan"


def test_failed_reindex_keeps_the_old_index(tmp_path, corpus_copy):
    settings = Settings().with_(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    build_index(settings, progress=False)
    app = SimpleNamespace(index=open_index(settings))
    old = app.index
    shutil.copy(corpus_copy / "qufu-2024-17-plan.meta.json", corpus_copy / "copy.meta.json")
    (corpus_copy / "copy.txt").write_text("另一份文件（虚构）\n内容不同。", encoding="utf-8")  # same doc_id: refused
    reindexer = Reindexer(settings, lambda index: setattr(app, "index", index))
    reindexer.start()
    status = reindexer.wait(600)
    assert status.message.startswith("重新索引失败，仍使用原索引") and app.index is old
