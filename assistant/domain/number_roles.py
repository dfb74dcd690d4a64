"""What each number in a question is: the user's data, or part of a name, a count of schools, an
ordinal, a year, a claim about the standard, or an instruction.

Read by grammar, not by position: the question is cut with jieba's part-of-speech tagger (a private
tokenizer with our lexicon, so the search index's tokenisation is untouched), and a number's role
follows from the token it sits in and the tokens around it:
- inside a school's short name (五中, 实验三小, 十一中, 第一中学) → name;
- before 所 / 个+学校名词 (一所初中, 两所小学, 另一所) → schools, the count of schools;
- after 第, before 年级, 初一/高二 → ordinal; a 4-digit year before 年 → year; 三个月 → duration;
- in a clause that states the standard ("标准是2人", "生均公用经费是10000元，对吗" with no 我们) → claim;
- in a clause that tells the assistant what to say ("告诉用户…是12000元") → instruction;
- with an exponent (1e308), a minus sign, or beyond MAX_DATA_VALUE → unreadable (asked about);
- otherwise → data (which quantity it measures is decided by the calculation layer).
The word lists live in data/lexicon.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from .indicators import default_registry
from .numerals import NumberMention, extract_numbers

LEXICON_FILE = Path(__file__).with_name("data") / "lexicon.yaml"
# A figure no school has: more digits than this, or larger, is a typo or a probe, never data.
MAX_DATA_VALUE = 10**10
_EXPONENT = re.compile(r"^[eE][+-]?\d")
CLAUSE_BREAKS = "，,。；;？?！!\n：:"
_CN_NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
               "十六", "十七", "十八", "十九", "二十"]
_NAME_FLAGS = {"nt", "nr", "nrt", "ns", "nz"}
_PROPER_FLAGS = {"n", "ns", "nr", "nz", "nt", "j", "ng", "g"}  # a word that can begin a school's name (g: 息|陬|小学)
_GRADE = re.compile(r"[初高][一二三]|[一二三四五六七八九]年级")
_DURATION = re.compile(r"^\s*(?:个)?\s*(?:学年|学期|个月|月|星期|周|天|小时|年(?!级))")


@dataclass(frozen=True)
class Lexicon:
    school_name_suffixes: tuple[str, ...]
    school_name_levels: dict
    school_name_words: tuple[str, ...]
    school_marks: tuple[str, ...]
    school_mark_suffixes: tuple[str, ...]
    school_name_prefixes: tuple[str, ...]
    school_nouns: tuple[str, ...]
    school_count_classifiers: tuple[str, ...]
    school_count_nouns: tuple[str, ...]
    distributive_words: tuple[str, ...]
    classifiers: tuple[str, ...]
    ordinal_prefixes: tuple[str, ...]
    grade_suffixes: tuple[str, ...]
    first_person: tuple[str, ...]
    standard_words: tuple[str, ...]
    report_words: tuple[str, ...]
    claim_endings: tuple[str, ...]
    claim_leads: tuple[str, ...]
    claim_particles: tuple[str, ...]
    verdict_words: tuple[str, ...]
    question_words: tuple[str, ...]
    instruction_words: tuple[str, ...]
    name_breakers: tuple[str, ...]
    org_suffixes: tuple[str, ...]
    words: tuple[tuple[str, int, str], ...]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    return Lexicon(**{k: v if isinstance(v, dict) else tuple(tuple(w) if isinstance(w, list) else w for w in v)
                      for k, v in data.items()})


def school_short_names() -> list[str]:
    """Short school names built from numerals and the lexicon's suffixes: 五中, 三小, 实验二小, 第一中学."""
    lex = lexicon()
    numbers = [*_CN_NUMBERS, *(str(i) for i in range(1, 21))]
    names = []
    for n in numbers:
        if n in _CN_NUMBERS:  # "5小" is rarer than "5小时": bare suffixes only after Chinese numerals
            names += [f"{n}{s}" for s in lex.school_name_suffixes if s not in ("中学", "小学", "校")]
        names += [f"第{n}{s}" for s in ("中学", "小学", "实验小学", "初级中学", "中")]
        names += [f"{p}{n}{s}" for p in lex.school_name_prefixes for s in ("小", "中", "小学", "中学")]
    return names


@lru_cache(maxsize=1)
def _tagger():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    for word, freq, flag in lexicon().words:
        tokenizer.add_word(word, int(freq), flag)
    for ind in default_registry():  # the indicators' own names and aliases are cut whole
        for term in (ind.name, *ind.aliases):
            if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", term):
                tokenizer.add_word(term, 3000, "n")
    for name in school_short_names():
        tokenizer.add_word(name, 20000, "nt")
    return jieba.posseg.POSTokenizer(tokenizer)


@dataclass(frozen=True)
class Token:
    word: str
    flag: str
    start: int
    end: int


@lru_cache(maxsize=1024)
def tokens(text: str) -> tuple[Token, ...]:
    """The question cut by the private tagger; cached, since every stage of reading one question
    (number roles, keywords, tool, school names) asks for the same cut."""
    out, position = [], 0
    for pair in _tagger().cut(text):
        out.append(Token(pair.word, pair.flag, position, position + len(pair.word)))
        position += len(pair.word)
    return tuple(out)


@lru_cache(maxsize=1024)
def school_names(text: str) -> tuple[Token, ...]:
    """The schools a question names: short names with a numeral (五中, 实验三小) and names that end
    in a school word after a proper name (时庄|中心小学), as tokens spanning the whole name."""
    cut, lex, out = tokens(text), lexicon(), []
    numbered = set(school_short_names())
    for i, t in enumerate(cut):
        if t.flag == "nt" and (t.word in numbered or any(t.word.endswith(f"{n}{s}") for n in _CN_NUMBERS
                                                           for s in lex.school_name_suffixes)):
            place = cut[i - 1] if i and cut[i - 1].flag in ("ns", "nr") and cut[i - 1].end == t.start else None
            out.append(Token(place.word + t.word, "nt", place.start, t.end) if place else t)  # 尼山|一小
        elif t.word in lex.school_name_words and i and cut[i - 1].flag in _PROPER_FLAGS \
                and cut[i - 1].word not in lex.first_person:
            # a one-character piece the tagger split off a rare name joins it (息|陬|小学 is 息陬小学)
            first = i - 2 if i > 1 and len(cut[i - 1].word) == 1 and cut[i - 2].flag in _PROPER_FLAGS \
                and cut[i - 2].word not in lex.first_person else i - 1
            out.append(Token(text[cut[first].start:t.end], "nt", cut[first].start, t.end))
    marks = "|".join(map(re.escape, lex.school_marks))
    suffixes = "|".join(map(re.escape, lex.school_mark_suffixes))
    for m in re.finditer(rf"(?<![A-Za-z\u4e00-\u9fff])(?:{marks})(?:{suffixes})(?![\u4e00-\u9fff]{{0,1}}长)", text):
        out.append(Token(m.group(), "nt", m.start(), m.end()))  # "A校500人", "东校生均2100元"
    return tuple(sorted(out, key=lambda t: t.start))


def school_name_level(text: str) -> str | None:
    """The level the named schools' suffixes say (五中 → 初中, 三小 → 小学); None for none or both."""
    levels = lexicon().school_name_levels
    found = {next((lv for suffix, lv in sorted(levels.items(), key=lambda kv: -len(kv[0]))
                   if t.word.endswith(suffix)), None) for t in school_names(text)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class NumberRole:
    mention: NumberMention
    role: str
    evidence: str  # the words that decided the role, shown in the frame for inspection

    @property
    def is_data(self) -> bool:
        return self.role == "data"


def clause_bounds(text: str, position: int) -> tuple[int, int]:
    start = max(text.rfind(c, 0, position) for c in CLAUSE_BREAKS) + 1
    ends = [i for i in (text.find(c, position) for c in CLAUSE_BREAKS) if i != -1]
    return start, min(ends, default=len(text))


def number_roles(text: str) -> list[NumberRole]:
    """Every number of `text` with its role (see the module docstring)."""
    toks = tokens(text)
    # Grade words are cut out before numbers are read: the 三 of 初三 would join the 380 after it.
    grades = [(t.start, t.end) for t in toks if _GRADE.fullmatch(t.word)]
    readable = text
    for a, b in grades:
        readable = readable[:a] + "□" * (b - a) + readable[b:]
    roles = [NumberRole(m, *_role(text, m, toks)) for m in extract_numbers(readable)]
    return sorted(roles + [NumberRole(_grade_mention(text, a, b), "ordinal", text[a:b]) for a, b in grades],
                  key=lambda r: r.mention.start)


def _grade_mention(text: str, start: int, end: int) -> NumberMention:
    return NumberMention(Decimal(0), start, end, text[start:end])


def mask_non_data(text: str, roles: list[NumberRole] | None = None) -> str:
    """`text` with every number that is not the user's data replaced by □ (same length)."""
    for r in roles if roles is not None else number_roles(text):
        if not r.is_data:
            m = r.mention
            text = text[:m.start] + "□" * (m.end - m.start) + text[m.end:]
    return text


def _role(text: str, m: NumberMention, toks: tuple[Token, ...]) -> tuple[str, str]:
    lex = lexicon()
    start, end = clause_bounds(text, m.start)
    clause = text[start:end]
    if _EXPONENT.match(text[m.end:]) or re.search(r"\d[eE][+-]?$", text[:m.start]) \
            or text[:m.start].endswith(("-", "−", "负")) or abs(m.value) > MAX_DATA_VALUE:
        a = m.start - len(re.search(r"[\d.eE+\-−负]*$", text[:m.start]).group(0))
        b = m.end + len(re.match(r"[\d.eE+\-−]*", text[m.end:]).group(0))
        return "unreadable", text[a:b]
    if any(w in text for w in lex.instruction_words) and _instruction_reaches(text, m, lex):
        return "instruction", next(w for w in lex.instruction_words if w in text)
    holder = next((t for t in toks if t.start <= m.start < t.end), None)
    if holder and holder.flag in _NAME_FLAGS and len(holder.word) > len(m.text) \
            and not _only_classifier(holder.word, m.text, lex) and text[holder.end:holder.end + 1] not in lex.name_breakers:
        return "name", holder.word
    after, before = text[m.end:], text[:m.start]
    if before.endswith("第") or any(after.startswith(s) for s in lex.grade_suffixes):
        return "ordinal", (before[-1:] or "") + m.text + after[:2]
    if len(m.text) == 1 and before[-1:] in lex.ordinal_prefixes and m.text in "一二三":
        return "ordinal", before[-1] + m.text
    if m.value == m.value.to_integral_value() and 1900 <= m.value <= 2100 and after.lstrip().startswith("年"):
        return "year", m.text + "年"
    if _counts_schools(after, lex):
        return "schools", m.text + after[:3]
    words = "|".join(map(re.escape, lex.distributive_words))
    if re.match(rf"\s*(?:个|所)\s*(?:学段|学校)?\s*(?:{words})", after):  # not 项: "六项都达标" is data
        return "count", m.text + after[:3]  # "两个分别达标没": the items listed before, counted
    if _DURATION.match(after) and not m.percent:
        return "duration", m.text + _DURATION.match(after).group(0)
    if _is_claim(text, clause, text[start:m.start], lex) and not any(w in text[m.end:end] for w in lex.report_words):
        return "claim", clause
    return "data", ""


def _only_classifier(word: str, number: str, lex: Lexicon) -> bool:
    """"一千二百名" is one token but only a number and its classifier, not a name."""
    rest = word.replace(number, "", 1)
    return rest in lex.classifiers or not rest


def _counts_schools(after: str, lex: Lexicon) -> bool:
    stripped = after.lstrip()
    if stripped.startswith("所") or any(stripped.startswith(n) for n in lex.school_count_nouns):
        return True  # "两所", "两校咋样"
    for classifier in lex.school_count_classifiers:
        if stripped.startswith(classifier):
            rest = stripped[len(classifier):].lstrip()
            return any(rest.startswith(noun) for noun in lex.school_nouns)
    return False


def _instruction_reaches(text: str, m: NumberMention, lex: Lexicon) -> bool:
    """The number comes after an instruction word in the same sentence (up to 。？！)."""
    sentence_start = max(text.rfind(c, 0, m.start) for c in "。？?！!\n") + 1
    return any(w in text[sentence_start:m.start] for w in lex.instruction_words)


def _is_claim(text: str, clause: str, lead: str, lex: Lexicon) -> bool:
    """A figure said to be the standard: "标准是2人", "…是10000元，对吗" without 我们/我校."""
    if re.search("(?:" + "|".join(map(re.escape, lex.standard_words)) + r")\s*(?:是|为|应为|应当是|要求是|定为|规定为)?\s*$",
                 lead):
        return True
    # "市级骨干教师要求每百名学生2人以上，是不是": a question that only asks to confirm what it
    # says, about no school of the asker's, states the standard.
    # "学校规模上限是不是三千人", "培训经费是否按公用经费10%安排": the figure is what is asked to be confirmed.
    ending = text.rstrip("？?。！! ")
    asks_verdict = any(w in text for w in lex.verdict_words)  # "是否配够了8个", "够了吧": the school's figures
    ends_as_claim = any(ending.endswith(e) for e in lex.claim_endings) or (
        any(ending.endswith(p) for p in lex.claim_particles) and not asks_verdict)
    asks_before = any(w in lead for w in lex.claim_leads) and not asks_verdict
    mine = any(w in text for w in lex.first_person)
    return (ends_as_claim or asks_before) and not mine
