"""No image and no link in the markdown we render, whatever text it quotes: a document or an uploaded
table may carry `![](http://tracker)`, `[点我](http://phish)` or a bare URL that gradio would link."""
from __future__ import annotations

import re

# Inline, reference and image links all need brackets; autolinks need a scheme or "www.".
_BRACKET = re.compile(r"([\[\]])")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(?=//)")
_WWW = re.compile(r"(www)\.", re.IGNORECASE)


def unlinked(markdown: str) -> str:
    """Markdown written by the library (bold, lists, tables, quotes of documents) with every link and
    image made plain text: brackets escaped, URL schemes and "www." broken by a backslash."""
    text = _BRACKET.sub(r"\\\1", markdown)
    text = _SCHEME.sub(r"\1\\:", text)
    return _WWW.sub(r"\1\\.", text)
