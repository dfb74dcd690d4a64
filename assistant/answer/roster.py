"""The roster of one document as members (person, role, title, unit, group), filtered by the frame's
`RosterAsk`. Pure: the chunks come in, the chosen members go out; rendering stays in compose."""
from __future__ import annotations

from dataclasses import dataclass

from assistant.models import Chunk
from assistant.understand.roster import RosterAsk, roster_words


@dataclass(frozen=True)
class Member:
    chunk: Chunk

    @property
    def title(self) -> str:
        return "".join((self.chunk.person_title or "").split())

    @property
    def group(self) -> str:
        """镇 / 街道 by the markers of its title (王庄镇镇长, 鲁城街道办事处主任); other members are a 部门's."""
        for group, markers in roster_words()["member_markers"].items():
            if any(m in self.title for m in markers):
                return group
        return "部门" if self.chunk.role == "成员" else "领导"


def members(chunks: list[Chunk]) -> list[Member]:
    return [Member(c) for c in chunks if c.kind == "roster_member"]


def select(people: list[Member], ask: RosterAsk, units: list[str]) -> list[Member]:
    """The members the ask narrows to: roles, groups, then organisations (a word of the title, or a
    unit the question named). With no filter, nobody is chosen (the caller decides the default)."""
    chosen = people
    if ask.roles:
        chosen = [m for m in chosen if m.chunk.role in ask.roles]
    if ask.excluded:
        chosen = [m for m in chosen if m.chunk.role not in ask.excluded]
    if ask.groups:
        chosen = [m for m in chosen if m.group in ask.groups]
    if ask.places:  # "尼山镇谁参加": that town's member, not every member of the collective 各镇街
        chosen = [m for m in chosen if any(p in m.title for p in ask.places)]
    elif ask.orgs or units:
        chosen = [m for m in chosen if m.chunk.unit in units or any(o in m.title for o in ask.orgs)]
    return chosen if ask.filtered or units else []


def describe(ask: RosterAsk, units: list[str]) -> str:
    """How the answer names the selection: "副组长", "来自镇、街道的成员", "成员（不含组长、副组长）"."""
    named = ask.places or (() if ask.groups else (*units, *(o for o in ask.orgs if not any(o in u for u in units))))
    where = "、".join((*named, *ask.groups))
    who = "、".join(ask.roles) or "人员"
    text = f"来自{where}的{who}" if where else who
    return text + (f"（不含{'、'.join(ask.excluded)}）" if ask.excluded else "")
