"""The indicator registry: every target value with its unit, comparison and sources.

The YAML file next to this module is the single place thresholds live; the
calculator, the numeric-question parser and the school-table report all read it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

SUMMARY_LABEL = "要点摘要（非原文），请以正式文件为准"
DEFAULT_PATH = Path(__file__).with_name("data") / "indicators.yaml"

KINDS = ("school_resource", "resource_rule", "government", "quality", "plan_target", "social")
COMPARISONS = {">=": "≥", "<=": "≤", "<": "<", "=": "="}
COMPARISON_WORDS = {">=": "不低于", "<=": "不超过", "<": "低于", "=": "为"}
VALUE_KEYS = ("all", "小学", "初中", "一贯制")
LEVELS = ("小学", "初中")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class IndicatorSource:
    doc_id: str
    doc_title: str
    clause: str
    quote: str
    verbatim: bool
    anchor: str | None = None
    value: Decimal | None = None  # this document's own figure, where documents differ

    @property
    def label(self) -> str | None:
        """The label every summary must carry when shown; None for verbatim quotes."""
        return None if self.verbatim else SUMMARY_LABEL

    def to_dict(self) -> dict[str, Any]:
        data = {
            "doc_id": self.doc_id,
            "doc_title": self.doc_title,
            "clause": self.clause,
            "quote": self.quote,
            "verbatim": self.verbatim,
            "label": self.label,
        }
        if self.anchor:
            data["anchor"] = self.anchor
        if self.value is not None:
            data["value"] = str(self.value)
        return data


@dataclass(frozen=True)
class Measure:
    """How a school resource indicator is computed from one raw count."""

    input: str
    input_name: str
    per_students: int  # 100 for 每百名学生, 1 for 生均


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    comparison: str
    values: Mapping[str, Decimal]
    kind: str
    sources: tuple[IndicatorSource, ...]
    aliases: tuple[str, ...] = ()
    note: str | None = None
    measure: Measure | None = None

    def threshold(self, level: str | None = None) -> Decimal:
        if level in self.values:
            return self.values[level]
        if "all" in self.values:
            return self.values["all"]
        choices = "、".join(self.values)
        raise KeyError(f"指标“{self.name}”没有“{level}”的标准值，可选：{choices}")

    def passes(self, value: Fraction | Decimal | int, level: str | None = None) -> bool:
        """Exact comparison: the value is never rounded before it is judged."""
        actual, limit = Fraction(value), Fraction(self.threshold(level))
        return {
            ">=": actual >= limit,
            "<=": actual <= limit,
            "<": actual < limit,
            "=": actual == limit,
        }[self.comparison]

    def threshold_text(self, level: str | None = None) -> str:
        """E.g. "≥0.9人", "≤0.50", "≥95%"."""
        return f"{COMPARISONS[self.comparison]}{self.threshold(level)}{self.unit}"

    def source_value(self, doc_id: str) -> Decimal:
        """The figure a given document sets (differs from `values` only where a source says so)."""
        for source in self.sources:
            if source.doc_id == doc_id:
                return source.value if source.value is not None else self.threshold()
        raise KeyError(f"指标“{self.name}”没有来自 {doc_id} 的出处")

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "unit": self.unit,
            "comparison": self.comparison,
            "values": {k: str(v) for k, v in self.values.items()},
            "kind": self.kind,
            "aliases": list(self.aliases),
            "note": self.note,
            "sources": [s.to_dict() for s in self.sources],
        }


@dataclass
class Registry:
    indicators: tuple[Indicator, ...]
    _by_key: dict[str, Indicator] = field(init=False, repr=False)
    _terms: list[tuple[str, Indicator]] = field(init=False, repr=False)
    _shared: dict[tuple[str, str], tuple[Indicator, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key = {ind.key: ind for ind in self.indicators}
        terms = [(term, ind) for ind in self.indicators for term in (ind.name, *ind.aliases)]
        # Longest first, so "骨干教师交流轮岗" wins over "骨干教师".
        self._terms = sorted(terms, key=lambda t: -len(t[0]))
        self._shared = {(term, ind.key): self._sharing(term, ind) for term, ind in terms}

    def __getitem__(self, key: str) -> Indicator:
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, key: str) -> Indicator:
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"指标登记表中没有“{key}”") from None

    def by_kind(self, kind: str) -> list[Indicator]:
        return [ind for ind in self.indicators if ind.kind == kind]

    @property
    def resource_indicators(self) -> list[Indicator]:
        return self.by_kind("school_resource")

    def find(self, text: str) -> list[Indicator]:
        """Indicators named in `text`, in order of appearance; longest names/aliases win overlaps."""
        taken: list[tuple[int, int]] = []
        hits: list[tuple[int, Indicator]] = []
        for term, ind in self._terms:
            for match in re.finditer(re.escape(term), text):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                hits.append((span[0], ind))
                hits += [(span[0], other) for other in self._shared[(term, ind.key)]]
        ordered: list[Indicator] = []
        for _, ind in sorted(hits, key=lambda h: h[0]):
            if ind not in ordered:
                ordered.append(ind)
        return ordered

    def _sharing(self, term: str, ind: Indicator) -> tuple[Indicator, ...]:
        """Indicators of the same clause whose own name contains the term that named `ind`: "交流轮岗比例"
        asks of the 10% and of the 骨干 20% stated beside it ("交流轮岗教师总数的20%")."""
        clauses = {(s.doc_id, s.clause) for s in ind.sources if s.verbatim}
        return tuple(other for other in self.indicators if other is not ind and term in other.name
                     and clauses & {(s.doc_id, s.clause) for s in other.sources if s.verbatim})

    def verify_quotes(self, doc_texts: Mapping[str, str]) -> list[str]:
        """Problems with verbatim quotes: document absent, or quote not an exact substring."""
        problems = []
        for ind in self.indicators:
            for source in ind.sources:
                if not source.verbatim:
                    continue
                text = doc_texts.get(source.doc_id)
                if text is None:
                    problems.append(f"{ind.key}：原文出处 {source.doc_id} 不在语料中")
                elif source.quote not in text:
                    problems.append(f"{ind.key}：引文不是 {source.doc_id} 的原文：“{source.quote}”")
        return problems


def load_registry(path: str | Path | None = None) -> Registry:
    """Load and validate the registry; a bad entry raises ValueError naming it in Chinese."""
    path = Path(path) if path else DEFAULT_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"无法读取指标登记表 {path}：{exc}") from exc
    entries = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"指标登记表 {path} 缺少“indicators”列表")
    indicators = tuple(_parse_indicator(i, entry) for i, entry in enumerate(entries, 1))
    _check_unique(indicators)
    return Registry(indicators)


@functools.lru_cache(maxsize=1)
def default_registry() -> Registry:
    return load_registry()


def _parse_indicator(position: int, entry: Any) -> Indicator:
    where = f"指标登记表第{position}项"
    if not isinstance(entry, dict):
        raise ValueError(f"{where}不是键值对")
    where = f"{where}（{entry.get('key', '无 key')}）"
    for name in ("key", "name", "unit", "comparison", "values", "kind", "sources"):
        if name not in entry:
            raise ValueError(f"{where}缺少字段“{name}”")
    if not isinstance(entry["key"], str) or not _KEY_RE.match(entry["key"]):
        raise ValueError(f"{where}的 key 应为英文小写蛇形命名")
    if entry["comparison"] not in COMPARISONS:
        raise ValueError(f"{where}的 comparison 应为 {'、'.join(COMPARISONS)} 之一")
    if entry["kind"] not in KINDS:
        raise ValueError(f"{where}的 kind 应为 {'、'.join(KINDS)} 之一")
    measure = _parse_measure(where, entry)
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise ValueError(f"{where}的 aliases 应为非空字符串列表")
    return Indicator(
        key=entry["key"],
        name=_text(where, entry, "name"),
        unit=str(entry["unit"]),
        comparison=entry["comparison"],
        values=_parse_values(where, entry["values"]),
        kind=entry["kind"],
        sources=_parse_sources(where, entry["sources"]),
        aliases=tuple(aliases),
        note=entry.get("note"),
        measure=measure,
    )


def _parse_values(where: str, values: Any) -> dict[str, Decimal]:
    if not isinstance(values, dict) or not values:
        raise ValueError(f"{where}的 values 应为非空键值对，如 {{小学: 4.2, 初中: 5.3}}")
    parsed = {}
    for level, value in values.items():
        if level not in VALUE_KEYS:
            raise ValueError(f"{where}的 values 含未知学段/类别“{level}”，可选：{'、'.join(VALUE_KEYS)}")
        parsed[level] = _decimal(where, value)
    return parsed


def _parse_sources(where: str, sources: Any) -> tuple[IndicatorSource, ...]:
    if not isinstance(sources, list) or not sources:
        raise ValueError(f"{where}至少要有一个出处（sources）")
    parsed = []
    for number, source in enumerate(sources, 1):
        at = f"{where}的第{number}个出处"
        if not isinstance(source, dict):
            raise ValueError(f"{at}不是键值对")
        for name in ("doc_id", "doc_title", "clause", "quote"):
            _text(at, source, name)
        if not isinstance(source.get("verbatim"), bool):
            raise ValueError(f"{at}缺少布尔字段“verbatim”")
        if not source["verbatim"] and not source.get("anchor"):
            raise ValueError(f"{at}是要点摘要，须给出 anchor（正式文本中的短语）")
        value = source.get("value")
        parsed.append(
            IndicatorSource(
                doc_id=source["doc_id"],
                doc_title=source["doc_title"],
                clause=str(source["clause"]),
                quote=source["quote"],
                verbatim=source["verbatim"],
                anchor=source.get("anchor"),
                value=None if value is None else _decimal(at, value),
            )
        )
    return tuple(parsed)


def _parse_measure(where: str, entry: dict) -> Measure | None:
    measure = entry.get("measure")
    if entry["kind"] != "school_resource":
        return None
    if not isinstance(measure, dict):
        raise ValueError(f"{where}是校级资源指标，须给出 measure（input、input_name、per_students）")
    if measure.get("per_students") not in (1, 100):
        raise ValueError(f"{where}的 measure.per_students 应为 1（生均）或 100（每百名学生）")
    return Measure(
        input=_text(where, measure, "input"),
        input_name=_text(where, measure, "input_name"),
        per_students=measure["per_students"],
    )


def _check_unique(indicators: tuple[Indicator, ...]) -> None:
    seen: dict[str, str] = {}
    for ind in indicators:
        for term in (ind.key, ind.name, *ind.aliases):
            owner = seen.setdefault(term, ind.key)
            if owner != ind.key:
                raise ValueError(f"指标登记表中“{term}”同时属于 {owner} 和 {ind.key}")


def _text(where: str, mapping: dict, name: str) -> str:
    value = mapping.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}的“{name}”应为非空文本")
    return value


def _decimal(where: str, value: Any) -> Decimal:
    # str() first so a YAML float such as 4.2 becomes Decimal("4.2"), not its binary expansion.
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where}的数值“{value}”不是数字") from None
