import json

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
    assert (plan.doc_id, plan.doc_number, plan.issuer, plan.date, plan.kind) == (
        "qufu-2024-17-plan", "曲政办字〔2024〕17号", "曲阜市人民政府办公室", "2024-09-03", "official")
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
    import pytest

    with pytest.raises(ValueError, match="编码"):
        decode_text(b"\xff\xfe\xfa\x80\x81\xfe\xff")
