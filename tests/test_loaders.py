import json

import pytest

from assistant.ingest.loaders import decode_text, load_corpus
from tests.pdfs import write_image_only_pdf, write_text_pdf


def messages(problems):
    return {p.path: p.message for p in problems}


def test_shipped_plan_is_byte_identical_to_the_seed(plan_text):
    from assistant.settings import REPO_ROOT

    seed = REPO_ROOT.parent / "shared" / "seed" / "qufu-2024-17-plan.txt"
    if seed.exists():  # the seed folder sits beside the repo on developer machines and in CI
        assert (REPO_ROOT / "corpus" / "qufu-2024-17-plan.txt").read_bytes() == seed.read_bytes()
    assert "曲政办字〔2024〕17号" in plan_text


def test_plan_loads_with_its_sidecar(corpus_copy):
    docs, problems = load_corpus(corpus_copy)
    assert problems == []
    plan = docs[0]
    assert (plan.doc_id, plan.doc_number, plan.issuer, plan.date, plan.kind, plan.region, plan.status) == (
        "qufu-2024-17-plan", "曲政办字〔2024〕17号", "曲阜市人民政府办公室", "2024-09-03", "plan", "曲阜市", "现行有效")
    assert plan.title == "曲阜市创建全国义务教育优质均衡发展市工作实施方案"


def test_text_pdf_is_loaded_with_its_chinese_text(corpus_copy):
    write_text_pdf(corpus_copy / "rule.pdf", ["第一条 每百名学生拥有音体美专任教师数达到0.9人以上。"])
    docs, problems = load_corpus(corpus_copy)
    rule = next(d for d in docs if d.doc_id == "rule")
    assert "音体美专任教师数达到0.9人以上" in rule.text
    assert problems == []


def test_bad_files_are_reported_and_skipped(corpus_copy):
    write_image_only_pdf(corpus_copy / "scan.pdf")
    write_text_pdf(corpus_copy / "locked.pdf", ["第一条 保密内容。"], encrypt="secret")
    (corpus_copy / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n")
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "table.xlsx").write_bytes(b"PK\x03\x04")
    (corpus_copy / "copy.txt").write_bytes((corpus_copy / "qufu-2024-17-plan.txt").read_bytes())
    docs, problems = load_corpus(corpus_copy)
    got = messages(problems)
    assert [d.doc_id for d in docs] == ["qufu-2024-17-plan"]
    assert "扫描件" in got["scan.pdf"]
    assert "加密" in got["locked.pdf"]
    assert "损坏" in got["broken.pdf"] or "无法解析" in got["broken.pdf"]
    assert "为空" in got["empty.txt"]
    assert "不支持的文件类型" in got["table.xlsx"]
    assert "内容完全相同" in got["copy.txt"]


def test_gbk_and_bom_text_files(corpus_copy):
    (corpus_copy / "gbk.txt").write_bytes("第一条 学校周边网吧整顿。".encode("gbk"))
    (corpus_copy / "bom.md").write_bytes("\ufeff第一条 校车安全管理。".encode("utf-8"))
    docs, problems = load_corpus(corpus_copy)
    texts = {d.doc_id: d.text for d in docs}
    assert texts["gbk"] == "第一条 学校周边网吧整顿。"
    assert texts["bom"] == "第一条 校车安全管理。"
    assert problems == []


def test_bad_sidecar_is_reported(corpus_copy):
    (corpus_copy / "note.txt").write_text("第一条 内容。", encoding="utf-8")
    (corpus_copy / "note.meta.json").write_text("{not json", encoding="utf-8")
    docs, problems = load_corpus(corpus_copy)
    assert "不是有效的 JSON" in messages(problems)["note.txt"]


def test_sidecar_sets_doc_id_and_kind(corpus_copy):
    (corpus_copy / "sum.md").write_text("# 摘要\n第一条 内容。", encoding="utf-8")
    (corpus_copy / "sum.meta.json").write_text(json.dumps({"doc_id": "s1", "title": "摘要", "kind": "summary"}), encoding="utf-8")
    docs, _ = load_corpus(corpus_copy)
    doc = next(d for d in docs if d.doc_id == "s1")
    assert doc.kind == "summary" and not doc.verbatim


def test_decode_text_rejects_undecodable_bytes():
    with pytest.raises(ValueError, match="编码"):
        decode_text(b"\xff\xfe\xfa\x80\x81\xfe\xff")


# ---------------------------------------------------------------- hostile corpus folders (issue 16 items 4, 10, 13)

LOAD_PROBE = ("import json, sys; from pathlib import Path; from assistant.ingest.loaders import load_corpus; "
              "docs, problems = load_corpus(Path(sys.argv[1])); "
              "print(json.dumps([{d.path: d.text for d in docs}, {p.path: p.message for p in problems}], ensure_ascii=False))")


def load_in_child(corpus):
    """load_corpus in a child process, so that a read that would block fails the test instead of hanging it."""
    import subprocess
    import sys

    from assistant.settings import REPO_ROOT

    proc = subprocess.run([sys.executable, "-c", LOAD_PROBE, str(corpus)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def hostile_links(corpus):
    """Links a careless or hostile user leaves in corpus/, and a FIFO (reading it would block forever)."""
    import os

    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "env.txt").symlink_to("/proc/self/environ")
    (corpus / "mem.txt").symlink_to("/proc/self/mem")  # reading it fails with [Errno 5]
    (corpus / "gone.txt").symlink_to(corpus / "deleted.txt")
    (corpus / "etc.md").symlink_to("/etc")
    os.mkfifo(corpus / "pipe.txt")


def test_links_out_of_the_corpus_and_special_files_are_reported_never_read(corpus_copy, monkeypatch):
    monkeypatch.setenv("ASSISTANT_PROBE_SECRET", "s3cret-value")  # must not reach any document
    hostile_links(corpus_copy)
    (corpus_copy / "loop.txt").symlink_to(corpus_copy / "loop.txt")
    (corpus_copy / "alias.txt").symlink_to(corpus_copy / "qufu-2024-17-plan.txt")  # inside the folder: fine
    texts, problems = load_in_child(corpus_copy)
    assert sorted(texts) == ["qufu-2024-17-plan.txt"]
    assert not any("root:" in t or "s3cret-value" in t for t in texts.values())
    for name in ("passwd.txt", "env.txt", "mem.txt", "etc.md"):
        assert "指向文件目录之外的链接" in problems[name] and "已跳过" in problems[name], problems
    assert "不存在" in problems["gone.txt"] and "循环" in problems["loop.txt"]
    assert "不是普通文件" in problems["pipe.txt"]
    assert "内容完全相同" in problems["alias.txt"]  # read (its real path is inside), indexed once
    assert all("\n" not in m and "Errno" not in m for m in problems.values())


def test_oversized_files_are_refused_before_reading(corpus_copy):
    import os

    from assistant.ingest.loaders import MAX_FILE_MB, MAX_TEXT_CHARS

    with open(corpus_copy / "huge.txt", "wb") as handle:  # sparse: its size is all there is to it
        handle.truncate((MAX_FILE_MB + 10) * 2**20)
    (corpus_copy / "long.md").write_text("第一条 " + "甲乙丙丁。" * (MAX_TEXT_CHARS // 5 + 1), encoding="utf-8")
    docs, problems = load_corpus(corpus_copy)
    got = messages(problems)
    assert f"超过上限 {MAX_FILE_MB} MB" in got["huge.txt"]
    assert "万字" in got["long.md"] and "拆分" in got["long.md"]
    assert [d.doc_id for d in docs] == ["qufu-2024-17-plan"]
    assert os.path.getsize(corpus_copy / "huge.txt") > MAX_FILE_MB * 2**20  # nothing was changed


@pytest.mark.slow
def test_index_skips_links_and_devices_and_indexes_the_rest(built_settings, tmp_path, corpus_copy):
    from tests.test_index import clone_index, run_cli

    hostile_links(corpus_copy)
    (corpus_copy / "loop.txt").symlink_to(corpus_copy / "loop.txt")  # Path.resolve raises on it
    (corpus_copy / "notice.txt").write_text("关于校车安全的通知\n第一条 校车每学期检验两次。\n", encoding="utf-8")
    settings = clone_index(built_settings, tmp_path / "index", corpus_dir=corpus_copy)
    proc = run_cli(settings, "index", "--quiet", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "索引完成" in proc.stdout
    hints = {ln.split("：")[1]: ln for ln in proc.stderr.splitlines() if ln.startswith("提示：")}
    assert {"passwd.txt", "env.txt", "mem.txt", "pipe.txt", "loop.txt"} <= set(hints), proc.stderr
    hits = json.loads(run_cli(settings, "search", "校车 检验", "--json").stdout)
    assert hits[0]["doc_title"] == "关于校车安全的通知"
    hits = json.loads(run_cli(settings, "search", "root bin bash nologin", "--json").stdout)
    assert all("root:" not in h["text"] and "/bin/" not in h["text"] for h in hits)
