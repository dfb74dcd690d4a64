"""A plan's own figures for the registry's indicators, read from its text.

A county's plan often sets its own standard ("每百名学生拥有音体美专任教师数，小学、初中均达到1.0人
以上"). The registry holds the figures of the documents its sources quote; for any other plan (or
rule) the figures are read here, clause by clause, so a calculation for that county's school is
judged by its own plan, citing the sentence the figure came from. Nothing here is typed for one
plan: the indicators' names and aliases come from the registry, the levels from its values, the
words that set a standard from data/standard_words.yaml.

Reading rules, per sentence (up to 。；!? or a line break), each figure a number with the
indicator's own unit and a word that sets a standard beside it (达到, 不低于, 控制在, 以上, 以内 …;
"平均班额为44人" reports, it sets nothing):
- the figure belongs to the nearest indicator named before it in its comma clause, skipping one
  named after a comparison word (the object of "骨干教师交流轮岗人数不低于交流轮岗教师总数的25%" is
  not its subject); else to the nearest named earlier in the sentence that has no figure yet
  ("…音体美专任教师数，小学、初中均达到1.0人") or whose figures the clause goes on with
  ("小学4.2人以上，初中5.3人以上"); else to the first named after it in its clause ("拥有1名以上区级
  及以上骨干教师");
- two figures after "小学、初中" (in that order or the reverse) are the two levels'; one figure holds
  for every level the indicator has, unless one level alone is named (中小学 names both);
- an indicator given two different readings, or figures for only some of its levels, is left out:
  a figure we cannot place is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from .indicators import LEVELS, Indicator, IndicatorSource, Registry

_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_NUMBER = re.compile(r"(?<![\d.,，])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(人|名|元|平方米|㎡|间|%|％|年)")
_UNIT_OF = {"人": "人", "名": "人", "元": "元", "平方米": "㎡", "㎡": "㎡", "间": "间", "%": "%", "％": "%", "年": "年"}
_LEVEL = {"小学": r"(?<!中)小学", "初中": r"初中"}  # 中小学 is both levels, said together
WORDS_FILE = Path(__file__).with_name("data") / "standard_words.yaml"


@lru_cache(maxsize=1)
def _words() -> dict:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PlanStandard:
    key: str
    values: dict[str, Decimal]  # level (or "all") → the plan's figure
    quote: str  # the sentence it was read from, verbatim


def _terms(registry: Registry) -> list[tuple[str, Indicator]]:
    return sorted(((t, ind) for ind in registry for t in (ind.name, *ind.aliases) if len(t) >= 2),
                  key=lambda t: -len(t[0]))


def _mentions(sentence: str, terms: list[tuple[str, Indicator]]) -> list[tuple[int, int, Indicator]]:
    """Indicator names in the sentence, longest first at each place, never overlapping."""
    taken: list[tuple[int, int, Indicator]] = []
    for term, ind in terms:
        for m in re.finditer(re.escape(term), sentence):
            if all(m.end() <= a or m.start() >= b for a, b, _ in taken):
                taken.append((m.start(), m.end(), ind))
    return sorted(taken, key=lambda t: t[0])


def _sets_standard(sentence: str, number: re.Match, clause_start: int, clause_end: int) -> bool:
    """A word that sets a standard stands before the figure in its clause, or after it there
    ("4.5平方米、…7.5平方米以上": one 以上 closes the list)."""
    words = _words()
    return any(w in sentence[clause_start:number.start()] for w in words["before"]) or \
        any(w in sentence[number.end():clause_end] for w in words["after"])


def _clause(sentence: str, number: re.Match) -> tuple[int, int]:
    """The comma clause a figure stands in, as (start, end) offsets in the sentence."""
    start = max(sentence.rfind(c, 0, number.start()) for c in "，,：:") + 1
    ends = [i for i in (sentence.find(c, number.end()) for c in "，,：:") if i >= 0]
    return start, min(ends) if ends else len(sentence)


def _owner(number: re.Match, mentions, sentence: str, unit: str, filled: set[str],
           clause: tuple[int, int]) -> Indicator | None:
    fits = [(a, b, ind) for a, b, ind in mentions if ind.unit == unit]
    clause_start, clause_end = clause
    in_clause = [m for m in fits if clause_start <= m[0] and m[1] <= number.start()]
    comparisons = tuple(_words()["comparisons"])
    for i in range(len(in_clause) - 1, -1, -1):  # nearest first, but never a comparison's object
        earlier_end = in_clause[i - 1][1] if i else clause_start
        if i and any(w in sentence[earlier_end:in_clause[i][0]] for w in comparisons):
            continue
        return in_clause[i][2]
    # "小学4.2人以上，初中5.3人以上": a clause that opens with a level goes on with the same indicator
    goes_on = re.match(rf"\s*(?:{'|'.join(LEVELS)})\s*\d", sentence[clause_start:]) is not None
    earlier = [m for m in fits if m[1] <= clause_start and (goes_on or m[2].key not in filled)]
    if earlier:
        return earlier[-1][2]
    later = [m for m in fits if number.end() <= m[0] < clause_end]
    return later[0][2] if later else None


def _levels(figures: list[Decimal], span: str, ind: Indicator) -> dict[str, Decimal] | None:
    own = [level for level in ind.values if level in LEVELS]
    named = sorted((m.start(), level) for level, pattern in _LEVEL.items() if (m := re.search(pattern, span)))
    named = [level for _, level in named]
    if not own:
        return {"all": figures[0]} if len(figures) == 1 and "all" in ind.values else None
    if len(figures) == 2 and len(named) == 2:
        return dict(zip(named, figures))
    if len(figures) == 1:
        return {named[0]: figures[0]} if len(named) == 1 else {level: figures[0] for level in own}
    return None


def read_standards(text: str, registry: Registry) -> dict[str, PlanStandard]:
    """The plan's own figure for each indicator it states unambiguously."""
    terms = _terms(registry)
    found: dict[str, PlanStandard] = {}
    doubtful: set[str] = set()
    for sent in _SENTENCE.finditer(text):
        sentence = sent.group(0)
        mentions = _mentions(sentence, terms)
        if not mentions:
            continue
        figures: dict[str, list[tuple[int, Decimal]]] = {}
        for number in _NUMBER.finditer(sentence):
            clause = _clause(sentence, number)
            if not _sets_standard(sentence, number, *clause):
                continue
            ind = _owner(number, mentions, sentence, _UNIT_OF[number.group(2)], set(figures), clause)
            if ind is not None:
                figures.setdefault(ind.key, []).append((number.start(), Decimal(number.group(1).replace(",", ""))))
        for key, got in figures.items():
            ind = registry.get(key)
            # the levels named up to its figures ("小学、初中…分别达到…，…分别达到…" holds for both clauses)
            values = _levels([v for _, v in got], sentence[:got[-1][0]], ind)
            if values is None or key in doubtful or not _covers(values, ind):
                continue
            if key in found and found[key].values != values:
                doubtful.add(key)  # the plan states it twice, differently: which holds is not guessed
                del found[key]
                continue
            found.setdefault(key, PlanStandard(key, values, sentence.strip()))
    return found


def _covers(values: dict[str, Decimal], ind: Indicator) -> bool:
    """Figures for every level the indicator has: the registry's figure is never shown under the
    plan's sentence for a level the sentence does not state."""
    return "all" in values or all(level in values for level in ind.values)


def with_plan_standards(registry: Registry, standards: dict[str, PlanStandard], doc_id: str, doc_title: str,
                        beside: frozenset[str] = frozenset()) -> Registry:
    """The registry as the document reads it: its own figures, its sentence the first source, for the
    indicators it sets. Sources of documents in `beside` (the national rule a plan is compared with)
    stay beside it; a plan's figure less strict than theirs is not taken (a local standard may be
    higher, never lower), and where the plan is silent their figure is the one that holds."""
    changed = []
    for ind in registry:
        std = standards.get(ind.key)
        kept = tuple(src for src in ind.sources if src.doc_id in beside)
        if std is None:
            # the plan is silent: the national rule's figure holds there (not another county's)
            changed.append(replace(ind, values={lv: _figure(kept[0], ind, lv) for lv in ind.values}, sources=kept,
                                   note=None) if kept else ind)
            continue
        values = {level: std.values.get(level, std.values.get("all")) for level in ind.values}
        theirs = [{lv: _figure(src, ind, lv) for lv in values} for src in kept]
        if not all(_as_strict(ind, values[lv], other[lv]) for other in theirs for lv in values):
            changed.append(ind)
            continue
        own = IndicatorSource(doc_id, doc_title, "", std.quote, True)
        higher = any(values[lv] != other[lv] for other in theirs for lv in values)
        note = f"《{doc_title}》的标准高于国家办法，以《{doc_title}》为准。" if higher else None
        changed.append(replace(ind, values=values, sources=(own, *kept), note=note))
    return Registry(tuple(changed))


def _figure(source: IndicatorSource, ind: Indicator, level: str) -> Decimal:
    """The figure a source sets for a level: its own `value` where it differs, else the registry's."""
    return source.value if source.value is not None else ind.values[level]


def _as_strict(ind: Indicator, value: Decimal, other: Decimal) -> bool:
    return value <= other if ind.comparison in ("<=", "<") else value >= other if ind.comparison in (">=", ">") else True
