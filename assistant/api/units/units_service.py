"""A region's member units, from its in-force plan's own duty annex (the index's profiles), and one
unit's duties, other clauses that name it and its taskforce members, all as verbatim quotes."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.answer.compose import unit_profile
from assistant.api.errors import ApiError
from assistant.api.sources import Quote, quote_of
from assistant.domain.units import Unit, load_units, table_region, unit_by_name, units_in
from assistant.index.store import LoadedIndex
from assistant.models import DocumentProfile
from assistant.retrieve.scope import home_plan, profiles

INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\s]")  # zero-width and blank characters pasted with a name
SHOWN = 30  # characters of an unknown name repeated in a message


class UnitSummary(BaseModel):
    order: int = Field(description="在该地区方案附件中的顺序（从 1 起）")
    name: str = Field(description="单位名称（与附件标题一致）")
    aliases: list[str] = Field(description="也接受的名称（俗称、简称），可用于 GET /api/units/{name}")


class UnitDetail(UnitSummary):
    duty: Quote = Field(description="附件中本单位职责的全文（原文）")
    duties: list[Quote] = Field(description="本单位职责，逐句原文")
    mentions: list[Quote] = Field(description="方案其他条款中提到本单位的句子（原文）")
    members: list[Quote] = Field(description="本单位在工作专班中的成员（名单原文）")


def plan_regions(index: LoadedIndex) -> list[str]:
    """The regions with a plan in force that lists units of its own: the home region first."""
    found = list(dict.fromkeys(p.region for p in profiles(index) if p.kind == "plan" and p.in_force and p.units))
    home = index.settings.home_region
    return sorted(found, key=lambda r: (r != home, r))


def find_plan(index: LoadedIndex, region: str = "") -> DocumentProfile | None:
    """The in-force plan whose units a region has (default: the home plan), or None."""
    plan = home_plan(index, region.strip())
    return plan if plan is not None and plan.units else None


def region_plan(index: LoadedIndex, region: str = "") -> DocumentProfile:
    """`find_plan`, where no such plan is a 404 naming the regions that have one."""
    plan = find_plan(index, region)
    if plan is not None:
        return plan
    have = "、".join(plan_regions(index)) or "（无）"
    shown = region.strip() or index.settings.home_region
    raise ApiError(404, "region_not_found", f"没有{shown[:SHOWN]}的现行方案（或方案附件中没有成员单位）；有方案的地区：{have}")


def plan_units(plan: DocumentProfile) -> tuple[Unit, ...]:
    """The plan's own units; for the region the hand-written table names, its colloquial names added."""
    if plan.region != table_region():
        return plan.units
    table = load_units()
    return tuple(Unit(u.order, u.name, tuple(dict.fromkeys((*u.aliases, *(own.aliases if own else ())))), u.mentions)
                 for u in plan.units for own in [unit_by_name(u.name, table)])


def summary(unit: Unit) -> UnitSummary:
    return UnitSummary(order=unit.order, name=unit.name, aliases=[a for a in unit.aliases if a != unit.name])


def all_units(index: LoadedIndex, region: str = "") -> tuple[DocumentProfile, list[UnitSummary]]:
    plan = region_plan(index, region)
    return plan, [summary(u) for u in plan_units(plan)]


def resolve(units: tuple[Unit, ...], name: str, region: str) -> Unit:
    """The unit a name or alias means ("财政局", "人社局"); a name naming none or several is an error."""
    cleaned = INVISIBLE.sub("", name)
    exact = [u for u in units if cleaned == u.name or cleaned in u.aliases]
    found = exact or units_in(units, cleaned)
    if len(found) == 1:
        return found[0]
    shown = name if len(name) <= SHOWN else name[:SHOWN] + "…"
    if found:
        names = "、".join(u.name for u in found)
        raise ApiError(404, "unit_ambiguous", f"“{shown}”对应多个单位：{names}，请写出其中一个")
    raise ApiError(404, "unit_not_found", f"{region}的方案中没有名为“{shown}”的成员单位："
                                          f"可用 GET /api/units?region={region} 查看{len(units)}个成员单位及其简称")


def unit_detail(index: LoadedIndex, name: str, region: str = "") -> UnitDetail:
    plan = region_plan(index, region)
    unit = resolve(plan_units(plan), name, plan.region)
    profile = unit_profile(index, unit.name, plan.doc_id)
    if profile is None:
        raise ApiError(404, "unit_not_indexed", f"索引中没有{unit.name}的职责条款：请确认方案附件已收录并重新建立索引")
    docs = index.docs
    return UnitDetail(**summary(unit).model_dump(), duty=quote_of(profile.duty, docs),
                      duties=[quote_of(c, docs) for c in profile.items],
                      mentions=[quote_of(c, docs) for c in profile.mentions],
                      members=[quote_of(c, docs) for c in profile.members])
