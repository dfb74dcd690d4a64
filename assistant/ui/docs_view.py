"""文件 tab: the corpus as a tree by section path, search with the hybrid retriever, the registry."""
from __future__ import annotations

import hashlib
import math
import re
from functools import lru_cache

from assistant.answer.briefing import DocTree, IndicatorRow, TreeNode
from assistant.domain.indicators import SUMMARY_LABEL, Registry
from assistant.index.lexical import LexicalIndex, tokenize
from assistant.index.registry_doc import REGISTRY_DOC_ID
from assistant.models import SUMMARY_KIND, DocumentProfile
from assistant.retrieve.scope import profiles
from assistant.ui.text import html_text, inert

NO_QUERY = "请输入要搜索的词语，例如“交流轮岗”“校车”“经费”。"
NO_HITS = "未找到相关段落"
# A hit is shown only when the words of the query it contains carry at least this share of the query's
# weight (each word weighted by its rarity in the index, so a missing rare word counts for more than a
# missing common one). Calibrated on the shipped corpus, best hit of each query: 42 of 44 real queries
# (交流轮岗, 校车, 财政局, 课后服务, 学校的体育场馆面积要达到多少 …) score 0.89–1.0; 近视 (in no document)
# and 防溺水 (the plan says 预防学生溺水) score 0 and get 未找到, the latter with 溺水 to try; 20 nonsense
# queries (a, xyz, 量子计算机, 天气预报 …) score 0, 火星基地 0.44 (基地 occurs, 火星 never does). 0.6 lies
# in that gap, nearer the nonsense side so a real query with one stray word still finds its clause.
MIN_MATCH = 0.6
# Hits the retriever is asked for: more than are shown, since those below MIN_MATCH are dropped.
CANDIDATES = 20
# Runs once, on the tree's first render: a click on a hit's location opens the tree down to that section,
# scrolls to it and flashes it. One listener for the whole page, whatever the hits list is re-rendered to.
TREE_JS = """
if (!window.__policyTreeLinks) {
  window.__policyTreeLinks = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-section]');
    if (!link) return;
    event.preventDefault();
    const target = document.getElementById(link.dataset.section);
    if (!target) return;
    for (let node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') node.open = true;
    }
    target.scrollIntoView({block: 'center'});
    target.classList.remove('flash');
    void target.offsetWidth;
    target.classList.add('flash');
  });
}
"""
CSS = """
/* 390 px: every tab in view, on two rows if need be, none behind "⋯". gradio moves a tab that does not
   fit into its "⋯" menu after measuring a hidden copy of the bar; that copy is drawn tiny here so every
   tab is kept, and the bar itself wraps. (gr.Tabs(overflow_behavior="wrap") does the same in gradio.) */
@media (max-width: 640px) {
  .tabs .tab-container.visually-hidden button { font-size: 1px !important; padding: 0 !important; }
  .tabs .tab-wrapper { height: auto; }
  .tabs .tab-container[role="tablist"] { flex-wrap: wrap; height: auto; overflow: visible; }
  .tabs .tab-container[role="tablist"] button { padding: 0 8px; height: var(--size-8); flex: 0 0 auto; }
  .tabs .overflow-menu { display: none; }
}
.doc-tree .section-text.flash { outline: 3px solid #f9a825; background: #fff8e1; transition: background 2s; }
.doc-list { border-collapse: collapse; margin: 4px 0 12px 0; display: block; overflow-x: auto; max-width: 100%; }
.doc-list th, .doc-list td { border: 1px solid var(--border-color-primary); padding: 4px 8px; text-align: left; }
.doc-hits .hit { margin: 0 0 14px 0; }
.doc-hits .hit-meta { color: #546e7a; font-size: 0.92em; margin: 2px 0; }
.doc-hits .hit-text { white-space: pre-wrap; margin: 4px 0; padding: 6px 8px; border-left: 3px solid #90a4ae;
  background: rgba(144, 164, 174, 0.08); }
.doc-hits mark { background: #ffe082; color: inherit; padding: 0 1px; }
.doc-hits .none { color: #b26a00; font-weight: 600; }
#briefing table { display: block; overflow-x: auto; max-width: 100%; }
#briefing th, #briefing td { min-width: 5.5em; }
#briefing td:last-child { min-width: 15em; }
"""


def anchor(chunk_id: str) -> str:
    """An HTML id for a chunk's place in the tree (chunk ids carry ':' and document names)."""
    return "sec-" + hashlib.sha1(chunk_id.encode("utf-8")).hexdigest()[:12]


def document_status(profile: DocumentProfile, known: dict[str, DocumentProfile]) -> str:
    """状态 as a reader needs it: 现行有效, 被替代 (by which document), 已废止; and 有效期至 when it has one."""
    status = profile.status
    successor = known.get(profile.superseded_by) if profile.superseded_by else None
    if successor is not None:
        status = f"被替代（被《{successor.name}》替代）"
    if profile.valid_until:
        status += f"，有效期至{profile.valid_until}"
    return status


def documents_html(index) -> str:
    """The indexed documents, newest first, with 文号, 印发日期 and 状态 (our own summary is no document)."""
    known = index.profiles
    rows = [f"<tr><td>《{html_text(p.name)}》</td><td>{html_text(p.doc_number or '—')}</td>"
            f"<td>{html_text(p.date or '—')}</td><td class=\"doc-status\">{html_text(document_status(p, known))}</td></tr>"
            for p in profiles(index) if p.kind != SUMMARY_KIND]
    return ('<table class="doc-list"><thead><tr><th>文件</th><th>文号</th><th>印发日期</th><th>状态</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def tree_html(trees: list[DocTree], known: dict[str, DocumentProfile] | None = None) -> str:
    """Nested <details>: a click on a heading opens it; a section's own text is shown verbatim.
    Built from escaped text only, so nothing in a document can become markup. With the index's
    profiles (`known`), each document's line says its 印发日期 and 状态."""
    known = known or {}
    parts = ['<div class="doc-tree">']
    for tree in trees:
        label = f' <span class="summary-label">（{html_text(tree.label)}）</span>' if tree.label else ""
        profile = known.get(tree.doc.doc_id)
        date = f"印发日期：{tree.doc.date}" if tree.doc.date else ""
        status = f"状态：{document_status(profile, known)}" if profile else ""
        meta = " ".join(x for x in (tree.doc.doc_number, tree.doc.issuer, date, status) if x)
        parts.append(f"<details open><summary><b>《{html_text(tree.doc.title)}》</b>{label}</summary>")
        if meta:
            parts.append(f'<div class="doc-meta">{html_text(meta)}</div>')
        parts += [_node_html(node) for node in tree.roots]
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def _node_html(node: TreeNode) -> str:
    body = "".join(
        f'<div class="section-text" id="{anchor(c.chunk_id)}" data-label="{html_text(c.label)}">{html_text(c.text)}</div>'
        for c in node.chunks
    )
    children = "".join(_node_html(child) for child in node.children)
    return f"<details><summary>{html_text(node.title)}</summary>{body}{children}</details>"


# ---------------------------------------------------------------- search

@lru_cache(maxsize=4)
def _term_stats(lexical: LexicalIndex) -> tuple[dict[str, set[str]], dict[str, int], int]:
    """Each chunk's tokens (the very ones BM25 ranks by), each token's document frequency, the chunk count."""
    tokens = {cid: set(toks) for cid, toks in zip(lexical.chunk_ids, lexical.tokens)}
    frequency: dict[str, int] = {}
    for toks in tokens.values():
        for token in toks:
            frequency[token] = frequency.get(token, 0) + 1
    return tokens, frequency, len(tokens)


def query_terms(lexical: LexicalIndex, query: str) -> list[str]:
    """The query cut as the index cuts text (jieba, domain words, stop words dropped), each once, whole
    words only: search mode also yields the parts of a word (交流、轮岗 of 交流轮岗, 体美 of 音体美), and a
    part alone is no match (德智体美劳 holds 体美, not 音体美)."""
    tokens = list(dict.fromkeys(tokenize(query, lexical.words)))
    return [t for t in tokens if not any(o != t and t in o for o in tokens)]


def match_score(lexical: LexicalIndex, terms: list[str], chunk) -> tuple[float, list[str]]:
    """(share of the query's weight found in the chunk, the terms found). A term is found when it is one
    of the chunk's tokens or occurs in its heading or text (a text may cut the same characters another
    way: 就近划片|入学 holds no token 划片入学). A term's weight is its inverse document frequency: a word
    in no chunk at all weighs most, so a query whose key word never occurs cannot pass on the others."""
    tokens, frequency, total = _term_stats(lexical)
    have = tokens.get(chunk.chunk_id, set())
    text = chunk.embedding_text().lower()
    weights = {t: math.log((total + 1) / (frequency.get(t, 0) + 0.5)) for t in terms}
    whole = sum(weights.values())
    found = [t for t in terms if t in have or t in text]
    return (sum(weights[t] for t in found) / whole if whole > 0 else 0.0), found


def highlighted(text: str, terms: list[str]) -> str:
    """The text as HTML with every occurrence of the found terms in <mark> (longest first, no overlap)."""
    if not terms:
        return html_text(text)
    pattern = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [html_text(text[pos:m.start()]), f"<mark>{html_text(m.group(0))}</mark>"]
        pos = m.end()
    out.append(html_text(text[pos:]))
    return "".join(out)


def search_html(assistant, query: str, k: int | None = None) -> str:
    """The hits for the 文件 tab: title, a location that opens the tree there, the calibrated 相关度, the
    passage with the query's words marked. Nothing below MIN_MATCH is shown: then 未找到."""
    query = (query or "").strip()
    if not query:
        return f'<div class="doc-hits"><p>{html_text(NO_QUERY)}</p></div>'
    query = query[: assistant.settings.max_question_chars]
    lexical = assistant.index.lexical
    terms = query_terms(lexical, query)
    k = k or assistant.settings.top_k
    hits = []
    for hit in assistant.search(query, max(k, CANDIDATES)) if terms else []:
        score, found = match_score(lexical, terms, hit.chunk)
        if score >= MIN_MATCH:
            hits.append((hit.chunk, score, found))
    if not hits:
        return _not_found(lexical, query, terms)
    parts = ['<div class="doc-hits">',
             f"<p>找到 {min(len(hits), k)} 段。相关度＝搜索词在该段中出现的比例（越少见的词分量越重），低于"
             f"{MIN_MATCH:.0%}的段落不列出。点击“位置”可在左侧目录中打开该段。</p>"]
    parts += [_hit_html(rank, chunk, score, found) for rank, (chunk, score, found) in enumerate(hits[:k], 1)]
    parts.append("</div>")
    return "".join(parts)


def _hit_html(rank: int, chunk, score: float, found: list[str]) -> str:
    path = " / ".join(chunk.section_path) or chunk.label
    label = "" if chunk.verbatim else f'<span class="summary-label">（{html_text(SUMMARY_LABEL)}）</span>'
    if chunk.doc_id == REGISTRY_DOC_ID:  # the registry is not in the tree: it is listed below the search
        where = f"{html_text(path)}（见本页下方“指标登记表”）"
    else:
        where = f'<a href="#{anchor(chunk.chunk_id)}" data-section="{anchor(chunk.chunk_id)}">{html_text(path)}</a>'
    words = "、".join(found)
    return (f'<div class="hit"><div><b>{rank}. 《{html_text(chunk.doc_title)}》{html_text(chunk.label)}</b>{label}</div>'
            f'<div class="hit-meta">位置：{where}；相关度 {score:.0%}（命中：{html_text(words)}）</div>'
            f'<div class="hit-text">{highlighted(chunk.text, found)}</div></div>')


def _not_found(lexical: LexicalIndex, query: str, terms: list[str]) -> str:
    """未找到, which words never occur, and the parts of them that do (防溺水 → 溺水) to try instead."""
    _, frequency, _ = _term_stats(lexical)
    absent = [t for t in terms if t not in frequency]
    why = f"：“{'”“'.join(absent)}”在已收录的文件中没有出现" if absent else ""
    parts = [t for t in dict.fromkeys(tokenize(query, lexical.words)) if t in frequency and any(t in a for a in absent)]
    tries = "、".join(f"“{t}”" for t in parts) if parts else "“交流轮岗”“校车”“经费”"
    return (f'<div class="doc-hits"><p class="none">{NO_HITS}{html_text(why)}。</p>'
            f"<p>搜索“{html_text(query)}”没有找到足够相关的段落。可以试试：{html_text(tries)}。</p></div>")


def indicators_markdown(rows: list[IndicatorRow]) -> str:
    lines = [f"共 {len(rows)} 项。标注“{SUMMARY_LABEL}”的出处是本系统整理的要点，其余为文件原文逐字摘录。", ""]
    for row in rows:
        lines.append(f"**{inert(row.name)}**：{inert(row.target)}")
        for doc, clause, quote, label in row.sources:
            tag = f"（{label}）" if label else "（原文）"
            lines.append(f"- 《{inert(doc)}》{inert(clause)}{tag}：“{inert(quote)}”")
        if row.note:
            lines.append(f"- 说明（本系统整理）：{inert(row.note)}")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- 新成员入门

TARGETS_HEADER = "| 任务方面 | 指标 | 目标值 | 原文 |"  # the task table of briefing.briefing_markdown
_QUOTED = re.compile(r"“(.*)”（(.+)）")  # a 原文 cell: “quote”（clause label）
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def briefing_display(markdown: str, registry: Registry) -> str:
    """The briefing's task table made readable: a clause with quote marks of its own gets 「」 round it
    (not ““一校一策”), and a clause that sets a target without its figure ("达到国家评估
    标准") says where the figure is written, from the registry's other sources."""
    lines = markdown.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if line == TARGETS_HEADER:
            inside = True
        elif inside and not line.startswith("|"):
            inside = False
        elif inside and not line.startswith("| ---"):
            lines[i] = _target_row(line, registry)
    return "\n".join(lines)


def _target_row(line: str, registry: Registry) -> str:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) != 4:
        return line
    area, name, target, source = cells
    quoted = _QUOTED.fullmatch(source)
    if not quoted:
        return line
    quote, label = quoted.groups()
    source = f"「{quote}」（{label}）" if "“" in quote else source  # quote marks of its own: “按照“一校一策”…”
    figures = _FIGURE.findall(target)
    if figures and not any(f in quote for f in figures):
        source += _figure_source(name, registry)
    return f"| {area} | {name} | {target} | {source} |"


def _figure_source(name: str, registry: Registry) -> str:
    ind = next((i for i in registry if i.name == name), None)
    holder = next((s for s in ind.sources if _FIGURE.search(s.quote)), None) if ind else None
    if holder is None:
        return "（此条未写具体数值，目标值见“文件”页的指标登记表）"
    label = f"，{holder.label}" if holder.label else ""
    return f"（此条未写具体数值；数值见《{_cell(holder.doc_title)}》{_cell(holder.clause)}{label}：“{_cell(holder.quote)}”）"


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")

