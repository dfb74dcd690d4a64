"""Member units and the names people use for them.

A document's own units come from its duty annex (see assistant/ingest/doc_units.py); this module
holds the generic matching over any such table, and the hand-written aliases of data/units.yaml for
the documents of the region it names (曲阜市).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

UNITS_FILE = Path(__file__).with_name("data") / "units.yaml"


@dataclass(frozen=True)
class Unit:
    order: int  # 1-based position in the annex
    name: str
    aliases: tuple[str, ...]
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class UnitMatch:
    unit: Unit
    start: int
    end: int


@lru_cache(maxsize=1)
def _table(path: Path = UNITS_FILE) -> tuple[str, tuple[Unit, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = tuple(
        Unit(i, row["name"], tuple(row["aliases"]), tuple(row.get("mentions", [])))
        for i, row in enumerate(data["units"], start=1)
    )
    names = [u.name for u in units]
    if len(set(names)) != len(names):
        raise ValueError("单位表中有重复的单位名称")
    _strict_aliases(units)
    return data.get("region", ""), units


def load_units() -> tuple[Unit, ...]:
    """The hand-written table (曲阜市's 21 units)."""
    return _table()[1]


def table_region() -> str:
    """The region whose documents the hand-written aliases belong to."""
    return _table()[0]


def _strict_aliases(units: tuple[Unit, ...]) -> None:
    """A hand-written alias naming two units is a data error."""
    owners: dict[str, Unit] = {}
    for unit in units:
        for alias in (unit.name, *unit.aliases):
            owner = owners.setdefault(alias, unit)
            if owner is not unit:
                raise ValueError(f"别名“{alias}”同时指向 {owner.name} 和 {unit.name}")


@lru_cache(maxsize=64)
def _alias_pattern(units: tuple[Unit, ...]) -> tuple[re.Pattern | None, dict[str, Unit]]:
    """One alternation over every name and alias; an alias two units share names neither (a generated
    table may produce one) — the units' full names still do."""
    by_alias: dict[str, Unit] = {}
    shared: set[str] = set()
    for unit in units:
        for alias in (unit.name, *unit.aliases):
            if by_alias.setdefault(alias, unit) is not unit and alias != by_alias[alias].name:
                shared.add(alias)
    for alias in shared:
        by_alias.pop(alias, None)
    if not by_alias:
        return None, {}
    # Longest first so 市场监管局 wins over 市场监管 and 市委宣传部 over 宣传部.
    alternatives = sorted(by_alias, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alternatives))), by_alias


def match_units(units: tuple[Unit, ...], text: str) -> list[UnitMatch]:
    """Every mention of a unit of `units` in `text`, left to right, longest alias at each place."""
    pattern, by_alias = _alias_pattern(units)
    if pattern is None:
        return []
    return [UnitMatch(by_alias[m.group(0)], m.start(), m.end()) for m in pattern.finditer(text)]


def units_in(units: tuple[Unit, ...], text: str) -> list[Unit]:
    """Units of `units` named in `text`, in order of first appearance, each once."""
    return list(dict.fromkeys(m.unit for m in match_units(units, text)))


def find_units(text: str) -> list[Unit]:
    """Units of the hand-written table named in `text` (the question reader's table)."""
    return units_in(load_units(), text)


def unit_by_name(name: str, units: tuple[Unit, ...] | None = None) -> Unit | None:
    return next((u for u in (load_units() if units is None else units) if u.name == name), None)


def unit_names() -> list[str]:
    return [u.name for u in load_units()]
