"""Compose answers from verbatim quotes. Each composer returns a `Draft`: markdown body + citations.

Rules every composer keeps: quotes are exact slices of the source text (offsets kept); numbers in
the body come from those quotes or from the calculator; our own summaries are labelled as such.

Many documents: a composer answers from `docs` (default: the home region's documents and the rules
that apply everywhere, retrieve.scope.answer_scope), finds sections by their role in the document's
profile (goal, tasks, safeguards …), never by a label, and names the document it quotes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import roster
from assistant.answer.examples import suggestions
from assistant.answer.text import overlap, sentences
from assistant.domain.indicators import COMPARISON_WORDS, SUMMARY_LABEL, Indicator, Registry, default_registry
from assistant.domain.numerals import plain_number
from assistant.domain.units import unit_by_name
from assistant.index.store import LoadedIndex
from assistant.ingest.office import chinese_number
from assistant.ingest.profile import role_rules
from assistant.models import Chunk, Citation, DocumentProfile, ScoredChunk, SourceDocument, ToolCall
from assistant.retrieve.scope import RULE_KINDS, answer_scope, home_plan, resolve_units, unit_documents, usable_documents
from assistant.understand.roster import RosterAsk
from assistant.understand.topic import topic_tokens

NOT_FOUND = "现有文件中未找到相关规定。"
QUOTE_PREVIEW = 90
# Below this share of the question's words found in one sentence, the documents do not answer it.
GENERAL_MIN_OVERLAP = 0.6
TOP_HIT_MIN_OVERLAP = 0.5  # the best-ranked clause needs less lexical support
RARE_MIN_OVERLAP = 0.2  # the share of the question's rarity a sentence must meet to pass on plain coverage
RETRIEVAL_DEPTH = 10


@dataclass
class Draft:
    body: str
    citations: list[Citation] = field(default_factory=list)
    tool_calls: list = field(default_factory=list)

    def cite(self, citation: Citation) -> int:
        """Number of the citation, adding it once."""
        for i, c in enumerate(self.citations, 1):
            if (c.doc_id, c.start, c.end) == (citation.doc_id, citation.start, citation.end):
                return i
        self.citations.append(citation)
        return len(self.citations)


def adopt(into: Draft, draft: Draft) -> str:
    """`draft`'s body with its citation marks renumbered into `into` (its citations and tool calls
    move over), for answers composed from parts."""
    numbers = {i: into.cite(c) for i, c in enumerate(draft.citations, 1)}
    into.tool_calls += draft.tool_calls
    return re.sub(r"\[(\d+)\]", lambda m: f"[{numbers.get(int(m.group(1)), m.group(1))}]", draft.body)


@dataclass
class UnitProfile:
    """What one unit must know: its duties (each a verbatim sentence), other clauses naming it, its members."""

    unit: str
    duty: Citation
    items: list[Citation]
    mentions: list[Citation]
    members: list[Citation]


def doc_name(index: LoadedIndex, doc_id: str) -> str:
    """How answers name a document: its short title (with its note, e.g. that it is an OCR text)."""
    doc, profile = index.docs[doc_id], index.profiles.get(doc_id)
    name = profile.name if profile else doc.title
    return f"{name}（{doc.note}）" if doc.note else name


def _cite(index: LoadedIndex, doc_id: str, title: str, label: str, path: list[str], start: int, end: int) -> Citation:
    doc, profile = index.docs[doc_id], index.profiles.get(doc_id)
    return Citation(doc_id, title, label, path, doc.text[start:end], start, end, doc.verbatim,
                    doc_name(index, doc_id), doc.doc_number, doc.date, profile.status if profile else "")


def citation(index: LoadedIndex, chunk: Chunk, start: int, end: int) -> Citation:
    return _cite(index, chunk.doc_id, chunk.doc_title, chunk.label, list(chunk.section_path), start, end)


def chunk_citation(index: LoadedIndex, chunk: Chunk) -> Citation:
    return citation(index, chunk, chunk.start, chunk.end)


def quote_preview(quote: str) -> str:
    """Shortened only between verbatim pieces: head……tail."""
    flat = quote.replace("\n", "")
    if len(flat) <= QUOTE_PREVIEW or "\n" in quote:
        return quote if len(quote) <= QUOTE_PREVIEW else quote[:60] + "……" + quote[-24:]
    return quote[:60] + "……" + quote[-24:]


def source_document(c: Citation) -> str:
    """《short title》文号（date，status when not in force）: which document, of when, still valid or not."""
    facts = [x for x in (c.date, "" if c.status in ("", "现行有效") else c.status) if x]
    return f"《{c.short_title or c.doc_title}》{c.doc_number}" + (f"（{'，'.join(facts)}）" if facts else "")


def render_sources(citations: list[Citation]) -> str:
    lines = ["**来源**"]
    for i, c in enumerate(citations, 1):
        label = "" if c.verbatim else f"（{SUMMARY_LABEL}）"
        lines.append(f"[{i}] {source_document(c)} {c.label}{label}：“{quote_preview(c.quote)}”")
    return "\n".join(lines)


def scope_of(index: LoadedIndex, docs: list[str] | None) -> list[str]:
    return answer_scope(index) if docs is None else list(docs)


def scope_plan(index: LoadedIndex, docs: list[str] | None) -> DocumentProfile | None:
    """The plan a scope speaks for: its newest plan in force (the home plan by default)."""
    if docs is None:
        return home_plan(index)
    plans = [index.profiles[d] for d in docs if d in index.profiles and index.profiles[d].kind == "plan"]
    return next((p for p in plans if p.in_force), plans[0] if plans else None)


def role_chunks(index: LoadedIndex, doc_id: str, role: str) -> list[Chunk]:
    """The document's chunks inside the sections that play `role`, in text order."""
    profile = index.profiles.get(doc_id)
    paths = profile.paths(role) if profile else []
    return sorted((c for c in index.chunks if c.doc_id == doc_id
                   and any(tuple(c.section_path[: len(p)]) == p for p in paths)), key=lambda c: c.start)


def role_path(index: LoadedIndex, doc_id: str, role: str) -> tuple[str, ...]:
    """The first section that plays `role` in the document, or ()."""
    profile = index.profiles.get(doc_id)
    paths = profile.paths(role) if profile else []
    return paths[0] if paths else ()


def body_sentences(index: LoadedIndex, chunk: Chunk) -> list[tuple[str, int, int]]:
    """Sentences of a chunk, without a heading line that stands on its own (e.g. （九）市财政局).

    An inline heading sentence ("1. 完善控辍保学机制。") says little alone, so it is joined to the
    sentence after it; the joined span is still one verbatim slice.
    """
    text = chunk.text
    skip = text.index("\n") + 1 if chunk.kind == "unit_duty" and "\n" in text else 0
    out = sentences(text[skip:], chunk.start + skip)
    if len(out) > 1 and chunk.section_path and out[0][0].rstrip("。") == chunk.section_path[-1]:
        doc_text = index.docs[chunk.doc_id].text
        out = [(doc_text[out[0][1] : out[1][2]], out[0][1], out[1][2]), *out[2:]]
    return out


CLAUSE_MAX = 120  # characters an article's clause is quoted to, across its semicolons


def clause_end(index: LoadedIndex, chunk: Chunk, a: int, b: int) -> tuple[int, int]:
    """A rule's sentence ending in ； goes on to the end of its clause (。): "发现指标明显下滑的，责令
    限期整改；整改不到位的，撤销认定。" is one provision. Plans' ；-lists are items and stay apart."""
    kind = getattr(index.profiles.get(chunk.doc_id), "kind", "")
    text = index.docs[chunk.doc_id].text
    if kind not in RULE_KINDS or not text[a:b].endswith("；"):
        return a, b
    stop = min((i for i in (text.find("。", b, chunk.end), text.find("\n", b, chunk.end)) if i >= 0), default=-1)
    return (a, stop + (text[stop] == "。")) if stop >= 0 and stop + 1 - a <= CLAUSE_MAX else (a, b)


# ---------------------------------------------------------------- duty

def unit_chunk(index: LoadedIndex, unit: str, doc_id: str = "") -> Chunk | None:
    """The unit's duty chunk in the document `doc_id` (default: the first document with units, the home
    plan first, that has a unit of this name)."""
    docs = [doc_id] if doc_id else unit_documents(index)
    for doc in docs:
        found = next((c for c in index.chunks if c.doc_id == doc and c.kind == "unit_duty" and c.unit == unit), None)
        if found:
            return found
    return None


def unit_meta(index: LoadedIndex, doc_id: str, unit: str):
    profile = index.profiles.get(doc_id)
    return unit_by_name(unit, profile.units) if profile else None


def unit_profile(index: LoadedIndex, unit: str, doc_id: str = "") -> UnitProfile | None:
    chunk = unit_chunk(index, unit, doc_id)
    if chunk is None:
        return None
    skip = chunk.text.index("\n") + 1 if "\n" in chunk.text else 0
    duty = citation(index, chunk, chunk.start + skip, chunk.end)
    items = [citation(index, chunk, a, b) for _, a, b in body_sentences(index, chunk)]
    meta = unit_meta(index, chunk.doc_id, unit)
    words = [w for w in (unit, *(meta.mentions if meta else ())) if w]
    mentions = []
    for other in index.chunks:
        if other.doc_id != chunk.doc_id or other is chunk or other.kind in ("roster_member", "header", "preamble", "annex_title"):
            continue
        for sent, a, b in body_sentences(index, other):
            if any(w in sent for w in words):
                mentions.append(citation(index, other, a, b))
    members = [chunk_citation(index, c) for c in index.chunks
               if c.doc_id == chunk.doc_id and c.kind == "roster_member" and c.unit == unit]
    return UnitProfile(unit, duty, items, mentions, members)


def duty_units(index: LoadedIndex, question: str, units: list[str], docs: list[str] | None = None) -> list[tuple[str, str]]:
    """(doc_id, unit) the question asks about: the units its words name, each in its own document
    (among `docs`, default every document with units); else the units the question reader named
    (a follow-up that only says 这家单位), in the first document that has them."""
    plans = [d for d in unit_documents(index) if docs is None or d in docs]
    found = [(doc_id, unit.name) for doc_id, unit in resolve_units(index, question, plans)]
    if found:
        return found
    return [(next(d for d in plans if unit_meta(index, d, name)), name)
            for name in units if any(unit_meta(index, d, name) for d in plans)]


def annex_heading(index: LoadedIndex, doc_id: str, role: str) -> str:
    """The heading of the section playing `role`, without its numbering: e.g. 工作专班工作职责."""
    path = role_path(index, doc_id, role)
    return NUMBERING.sub("", path[-1]).lstrip("、.． ") if path else ""


def compose_duty(index: LoadedIndex, question: str, units: list[str], docs: list[str] | None = None) -> Draft | None:
    draft = Draft("")
    parts = []
    for doc_id, unit in duty_units(index, question, units, docs)[:3]:
        profile = unit_profile(index, unit, doc_id)
        if profile is None:
            continue
        meta = unit_meta(index, doc_id, unit)
        topic = topic_tokens(question, [unit, *(meta.aliases if meta else ())])
        topic = [t for t in topic if not re.fullmatch(r"职责|做什么|干什么|干啥|任务|我们|我是", t)]
        ranked = sorted(profile.items, key=lambda c: -overlap(topic, c.quote)) if topic else profile.items
        relevant = [c for c in ranked if topic and overlap(topic, c.quote) > 0]
        n = draft.cite(profile.duty)
        heading = annex_heading(index, doc_id, "duty_annex")
        lead = f"根据《{doc_name(index, doc_id)}》附件" + (f"“{heading}”" if heading else "") + f"，**{unit}**的职责如下"
        lead += "（与您问题最相关的排在前面）：" if relevant else "："
        lines = [lead]
        lines += [f"{i}. “{c.quote}”[{n}]" for i, c in enumerate(ranked, 1)]
        if profile.mentions:
            lines.append("\n该文件中提到该单位的其他条款：")
            for c in profile.mentions[:4]:
                lines.append(f"- {c.label}：“{c.quote}”[{draft.cite(c)}]")
        if profile.members:
            lines.append("\n在工作专班中的成员：")
            for c in profile.members[:12]:
                lines.append(f"- “{c.quote}”[{draft.cite(c)}]")
        parts.append("\n".join(lines))
    if not parts:
        return None
    draft.body = "\n\n".join(parts)
    return draft


# ---------------------------------------------------------------- who

def compose_who(index: LoadedIndex, question: str, hits: list[ScoredChunk], docs: list[str] | None = None,
                helped: list[str] = ()) -> Draft | None:
    """The units whose duties the question's topic meets best; not `helped`, the units the question
    names as the ones helped ("谁配合教体局…")."""
    topic = topic_tokens(question)
    if not topic:
        return None
    scored = []  # (score, retrieval bonus, chunk, sentence span)
    rank_of = {h.chunk.chunk_id: r for r, h in enumerate(hits)}
    plan = scope_plan(index, docs)
    if plan is None:
        return None
    for chunk in index.chunks:  # who does what is the business of one county's plan
        if chunk.doc_id != plan.doc_id or chunk.kind not in ("unit_duty", "clause") or chunk.unit in helped:
            continue
        for sent, a, b in body_sentences(index, chunk):
            score = overlap(topic, sent)
            if score > 0:
                rank = rank_of.get(chunk.chunk_id, RETRIEVAL_DEPTH)
                bonus = 0.2 if rank < 3 else 0.1 if rank < RETRIEVAL_DEPTH else 0.0  # the dense side knows synonyms
                scored.append((score + bonus, chunk, a, b))
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    best = scored[0][0]
    if best < 0.5:
        return None
    picked, per_owner = [], {}
    for score, chunk, a, b in scored:
        owner = chunk.unit or chunk.chunk_id
        if score < best * 0.75 or per_owner.get(owner, 0) >= 2 or (owner not in per_owner and len(per_owner) >= 3):
            continue
        per_owner[owner] = per_owner.get(owner, 0) + 1
        picked.append((chunk, a, b))
    draft = Draft("")
    units = list(dict.fromkeys(c.unit for c, _, _ in picked if c.unit))
    name = doc_name(index, plan.doc_id)
    if units:
        lead = f"根据《{name}》附件的职责分工，这项工作由**{units[0]}**负责"
        if len(units) > 1:
            lead += "，" + "、".join(f"**{u}**" for u in units[1:]) + "也承担相关职责"
        lead += "："
    else:
        lead = f"《{name}》中的相关规定如下："
    lines = [lead]
    for chunk, a, b in picked:
        c = citation(index, chunk, a, b)
        who = chunk.unit or chunk.label
        lines.append(f"- {who}：“{c.quote}”[{draft.cite(c)}]")
    draft.body = "\n".join(lines)
    return draft


# ---------------------------------------------------------------- target

def find_quote(index: LoadedIndex, doc_id: str, quote: str) -> Citation | None:
    """Citation for an exact quote, labelled by the chunk that holds it."""
    doc = index.docs.get(doc_id)
    if doc is None or quote not in doc.text:
        return None
    start = doc.text.index(quote)
    return span_citation(index, doc_id, start, start + len(quote))


def span_citation(index: LoadedIndex, doc_id: str, start: int, end: int) -> Citation | None:
    """Citation for the text at [start, end) of a document, labelled by the chunk that holds it."""
    holder = next((c for c in index.chunks if c.doc_id == doc_id and c.start <= start and end <= c.end), None)
    return citation(index, holder, start, end) if holder else None


def official_clause(index: LoadedIndex, ind: Indicator, source, docs: list[str] | None = None) -> Citation | None:
    """The sentence of a rule in the corpus (national or provincial, among `docs`) that states the
    indicator `source` summarises: its anchor and one of its figures together (a sentence that only names it, such as a
    list of the four 方面, states nothing). Our summary speaks for such a rule until its text is indexed."""
    rules = [d for d in scope_of(index, docs) if d in index.profiles and index.profiles[d].kind in RULE_KINDS]
    anchor, figures = source.anchor, _figures(ind)  # the rule's own figure counts where it differs (source.value)
    for chunk in index.chunks:
        if chunk.doc_id in rules and anchor in chunk.text:
            sent = next(((a, b) for s, a, b in sentences(chunk.text, chunk.start)
                         if anchor in s and any(f in s for f in figures)), None)
            if sent:
                return citation(index, chunk, *sent)
    return None


def registry_citation(index: LoadedIndex, ind: Indicator) -> Citation | None:
    chunk = next((c for c in index.chunks if c.kind == "indicator" and c.indicator == ind.key), None)
    return chunk_citation(index, chunk) if chunk else None


def indicator_citations(index: LoadedIndex, ind: Indicator, docs: list[str] | None = None) -> list[Citation]:
    """Verbatim clauses first; our summary (labelled) only for what no official text in the corpus states."""
    out, summary_needed = [], False
    scope = scope_of(index, docs)
    for source in ind.sources:
        if source.verbatim:
            c = find_quote(index, source.doc_id, source.quote) if source.doc_id in scope else None
        else:
            c = official_clause(index, ind, source, scope) if source.anchor else None
            summary_needed |= c is None
        if c:
            out.append(c)
    # Our summary quotes the registry's own documents (the home plan among them): beside another
    # plan's own sentence it would mix the two, so there it stands only for a missing clause.
    own_plan = any(src.verbatim and src.doc_id not in _registry_quoted(ind.key) for src in ind.sources)
    if not out or (summary_needed and not own_plan):
        c = registry_citation(index, ind)
        if c:
            out.append(c)
    return out


def _figures(ind: Indicator) -> set[str]:
    values = [*ind.values.values(), *(s.value for s in ind.sources if s.value is not None)]
    return {plain_number(v) for v in values}


def _registry_quoted(key: str) -> set[str]:
    return {src.doc_id for src in default_registry().get(key).sources if src.verbatim}


def indicator_words(ind: Indicator) -> str:
    """Everything that names an indicator: its name, aliases and the clauses it quotes."""
    return " ".join([ind.name, *ind.aliases, *(src.quote for src in ind.sources)])


def clause_siblings(index: LoadedIndex, key: str) -> list[str]:
    """The indicator and every other indicator whose verbatim source sits in the same clause."""
    registry = default_registry()

    def holder(k: str) -> str:
        for source in registry.get(k).sources:
            c = find_quote(index, source.doc_id, source.quote) if source.verbatim else None
            if c:
                return f"{c.doc_id}:{c.label}"
        return ""

    home = holder(key)
    siblings = [ind.key for ind in registry if ind.key != key and home and holder(ind.key) == home]
    return [key, *siblings]


def target_line(ind: Indicator, level: str, bold: bool = True) -> str:
    word = COMPARISON_WORDS.get(ind.comparison, "")
    levels = [k for k in ind.values if k != "all"]
    name = f"**{ind.name}**" if bold else ind.name
    if level and level in ind.values:
        return f"{name}（{level}）：{word}{ind.values[level]}{ind.unit}"
    if levels:
        return f"{name}：" + "，".join(f"{lv}{word}{ind.values[lv]}{ind.unit}" for lv in levels)
    return f"{name}：{word}{ind.values['all']}{ind.unit}"


def registry_for(index: LoadedIndex, docs: list[str] | None) -> Registry:
    """The registry a scope is judged by: its plan's own figures where the plan sets them; with no
    plan in scope (a question about the national rules), the first rule's that sets its own."""
    plan = scope_plan(index, docs)
    if plan is not None:
        return index.doc_registries.get(plan.doc_id, default_registry())
    rules = [d for d in (docs or []) if d in index.doc_registries]
    return index.doc_registries[rules[0]] if rules else default_registry()


def registry_speaks_for(index: LoadedIndex, ind: Indicator, docs: list[str] | None) -> bool:
    """The registry's values are those of the documents its sources quote: they answer for a scope whose
    plan is one of them, that has no plan of its own, or when no plan sets them at all."""
    plan = scope_plan(index, docs)
    if plan is None or any(s.doc_id == plan.doc_id for s in ind.sources):
        return True
    # A figure only the national rules set (差异系数, 音乐教室面积) holds for every region.
    return not any(getattr(index.profiles.get(s.doc_id), "kind", "") == "plan" for s in ind.sources)


def agreement_line(index: LoadedIndex, ind: Indicator, cites: list[Citation]) -> str:
    """Which rule applies when a plan and a rule both state the indicator: the registry's note where
    their figures differ, else that they agree (a source's own `value` is recorded only where it differs)."""
    if ind.note:
        return f"- 说明（本系统整理）：{ind.note}"
    documents = list(dict.fromkeys(c.short_title or c.doc_title for c in cites if c.verbatim))
    if len(documents) > 1 and not any(s.value is not None for s in ind.sources):
        return f"- 说明（本系统整理）：{'与'.join(f'《{d}》' for d in documents)}对此的规定一致。"
    return ""


def compose_target(index: LoadedIndex, question: str, keys: list[str], level: str, hits: list[ScoredChunk],
                   docs: list[str] | None = None) -> Draft | None:
    registry = registry_for(index, docs)
    if not keys:
        topic = topic_tokens(question)
        keys = [
            h.chunk.indicator for h in hits[:3]
            if h.chunk.kind == "indicator" and overlap(topic, indicator_words(registry.get(h.chunk.indicator))) >= 0.5
        ][:1]
    if not keys:
        return None
    if re.search(r"哪些指标|什么指标|量化指标|几项指标|指标有哪些", question):
        keys = clause_siblings(index, keys[0])
    keys = [k for k in keys if registry_speaks_for(index, registry.get(k), docs)]
    if not keys:
        return None  # another county's figures: its own clauses answer (retrieval-first)
    draft = Draft("")
    lines = []
    for key in keys[:4]:
        ind = registry.get(key)
        cites = indicator_citations(index, ind, docs)
        marks = "".join(f"[{draft.cite(c)}]" for c in cites)
        lines.append(f"{target_line(ind, level)}。{marks}")
        for c in cites:
            where = f"《{c.short_title}》{c.label}" if c.short_title and c.verbatim else c.label
            lines.append(f"- {where}：“{c.quote}”" if c.verbatim else f"- {c.label}（{SUMMARY_LABEL}）：{c.quote}")
        note = agreement_line(index, ind, cites)
        if note:
            lines.append(note)
    draft.body = "\n".join(lines)
    return draft


# ---------------------------------------------------------------- roster

def roster_chunks(index: LoadedIndex, doc_id: str) -> list[Chunk]:
    return [c for c in index.chunks if c.doc_id == doc_id and c.kind in ("roster_member", "roster_note")]


def setup_citation(index: LoadedIndex, doc_id: str) -> Citation | None:
    """The sentence of the organisation section that sets the taskforce up (成立…工作专班)."""
    words = role_rules()["setup_words"]
    for chunk in role_chunks(index, doc_id, "organisation"):
        sent = next(((a, b) for s, a, b in body_sentences(index, chunk) if any(w in s for w in words)), None)
        if sent:
            return citation(index, chunk, *sent)
    return None


def compose_roster(index: LoadedIndex, ask: RosterAsk, person: str, units: list[str],
                   docs: list[str] | None = None) -> Draft | None:
    """The roster lines the frame's ask selects (a person, a role, a group, an organisation), counted
    when it asks how many (the count is a tool output over the quoted lines), "没有" when an asked
    organisation has nobody; the notes it asks about (办公室, 解散) or that name the person."""
    plan = scope_plan(index, docs)
    if plan is None:
        return None
    chunks = roster_chunks(index, plan.doc_id)
    people, notes = roster.members(chunks), [c for c in chunks if c.kind == "roster_note"]
    named = [m for m in people if person and m.chunk.person.replace(" ", "") == person]
    chosen = named or roster.select(people, ask, units)
    if not chosen and not ask.filtered and not ask.notes and (ask.leaders or ask.what != "count"):
        chosen = [m for m in people if m.chunk.role in ("组长", "副组长")]  # "专班由哪些人组成": the leaders
    elif not chosen and not ask.filtered and ask.what == "count":
        chosen = people  # "专班一共多少人": everyone listed
    picked = [m.chunk for m in chosen]
    picked += [c for c in notes if any(n in c.text for n in ask.notes) or (person and person in c.text.replace(" ", ""))]
    if not ask.filtered and not ask.notes and not named and not units and ask.what != "count":
        picked += notes
    draft = Draft("")
    heading = annex_heading(index, plan.doc_id, "roster")
    source = f"根据《{doc_name(index, plan.doc_id)}》附件" + (f"“{heading}”" if heading else "")
    what = roster.describe(ask, units)
    if (ask.filtered or units) and not chosen and not named:
        line = f"{source}，名单中没有{what}。"
        cite = find_quote(index, plan.doc_id, heading) if heading else None
        draft.body = line + (f"[{draft.cite(cite)}]" if cite else "")
        return draft
    lines = [source + "："]
    if ask.what in ("count", "exists") and not named:
        draft.tool_calls.append(ToolCall("roster_count", {"doc_id": plan.doc_id, "selection": what},
                                         {"count": len(chosen)}))
        lines = [f"{source}，{what}共{len(chosen)}名：" if ask.what == "count" else f"{source}，有{what}（{len(chosen)}名）："]
    for c in dict.fromkeys(picked):
        cite = chunk_citation(index, c)
        lines.append(f"- “{cite.quote}”[{draft.cite(cite)}]")
    leader_asked = "组长" in ask.roles and "副组长" not in ask.roles
    if not named and not units and not ask.groups and not ask.orgs and (len(picked) > 1 or leader_asked) and not ask.notes:
        cite = setup_citation(index, plan.doc_id)
        if cite:
            lines.append(f"\n《{cite.short_title}》{cite.label}：“{cite.quote}”[{draft.cite(cite)}]")
    draft.body = "\n".join(lines)
    return draft


def compose_duty_count(index: LoadedIndex, docs: list[str] | None = None) -> Draft | None:
    """"附件列了多少家单位的职责": the units of the duty annex counted (a tool output over the quoted
    headings, one per unit)."""
    plan = scope_plan(index, docs)
    if plan is None:
        return None
    duties = [c for c in index.chunks if c.doc_id == plan.doc_id and c.kind == "unit_duty"]
    units = list(dict.fromkeys(c.unit for c in duties if c.unit))
    if not units:
        return None
    draft = Draft("")
    draft.tool_calls.append(ToolCall("duty_unit_count", {"doc_id": plan.doc_id}, {"count": len(units)}))
    heading = annex_heading(index, plan.doc_id, "duty_annex")
    lines = [f"根据《{doc_name(index, plan.doc_id)}》附件" + (f"“{heading}”" if heading else "")
             + f"，列出职责的成员单位共{len(units)}家："]
    for unit in units:
        chunk = next(c for c in duties if c.unit == unit)
        cite = find_quote(index, plan.doc_id, chunk.text.split("\n", 1)[0])
        lines.append(f"- {unit}" + (f"[{draft.cite(cite)}]" if cite else ""))
    draft.body = "\n".join(lines)
    return draft


# ---------------------------------------------------------------- overview

def _plan(index: LoadedIndex, docs: list[str] | None = None) -> SourceDocument | None:
    """The plan of the asked scope (default: the home region's newest plan in force)."""
    plan = scope_plan(index, docs)
    return index.docs[plan.doc_id] if plan else None


NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+(?=、)|（[一二三四五六七八九十]+）|\d+(?=[.．])|第[一二三四五六七八九十百零〇\d]+[章节条])")


def heading_citation(index: LoadedIndex, chunk: Chunk, depth: int) -> Citation | None:
    """The verbatim heading at `depth` of a chunk's path, labelled by its numbering (e.g. 二（四）).

    A bare heading line belongs to no chunk: it is found in the source just before the chunk.
    """
    doc = index.docs[chunk.doc_id]
    heading = chunk.section_path[depth]
    start = doc.text.rfind(heading, 0, chunk.start + len(heading))
    if start < 0:
        return None
    label = "".join(m.group(0) for p in chunk.section_path[: depth + 1] if (m := NUMBERING.match(p)))
    return _cite(index, chunk.doc_id, chunk.doc_title, label or heading, list(chunk.section_path[: depth + 1]),
                 start, start + len(heading))


def child_headings(index: LoadedIndex, doc_id: str, parent: tuple[str, ...]) -> list[Citation]:
    """The distinct headings one level below `parent` (() = the numbered level-1 parts), in order."""
    depth, out, seen = len(parent), [], set()
    for chunk in index.chunks:
        path = chunk.section_path
        if chunk.doc_id != doc_id or chunk.kind != "clause" or len(path) <= depth or path[:depth] != parent:
            continue
        if path[depth] not in seen and NUMBERING.match(path[depth]):
            seen.add(path[depth])
            cite = heading_citation(index, chunk, depth)
            if cite:
                out.append(cite)
    return out


def _named_section(index: LoadedIndex, doc_id: str, question: str) -> tuple[Citation, list[Citation]] | None:
    """The most specific section the question names by its heading ("增强教育保障能力这部分"), with its sub-headings."""
    named = [
        (len(core), depth, chunk)
        for chunk in index.chunks if chunk.doc_id == doc_id and chunk.kind == "clause"
        for depth, element in enumerate(chunk.section_path[:-1])
        if len(core := NUMBERING.sub("", element).lstrip("、.． ")) >= 4 and core in question
    ]
    if not named:
        return None
    _, depth, chunk = max(named, key=lambda n: (n[0], n[1]))
    title = heading_citation(index, chunk, depth)
    children = child_headings(index, doc_id, chunk.section_path[: depth + 1])
    return (title, children) if title and children else None


def _date_quote(index: LoadedIndex, plan: SourceDocument) -> Citation | None:
    """The 印发日期 as the document writes it: the profile's date in Chinese, else the first date."""
    if plan.date:
        year, month, day = plan.date.split("-")
        found = find_quote(index, plan.doc_id, f"{year}年{int(month)}月{int(day)}日")
        if found:
            return found
    match = re.search(r"\d{4}年\d{1,2}月\d{1,2}日", plan.text)
    return find_quote(index, plan.doc_id, match.group(0)) if match else None


def _number_and_date(index: LoadedIndex, doc: SourceDocument) -> tuple[Citation | None, Citation | None]:
    """The document's 文号 and 印发日期, each quoted where its own text writes it."""
    number = find_quote(index, doc.doc_id, doc.doc_number) if doc.doc_number else None
    return number, _date_quote(index, doc)


def _first_chunk(index: LoadedIndex, doc_id: str, role: str) -> Chunk | None:
    chunks = role_chunks(index, doc_id, role)
    return chunks[0] if chunks else None


def _rule_overview(index: LoadedIndex, rule: SourceDocument, question: str) -> Draft | None:
    """What a rule is: its title and 文号 (with issuer and date where its text writes them), its first
    article (why it was made) and, asked for the structure or for everything, its chapters."""
    draft, lines = Draft(""), []
    number, date = _number_and_date(index, rule)
    issuer = find_quote(index, rule.doc_id, rule.issuer) if rule.issuer else None
    if number:
        lines.append(f"《{rule.title}》" + (f"由{issuer.quote}[{draft.cite(issuer)}]印发，" if issuer else "")
                     + f"文号{number.quote}[{draft.cite(number)}]" + (f"，印发日期{date.quote}[{draft.cite(date)}]" if date else "") + "。")
    articles = sorted((c for c in index.chunks if c.doc_id == rule.doc_id and c.section_path
                       and re.fullmatch(r"第[一二三四五六七八九十百零〇\d]+条", c.section_path[-1])), key=lambda c: c.start)
    aspects = [(c, a, b) for c in articles for sent, a, b in body_sentences(index, c) if "方面" in sent] \
        if re.search(r"几个?方面|哪些方面", question) else []
    if aspects:  # "从哪几个方面评": the article that names them, like a plan's 主要任务
        chunk, a, b = aspects[0]
        cite = citation(index, chunk, a, b)
        lines.append(f"{chunk.label}：“{cite.quote}”[{draft.cite(cite)}]")
    elif articles and not re.search(r"文号|日期|哪天|发文", question):
        first = body_sentences(index, articles[0])[:1]
        for _, a, b in first:
            cite = citation(index, articles[0], a, b)
            lines.append(f"{articles[0].label}：“{cite.quote}”[{draft.cite(cite)}]")
        if re.search(r"几大块|几部分|哪几块|结构|框架|几章|哪些章|介绍|是什么|讲什么|讲的啥", question):
            heads = child_headings(index, rule.doc_id, ())
            if heads:
                lines.append(f"《{doc_name(index, rule.doc_id)}》分为以下几章：")
                lines += [f"- “{c.quote}”[{draft.cite(c)}]" for c in heads]
    if not lines:
        return None
    draft.body = "\n".join(lines)
    return draft


def compose_overview(index: LoadedIndex, question: str, docs: list[str] | None = None) -> Draft | None:
    plan = _plan(index, docs)
    if plan is None:  # a scope of rules only ("国家那个评估办法是啥文号"): the newest rule in it
        rules = [d for d in scope_of(index, docs) if getattr(index.profiles.get(d), "kind", "") in RULE_KINDS]
        return _rule_overview(index, index.docs[rules[0]], question) if rules and rules[0] in index.docs else None
    doc_id, name = plan.doc_id, doc_name(index, plan.doc_id)
    draft = Draft("")
    lines = []
    want_all = not re.search(r"附件|文号|印发|发文|发给|主送|日期|哪天|目标|年份|哪一?年|达成|实现|主要任务|几个?方面|保障措施|依据|几大块|几部分|哪几块|结构|框架|重点", question)
    if want_all or re.search(r"文号|印发(?!给)|发文|日期|哪天|什么文件", question):
        number, date = _number_and_date(index, plan)
        issuer = find_quote(index, doc_id, plan.issuer) if plan.issuer else None
        if number and date and issuer:
            lines.append(f"《{plan.title}》由{issuer.quote}[{draft.cite(issuer)}]印发，文号{number.quote}[{draft.cite(number)}]，"
                         f"印发日期{date.quote}[{draft.cite(date)}]。")
    if re.search(r"发给|主送|哪些单位", question):
        head = _first_chunk(index, doc_id, "header")
        line = next((ln.strip() for ln in head.text.splitlines() if ln.strip().endswith("：")), "") if head else ""
        recipients = find_quote(index, doc_id, line.rstrip("：")) if line else None
        if recipients:
            lines.append(f"《{name}》印发给：“{recipients.quote}”[{draft.cite(recipients)}]")
    if "附件" in question:
        note = _first_chunk(index, doc_id, "annex_note")
        if note:
            cite = chunk_citation(index, note)
            lines.append(f"《{name}》的附件是：“{cite.quote}”[{draft.cite(cite)}]")
            lines.append("附件包括工作专班成员名单和各成员单位的工作职责，可以直接问“某单位负责什么”或“专班组长是谁”。")
    if re.search(r"几大块|几部分|哪几块|结构|框架", question):
        heads = child_headings(index, doc_id, ())
        if heads:
            lines.append(f"《{name}》正文分为以下几部分：")
            lines += [f"- “{c.quote}”[{draft.cite(c)}]" for c in heads]
    goal = _first_chunk(index, doc_id, "goal")
    if re.search(r"为重点|重点是|重点在", question):
        for sent, a, b in body_sentences(index, goal) if goal else []:
            if "为重点" in sent:
                cite = citation(index, goal, a, b)
                lines.append(f"工作目标（《{name}》{goal.label}）：“{cite.quote}”[{draft.cite(cite)}]")
    named = _named_section(index, doc_id, question)
    if named:
        title, children = named
        lines.append(f"“{title.quote}”[{draft.cite(title)}]包括：")
        lines += [f"- “{c.quote}”[{draft.cite(c)}]" for c in children]
        want_all = False
    if goal and (want_all or re.search(r"目标|年份|哪一?年|达成|实现", question)):
        sents = body_sentences(index, goal)
        marks = role_rules()["target_year_marks"][:1]  # 力争: the sentence that names the target year
        pick = [s for s in sents if any(m in s[0] for m in marks)] or sents[-1:]
        for _, a, b in pick:
            cite = citation(index, goal, a, b)
            lines.append(f"工作目标（《{name}》{goal.label}）：“{cite.quote}”[{draft.cite(cite)}]")
    for role, asked, lead in (("tasks", r"主要任务|几个?方面|任务", "主要任务"), ("safeguards", r"保障措施", "保障措施")):
        path = role_path(index, doc_id, role)
        if path and (want_all or re.search(asked, question)):
            heads = child_headings(index, doc_id, path)
            if heads:
                label = NUMBERING.match(path[-1])
                lines.append(f"{lead}（《{name}》{label.group(0) if label else ''}）：")
                lines += [f"- “{c.quote}”[{draft.cite(c)}]" for c in heads]
    if re.search(r"依据", question):
        pre = _first_chunk(index, doc_id, "preamble")
        if pre:
            cite = chunk_citation(index, pre)
            lines.append(f"制定依据（《{name}》前言）：“{cite.quote}”[{draft.cite(cite)}]")
    if want_all:
        lines.append("附件列出了工作专班成员名单和各成员单位的工作职责，可以直接问“某单位负责什么”。")
    if not lines:
        return None
    draft.body = "\n".join(lines)
    return draft


# ---------------------------------------------------------------- general

def compose_general(index: LoadedIndex, question: str, hits: list[ScoredChunk], docs: list[str] | None = None) -> Draft | None:
    topic = topic_tokens(question)
    if not topic:
        return None
    candidates = []
    scope = set(scope_of(index, docs))  # one county's documents and the rules: never two counties mixed
    verbatim_hits = [h for h in hits if h.chunk.verbatim and h.chunk.doc_id in scope]
    for rank, hit in enumerate(verbatim_hits):
        for sent, a, b in body_sentences(index, hit.chunk):
            # the rare words met count most: "评估认定走什么程序" is 第九条's 程序, not every 评估认定;
            # plain coverage still admits a sentence meeting the question's common words
            cover = overlap(topic, sent, index.term_weight)
            plain = overlap(topic, sent) if cover >= RARE_MIN_OVERLAP else 0.0  # common words alone answer nothing
            if max(cover, plain) >= (TOP_HIT_MIN_OVERLAP if rank == 0 else GENERAL_MIN_OVERLAP):
                candidates.append((cover + 0.002 * (len(hits) - rank), hit.chunk, *clause_end(index, hit.chunk, a, b)))
    candidates.sort(key=lambda s: -s[0])
    if not candidates:
        return None
    best = candidates[0][0]
    draft = Draft("")
    lines = []
    for score, chunk, a, b in candidates[:3]:
        if score < best * 0.8:
            break
        cite = citation(index, chunk, a, b)
        lines.append(f"《{cite.short_title}》{chunk.label}：“{cite.quote}”[{draft.cite(cite)}]")
    draft.body = "\n".join(lines)
    return draft


def _repeal_sentence(index: LoadedIndex, doc_id: str, naming: str = "") -> Citation | None:
    """The document's own sentence repealing another (naming `naming`, a 文号, when given)."""
    text = index.docs[doc_id].text if doc_id in index.docs else ""
    words = role_rules()["repeal_words"]
    for sent, a, b in sentences(text):
        if any(w in sent for w in words) and (not naming or naming in sent):
            return find_quote(index, doc_id, sent.strip())
    return None


def compose_validity(index: LoadedIndex, profile: DocumentProfile) -> Draft:
    """"2023年那个方案还管用吗": the document's status as the library records it, and, where a newer
    document replaced it, that document's own sentence saying so."""
    draft = Draft("")
    successor = index.profiles.get(profile.superseded_by) if profile.superseded_by else None
    if successor is None and profile.in_force:
        # a target year already past is said by the answer's validity line, which follows every citation
        draft.body = f"《{profile.name}》在文件库中登记为{profile.status}。"
        header = find_quote(index, profile.doc_id, profile.doc_number) if profile.doc_number else None
        if header:
            draft.body += f"[{draft.cite(header)}]"
        repeal = _repeal_sentence(index, profile.doc_id)  # "汶河区2024方案废止了哪个文件"
        if repeal:
            draft.body += f"\n它同时废止了此前的文件，原文：“{repeal.quote}”[{draft.cite(repeal)}]"
        return draft
    draft.body = f"《{profile.name}》已不再执行（文件库登记为{profile.status}）。"
    if successor is not None:
        draft.body += f"现行的是《{successor.name}》。"
        cite = _repeal_sentence(index, successor.doc_id, profile.doc_number) if profile.doc_number else None
        if cite:
            draft.body += f"\n《{successor.name}》原文：“{cite.quote}”[{draft.cite(cite)}]"
    return draft


NEXT_ITEM = re.compile(r"\n|（[一二三四五六七八九十]+）")


def compose_article(index: LoadedIndex, article: tuple[int, int], docs: list[str] | None = None) -> Draft | None:
    """"第六条第四项讲的啥": the article of the rules in scope (its item alone when one is named),
    quoted whole, each rule that has it."""
    number, item = article
    wanted = f"第{chinese_number(number)}条"
    rules = [d for d in scope_of(index, docs) if getattr(index.profiles.get(d), "kind", "") in RULE_KINDS]
    draft, lines = Draft(""), []
    for doc_id in rules:
        chunks = [c for c in index.chunks if c.doc_id == doc_id and c.section_path and c.section_path[-1] == wanted]
        if not chunks:
            continue
        start, end = min(c.start for c in chunks), max(c.end for c in chunks)
        text = index.docs[doc_id].text
        if item:
            at = text.find(f"（{chinese_number(item)}）", start, end)
            if at < 0:
                continue
            following = NEXT_ITEM.search(text, at + 1, end)  # the item runs to the next item or line
            start, end = at, following.start() if following else end
            end = len(text[:end].rstrip("；;。\n "))
        cite = citation(index, chunks[0], start, end)
        where = f"{wanted}{f'第{chinese_number(item)}项' if item else ''}"
        lines.append(f"《{cite.short_title}》{where}：“{cite.quote}”[{draft.cite(cite)}]")
    if not lines:
        return None
    draft.body = "\n".join(lines)
    return draft


def unit_not_listed(index: LoadedIndex, name: str, docs: list[str] | None = None) -> Draft | None:
    """A body the plan's duty annex does not list: said so, nothing quoted for it."""
    plan = scope_plan(index, docs)
    if plan is None or not plan.units:
        return None
    # the full title: a short title's year would be a figure no quote stands behind
    return Draft(f"{NOT_FOUND}《{plan.title}》附件所列的成员单位中没有“{name}”，文件没有规定它在创建工作中的职责。"
                 "可以问名单上的单位，例如“" + plan.units[0].name + "负责什么？”")


def compose_help(index: LoadedIndex, docs: list[str] | None = None) -> Draft:
    """"你是谁/你依据哪些文件": what the assistant answers from (each document's own 文号 and 印发日期,
    quoted) and what it can be asked. `docs`: a region's documents; None lists every usable one."""
    draft = Draft("")
    lines = ["您好，我是政策助手，只依据已收录的文件作答，回答都附原文出处。目前可以回答的文件："]
    listed = docs if docs is not None else usable_documents(index)
    for doc_id in listed:
        doc = index.docs.get(doc_id)
        if doc is None or doc.kind == "summary":
            continue  # our own 要点摘要 is not a document the user can cite
        title = find_quote(index, doc_id, doc.title)  # the document's own title line, where it has one
        facts = [q for q in _number_and_date(index, doc) if q is not None]
        named = f"- 《{doc.title}》" + (f"[{draft.cite(title)}]" if title else "")  # cited first: numbered first
        marks = "，".join(f"{q.quote}[{draft.cite(q)}]" for q in facts)
        lines.append(named + (f"（{marks}）" if marks else ""))
    lines.append("可以问单位职责、专班人员、指标标准和方案内容；给出学校的学段和相关数字，还可以测算是否达标。")
    draft.body = "\n".join(lines) + "\n\n" + suggestions(index)
    return draft


def not_found(index: LoadedIndex) -> Draft:
    return Draft(f"{NOT_FOUND}已收录的文件里没有能回答这个问题的内容。\n\n{suggestions(index)}")
