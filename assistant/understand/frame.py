"""`understand(question, history) -> QueryFrame`: the only place that reads the question.

The frame holds what the question names (units with the span that named them, indicators, the
school level, another place or school stage), the numbers with their roles (number_roles) and
the calculation they bind to, the intent with its confidence and evidence, and how a follow-up
was resolved. Routing, retrieval, composition and the calculator read the frame; none of them
parses the question again.

Follow-ups work on frames: a marked follow-up ("那初中呢", "换成1300人呢", "同样的数放到初中",
"这家单位…") inherits the previous frame's missing slots and replaces the ones it gives; a
question that stands on its own ("校车归谁管？") is answered on its own, however short.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import yaml

from assistant.domain import numeric_question
from assistant.domain.indicators import default_registry
from assistant.domain.number_roles import NumberRole, lexicon, number_roles, tokens
from assistant.domain.numerals import parse_number
from assistant.ingest.profile import role_rules
from assistant.domain.units import find_units
from assistant.understand import intents
from assistant.understand.cleaning import clean_question
from assistant.understand.roster import RosterAsk, named_places, read_roster_ask
from assistant.understand.rules import rule_intent
from assistant.understand.topic import names_nothing, topic_tokens

PLACES_FILE = Path(__file__).with_name("data") / "places.yaml"
VERSIONS_FILE = Path(__file__).with_name("data") / "versions.yaml"
MAX_HISTORY = 4  # only the last few turns can be what a follow-up leaves out; bounds the work too
ELLIPSIS = re.compile(r"^(那么|那|还有|另外|再问|然后|要是|如果是?|换成|改成)|换成|改成|同样的|一样的数|(呢|也一样吗|也是吗|一样吗)[？?]?$"
                      r"|呢\s*[，,]")  # "二中呢，1000人22间": a clause ending in 呢, then its figures
PRONOUN = re.compile(r"这两个单位|这两家单位|这两个部门|这两家|这几个单位|这家单位|这个单位|该单位|这个部门|该部门|这个局|该局|"
                     r"这家|他们单位|他们街道|他们|它们|它的|它")
PERSON_PRONOUN = re.compile(r"(?<![其吉])他(?![们人])|她(?!们)|此人|这个人|这位")
PLURAL_PRONOUN = re.compile(r"这两|这几|它们|他们(?!单位|街道)")
# What joins two questions in one message ("…达标吗？另外…", "…？顺便问下…").
JOINERS = re.compile(r"[？?！!。；;，,]\s*(?:另外|还有|顺便问?一?下?|再问一?下?|以及|同时)")
# A clause that only asks how the documents put the first one ("方案里怎么安排的"): no question of its own.
ONLY_HOW = re.compile(r"(?:那|请问)?(?:方案|文件|文件里|这方面|具体)?(?:里|中|上|是)?(?:到底|具体)?(?:是)?(?:怎么|如何|怎样)"
                      r"(?:安排|规定|要求|说|写|讲|定)(?:的)?(?:呢|吗)?")
# 够不够, 达不达标; a clause ending in 没 asks too ("有法律效力没")
QUESTION_WORD = re.compile(r"谁|哪|多少|什么|啥|几|怎么|如何|吗|么|是否|有没有|([\u4e00-\u9fff])不\1|没有?\s*$")
# A turn that asks for a verdict or a gap on figures ("达标没", "还差几个才达标", "比例够吗").
VERDICT_ASK = re.compile(r"达标|够|行不行|行吗|合格|符合|超标|超没超|还差|差几|差多少|满足")
UNIT_HEAD = re.compile(r"局长|主任|部长|主席|镇长|书记|一把手|负责人")
PERSON_TITLE = re.compile(r"局长|主任|部长|主席|理事长|镇长|副市长|市长|政委|书记|组长|负责人")
# What a turn that re-asks the previous question elsewhere adds besides the place ("国家那个评估办法里是多少").
_ASKS_ONLY = re.compile(r"那个|这个|那份|这份|文件|办法|规定的?|里面|里|中|标准|要求|是多少|多少|是什么|什么|啥|怎么定的?|怎么说的?")
# What is left of a follow-up after its slots are taken out; nothing left means it has no topic.
_SLOT_WORDS = re.compile(r"小学|初中|城区|镇区|那边|这边|那么|那|呢|吗|换成|改成|同样的数?|放到|如果是?|要是|是不是|不一样|一样|也|的|是|还|了|[？?，,。！!\s]")


@dataclass(frozen=True)
class UnitMention:
    name: str
    start: int
    end: int


@dataclass
class QueryFrame:
    question: str  # as asked (cleaned)
    text: str  # what is answered: the question, or the follow-up resolved against the previous frame
    notice: str = ""
    units: list[UnitMention] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    level: str = ""
    place: str = ""  # another region the question is scoped to (e.g. 邹城市), "" for none
    place_words: str = ""  # the words that named it (汶河 for 汶河区): a topic's words do not include them
    stage: str = ""  # a school stage outside 义务教育 the question is about (e.g. 高中)
    numbers: list[NumberRole] = field(default_factory=list)
    calc: numeric_question.CalcRequest | None = None
    intent: str = "general"
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()
    follow_up: str = ""  # how the previous frame was used: "", "inherit", "topic"
    rule_intent: str = ""  # the rule router's vote, kept: only the rules may refuse outright
    parts: list["QueryFrame"] = field(default_factory=list)  # a compound question's parts, each answered
    person: str = ""  # a taskforce member the question names (唐爱军), from the indexed roster
    roster: RosterAsk = field(default_factory=RosterAsk)  # what it asks of the roster (count, role, group…)
    article: tuple[int, int] = (0, 0)  # "第六条第四项": the article and item of a rule it names, (0, 0) for none
    asks_validity: bool = False  # "还管用吗", "废止了没": whether a document still holds
    asks_change: bool = False  # "新方案改成哪年了": what changed from the version it replaced
    change_of_units: bool = False  # "新版专班里新加了哪个单位": the two versions' unit tables compared
    asks_relation: bool = False  # "23号跟2023年31号是啥关系": two documents, if the question names two
    places: list[tuple[str, str]] = field(default_factory=list)  # every region named (region, words), in order
    place_mentions: list[str] = field(default_factory=list)  # every span that named one ("国家", "评估办法")
    unlisted: list[str] = field(default_factory=list)  # bodies it names that are no unit of any table (数据局)
    helped: list[str] = field(default_factory=list)  # units it names as the ones helped ("谁配合教体局"): not the answer

    @property
    def unit_names(self) -> list[str]:
        return [u.name for u in self.units]

    @property
    def claims(self) -> list[NumberRole]:
        """Figures the question states as the standard ("标准是2人，对吗"): checked, never computed.
        In a question about a standard that binds no figure of the user's ("是不是要求不低于15%？"),
        its figures are what it says the standard is."""
        stated = [r for r in self.numbers if r.role in ("claim", "instruction")]
        if stated or self.binds_numbers or self.intent != "target":
            return stated
        return [r for r in self.numbers if r.is_data and (r.mention.percent or r.mention.text[:1].isdigit())
                and not numeric_question.in_rule_phrase(self.text, r.mention)]

    @property
    def binds_numbers(self) -> bool:
        return bool(self.calc and (self.calc.quantities or self.calc.schools))


@lru_cache(maxsize=1)
def _versions() -> dict:
    return yaml.safe_load(VERSIONS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def change_words() -> tuple[str, ...]:
    """What asks how a document changed from its older version (longest first): no topic of its own."""
    data = _versions()
    return tuple(sorted([*data["version_words"], *data["change_words"], *data["relation_words"]], key=len, reverse=True))


@lru_cache(maxsize=1)
def _places() -> dict:
    return yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8"))


def region_mentions(text: str, known: Mapping[str, str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Every mention of a region, (region, words), in the order named:
    place names and aliases (longest first at each place). `known`: what the indexed documents add
    beside places.yaml's — their regions (汶河区, also said 汶河) and the names of their rules
    (评估办法 → 全国), as alias → region."""
    listed = [(region["name"], (region["name"], *region.get("aliases", ()))) for region in _places()["regions"]]
    known = known if isinstance(known, Mapping) else {name: name for name in known}
    text = _masked(text, _places().get("not_region_phrases", []))  # "通过国家评估认定": the plan's target
    for alias, name in known.items():
        listed.append((name, (alias, alias[:-1]) if alias == name and len(name) > 2 and name[-1] in "区县市" else (alias,)))
    hits = sorted(((m.start(), -len(alias), name, alias) for name, aliases in listed for alias in aliases if alias
                   for m in re.finditer(re.escape(alias), text)))
    found, covered = [], -1  # (region, words, end)
    for start, length, name, alias in hits:
        if start >= covered:
            if found and found[-1][0] == name and found[-1][2] == start:
                # "国家" + "评估办法": one mention, so taking the place out of a part takes all of it
                found[-1] = (name, found[-1][1] + alias, start - length)
            else:
                found.append((name, alias, start - length))
            covered = start - length
    return [(name, alias) for name, alias, _ in found]


def find_regions(text: str, known: Mapping[str, str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Each region the question names and the words that first named it, in the order named, each once."""
    return first_mentions(region_mentions(text, known))


def first_mentions(mentions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for name, alias in mentions:
        found.setdefault(name, alias)
    return list(found.items())


def find_region(text: str, known: Mapping[str, str] | frozenset[str] = frozenset(),
                named: list[tuple[str, str]] | None = None) -> tuple[str, str]:
    """The region a question is scoped to and the words that named it: the longest mention (of
    `named`, when the caller already found them), or ("", ""); 其他县区 for words that only say
    "another county"."""
    named = find_regions(text, known) if named is None else named
    if named:
        return max(named, key=lambda n: len(n[1]))
    unlisted = _unlisted_place(text)
    if unlisted:
        return unlisted, unlisted
    other = next((w for w in _places()["other_region_words"] if w in text), "")
    return ("其他县区", other) if other else ("", "")


def _unlisted_place(text: str) -> str:
    """A place places.yaml does not list, by its shape: a name of two or more characters and an
    administrative suffix ("汶河区", "嘉禾县"), jieba's word or two words joined ("兖州" + "区"),
    unless it is a generic area word (城区, 镇区, 全市 …) or the start of a unit's name (市财政局)."""
    places = _places()
    suffixes, generic = tuple(places["place_suffixes"]), set(places["generic_places"])
    cut = tokens(text)
    for i, t in enumerate(cut):
        word = t.word
        if len(word) == 2 and word[-1:] not in suffixes and i + 1 < len(cut) and cut[i + 1].word in suffixes \
                and t.flag.startswith("ns"):
            word += cut[i + 1].word  # 兖州 + 区
        if len(word) >= 3 and word.endswith(suffixes) and word not in generic \
                and re.fullmatch(r"[\u4e00-\u9fff]+", word) and not word.endswith(("城市", "地区")):
            return word
    return ""


VALIDITY = re.compile(r"还管用|管用吗|还有效|有效吗|还执行|执行吗|还按.{0,30}?执行|废止|作废|失效|过期了|被替代|替代了|还能用|还算数|还作数|作数不|还适用")
ARTICLE = re.compile(r"第\s*([0-9一二三四五六七八九十百零〇两]+)\s*条(?:\s*第?\s*[（(]?\s*([0-9一二三四五六七八九十]+)\s*[）)]?\s*[项款])?")


def find_article(text: str) -> tuple[int, int]:
    """The article (and item) of a rule the question names: "第三条" → (3, 0), "第六条第四项" → (6, 4)."""
    m = ARTICLE.search(text)
    if not m:
        return 0, 0
    article, item = parse_number(m.group(1)), parse_number(m.group(2)) if m.group(2) else 0
    return (int(article), int(item or 0)) if article else (0, 0)


_NOT_IN_NAMES = frozenset("rdpuxye")  # jieba flags of pronouns, adverbs, prepositions, particles, marks


def unlisted_bodies(text: str, units: list[UnitMention], place_words: list[str]) -> list[str]:
    """Names of government bodies ("曲阜市数据局", "农业农村局") the question uses that no unit
    table resolved, without the place that prefixes them: a body the annex does not list has no
    duties there to quote."""
    suffixes = "|".join(map(re.escape, sorted(lexicon().org_suffixes, key=len, reverse=True)))
    found = []
    for m in re.finditer(rf"[\u4e00-\u9fff]{{2,8}}?(?:{suffixes})(?![长里内])", text):
        if any(u.start < m.end() and m.start() < u.end for u in units):
            continue
        # a body's name is a noun phrase: it starts after the last pronoun, adverb or mark inside the
        # match ("乱停车找哪个局" names no body)
        breaks = [t.end for t in tokens(text) if m.start() < t.end < m.end() and t.flag[:1] in _NOT_IN_NAMES]
        name = text[max(breaks, default=m.start()):m.end()]
        if any(w in name for w in role_rules()["setup_words"]):
            continue  # 专班办公室: the taskforce's own office, on the roster
        for words in sorted(place_words, key=len, reverse=True):
            name = name.replace(words, "")
        if len(name) >= 3:
            found.append(name)
    return found


def find_stage(text: str) -> str:
    """A school stage outside 义务教育 that the question is about, unless the topic is one the
    documents treat for that stage (高中 + 名额分配)."""
    for stage in _places()["stages"]:
        if any(a in text for a in stage["aliases"]) and not any(w in text for w in stage.get("in_scope", ())):
            return stage["name"]
    return ""


def _frame(question: str, notice: str, embed: Callable[[str], list[float]] | None, model_key: str,
           people: frozenset[str] = frozenset(), units_of: Callable[[str, str], list] = lambda text, _: find_units(text),
           regions: Mapping[str, str] = MappingProxyType({}), place: tuple[str, str] = ("", "")) -> QueryFrame:
    """Read one (already resolved) question into a frame; `place`: the region a follow-up inherited."""
    mentions = region_mentions(question, regions)
    places = first_mentions(mentions)
    named = find_region(question, regions, places)
    place = named if named[0] else place
    resolved = units_of(question, place[0])
    units = [UnitMention(u.name, *_span(question, u)) for u in resolved]
    helped = [u for u in units if _object_of_who(question, u)]
    units = [u for u in units if u not in helped]
    # only the names of rules are masked ("国家评估办法"), not places: "汶河区哪年通过国家评估" keeps its indicator
    rule_names = [w for _, w in mentions if any(a in w for a, r in regions.items() if a != r)]  # "国家"+"评估办法" too
    indicators = [ind.key for ind in default_registry().find(_masked(question, rule_names))]
    roles = number_roles(question)
    calc = numeric_question.parse_numeric_question(question, roles)
    calc = calc if calc.tool else None
    level = numeric_question.detect_level(question) or ""
    frame = QueryFrame(question, question, notice, units, indicators, level, place[0], place[1],
                       find_stage(question), roles, calc)
    frame.places, frame.place_mentions = places, [w for _, w in mentions]
    frame.unlisted = unlisted_bodies(question, units + helped, [w for _, w in places])
    frame.helped = [u.name for u in helped]
    frame.person = next((p for p in people if p in question.replace(" ", "")), "")
    # every alias the question uses, not only each unit's first: "尼山镇和防山镇谁参加" names two towns
    said = [a for u in resolved for a in (u.name, *u.aliases) if a in question]
    said = [a for a in said if not any(a != b and a in b for b in said)]
    frame.roster = replace(read_roster_ask(question), places=named_places(said))
    frame.article = find_article(question)
    frame.asks_validity = bool(VALIDITY.search(question))
    # a version named (新版, 老方案) or a change said (改成, 换人); not two regions compared ("有啥区别")
    said_words = {key: any(w in question for w in words) for key, words in _versions().items()}
    frame.asks_change = (said_words["version_words"] or said_words["change_words"]) and len(places) < 2
    frame.change_of_units = frame.asks_change and not units and said_words["unit_words"]
    frame.asks_relation = said_words["relation_words"]
    _classify(frame, embed, model_key)
    return frame


def _object_of_who(question: str, unit: UnitMention) -> bool:
    """"谁给教体局提供户籍数据", "哪个部门配合财政局": the unit follows the asking word and a
    preposition or verb, so it is who is helped, not who is asked about."""
    cut = tokens(question)
    before = [t for t in cut if t.end <= unit.start]
    clause = before[max((i + 1 for i, t in enumerate(before) if t.flag == "x"), default=0):]
    asks = any(t.flag == "r" and re.search(r"谁|哪", t.word) for t in clause[:-1])
    return bool(clause) and asks and clause[-1].flag[:1] in ("p", "v")


def _masked(text: str, words: list[str], fill: str = "　") -> str:
    """The text with the words that named a place or a rule blanked out (`fill` per character; "" takes
    them out): "国家评估办法" names the national rule, not the indicator 国家评估(认定的年份)."""
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, fill * len(w))
    return text


def _classify(frame: QueryFrame, embed, model_key: str) -> None:
    has_numbers = frame.binds_numbers
    rule = rule_intent(frame.text, frame.unit_names, frame.indicators, has_numbers, bool(frame.person))
    frame.evidence, frame.rule_intent = (rule.reason,), rule.intent
    if embed is None or rule.intent == "calculation":
        frame.intent, frame.confidence = rule.intent, 1.0 if rule.intent != "general" else 0.0
        return
    features = {"unit": bool(frame.units), "numbers": has_numbers,
                "person": bool(PERSON_TITLE.search(frame.text) or frame.person), "indicator": bool(frame.indicators)}
    scored = intents.classify(frame.text, embed, model_key, rule.intent, features)
    # Numbers never bound → no calculation; a calculation the rules did not see needs bound numbers.
    # Structure the examples cannot overrule: a calculation needs bound numbers, duties a named unit.
    needs = {"calculation": has_numbers, "duty": bool(frame.units)}
    intent = scored.intent if needs.get(scored.intent, True) else rule.intent
    if rule.intent == "roster" and frame.units:
        intent = "roster"  # a unit and a roster marker ("名单里有没有教育局的人", "鲁城街道是谁"): its member
    frame.intent, frame.confidence = intent, scored.confidence
    frame.evidence = (rule.reason, *scored.evidence)


def _span(text: str, unit) -> tuple[int, int]:
    for alias in sorted((unit.name, *unit.aliases), key=len, reverse=True):
        at = text.find(alias)
        if at >= 0:
            return at, at + len(alias)
    return 0, 0


def understand(question: str, history: list[str] | None = None, *, max_chars: int = 2000,
               embed: Callable[[str], list[float]] | None = None, model_key: str = "",
               people: frozenset[str] = frozenset(),
               units_of: Callable[[str, str], list] = lambda text, _: find_units(text),
               regions: Mapping[str, str] = MappingProxyType({})) -> QueryFrame:
    """The frame of `question`, read in the context of the earlier user turns (last MAX_HISTORY).
    What the indexed documents know is passed in: `people` (names on their rosters, so "唐爱军什么
    职务" asks about a member), `units_of` (the units a text names, given the region asked about:
    each document's own table, the region's documents first) and
    `regions` (the places their profiles cover and the names of their rules, alias → region)."""
    cleaned, notice = clean_question(question, max_chars)
    read = partial(_frame, embed=embed, model_key=model_key, people=people, units_of=units_of, regions=regions)
    covered = frozenset(regions.values())
    previous = None
    for turn in (history or [])[-MAX_HISTORY:]:
        text = clean_question(turn, max_chars)[0]
        if text:
            previous = _resolve(text, "", previous, read, covered)
    frame = _resolve(cleaned, notice, previous, read, covered)
    frame.parts = _parts(frame, read)
    return frame


def _parts(frame: QueryFrame, read: Callable[..., QueryFrame]) -> list[QueryFrame]:
    """"组长是谁，办公室设在哪" / "市财政局负责什么，特教经费标准是多少": clauses that each ask
    something and differ in intent or subject are answered one by one. Questions joined by 另外/还有/
    顺便 are split even when one is a calculation (which keeps its figures); otherwise a calculation,
    a clause that only continues the first ("…达标吗"), or one that only asks how the plan puts it
    ("方案里怎么安排的") is not split."""
    if frame.follow_up:
        return []
    if frame.place:  # "汶河区初中…达标吗？另外市监局负责什么": a part naming no place is in the question's
        read = partial(read, place=(frame.place, frame.place_words))
    if len(frame.places) >= 2 and frame.intent != "calculation":
        # "汶河区和曲阜的目标年份分别是哪年": the question, asked of each region in turn
        return [read(_only_place(frame.text, words, [w for _, w in frame.places if w != words]), "")
                for _, words in frame.places[:3]]
    joined = [c for c in JOINERS.split(frame.text) if c.strip(" ，,；;。？?！!")]
    if len(joined) >= 2 and all(QUESTION_WORD.search(c) for c in joined):
        # "我们初中1000人…达标吗？另外编办管什么？": each part whole, a calculation with its figures
        parts = [read(c.strip(" ，,；;。？?！!"), "") for c in joined[:3]]
        return [parts[0], *(_shared_school(p, parts[0], read) for p in parts[1:])]
    if frame.intent == "calculation":
        return []
    clauses = [c for c in re.split(r"[，,；;。？?！!]|另外|还有|以及|同时|顺便", frame.text) if c.strip()]
    # a clause naming nothing of its own ("…换人了吗？现在是谁") goes on asking the one before it
    asking = [c for c in clauses if QUESTION_WORD.search(c) and len(c.strip()) >= 4
              and not ONLY_HOW.fullmatch(c.strip()) and not names_nothing(c)]
    if len(asking) < 2:
        return []
    parts = [read(c.strip(), "") for c in asking[:3]]
    # "校医培训归谁，防溺水又归谁": a who-question finds one unit, two topics need two
    subjects = {(p.intent, tuple(p.unit_names), tuple(p.indicators),
                 tuple(topic_tokens(p.text)) if p.intent == "who" else ()) for p in parts}
    if len(subjects) < 2 or any(p.intent == "out_of_scope" for p in parts):
        return []
    return parts


def _only_place(text: str, keep: str, others: list[str]) -> str:
    """The question with the other regions (and the 和/与/、 joining them) taken out."""
    for words in others:
        text = re.sub(rf"[和与跟同、，,]?\s*{re.escape(words)}\s*[和与跟同、，,]?", "", text, count=1)
    return text.replace("分别", "")  # one region each: nothing left to take "respectively"


def _shared_school(part: QueryFrame, first: QueryFrame, read: Callable[..., QueryFrame]) -> QueryFrame:
    """"初中1400人，多媒体教室30间够不够，另外市级骨干老师15个够不够": a later part about the same
    school that lacks its head count or level takes them from the first part."""
    if not (part.calc and part.calc.missing and first.binds_numbers) or part.units:
        return part
    students = first.calc.quantities.get("students")
    if not isinstance(students, int) or "students" in part.calc.quantities:
        return part
    level = "" if part.level else first.level
    return replace(read(f"{level}学生{students}人，{part.text}", ""), question=part.question)


def _resolve(question: str, notice: str, previous: QueryFrame | None, read: Callable[..., QueryFrame],
             covered: frozenset[str] = frozenset()) -> QueryFrame:
    """`covered`: the regions the indexed documents cover."""
    own = read(question, notice)
    if previous is not None and previous.place:
        read = partial(read, place=(previous.place, previous.place_words))  # a follow-up stays in its region
    if previous is not None and question and _states(previous):
        carried = _carry_statement(question, notice, previous, own, read)
        if carried is not None:
            return carried
    if previous is None or not question or not _is_follow_up(question, own):
        if previous is not None and not own.place and previous.place in covered and _county(previous.place):
            return read(question, notice)  # so does a new question in a talk about one county ("主任是谁")
        return own
    old_units, new_units = previous.units, own.units
    if previous.person and not own.person and PERSON_PRONOUN.search(question):  # "他还兼着啥"
        return _inherited(question, PERSON_PRONOUN.sub(previous.person, question, count=1), notice, read)
    if old_units and not new_units and (PRONOUN.search(question) or _head_only(question)):  # "这家单位分到的任务有哪些"
        plural = PLURAL_PRONOUN.search(question) and len(old_units) > 1
        named = "和".join(u.name for u in old_units[:3]) if plural else old_units[0].name
        text = PRONOUN.sub(named, question, count=1) if PRONOUN.search(question) else named + question  # "局长是谁"
        return replace(read(text, notice), question=question, follow_up="inherit")
    if new_units and old_units:
        text = previous.text
        for mention in sorted(old_units, key=lambda u: -u.start)[:1]:
            text = text[:mention.start] + new_units[0].name + text[mention.end:]
        return _inherited(question, text, notice, read)
    if previous.binds_numbers and (any(r.is_data for r in own.numbers) or own.level):
        return _inherit_calculation(question, notice, previous, own)
    if own.place and own.place != previous.place and _place_only(question, own):
        # "曲阜那边呢", "国家那个评估办法里是多少": the previous question, asked of this region
        text = (previous.text.replace(previous.place_words, own.place_words) if previous.place_words
                else own.place_words + previous.text)
        return _inherited(question, text, notice, read)
    level = own.level
    if level and not new_units and _slot_only(question, own):  # "那初中呢", not "那不足100人的村小呢"
        other = "初中" if level == "小学" else "小学"
        text = previous.text.replace(other, level) if other in previous.text else f"{level}{previous.text}"
        return _inherited(question, text, notice, read)
    for a, b in (("城区", "镇区"), ("镇区", "城区")):
        if a in question and b in previous.text:
            return _inherited(question, previous.text.replace(b, a), notice, read)
    topic = ELLIPSIS.sub("", question).strip(" ？?，,。") or question
    frame = read(topic, notice)
    frame.question, frame.follow_up = question, "topic"
    if frame.intent in ("general", "out_of_scope") and previous.intent != "out_of_scope":
        frame.intent = previous.intent
    return frame


def _county(region: str) -> bool:
    """A county-level place (汶河区), whose plan a conversation stays in; not 全国 or a province,
    whose rules answer one question and not the next ("国家办法第三条…" → "专班组长是谁")."""
    return region.endswith(tuple(s for s in _places()["place_suffixes"] if s != "省"))


def _states(frame: QueryFrame) -> bool:
    """A turn that gives figures or the school's level ("实验三小学生2000人", "我校是小学") and asks
    nothing: what the next turns may build on."""
    gives = any(r.is_data for r in frame.numbers) or bool(frame.level)
    return gives and not QUESTION_WORD.search(frame.text) and not frame.units


def _carry_statement(question: str, notice: str, previous: QueryFrame, own: QueryFrame,
                     read: Callable[..., QueryFrame]) -> QueryFrame | None:
    """Figures given over several turns ("实验三小学生2000人" → "音体美老师19个够吗", "学生1600人" →
    "达标没") are read as one statement: the earlier turns' text and this one, joined. Used only
    when this turn is itself a statement, or asks for a verdict and the joined reading binds every
    figure this turn gave and more; otherwise the turn stands alone."""
    joined_text = f"{previous.text}。{question}"
    if own.units or own.person or own.stage or own.place or ELLIPSIS.search(question) or PRONOUN.search(question):
        return None  # a marked follow-up ("换成1500人呢") is resolved on the previous frame instead
    if not QUESTION_WORD.search(question) and _states(own) and not own.binds_numbers:
        return replace(read(joined_text, notice), question=question, follow_up="inherit")
    if not (own.binds_numbers or VERDICT_ASK.search(question)):
        return None
    joined = read(joined_text, notice)
    mine = list(own.calc.quantities.values()) if own.binds_numbers else []
    if not joined.binds_numbers or joined.calc.schools:
        return None
    # by value, not by name: "其中骨干教师18人" alone is a school's 骨干; after 交流轮岗 it is the rotated 骨干
    theirs = list(joined.calc.quantities.values())
    if len(theirs) <= len(mine) or any(v not in theirs for v in mine):
        return None
    return replace(joined, question=question, notice=notice, follow_up="inherit")


def _inherited(question: str, text: str, notice: str, read: Callable[..., QueryFrame]) -> QueryFrame:
    return replace(read(text, notice), question=question, follow_up="inherit")


def _inherit_calculation(question: str, notice: str, previous: QueryFrame, own: QueryFrame) -> QueryFrame:
    """"换成1300人呢" / "同样的数放到初中": the previous calculation with the slots this turn gives."""
    calc = numeric_question.merge(previous.calc, question, own.numbers, own.level or None)
    level = own.level or previous.level
    return replace(previous, question=question, notice=notice, calc=calc, level=level, numbers=own.numbers,
                   follow_up="inherit", intent="calculation", confidence=1.0,
                   evidence=("沿用上一问的测算，替换本问给出的数字或学段",))


def _is_follow_up(question: str, own: QueryFrame) -> bool:
    """Marked follow-ups ("那…呢", pronouns) and slot-only turns ("初中呢", "1300人") lean on the
    previous frame; a question with its own topic stands alone."""
    if own.units and not ELLIPSIS.search(question):
        return False
    if ELLIPSIS.search(question) or PRONOUN.search(question) or PERSON_PRONOUN.search(question) or _head_only(question):
        return True
    return _slot_only(question, own) or _place_only(question, own)


def _head_only(question: str) -> bool:
    """A turn asking only for a unit's head ("局长是谁"): the head of the unit just asked about.
    The taskforce's own roles (组长, 成员) are no unit's head."""
    topic = topic_tokens(question)
    return bool(topic) and all(UNIT_HEAD.fullmatch(t) for t in topic)


def _place_only(question: str, own: QueryFrame) -> bool:
    """A turn that names a place and no topic of its own ("国家那个评估办法里是多少")."""
    if not own.place or own.indicators or own.units or own.person:
        return False
    rest = _masked(question, [*own.place_mentions, own.place_words], fill="")
    return _slot_only(_ASKS_ONLY.sub("", rest), own) or names_nothing(rest)  # "汶河区自己定的是多少"


def _slot_only(question: str, own: QueryFrame) -> bool:
    """Nothing is left once the slots (level, area, numbers, follow-up words) are taken out."""
    leftover = _SLOT_WORDS.sub("", question)
    for r in own.numbers:
        leftover = leftover.replace(r.mention.text, "")
    return len(re.sub(r"[人名个位间元万平方米㎡]", "", leftover)) == 0
