"""The 21 member units: the list with their colloquial names, and one unit's duties, other clauses
that name it and its taskforce members, all as verbatim quotes."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.api.errors import ApiError
from assistant.api.sources import Quote, quote_of
from assistant.domain.units import Unit, find_units, load_units

INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\s]")  # zero-width and blank characters pasted with a name
SHOWN = 30  # characters of an unknown name repeated in a message


class UnitSummary(BaseModel):
    order: int = Field(description="在方案附件中的顺序（1–21）")
    name: str = Field(description="单位名称（与附件标题一致）")
    aliases: list[str] = Field(description="也接受的名称（俗称、简称），可用于 GET /api/units/{name}")


class UnitDetail(UnitSummary):
    duty: Quote = Field(description="附件中本单位职责的全文（原文）")
    duties: list[Quote] = Field(description="本单位职责，逐句原文")
    mentions: list[Quote] = Field(description="方案其他条款中提到本单位的句子（原文）")
    members: list[Quote] = Field(description="本单位在工作专班中的成员（名单原文）")


def summary(unit: Unit) -> UnitSummary:
    return UnitSummary(order=unit.order, name=unit.name, aliases=[a for a in unit.aliases if a != unit.name])


def all_units() -> list[UnitSummary]:
    return [summary(u) for u in load_units()]


def resolve(name: str) -> Unit:
    """The unit a name or alias means ("财政局", "人社局"); a name naming none or several is an error."""
    cleaned = INVISIBLE.sub("", name)
    exact = [u for u in load_units() if cleaned == u.name or cleaned in u.aliases]
    found = exact or find_units(cleaned)
    if len(found) == 1:
        return found[0]
    shown = name if len(name) <= SHOWN else name[:SHOWN] + "…"
    if found:
        names = "、".join(u.name for u in found)
        raise ApiError(404, "unit_ambiguous", f"“{shown}”对应多个单位：{names}，请写出其中一个")
    raise ApiError(404, "unit_not_found", f"没有找到名为“{shown}”的成员单位：可用 GET /api/units 查看 21 个成员单位及其简称")


def unit_detail(assistant, name: str) -> UnitDetail:
    unit = resolve(name)
    profile = assistant.unit_profile(unit.name)
    if profile is None:
        raise ApiError(404, "unit_not_indexed", f"索引中没有{unit.name}的职责条款：请确认方案附件已收录并重新建立索引")
    docs = assistant.index.docs
    return UnitDetail(**summary(unit).model_dump(), duty=quote_of(profile.duty, docs),
                      duties=[quote_of(c, docs) for c in profile.items],
                      mentions=[quote_of(c, docs) for c in profile.mentions],
                      members=[quote_of(c, docs) for c in profile.members])
