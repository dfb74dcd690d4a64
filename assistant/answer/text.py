"""Question clean-up and sentence tools shared by routing and composition."""
from __future__ import annotations

import re
import unicodedata

from assistant.index.lexical import tokenize

# Control characters, zero-width marks and lone surrogates (invalid UTF-8 from a terminal or a web client).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\ufeff\ud800-\udfff]")
SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
# Common traditional forms in policy questions; enough to answer 繁體 questions as usual.
TRADITIONAL = str.maketrans(
    "財務負責學師資標準體藝術專職責們誰說麼這個單位與區鎮縣級經費養護教會議員組長團聯殘婦衛健監執農運輸處規劃設計條辦稅網溺應急業資數據統計戶籍費給為幾個項",
    "财务负责学师资标准体艺术专职责们谁说么这个单位与区镇县级经费养护教会议员组长团联残妇卫健监执农运输处规划设计条办税网溺应急业资数据统计户籍费给为几个项",
)


def clean_question(question: str, max_chars: int) -> tuple[str, str]:
    """(cleaned question, notice for the user or "")."""
    text = unicodedata.normalize("NFKC", question or "")
    text = CONTROL.sub(" ", text).translate(TRADITIONAL)
    text = re.sub(r"\s+", " ", text).strip()
    notice = ""
    if len(text) > max_chars:
        text = text[:max_chars]
        notice = f"问题过长，只处理了前 {max_chars} 个字。"
    return text, notice


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


def overlap(tokens: list[str], text: str) -> float:
    """Share of the question's content characters covered by tokens found in `text`.

    Counting characters rather than tokens keeps a compound and its parts (四个统一 / 四个 / 统一) from
    being counted twice: a found part covers its characters even when the compound is absent.
    """
    if not tokens:
        return 0.0
    base = "".join(tokens)
    spans = [(m.start(), m.end(), t in text) for t in tokens for m in re.finditer(re.escape(t), base)]
    content = {i for a, b, _ in spans for i in range(a, b)}
    covered = {i for a, b, found in spans if found for i in range(a, b)}
    return len(covered) / len(content) if content else 0.0
