"""BM25 over jieba tokens with a domain user dictionary: policy terms, plus the unit names and aliases
of the indexed documents (from their profiles), stored with the index so queries cut the same way."""
from __future__ import annotations

import re
from functools import lru_cache

import logging

import jieba
from rank_bm25 import BM25Okapi

DOMAIN_TERMS = (
    "县管校聘", "差异系数", "大班额", "大校额", "音体美", "优质均衡", "基本均衡", "交流轮岗", "控辍保学",
    "专任教师", "骨干教师", "持证上岗", "就近划片", "划片入学", "名额分配", "生均公用经费", "巩固率",
    "入学率", "特殊教育", "多媒体教室", "教学仪器设备", "体育运动场馆", "教学及辅助用房", "高于规定学历",
    "工作专班", "办公室主任", "组长", "副组长", "留守儿童", "困境儿童", "随迁子女", "校车", "网吧",
    "溺水", "防溺水", "食品安全", "预防接种", "教育费附加", "地方教育附加", "校舍", "教师编制",
    "公开招聘", "职称评聘", "绩效工资", "法治副校长", "护学岗", "户籍", "劳动教育", "研学实践",
    "防灾减灾", "通校公路", "三个课堂", "五位一体", "双减", "集团化办学", "教学述评", "评估认定",
    "四个统一", "督导检查", "教育督导", "360学时", "教师培训", "培训经费", "公用经费",
)
STOPWORDS = set(
    "的 了 和 与 及 是 在 对 为 等 将 把 被 我 我们 你 你们 他 她 它 这 那 要 吗 呢 吧 啊 呀 么 什么 怎么 "
    "哪些 哪个 多少 如何 是否 有 有没有 能 可以 请问 一下 谁 哪 个 之 其 并 或 由 就 都 也 还 又 中 上 下 "
    "里 做 干 负责 管 方面 问题 情况 一个 这个 那个 给 说 讲".split()
)
TOKEN = re.compile(r"[\w.%]+")
jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=2)  # each jieba Tokenizer holds a whole dictionary: the current index and the next
def tokenizer(words: frozenset[str] = frozenset()) -> jieba.Tokenizer:
    """A private jieba instance (jieba's global one is shared state) with our domain dictionary and
    `words` (the corpus's unit names)."""
    tok = jieba.Tokenizer()
    tok.initialize()
    for word in sorted({*DOMAIN_TERMS, *words}):
        tok.add_word(word, freq=200000)
    return tok


def tokenize(text: str, words: frozenset[str] = frozenset()) -> list[str]:
    tokens = []
    for token in tokenizer(words).cut_for_search(text):
        token = token.strip().lower()
        if token and token not in STOPWORDS and TOKEN.fullmatch(token):
            tokens.append(token)
    return tokens


class LexicalIndex:
    def __init__(self, chunk_ids: list[str], tokens: list[list[str]], words: frozenset[str] = frozenset()):
        self.chunk_ids = chunk_ids
        self.tokens = tokens
        self.words = frozenset(words)
        self._bm25 = BM25Okapi([t or ["∅"] for t in tokens]) if tokens else None

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str], words: frozenset[str] = frozenset()) -> "LexicalIndex":
        return cls(chunk_ids, [tokenize(t, frozenset(words)) for t in texts], words)

    def to_dict(self) -> dict:
        return {"chunk_ids": self.chunk_ids, "tokens": self.tokens, "words": sorted(self.words)}

    @classmethod
    def from_dict(cls, data: dict) -> "LexicalIndex":
        return cls(data["chunk_ids"], data["tokens"], frozenset(data.get("words", ())))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        q = tokenize(query, self.words)
        if not q or self._bm25 is None:
            return []
        scores = self._bm25.get_scores(q)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        return [(self.chunk_ids[i], float(scores[i])) for i in order if scores[i] > 0]
