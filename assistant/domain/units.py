"""The 21 taskforce member units and the colloquial names people use for them."""
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


@lru_cache(maxsize=1)
def load_units(path: Path = UNITS_FILE) -> tuple[Unit, ...]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = tuple(
        Unit(i, row["name"], tuple(row["aliases"]), tuple(row.get("mentions", [])))
        for i, row in enumerate(rows, start=1)
    )
    names = [u.name for u in units]
    if len(set(names)) != len(names):
        raise ValueError("单位表中有重复的单位名称")
    return units


@lru_cache(maxsize=1)
def _alias_pattern() -> tuple[re.Pattern, dict[str, Unit]]:
    by_alias: dict[str, Unit] = {}
    for unit in load_units():
        for alias in (unit.name, *unit.aliases):
            owner = by_alias.setdefault(alias, unit)
            if owner is not unit:
                raise ValueError(f"别名“{alias}”同时指向 {owner.name} 和 {unit.name}")
    # Longest first so 市场监管局 wins over 市场监管 and 市委宣传部 over 宣传部.
    alternatives = sorted(by_alias, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alternatives))), by_alias


def find_units(text: str) -> list[Unit]:
    """Units named in `text`, in order of first appearance, each once."""
    pattern, by_alias = _alias_pattern()
    found: list[Unit] = []
    for match in pattern.finditer(text):
        unit = by_alias[match.group(0)]
        if unit not in found:
            found.append(unit)
    return found


def unit_by_name(name: str) -> Unit | None:
    return next((u for u in load_units() if u.name == name), None)


def unit_names() -> list[str]:
    return [u.name for u in load_units()]
