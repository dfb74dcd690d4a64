"""What a question asks of the taskforce roster, read once into a `RosterAsk`: count, existence or
a list, filtered by role (组长/副组长/成员, some excluded), by group (镇, 街道, 部门) or by an
organisation the question names (组织部, 市政协, 团委). The words are data (`data/roster.yaml`);
the roster itself comes from each document's 名单 section and is filtered in `answer/roster.py`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.domain.number_roles import tokens

ROSTER_FILE = Path(__file__).with_name("data") / "roster.yaml"
_STOPS = "，,。；;？?！!（）()、"


@dataclass(frozen=True)
class RosterAsk:
    what: str = "list"  # "count" | "exists" | "list"
    roles: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    leaders: bool = False  # "领导班子": 组长 and 副组长, when nothing else narrows the list
    groups: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()  # organisation words of the question, matched against members' titles
    notes: tuple[str, ...] = ()  # the roster notes asked about, by the words they may contain (解散, 撤销…)
    duties: bool = False  # counts the units the duty annex lists ("多少家单位有职责分工"), not people
    places: tuple[str, ...] = ()  # a town or street the question names (尼山镇), narrower than its unit 各镇街

    @property
    def filtered(self) -> bool:
        return bool(self.roles or self.excluded or self.groups or self.orgs or self.places)


@lru_cache(maxsize=1)
def roster_words() -> dict:
    return yaml.safe_load(ROSTER_FILE.read_text(encoding="utf-8"))


def _found(text: str, words: list[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of `words`, longest first."""
    hits, taken = [], [False] * len(text)
    for word in sorted(words, key=len, reverse=True):
        for m in re.finditer(re.escape(word), text):
            if not any(taken[m.start():m.end()]):
                hits.append((m.start(), m.end(), word))
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
    return sorted(hits)


def _excluded_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    spans = []
    for start, end, _ in _found(text, words):
        stop = next((i for i in range(end, len(text)) if text[i] in _STOPS), len(text))
        spans.append((end, stop))
    return spans


def read_roster_ask(text: str) -> RosterAsk:
    data = roster_words()
    word_role = {w: role for role, ws in data["roles"].items() for w in ws}
    excluded_at = _excluded_spans(text, data["exclude_words"])
    roles, excluded = [], []
    for start, _, word in _found(text, list(word_role)):
        into = excluded if any(a <= start < b for a, b in excluded_at) else roles
        into.append(word_role[word])
    group_words = {w: (g,) for g, ws in data["groups"].items() for w in ws} | data["group_both"]
    group_hits = _found(text, list(group_words))
    groups = tuple(dict.fromkeys(g for _, _, w in group_hits for g in group_words[w]))
    taken = {(s, e) for s, e, _ in group_hits}
    orgs = tuple(dict.fromkeys(
        t.word for t in tokens(text)
        if len(t.word) >= 2 and t.flag[:1] in ("n", "j") and t.word.endswith(tuple(data["org_suffixes"])) and t.word not in data["org_stop"]
        and not any(s <= t.start < e for s, e in taken)))
    counting = _counts_people(text, data, set(group_words) | set(orgs))
    exists = any(w in text for w in data["exists_words"]) or bool(re.search(r"有[^，,。？?]*[吗么][？?]?$", text))
    what = "count" if counting else "exists" if exists else "list"
    # every word of an asked topic finds its note: 汶河's says 撤销 where 曲阜's says 解散
    notes = tuple(dict.fromkeys(w for t in data["topics"] if any(w in text for w in t["words"])
                                for w in (t["note"], *t["words"])))
    leaders = any(w in text for w in data["leader_words"])
    if leaders and set(roles) <= {"组长"}:
        roles = ["组长", "副组长"]  # "哪几位市领导挂帅"
    elif not (roles or groups or orgs) and any(w in text for w in data["head_words"]):
        roles = ["组长"]  # "谁负总责" / "负责人是谁", when nothing else narrows it
    duties = what == "count" and any(w in text for w in data["duty_words"]) and any(w in text for w in data["duty_nouns"])
    return RosterAsk(what, tuple(dict.fromkeys(roles)), tuple(dict.fromkeys(excluded)), leaders, groups, orgs, notes,
                     duties)


def named_places(mentions: list[str]) -> tuple[str, ...]:
    """The unit mentions that name one town or street ("尼山镇", "鲁城街道"), not the collective."""
    suffixes = tuple(roster_words()["place_org_suffixes"])
    generic = set(roster_words()["groups"]["镇"] + roster_words()["groups"]["街道"])
    return tuple(m for m in mentions if m.endswith(suffixes) and m not in generic and len(m) >= 3)


def _counts_people(text: str, data: dict, nouns: set[str]) -> bool:
    """A count word asks how many people unless a noun of something else follows it ("分几个层级")."""
    cut = tokens(text)
    counted = {*data["counted_nouns"], *data["roles"], *nouns}
    for i, token in enumerate(cut):
        if not token.word.startswith(tuple(data["count_words"])):
            continue
        after = next((t for t in cut[i + 1:] if t.word not in ("个", "位", "名")), None)
        if after is None or not after.flag.startswith("n") or any(after.word.startswith(n) for n in counted):
            return True
    return False
