"""文件 tab: the corpus as a tree by section path, search with the hybrid retriever, the registry."""
from __future__ import annotations

from assistant.answer.briefing import DocTree, IndicatorRow, TreeNode
from assistant.domain.indicators import SUMMARY_LABEL
from assistant.ui.text import blockquote, html_text, inert

NO_QUERY = "请输入要搜索的词语，例如“交流轮岗”“校车”“经费”。"
NO_HITS = "没有找到相关段落。"


def tree_html(trees: list[DocTree]) -> str:
    """Nested <details>: a click on a heading opens it; a section's own text is shown verbatim.
    Built from escaped text only, so nothing in a document can become markup."""
    parts = ['<div class="doc-tree">']
    for tree in trees:
        label = f' <span class="summary-label">（{html_text(tree.label)}）</span>' if tree.label else ""
        meta = " ".join(x for x in (tree.doc.doc_number, tree.doc.issuer, tree.doc.date) if x)
        parts.append(f"<details open><summary><b>《{html_text(tree.doc.title)}》</b>{label}</summary>")
        if meta:
            parts.append(f'<div class="doc-meta">{html_text(meta)}</div>')
        parts += [_node_html(node) for node in tree.roots]
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def _node_html(node: TreeNode) -> str:
    body = "".join(
        f'<div class="section-text" data-label="{html_text(c.label)}">{html_text(c.text)}</div>' for c in node.chunks
    )
    children = "".join(_node_html(child) for child in node.children)
    return f"<details><summary>{html_text(node.title)}</summary>{body}{children}</details>"


def search_markdown(assistant, query: str, k: int | None = None) -> str:
    query = (query or "").strip()
    if not query:
        return NO_QUERY
    hits = assistant.search(query[: assistant.settings.max_question_chars], k)
    if not hits:
        return NO_HITS
    lines = []
    for rank, hit in enumerate(hits, 1):
        c = hit.chunk
        path = " / ".join(c.section_path)
        label = "" if c.verbatim else f"（{SUMMARY_LABEL}）"
        lines += [f"**{rank}. 《{inert(c.doc_title)}》{inert(c.label)}**{label}  ",
                  f"位置：{inert(path)}；相关度 {hit.score:.3f}", "", blockquote(c.text), ""]
    return "\n".join(lines)


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
