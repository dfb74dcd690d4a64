"""Onboarding material built only from the loaded index and the indicator registry.

Pure functions, no UI: the new-member briefing (文号, date, goal year, taskforce leadership and
office, the main task areas with their headline targets, the member units), a unit's duty sheet,
the corpus as a tree by section path, and the registry as a readable list. Every fact shown is a
verbatim quote from a chunk (with its offsets) or a value from the registry; nothing is typed in
here, so a new edition of the plan produces a new briefing without code changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.compose import (UnitProfile, body_sentences, chunk_citation, citation, find_quote,
                                      heading_citation, role_chunks, role_path)
from assistant.domain.indicators import SUMMARY_LABEL, Indicator, Registry
from assistant.index.registry_doc import REGISTRY_DOC_ID
from assistant.index.store import LoadedIndex
from assistant.ingest.profile import role_rules
from assistant.models import Chunk, Citation, SourceDocument
from assistant.retrieve.scope import home_plan

DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
DATE_YEAR = re.compile(r"\d{4}年")
TASKS_TITLE = "主要任务"  # how the briefing names the plan's tasks section (found by its role)
LEADER_ROLES = ("组长", "副组长")
GOAL_YEAR_KEY = "national_assessment_year"


# ---------------------------------------------------------------- briefing data

@dataclass(frozen=True)
class Leader:
    role: str
    person: str
    title: str
    source: Citation


@dataclass(frozen=True)
class Target:
    """One headline target of a task area: registry value + the plan's own words."""

    indicator: str
    target: str
    source: Citation


@dataclass(frozen=True)
class TaskArea:
    heading: Citation
    items: list[str]  # the numbered item headings under it (section path level 3)
    targets: list[Target]


@dataclass(frozen=True)
class UnitEntry:
    name: str
    label: str
    duties: int
    members: list[tuple[str, str]]  # (person, title) of its taskforce member(s), from the roster chunks


@dataclass
class Briefing:
    title: str
    issuer: str
    doc_number: Citation | None = None
    date: Citation | None = None
    goal: Citation | None = None
    goal_year: str = ""
    leaders: list[Leader] = field(default_factory=list)
    office: list[Citation] = field(default_factory=list)
    task_areas: list[TaskArea] = field(default_factory=list)
    units: list[UnitEntry] = field(default_factory=list)


def plan_document(index: LoadedIndex, region: str = "") -> SourceDocument | None:
    """The plan of `region` (default: the home region's newest plan in force)."""
    plan = home_plan(index, region)
    return index.docs[plan.doc_id] if plan else None


def build_briefing(index: LoadedIndex, registry: Registry, region: str = "") -> Briefing | None:
    plan = plan_document(index, region)
    if plan is None:
        return None
    chunks = [c for c in index.chunks if c.doc_id == plan.doc_id]
    date = DATE.search(plan.text)
    return Briefing(
        title=plan.title,
        issuer=plan.issuer,
        doc_number=find_quote(index, plan.doc_id, plan.doc_number) if plan.doc_number else None,
        date=find_quote(index, plan.doc_id, date.group(0)) if date else None,
        goal=_goal_sentence(index, plan.doc_id, registry),
        goal_year=_goal_year(index, plan.doc_id),
        leaders=_leaders(index, chunks),
        office=[chunk_citation(index, c) for c in chunks if c.kind == "roster_note"],
        task_areas=task_areas(index, plan, registry),
        units=_units(index, plan.doc_id, chunks),
    )


def _goal_year(index: LoadedIndex, doc_id: str) -> str:
    """The target year the plan's goal section sets (its profile), with 年."""
    year = index.profiles[doc_id].target_year if doc_id in index.profiles else ""
    return f"{year}年" if year else ""


def _goal_sentence(index: LoadedIndex, doc_id: str, registry: Registry) -> Citation | None:
    """The registry's verbatim quote for the goal year when it is this plan's, else the first sentence
    of the goal section that names the target year (力争…)."""
    if GOAL_YEAR_KEY in registry:
        for source in registry.get(GOAL_YEAR_KEY).sources:
            found = find_quote(index, source.doc_id, source.quote) if source.verbatim and source.doc_id == doc_id else None
            if found:
                return found
    marks = role_rules()["target_year_marks"]
    for chunk in role_chunks(index, doc_id, "goal"):
        for sent, a, b in body_sentences(index, chunk):
            if any(m in sent for m in marks) and DATE_YEAR.search(sent):
                return citation(index, chunk, a, b)
    return None


def _leaders(index: LoadedIndex, chunks: list[Chunk]) -> list[Leader]:
    return [
        Leader(c.role, c.person, c.person_title, chunk_citation(index, c))
        for c in chunks
        if c.kind == "roster_member" and c.role in LEADER_ROLES
    ]


def _units(index: LoadedIndex, doc_id: str, chunks: list[Chunk]) -> list[UnitEntry]:
    out = []
    for name in (u.name for u in index.profiles[doc_id].units) if doc_id in index.profiles else ():
        duty = next((c for c in chunks if c.kind == "unit_duty" and c.unit == name), None)
        if duty is None:
            continue
        members = [(c.person, c.person_title) for c in chunks if c.kind == "roster_member" and c.unit == name]
        duties = len(body_sentences(index, duty))
        out.append(UnitEntry(name, duty.label, duties, members))
    return out


def task_areas(index: LoadedIndex, plan: SourceDocument, registry: Registry) -> list[TaskArea]:
    """The headings one level under the tasks section, each with the registry targets its clauses set."""
    tasks = role_path(index, plan.doc_id, "tasks")
    depth = len(tasks)
    grouped: dict[str, list[Chunk]] = {}
    for chunk in role_chunks(index, plan.doc_id, "tasks") if tasks else ():
        if len(chunk.section_path) > depth:
            grouped.setdefault(chunk.section_path[depth], []).append(chunk)
    areas = []
    for heading, members in grouped.items():
        cite = heading_citation(index, members[0], depth)
        if cite is None:
            continue
        items = list(dict.fromkeys(c.section_path[depth + 1] for c in members if len(c.section_path) > depth + 1))
        areas.append(TaskArea(cite, items, area_targets(index, plan.doc_id, cite.label, registry)))
    return areas


def target_text(ind: Indicator) -> str:
    """E.g. "小学≥4.2人，初中≥5.3人" or "≥10%": from the registry values only."""
    levels = [k for k in ind.values if k != "all"]
    if levels:
        return "，".join(f"{lv}{ind.threshold_text(lv)}" for lv in levels)
    return ind.threshold_text()


def area_targets(index: LoadedIndex, doc_id: str, label: str, registry: Registry) -> list[Target]:
    """Registry indicators whose verbatim source is a clause of this area (e.g. 二（一）2 in 二（一））."""
    out = []
    for ind in registry:
        for source in ind.sources:
            if source.doc_id != doc_id or not source.verbatim or not source.clause.startswith(label):
                continue
            cite = find_quote(index, doc_id, source.quote)
            if cite:
                out.append(Target(ind.name, target_text(ind), cite))
                break
    return out


# ---------------------------------------------------------------- briefing markdown

def _cell(text: str) -> str:
    """A table cell: pipes would split the cell, line breaks would end the row."""
    return text.replace("|", "/").replace("\n", " ").strip()


def _q(c: Citation) -> str:
    return f"“{_cell(c.quote)}”"


def briefing_markdown(b: Briefing) -> str:
    lines = [f"## 《{b.title}》新成员入门", "", "### 这是什么文件"]
    if b.doc_number:
        lines.append(f"- 文号：{_q(b.doc_number)}（{b.doc_number.label}）")
    if b.issuer:
        lines.append(f"- 印发单位：{b.issuer}")
    if b.date:
        lines.append(f"- 印发日期：{_q(b.date)}（{b.date.label}）")
    if b.goal:
        year = f"**{b.goal_year}**，" if b.goal_year else ""
        lines.append(f"- 目标年份：{year}原文：{_q(b.goal)}（方案{b.goal.label}）")
    if b.leaders or b.office:
        lines += ["", "### 工作专班的领导和办公室"]
        lines += [f"- {lead.role}：**{lead.person}**，{lead.title}（{lead.source.label}）" for lead in b.leaders]
        lines += [f"- {_q(c)}（{c.label}）" for c in b.office]
    if b.task_areas:
        lines += ["", f"### {TASKS_TITLE}（{len(b.task_areas)}个方面）及主要指标", "",
                  "| 任务方面 | 指标 | 目标值 | 原文 |", "| --- | --- | --- | --- |"]
        for area in b.task_areas:
            heading = f"**{_cell(area.heading.quote)}**"
            if not area.targets:
                lines.append(f"| {heading} | — | — | 包括：{_cell('、'.join(area.items))} |")
            for i, t in enumerate(area.targets):
                first = heading if i == 0 else ""  # the area is named once, on its first row
                lines.append(f"| {first} | {_cell(t.indicator)} | {_cell(t.target)} | {_q(t.source)}（{t.source.label}） |")
        lines += ["", "目标值取自指标登记表，“原文”列为方案条款的逐字摘录。"]
    if b.units:
        lines += ["", f"### 成员单位（{len(b.units)}个，按附件顺序）", "",
                  "| 单位 | 职责条款 | 职责句数 | 专班成员 |", "| --- | --- | --- | --- |"]
        for u in b.units:
            members = _members(u.members)
            lines.append(f"| {u.name} | {_cell(u.label)} | {u.duties} | {members} |")
        lines += ["", "在“我的单位”页选择单位，可查看逐条职责并下载职责清单。"]
    return "\n".join(lines) + "\n"


def _members(members: list[tuple[str, str]]) -> str:
    if not members:
        return "—"
    if len(members) > 3:  # 各镇街 has one member per town: names only, or the row becomes a page
        return _cell("、".join(p for p, _ in members)) + f"（共{len(members)}人）"
    return "；".join(_cell(f"{p}（{t}）" if t else p) for p, t in members)


# ---------------------------------------------------------------- my unit

def unit_sheet_markdown(profile: UnitProfile, plan: SourceDocument | None) -> str:
    """A duty sheet to hand a new colleague: every line is a verbatim quote with its clause."""
    duty = profile.duty
    if plan and plan.doc_id == duty.doc_id:
        source = f"《{plan.title}》（{plan.doc_number}）"
    else:  # the unit belongs to another document than the home plan: name that one
        source = f"《{duty.doc_title}》" + (f"（{duty.doc_number}）" if duty.doc_number else "")
    lines = [f"# {profile.unit}工作职责清单", "",
             f"依据：{source}{profile.duty.label}。以下引文均为文件原文逐字摘录。", "",
             "## 本单位职责（逐条落实）"]
    lines += [f"- [ ] {_q(c)}" for c in profile.items]
    if profile.mentions:
        lines += ["", "## 方案中提到本单位的其他条款"]
        lines += [f"- {c.label}：{_q(c)}" for c in profile.mentions]
    lines += ["", "## 在工作专班中的成员"]
    lines += [f"- {_q(c)}（{c.label}）" for c in profile.members] or ["- 名单中未列出本单位成员"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- document tree

@dataclass
class TreeNode:
    title: str
    path: tuple[str, ...]
    chunks: list[Chunk] = field(default_factory=list)  # chunks whose section path ends here
    children: list["TreeNode"] = field(default_factory=list)


@dataclass
class DocTree:
    doc: SourceDocument
    roots: list[TreeNode]

    @property
    def label(self) -> str:
        """The summary label goes on every non-official document, so it is never read as 原文."""
        return "" if self.doc.verbatim else SUMMARY_LABEL


def document_tree(index: LoadedIndex) -> list[DocTree]:
    """Each corpus document's chunks nested by section path, in text order (the registry is listed apart)."""
    trees = []
    for doc in index.docs.values():
        if doc.doc_id == REGISTRY_DOC_ID:
            continue
        roots: list[TreeNode] = []
        nodes: dict[tuple[str, ...], TreeNode] = {}
        for chunk in sorted((c for c in index.chunks if c.doc_id == doc.doc_id), key=lambda c: c.start):
            node = _node(nodes, roots, chunk.section_path or (chunk.label,))
            node.chunks.append(chunk)
        trees.append(DocTree(doc, roots))
    return trees


def _node(nodes: dict, roots: list[TreeNode], path: tuple[str, ...]) -> TreeNode:
    if path in nodes:
        return nodes[path]
    node = TreeNode(path[-1], path)
    nodes[path] = node
    (roots if len(path) == 1 else _node(nodes, roots, path[:-1]).children).append(node)
    return node


def section_chunks(index: LoadedIndex, doc_id: str, path: tuple[str, ...] | list[str]) -> list[Chunk]:
    """Chunks at or below a section path, in text order."""
    path = tuple(path)
    return sorted(
        (c for c in index.chunks if c.doc_id == doc_id and tuple(c.section_path[: len(path)]) == path),
        key=lambda c: c.start,
    )


def section_text(index: LoadedIndex, doc_id: str, path: tuple[str, ...] | list[str]) -> str:
    """The document's own text from the first to the last chunk of a section (exact slice)."""
    chunks = section_chunks(index, doc_id, path)
    if not chunks:
        return ""
    return index.docs[doc_id].text[chunks[0].start : max(c.end for c in chunks)]


# ---------------------------------------------------------------- registry list

@dataclass(frozen=True)
class IndicatorRow:
    name: str
    target: str
    kind: str
    sources: list[tuple[str, str, str, str]]  # (document, clause, quote, label or "")
    note: str = ""


def indicator_rows(registry: Registry) -> list[IndicatorRow]:
    """Every registry entry with its sources; a summary source carries SUMMARY_LABEL."""
    return [
        IndicatorRow(
            ind.name, target_text(ind), ind.kind,
            [(s.doc_title, s.clause, s.quote, s.label or "") for s in ind.sources],
            ind.note or "",
        )
        for ind in registry
    ]
