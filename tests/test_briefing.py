"""Onboarding briefing, unit duty sheet, document tree and registry list: facts come from the index."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer import briefing
from assistant.domain.indicators import SUMMARY_LABEL, default_registry
from assistant.domain.units import unit_names
from assistant.index.registry_doc import REGISTRY_DOC_ID


@pytest.fixture(scope="module")
def registry():
    return default_registry()


@pytest.fixture(scope="module")
def brief(index, registry):
    result = briefing.build_briefing(index, registry)
    assert result is not None
    return result


def _assert_verbatim(index, c):
    assert index.docs[c.doc_id].text[c.start : c.end] == c.quote, c


def all_citations(b):
    cites = [b.doc_number, b.date, b.goal, *(lead.source for lead in b.leaders), *b.office]
    for area in b.task_areas:
        cites += [area.heading, *(t.source for t in area.targets)]
    return cites


def test_every_quoted_fact_is_an_exact_slice_of_its_document(index, brief):
    cites = all_citations(brief)
    assert all(c is not None for c in cites)
    for c in cites:
        _assert_verbatim(index, c)
        assert c.verbatim


def test_plan_identity_comes_from_the_document(index, brief):
    plan = briefing.plan_document(index)
    assert brief.title == plan.title
    assert brief.doc_number.quote == plan.doc_number
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", brief.date.quote)
    # the sidecar date and the date printed in the text agree
    y, m, d = (int(x) for x in plan.date.split("-"))
    assert brief.date.quote == f"{y}年{m}月{d}日"


def test_goal_year_is_the_registry_value_and_appears_in_the_goal_sentence(brief, registry):
    year = registry.get("national_assessment_year").threshold()
    assert brief.goal_year.startswith(str(year))
    assert str(year) in brief.goal.quote


def test_leaders_and_office_come_from_the_roster(index, brief):
    roster = [c for c in index.chunks if c.kind == "roster_member" and c.role in ("组长", "副组长")]
    assert [lead.person for lead in brief.leaders] == [c.person for c in roster]
    assert {lead.role for lead in brief.leaders} == {"组长", "副组长"}
    assert any("办公室" in c.quote for c in brief.office)


def test_four_task_areas_with_targets_from_their_own_clauses(index, brief):
    headings = list(dict.fromkeys(
        c.section_path[1] for c in index.chunks if len(c.section_path) >= 2 and "主要任务" in c.section_path[0]
    ))
    assert [a.heading.quote for a in brief.task_areas] == headings
    assert len(brief.task_areas) == 4
    for area in brief.task_areas:
        assert area.targets, area.heading.quote
        for t in area.targets:
            holder = next(c for c in index.chunks if c.start <= t.source.start and t.source.end <= c.end
                          and c.doc_id == t.source.doc_id)
            assert holder.section_path[1] == area.heading.quote  # the quote lies inside this area


def test_every_unit_is_listed_in_annex_order(brief):
    assert [u.name for u in brief.units] == unit_names()
    assert len(brief.units) == 21
    assert all(u.duties >= 1 and u.members for u in brief.units)


def test_markdown_shows_the_facts(brief):
    text = briefing.briefing_markdown(brief)
    assert brief.doc_number.quote in text and brief.date.quote in text and brief.goal_year in text
    for area in brief.task_areas:
        assert area.heading.quote in text
        for t in area.targets:
            assert t.target in text
    for name in unit_names():
        assert f"| {name} |" in text


def test_no_fact_is_typed_into_the_code(brief):
    """The briefing must follow the corpus: none of its facts may be literals in briefing.py."""
    source = Path(briefing.__file__).read_text(encoding="utf-8")
    facts = [brief.doc_number.quote, brief.date.quote, brief.goal_year, brief.issuer,
             *(lead.person for lead in brief.leaders), *(a.heading.quote for a in brief.task_areas)]
    for fact in facts:
        assert fact not in source, fact
    assert not re.search(r"20\d\d", source)


def test_unit_sheet_lists_each_duty_as_a_checkbox(index, assistant):
    profile = assistant.unit_profile("市财政局")
    sheet = briefing.unit_sheet_markdown(profile, briefing.plan_document(index))
    assert sheet.startswith("# 市财政局工作职责清单")
    for item in profile.items:
        assert f"- [ ] “{item.quote}”" in sheet
    assert "经费保障机制" in sheet
    for member in profile.members:
        assert member.quote in sheet
    assert briefing.plan_document(index).doc_number in sheet


def test_document_tree_holds_every_chunk_once(index):
    trees = briefing.document_tree(index)
    assert REGISTRY_DOC_ID not in {t.doc.doc_id for t in trees}
    seen = []

    def walk(node, depth):
        assert node.path[-1] == node.title and len(node.path) == depth
        for c in node.chunks:
            assert tuple(c.section_path) == node.path
            seen.append(c.chunk_id)
        for child in node.children:
            walk(child, depth + 1)

    for tree in trees:
        for root in tree.roots:
            walk(root, 1)
    expected = [c.chunk_id for c in index.chunks if c.doc_id != REGISTRY_DOC_ID]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def test_section_text_is_the_documents_own_text(index):
    plan = briefing.plan_document(index)
    path = ["二、主要任务", "（二）强化教师队伍管理"]
    text = briefing.section_text(index, plan.doc_id, path)
    assert text in plan.text
    for c in briefing.section_chunks(index, plan.doc_id, path):
        assert c.text in text
    assert "交流轮岗" in text
    assert briefing.section_text(index, plan.doc_id, ["不存在的章节"]) == ""


def test_indicator_rows_label_every_summary(registry):
    rows = briefing.indicator_rows(registry)
    assert len(rows) == len(registry)
    for row, ind in zip(rows, registry):
        assert row.name == ind.name
        for (doc, clause, quote, label), source in zip(row.sources, ind.sources):
            assert label == ("" if source.verbatim else SUMMARY_LABEL)
    assert any(label for row in rows for *_, label in row.sources)
