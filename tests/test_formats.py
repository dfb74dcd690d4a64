"""The formats offices actually send, each generated here: .docx (python-docx, Word list numbering and a
table), .doc/.wps (Word 97 binary in an OLE file), .ofd (zip of XML) and scans (the plan typeset on
A4 images by Pillow with Noto Serif CJK, wrapped in a PDF), read by the real readers and the real
tesseract. Offsets, chunks and citations of every format are checked against the extracted text."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assistant.ingest.chunker import chunk_document
from assistant.ingest.loaders import load_corpus
from assistant.ingest.ocr import MIN_CONFIDENCE, OCR_NOTE
from assistant.settings import REPO_ROOT
from tests.office import write_docx, write_docx_plan, write_ofd, write_word97, wrap_em
from tests.pdfs import render_pages, write_scanned_pdf

PLAN = REPO_ROOT / "corpus" / "qufu-2024-17-plan.txt"
PLAN_META = REPO_ROOT / "corpus" / "qufu-2024-17-plan.meta.json"
# Character accuracy of tesseract (chi_sim) on the first two pages of the plan as typeset below: measured
# 99.1 %; the test fails below it.
OCR_ACCURACY_FLOOR = 0.99
OCR_PAGES_TEXT_LINES = 20  # the plan's first 20 lines fill two pages


def plan_text() -> str:
    return PLAN.read_text(encoding="utf-8")


def plan_as_extracted() -> str:
    """The plan as a reader returns it: lines without trailing spaces, no blank lines at either end."""
    return "\n".join(line.rstrip() for line in plan_text().split("\n")).strip("\n")


def content_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def load_one(corpus: Path, name: str):
    docs, problems = load_corpus(corpus)
    messages = {p.path: p.message for p in problems}
    return next((d for d in docs if d.path == name), None), messages


def plan_corpus(tmp_path: Path, name: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / (Path(name).stem + ".meta.json")).write_bytes(PLAN_META.read_bytes())
    return corpus


def char_accuracy(source: str, got: str) -> float:
    """1 − edit distance / length, whitespace ignored (layout is not what OCR is judged on)."""
    a, b = re.sub(r"\s", "", source), re.sub(r"\s", "", got)
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return 1 - row[-1] / len(a)


def assert_chunks_are_slices(doc) -> list:
    chunks = chunk_document(doc)
    assert chunks
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text, c.chunk_id
    return chunks


# ---------------------------------------------------------------- .docx

def test_docx_plan_with_word_numbering_reads_as_the_text_version(tmp_path):
    corpus = plan_corpus(tmp_path, "qufu-2024-17-plan.docx")
    write_docx_plan(corpus / "qufu-2024-17-plan.docx", plan_text())
    doc, problems = load_one(corpus, "qufu-2024-17-plan.docx")
    assert problems == {}
    assert doc.doc_id == "qufu-2024-17-plan" and doc.doc_number == "曲政办字〔2024〕17号" and doc.note == ""
    # 一、（一）1. come from Word's list numbering (the paragraphs hold only the heading text).
    assert doc.text == plan_as_extracted()
    from assistant.models import SourceDocument

    text_doc = SourceDocument("p", "t", plan_as_extracted(), "p.txt", "x")
    by_label = [(c.label, c.text) for c in assert_chunks_are_slices(doc)]
    assert by_label == [(c.label, c.text) for c in chunk_document(text_doc)]


def test_docx_table_rows_and_numbered_clauses(tmp_path):
    path = write_docx(tmp_path / "notice.docx", "资源配置指标",
                      ["每百名学生拥有音体美专任教师数达到0.9人以上。", "生均教学仪器设备值达标。"],
                      [["单位", "职责"], ["市财政局", "足额拨付配套资金"], ["", "落实教师培训经费"]],
                      merged_first_column=True)
    doc, problems = load_one(tmp_path, "notice.docx")
    assert problems == {}
    assert doc.text.split("\n") == [
        "一、资源配置指标",
        "1. 每百名学生拥有音体美专任教师数达到0.9人以上。",
        "2. 生均教学仪器设备值达标。",
        "单位\t职责",
        "市财政局\t足额拨付配套资金",
        "市财政局\t落实教师培训经费",  # the merged cell is read in every row it spans
        "本通知自印发之日起施行。",
    ]
    labels = {c.label for c in assert_chunks_are_slices(doc)}
    assert {"一1", "一2"} <= labels
    assert path.exists()


def test_bad_docx_files_get_one_chinese_reason(tmp_path):
    from tests.office import ole_file

    (tmp_path / "locked.docx").write_bytes(ole_file({"EncryptedPackage": b"x" * 5000}))
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    with zipfile.ZipFile(tmp_path / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (210 * 2**20))  # inflates past the 200 MB cap
    _, problems = load_one(tmp_path, "")
    assert "加密" in problems["locked.docx"]
    assert "损坏" in problems["broken.docx"]
    assert "解压后超过" in problems["bomb.docx"]
    assert all("已跳过" in m and "Error" not in m.split("（")[0] for m in problems.values())


# ---------------------------------------------------------------- .doc / .wps

def test_word97_doc_and_wps_text_with_fields_tables_and_8bit_pieces(tmp_path):
    pieces = ["关于整治学校周边网吧的通知\r第一条 学校周边二百米内不得开设网吧。\r",
              "See page \x13 PAGE \\* MERGEFORMAT \x141\x15 of the notice.\r",  # stored 8-bit by Word
              "单位\x07职责\x07\x07市文化和旅游局\x07牵头整治\x07\x07\r第二条 本通知自印发之日起施行。\r"]
    write_word97(tmp_path / "notice.doc", pieces)
    write_word97(tmp_path / "notice-wps.wps", pieces[:1], table="0Table")
    docs, problems = load_corpus(tmp_path)
    assert problems == []
    texts = {d.path: d.text for d in docs}
    assert texts["notice.doc"].split("\n") == [
        "关于整治学校周边网吧的通知", "第一条 学校周边二百米内不得开设网吧。", "See page 1 of the notice.",
        "单位\t职责", "市文化和旅游局\t牵头整治", "", "第二条 本通知自印发之日起施行。"]
    assert texts["notice-wps.wps"] == "关于整治学校周边网吧的通知\n第一条 学校周边二百米内不得开设网吧。"
    labels = [c.label for d in docs for c in assert_chunks_are_slices(d)]
    assert labels.count("第一条") == 2 and "第二条" in labels


def test_word97_plan_reads_as_the_text_version(tmp_path):
    corpus = plan_corpus(tmp_path, "qufu-2024-17-plan.doc")
    write_word97(corpus / "qufu-2024-17-plan.doc", [plan_text().replace("\n", "\r")])
    doc, problems = load_one(corpus, "qufu-2024-17-plan.doc")
    assert problems == {} and doc.text == plan_as_extracted()


def test_unreadable_doc_and_wps_say_save_as_docx(tmp_path):
    from tests.office import ole_file

    write_word97(tmp_path / "locked.doc", ["保密内容。\r"], encrypted=True)
    (tmp_path / "works.wps").write_bytes(ole_file({"CONTENTS": b"\x01" * 5000}))  # Microsoft Works, not WPS 文字
    (tmp_path / "saved.doc").write_bytes(b"{\\rtf1\\ansi notice}")
    write_docx(tmp_path / "renamed.doc", "标题", ["第一条 内容。"], [["a", "b"]])  # a .docx under the old name
    docs, problems = load_corpus(tmp_path)
    got = {p.path: p.message for p in problems}
    assert "加密" in got["locked.doc"]
    assert "另存为 .docx" in got["works.wps"] and "另存为 .docx" in got["saved.doc"] and "RTF" in got["saved.doc"]
    assert [d.path for d in docs] == ["renamed.doc"] and "1. 第一条 内容。" in docs[0].text


# ---------------------------------------------------------------- .ofd

def plan_ofd_pages() -> list[list[str]]:
    lines = wrap_em(plan_text(), 28)  # GB/T 9704: 28 characters a line, 22 lines a page
    return [lines[i:i + 22] for i in range(0, len(lines), 22)]


def test_ofd_plan_lines_are_rejoined_to_the_text_version(tmp_path):
    corpus = plan_corpus(tmp_path, "qufu-2024-17-plan.ofd")
    write_ofd(corpus / "qufu-2024-17-plan.ofd", plan_ofd_pages())
    doc, problems = load_one(corpus, "qufu-2024-17-plan.ofd")
    assert problems == {}
    assert content_lines(doc.text) == content_lines(plan_text())  # 259 printed lines back to 125
    assert doc.doc_id == "qufu-2024-17-plan"
    chunks = assert_chunks_are_slices(doc)
    assert sum(c.kind == "unit_duty" for c in chunks) == 21 and sum(c.kind == "roster_member" for c in chunks) == 35


def test_ofd_drawn_one_character_at_a_time(tmp_path):
    write_ofd(tmp_path / "plan.ofd", plan_ofd_pages(), per_char=True)
    doc, problems = load_one(tmp_path, "plan.ofd")
    assert problems == {}
    assert re.sub(r"\s", "", doc.text) == re.sub(r"\s", "", plan_text())
    # Only the roster's double spaces (组  长) come back single: the glyph gap is all that is left of them.
    squash = lambda s: re.sub(r" +", " ", s)  # noqa: E731
    assert content_lines(squash(doc.text)) == content_lines(squash(plan_text()))


def test_ofd_without_text_or_broken_names_a_conversion_path(tmp_path):
    write_ofd(tmp_path / "scan.ofd", [[]])
    (tmp_path / "broken.ofd").write_bytes(b"PK\x03\x04garbage")
    _, problems = load_one(tmp_path, "")
    assert "没有文字层" in problems["scan.ofd"] and "导出为 PDF" in problems["scan.ofd"]
    assert "损坏" in problems["broken.ofd"]


# ---------------------------------------------------------------- scans (OCR)

def ocr_part() -> str:
    return "\n".join(plan_text().split("\n")[:OCR_PAGES_TEXT_LINES])


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """Two A4 pages of the plan, scanned at 300 dpi, plus a third page too blurred to read."""
    from PIL import ImageFilter

    corpus = tmp_path_factory.mktemp("scan")
    pages = render_pages(ocr_part())
    assert len(pages) == 2
    blurred = render_pages("第一条 本页扫描模糊，任何文字都不应被当作原文索引。\n" * 10)[0].filter(ImageFilter.GaussianBlur(9))
    write_scanned_pdf(corpus / "plan-scan.pdf", [*pages, blurred])
    docs, problems = load_corpus(corpus)
    return docs[0], {p.path: p.message for p in problems}


def test_scanned_pdf_is_ocr_text_marked_with_its_page_confidence(scanned):
    doc, problems = scanned
    assert doc.note == OCR_NOTE
    assert [p["page"] for p in doc.ocr_pages] == [1, 2, 3]
    first, second, third = doc.ocr_pages
    assert first["indexed"] and second["indexed"] and first["confidence"] >= MIN_CONFIDENCE
    assert not third["indexed"] and third["confidence"] < MIN_CONFIDENCE
    # The unreadable page is reported in one line, and none of it is indexed.
    assert "第 3 页" in problems["plan-scan.pdf"] and "未索引" in problems["plan-scan.pdf"]
    assert "模糊" not in doc.text and "— 1 —" not in doc.text


def test_ocr_accuracy_floor(scanned):
    doc, _ = scanned
    accuracy = char_accuracy(ocr_part(), doc.text)
    assert accuracy >= OCR_ACCURACY_FLOOR, f"OCR character accuracy {accuracy:.4f}"


def test_scanned_text_keeps_the_plan_structure_and_every_citation_says_ocr(scanned):
    doc, _ = scanned
    assert "曲政办字〔2024〕17号" in doc.text  # the 文号's 六角括号 put back
    assert "（一）统筹教育规划建设" in doc.text  # （一） read as (一) is put back too
    chunks = assert_chunks_are_slices(doc)
    assert {"一", "二（一）1"} <= {c.label for c in chunks}
    assert all(c.doc_title.endswith(f"（{OCR_NOTE}）") for c in chunks)


def test_scanned_page_saved_as_an_image(tmp_path):
    page = render_pages("第一条 学校周边二百米内不得开设网吧。\n第二条 本通知自印发之日起施行。")[0]
    page.crop((0, 0, page.width, page.height // 3)).save(tmp_path / "notice.png")
    doc, problems = load_one(tmp_path, "notice.png")
    assert problems == {}
    assert doc.text.split("\n") == ["第一条 学校周边二百米内不得开设网吧。", "第二条 本通知自印发之日起施行。"]
    assert doc.note == OCR_NOTE


def test_without_tesseract_a_scan_is_skipped_with_the_install_hint(tmp_path):
    (tmp_path / "corpus").mkdir()
    render_pages("第一条 内容。")[0].save(tmp_path / "corpus" / "scan.png")
    (tmp_path / "corpus" / "note.txt").write_text("第一条 文字文件照常索引。", encoding="utf-8")
    probe = ("import json, sys; from pathlib import Path; from assistant.ingest.loaders import load_corpus; "
             "docs, problems = load_corpus(Path(sys.argv[1])); "
             "print(json.dumps([[d.path for d in docs], {p.path: p.message for p in problems}], ensure_ascii=False))")
    env = {**os.environ, "PATH": str(tmp_path)}  # no tesseract on this PATH
    proc = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "corpus")], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    paths, problems = json.loads(proc.stdout)
    assert paths == ["note.txt"]
    assert "tesseract" in problems["scan.png"] and "make setup" in problems["scan.png"]


def test_ocr_repairs_use_only_what_the_document_and_the_sidecar_say():
    from assistant.domain.units import unit_names
    from assistant.ingest.ocr import correct_terms, normalise, repair_numbering

    # Full-width punctuation, 六角括号 of a 文号, a heading that lost its （ or picked up a stray letter.
    assert normalise("曲政办字 (2024] 17号") == "曲政办字〔2024〕17号"
    assert normalise("教育集团 〈学校共同体) 、学科") == "教育集团（学校共同体）、学科"
    assert normalise("二）强化教师队伍管理") == "（二）强化教师队伍管理"
    assert normalise("（G八）市民政局") == "（八）市民政局"
    assert normalise("计划 (2022一2025) ") == "计划（2022—2025）"
    assert normalise("ratio (8:30, ok)") == "ratio (8:30, ok)"  # ASCII text keeps its own punctuation
    # An unreadable heading between （五） and （七） is （六）; one without both neighbours is left as read.
    assert repair_numbering("（五）甲\n（XA）乙\n（七）丙\n（XB）丁") == "（五）甲\n（六）乙\n（七）丙\n（XB）丁"
    names = ["曲阜市人民政府办公室", "曲政办字〔2024〕17号"]
    text = "曲插市人民政府办公室\n各镇人民政府\n（二十一）各镇竺\n（八）市民政局\n市民政局与市财政局"
    assert correct_terms(text, names, unit_names()) == (
        "曲阜市人民政府办公室\n各镇人民政府\n（二十一）各镇街\n（八）市民政局\n市民政局与市财政局")


# ---------------------------------------------------------------- every format through the index build

FORMAT_NOTICES = {  # file name → (title line, a clause only that file holds, a search query for it)
    "bus.docx": ("关于加强校车安全管理的通知", "校车每学期由市交通运输局检验两次。", "校车 检验 两次"),
    "net.wps": ("关于整治学校周边网吧的通知", "学校周边二百米内不得开设网吧。", "学校周边 二百米 网吧"),
    "swim.ofd": ("关于预防学生溺水的通知", "每年五月各校开展防溺水专题教育。", "防溺水 专题教育 五月"),
    "lab.png": ("关于实验室安全的通知", "化学药品柜实行双人双锁管理。", "化学药品柜 双人双锁"),
}


def write_notices(corpus: Path) -> None:
    for name, (title, clause, _) in FORMAT_NOTICES.items():
        path = corpus / name
        if name.endswith(".docx"):
            write_docx(path, title, [clause], [["责任单位", "市交通运输局"]])
        elif name.endswith(".wps"):
            write_word97(path, [f"{title}\r第一条 {clause}\r"])
        elif name.endswith(".ofd"):
            write_ofd(path, [[title, f"第一条 {clause}"]])
        else:
            page = render_pages(f"{title}\n第一条 {clause}")[0]
            page.crop((0, 0, page.width, page.height // 3)).save(path)


@pytest.mark.slow
def test_every_format_is_indexed_searchable_and_cited_verbatim(built_settings, tmp_path, corpus_copy):
    from assistant.answer.service import Assistant
    from assistant.index.store import open_index
    from tests.test_index import clone_index, run_cli

    write_notices(corpus_copy)
    settings = clone_index(built_settings, tmp_path / "index", corpus_dir=corpus_copy)
    proc = run_cli(settings, "index", "--quiet", timeout=300)
    assert proc.returncode == 0 and "提示" not in proc.stderr, proc.stderr
    index = open_index(settings)
    for name, (title, clause, query) in FORMAT_NOTICES.items():
        doc = next(d for d in index.docs.values() if d.path == name)
        assert clause in doc.text, (name, doc.text)
        hits = json.loads(run_cli(settings, "search", query, "--json").stdout)
        assert title in hits[0]["doc_title"] and clause in hits[0]["text"], (name, hits[:2])
        chunk = next(c for c in index.chunks if c.doc_id == doc.doc_id and clause in c.text)
        assert doc.text[chunk.start:chunk.end] == chunk.text
    scan = next(d for d in index.docs.values() if d.path == "lab.png")
    assert scan.note == OCR_NOTE and scan.ocr_pages[0]["indexed"]

    answer = Assistant.from_settings(settings).ask("化学药品柜怎么管理？")
    cited = [c for c in answer.citations if c.doc_id == scan.doc_id]
    assert cited, answer.citations
    for c in answer.citations:  # verbatim against the extracted text, whatever the format
        assert not c.verbatim or index.docs[c.doc_id].text[c.start:c.end] == c.quote
    assert all(c.doc_title.endswith(f"（{OCR_NOTE}）") for c in cited)
    assert OCR_NOTE in answer.answer  # the source list names the document with its note
