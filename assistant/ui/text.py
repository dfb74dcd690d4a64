"""Making text safe to show: what a user typed, and verbatim quotes, must render as plain text."""
from __future__ import annotations

import html
import re

# Markdown punctuation (CommonMark allows a backslash before any ASCII punctuation). `<`, `>` and `&`
# are left to html.escape: a backslash in front of an entity would break it.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~\"'$:=^])")


def inert(text: str) -> str:
    """User text or a quote for a markdown component: no HTML, no links, no images, no formatting."""
    return html.escape(_MARKDOWN.sub(r"\\\1", text or ""), quote=False)


def safe_markdown(text: str) -> str:
    """Markdown written by the library (bold, lists, tables) with any raw HTML shown as text."""
    return html.escape(text or "", quote=False)


def blockquote(text: str) -> str:
    """A verbatim quote as a markdown blockquote, line breaks kept."""
    return "\n".join("> " + inert(line) if line.strip() else ">" for line in (text or "").split("\n"))


def html_text(text: str) -> str:
    """Plain text inside an HTML component (the document tree)."""
    return html.escape(text or "", quote=True)
