"""Sentence tools shared by the composers."""
from __future__ import annotations

import re
from typing import Callable

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


def overlap(tokens: list[str], text: str, weight: Callable[[str], float] | None = None) -> float:
    """Share of the question's content characters covered by tokens found in `text`.

    Counting characters rather than tokens keeps a compound and its parts (四个统一 / 四个 / 统一) from
    being counted twice: a found part covers its characters even when the compound is absent.
    With `weight` (a token's rarity in the corpus), a character counts as much as the rarest token
    over it: the word only one clause has (程序) outweighs one every document has (优质均衡).
    """
    if not tokens:
        return 0.0
    # the characters are the compounds' (a part inside a listed compound adds none of its own)
    base = "".join(t for t in tokens if not any(t != u and t in u for u in tokens))
    spans = [(m.start(), m.end(), t) for t in tokens for m in re.finditer(re.escape(t), base)]
    worth: dict[int, float] = {}
    for a, b, t in spans:
        w = weight(t) if weight else 1.0
        for i in range(a, b):
            worth[i] = max(worth.get(i, 0.0), w)
    text = re.sub(r"\s+", "", text)  # a layout's spaces ("组  长") split no word
    covered = {i for a, b, t in spans if t in text for i in range(a, b)}
    total = sum(worth.values())
    return sum(worth[i] for i in covered) / total if total else 0.0
