"""Sentence tools shared by the composers."""
from __future__ import annotations

import re
from typing import Callable

from assistant.index.lexical import tokenize

SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


def sentences(text: str, start: int = 0) -> list[tuple[str, int, int]]:
    """(sentence, absolute start, absolute end) for each sentence of `text` (offset `start`)."""
    out = []
    for match in SENTENCE.finditer(text):
        raw = match.group(0)
        stripped = raw.strip()
        if not stripped:
            continue
        a = start + match.start() + (len(raw) - len(raw.lstrip()))
        out.append((stripped, a, a + len(stripped)))
    return out


def content_tokens(text: str) -> list[str]:
    """Tokens that carry meaning (two characters or more), for overlap scoring."""
    return [t for t in dict.fromkeys(tokenize(text)) if len(t) >= 2]


def overlap(tokens: list[str], text: str, weight: Callable[[str], float] | None = None) -> float:
    """Share of the question's content characters covered by tokens found in `text`.

    Counting characters rather than tokens keeps a compound and its parts (四个统一 / 四个 / 统一) from
    being counted twice: a found part covers its characters even when the compound is absent.
    With `weight` (a token's rarity in the corpus), a character counts as much as the rarest token
    over it: the word only one clause has (程序) outweighs one every document has (优质均衡).
    """
    if not tokens:
        return 0.0
    base = "".join(tokens)
    spans = [(m.start(), m.end(), t) for t in tokens for m in re.finditer(re.escape(t), base)]
    worth: dict[int, float] = {}
    for a, b, t in spans:
        w = weight(t) if weight else 1.0
        for i in range(a, b):
            worth[i] = max(worth.get(i, 0.0), w)
    covered = {i for a, b, t in spans if t in text for i in range(a, b)}
    total = sum(worth.values())
    return sum(worth[i] for i in covered) / total if total else 0.0
