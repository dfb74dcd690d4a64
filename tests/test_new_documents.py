"""A new official PDF (a national rule with 第X章/第X条 articles, made here with reportlab STSong-Light)
dropped into the corpus: indexed, searchable with its own labels, and cited verbatim in place of the
indicator registry's 要点摘要."""
from __future__ import annotations

import json
import re

import pytest

from assistant.domain.indicators import default_registry
from assistant.index.builder import current_dir, read_manifest
from assistant.index.registry_doc import REGISTRY_DOC_ID
from tests.pdfs import write_text_pdf
from tests.test_index import clone_index, run_cli

pytestmark = pytest.mark.slow

DOC_ID = "jiaodu-2017-6"
TITLE = "县域义务教育优质均衡发展督导评估办法"
KEY = "pe_art_teachers_per100"
QUESTION = "每百名学生音体美专任教师要多少"
LABEL = re.compile(r"第[一二三四五六七八九十]+章第[一二三四五六七八九十]+条")


def anchor_of(key: str) -> str:
    return next(s.anchor for s in default_registry().get(key).sources if s.anchor)


def rule_lines() -> list[str]:
    """Short lines so that every article stays on one line of the PDF (and of pypdf's extraction)."""
    pe_art = anchor_of(KEY)
    degree = anchor_of("teachers_above_degree_per100")
    return [
        TITLE,
        "第一章 总则",
        "第一条 为推进县域义务教育优质均衡发展，制定本办法。",
        "第二条 本办法适用于县级行政单位。",
        "第二章 评估内容与标准",
        "第三条 资源配置评估以下列七项指标为主。",
        f"第四条 {degree}：小学、初中分别达到4.2人、5.3人以上。",
        f"第五条 {pe_art}：小学、初中均达到0.9人以上。",
        "第三章 附则",
        "第六条 本办法自印发之日起施行。",
    ]


@pytest.fixture(scope="module")
def with_rule(built_settings, tmp_path_factory):
    """The shipped corpus plus the generated rule, indexed with `assistant index` (only the new chunks embedded)."""
    import shutil

    from assistant.settings import REPO_ROOT

    root = tmp_path_factory.mktemp("new-doc")
    corpus = root / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    write_text_pdf(corpus / f"{DOC_ID}.pdf", rule_lines())
    (corpus / f"{DOC_ID}.meta.json").write_text(json.dumps({
        "doc_id": DOC_ID, "title": TITLE, "doc_number": "教督〔2017〕6号", "issuer": "教育部",
        "date": "2017-04-26", "kind": "official", "source": "测试中生成的 PDF（条文为登记表锚定语句）",
    }, ensure_ascii=False), encoding="utf-8")
    settings = clone_index(built_settings, root / "index", corpus_dir=corpus)
    proc = run_cli(settings, "index", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "索引完成" in proc.stdout and "提示" not in proc.stderr
    return settings


def test_pdf_is_indexed_with_its_article_labels(with_rule):
    from assistant.index.store import open_index

    index = open_index(with_rule)
    doc = index.docs[DOC_ID]
    assert doc.verbatim and doc.title == TITLE and doc.doc_number == "教督〔2017〕6号"
    for line in rule_lines()[1:]:  # pypdf's text keeps each drawn line intact
        assert line in doc.text
    chunks = [c for c in index.chunks if c.doc_id == DOC_ID]
    article = next(c for c in chunks if anchor_of(KEY) in c.text)
    assert article.label == "第二章第五条" and article.section_path == ("第二章 评估内容与标准", "第五条")
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)
    manifest = read_manifest(current_dir(with_rule.index_dir))
    assert manifest["documents"] == 3


def test_search_finds_the_pdf_clause_with_its_label(with_rule):
    proc = run_cli(with_rule, "search", "体育、艺术（美术、音乐）专任教师数 0.9人", "-k", "5", "--json")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    pdf_hits = [h for h in hits if h["doc_title"] == TITLE]
    assert pdf_hits, hits
    hit = pdf_hits[0]
    assert LABEL.fullmatch(hit["label"]) and hit["label"] == "第二章第五条"
    assert hit["section_path"] == ["第二章 评估内容与标准", "第五条"]
    assert anchor_of(KEY) in hit["text"]


def test_registry_citation_switches_from_summary_to_the_verbatim_clause(with_rule, assistant):
    from assistant.answer.service import Assistant

    # Without the PDF the national rule is only our summary (labelled 要点摘要).
    baseline = assistant.ask(QUESTION)
    assert baseline.intent == "target"
    assert any(c.doc_id == REGISTRY_DOC_ID and not c.verbatim for c in baseline.citations)

    helper = Assistant.from_settings(with_rule)
    answer = helper.ask(QUESTION)
    assert answer.intent == "target"
    official = [c for c in answer.citations if c.doc_id == DOC_ID]
    assert len(official) == 1, answer.citations
    cite = official[0]
    doc = helper.index.docs[DOC_ID]
    assert cite.verbatim and cite.quote == doc.text[cite.start:cite.end]
    assert anchor_of(KEY) in cite.quote and "0.9人以上" in cite.quote
    assert cite.label == "第二章第五条" and cite.doc_title == TITLE
    assert not any(c.doc_id == REGISTRY_DOC_ID for c in answer.citations)
    assert "要点摘要" not in answer.answer
    assert cite.quote in answer.answer  # the clause is quoted, not just listed
    # The plan's own clause is still cited verbatim beside it.
    assert any(c.doc_id == "qufu-2024-17-plan" and c.verbatim for c in answer.citations)
