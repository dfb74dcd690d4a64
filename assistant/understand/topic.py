"""The words a question is about, apart from the words that ask: what a clause's overlap with a
document sentence is scored on, and what tells an elliptical clause ("现在是谁") from a question."""
from __future__ import annotations

import re

from assistant.domain.number_roles import lexicon, tokens
from assistant.index.lexical import tokenize

# The words of asking (lexicon question_words), longest first: no topic of a question.
FRAME_WORDS = re.compile("|".join(map(re.escape, sorted(lexicon().question_words, key=len, reverse=True))))
# A figure the question states ("还是三千个", "零点九个") is a claim or the user's data, not a topic word.
NUMERAL_TOKEN = re.compile(r"[零〇一二两三四五六七八九十百千万点\d.]+[个名人位间元所]?")
# Tagger flags of words that only glue (particles, conjunctions, classifiers; not prepositions: 通过 is
# also the verb of "通过认定"), the
# interrogatives among pronouns and numerals (啥, 哪个, 几个, 多少) and the pronouns that point
# (这块, 我们): 每年 and 双减 still name a topic.
GLUE_FLAGS = frozenset("uyecq")
INTERROGATIVE = re.compile(r"几|多少|谁|哪|啥|什么|怎|咋")
POINTING = re.compile(r"^[这那我你咱他她它自]")  # 这块, 我们, 自己: pronouns that point, not name
TIME_FLAGS = frozenset("t")  # 现在, 今年: when, not what
COPULAS = frozenset("是为定叫")


def _glue(token, flags: frozenset[str]) -> bool:
    """"要组几个": 要 and 组 are one-character verbs, 几个 asks; none of them is what it is about."""
    return (token.flag[:1] in flags or (token.flag == "v" and len(token.word) == 1)
            or (token.flag[:1] in "rm" and bool(INTERROGATIVE.search(token.word)))
            or (token.flag[:1] == "r" and bool(POINTING.search(token.word))))


def content_tokens(text: str) -> list[str]:
    """Tokens that carry meaning (two characters or more), for overlap scoring."""
    return [t for t in dict.fromkeys(tokenize(text)) if len(t) >= 2]


def topic_tokens(question: str, drop: list[str] = (), glue_flags: frozenset[str] = GLUE_FLAGS) -> list[str]:
    text = question
    for word in drop:
        text = text.replace(word, " ")
    text = FRAME_WORDS.sub(" ", text)
    glue = {i for t in tokens(text) if _glue(t, glue_flags) for i in range(t.start, t.end)}
    return [t for t in content_tokens(text) if not NUMERAL_TOKEN.fullmatch(t)
            and not all(set(range(m.start(), m.end())) <= glue for m in re.finditer(re.escape(t), text))]


def names_nothing(clause: str) -> bool:
    """A clause that only asks for the value of the one before it ("…换人了吗？现在是谁", "现在定的
    哪年"): time words, a copula and the asking word. "平时管些啥" asks a thing of its own (管)."""
    return all(_glue(t, GLUE_FLAGS | TIME_FLAGS) and (t.flag != "v" or t.word in COPULAS) or t.flag == "x"
               for t in tokens(clause))
