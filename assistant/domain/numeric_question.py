"""Numeric questions in Chinese: find the numbers a user gives, what they count, and the calculation.

"我们小学有学生850人，音体美专任教师7人，达标吗？" → check_resource_indicator(小学,
pe_art_teachers_per100, 850, 7). A needed number that is absent is asked for by
name (`CalcRequest.missing`), never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import calculator
from .indicators import default_registry
from .numerals import NumberMention, extract_numbers

_CLAUSE_BREAKS = "，,。；;？?！!\n"
# Numbers that belong to names, ordinals, years and grades, not to the user's data.
_NUMBER_MASKS = re.compile(
    r"每百名学生|每百名|每\s*(?:12|十二)\s*个班级?|[0-9一二三四五六七八九]\s*年级|初[一二三]|高[一二三]"
    r"|\d{4}\s*年|(?:五|5)\s*年\s*360\s*学时|360\s*学时|一校一策|九年一贯制|十二年一贯制|三年巩固率|三年前"
    r"|第[0-9一二三四五六七八九十]+|一下|一共|一起|一些|一定|一般|一样|进一步|统一|同一|一个班|每个班"
)
# Phrases whose words must not be read as quantity keywords.
_KEYWORD_MASKS = re.compile(r"每百名学生|中小学")
# Between a number and the noun it counts: "850名学生", "8万元培训经费".
_CLASSIFIER = re.compile(r"^\s*(?:名|个|位|间|所|人|万?元|平方米|平米|㎡|多|余)?\s*的?\s*$")
_AREA_UNIT = re.compile(r"^\s*(?:平方米|平米|㎡|m2)")
_ASKS_REQUIREMENT = re.compile(r"需要|至少|要多少|要几|几名|几个|几位|多少[名个位人间]|配多少|配几|应配|应该配")

_STUDENTS = ["在校学生", "在校生", "学生数", "学生人数", "学生", "孩子"]
_RESOURCE_WORDS = {
    "teachers_above_degree": ["高于规定学历", "高学历", "本科以上学历", "研究生学历"],
    "backbone_teachers": ["县级以上骨干", "市级骨干", "骨干"],
    "pe_art_teachers": ["体育、艺术", "体育艺术", "音体美", "音美体", "体艺", "音乐美术体育"],
    "teaching_area_m2": ["教学及辅助用房", "教学辅助用房", "教学用房", "辅助用房"],
    "sports_area_m2": ["体育运动场馆", "运动场馆", "体育场馆", "运动场", "操场"],
    "equipment_value_yuan": ["教学仪器设备", "仪器设备", "教学仪器", "设备值", "设备总值"],
    "multimedia_classrooms": ["网络多媒体教室", "多媒体教室", "网络多媒体", "多媒体"],
}
_CLASSES = ["个教学班", "教学班", "个班", "班级数", "班级"]
_PERCENT_TOOLS = {
    # tool → (registry key, words for the part, words for the whole)
    "consolidation": ("junior_consolidation_rate",
                      ["初三", "毕业", "现在", "目前", "还有", "剩"], ["三年前", "初一", "入学时", "入学", "招生", "起始"]),
    "enrolment": ("enrolment_rate", ["已入学", "入学", "在校"], ["适龄儿童", "适龄"]),
    "certified": ("certified_teachers_rate", ["持证上岗", "持证", "教师资格证"], ["专任教师", "教师"]),
}
_VOCAB: dict[str, dict[str, list[str]]] = {
    "resource": {"students": _STUDENTS, **_RESOURCE_WORDS},
    "check_rotation": {
        "eligible_teachers": ["符合交流轮岗条件", "符合交流条件", "符合条件", "应交流", "可交流"],
        "backbone_rotated": ["骨干"],
        "rotated_teachers": ["交流轮岗", "交流了", "轮岗了", "参加交流", "交流", "轮岗"],
    },
    "check_training_funds": {
        "public_budget_yuan": ["公用经费预算总额", "公用经费预算", "公用经费", "预算总额", "预算"],
        "training_funds_yuan": ["教师培训经费", "培训经费", "培训费", "用于培训", "培训"],
    },
    "check_admission_ratio": {
        "nearby_admitted": ["就近划片入学", "就近入学", "划片入学", "就近", "划片"],
        "total_admitted": ["招生总数", "招生", "招了", "招收", "新生", "共招"],
    },
    "check_special_ed_funding": {
        "per_student_yuan": ["生均公用经费", "生均经费", "生均", "每生"],
        "total_yuan": ["公用经费总额", "经费总额", "公用经费", "经费"],
        "students": _STUDENTS,
    },
    "check_small_school_funding": {
        "students": _STUDENTS,
        "per_student_yuan": ["生均公用经费标准", "生均公用经费", "生均", "每生", "标准"],
    },
    "check_music_art_rooms": {
        "classes": _CLASSES,
        "music_rooms": ["音乐专用教室", "音乐教室", "音乐室"],
        "art_rooms": ["美术专用教室", "美术教室", "美术室"],
    },
    "class": {
        "class_sizes": ["班额", "每班", "每个班", "一个班", "班级人数", "班级学生数", "分别是", "分别为", "分别"],
        "students": _STUDENTS,
        "classes": _CLASSES,
    },
    "check_school_size": {"students": [*_STUDENTS, "规模", "校额"]},
    **{tool: {"part": part, "whole": whole} for tool, (_, part, whole) in _PERCENT_TOOLS.items()},
}
_TOOL_RULES = [
    ("check_rotation", r"轮岗|交流"),
    ("check_training_funds", r"培训经费|培训费"),
    ("check_admission_ratio", r"就近|划片"),
    ("check_special_ed_funding", r"特殊教育|特教"),
    ("check_small_school_funding", r"村小|教学点|小规模学校|核定公用经费"),
    ("check_music_art_rooms", r"专用教室|音乐教室|美术教室|音乐室|美术室"),
    ("consolidation", r"巩固率"),
    ("enrolment", r"入学率"),
    ("certified", r"持证"),
    ("class", r"班额|每班|每个班|一个班|班级人数|班级学生数"),
    ("check_school_size", r"规模|校额"),
    ("resource", "|".join(w for words in _RESOURCE_WORDS.values() for w in words)),
]
_LIST_FIELDS = {"class_sizes", "music_room_areas", "art_room_areas"}
_AREA_FIELDS = {"music_rooms": "music_room_areas", "art_rooms": "art_room_areas"}
_MONEY_OR_AREA = {"public_budget_yuan", "training_funds_yuan", "per_student_yuan", "total_yuan",
                  "teaching_area_m2", "sports_area_m2", "equipment_value_yuan",
                  "music_room_areas", "art_room_areas"}
_NAMES = {
    "students": "在校生数", "level": "学段（小学或初中）", "area": "学校所在区域（城区或镇区）",
    "kind": "学校类型（小学、初中或九年一贯制）",
    "eligible_teachers": "符合交流轮岗条件的教师总数", "rotated_teachers": "交流轮岗教师数",
    "backbone_rotated": "交流轮岗的骨干教师数",
    "public_budget_yuan": "年度公用经费预算总额", "training_funds_yuan": "教师培训经费",
    "nearby_admitted": "就近划片入学人数", "total_admitted": "招生总人数",
    "per_student_yuan": "生均公用经费", "total_yuan": "公用经费总额",
    "classes": "班级数", "class_sizes": "各班学生数", "music_rooms": "音乐专用教室数", "art_rooms": "美术专用教室数",
}


@dataclass
class CalcRequest:
    text: str
    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    quantities: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    level: str | None = None

    @property
    def complete(self) -> bool:
        return self.tool is not None and not self.missing

    def missing_prompt(self) -> str:
        """Ask for the absent numbers by name instead of guessing them."""
        return "要完成测算，还需要以下数据：" + "、".join(self.missing) + "。请补充后再问一次。"


@dataclass
class CalcResult:
    tool: str
    input: dict[str, Any]
    output: dict[str, Any]
    steps: list[str]
    verdict: str
    indicator_keys: list[str]
    met: bool | None
    sources: list[dict[str, Any]]

    @property
    def markdown(self) -> str:
        return self.verdict + "\n\n计算过程：\n" + "\n".join(f"- {step}" for step in self.steps)

    def to_tool_call(self) -> dict[str, Any]:
        return {"name": self.tool, "input": self.input, "output": self.output}

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool, "input": self.input, "output": self.output, "steps": self.steps,
            "verdict": self.verdict, "indicator_keys": self.indicator_keys, "met": self.met,
            "sources": self.sources,
        }


def looks_numeric(text: str) -> bool:
    """True when the question gives numbers of its own to check, not when it asks for a target."""
    return bool(parse_numeric_question(text).quantities)


def parse_numeric_question(text: str) -> CalcRequest:
    kind = _detect_tool(text)
    if kind is None:
        return CalcRequest(text, None)
    quantities = _assign(text, _VOCAB[kind])
    level = _detect_level(text)
    builder = _BUILDERS[kind]
    tool, args, missing = builder(text, quantities, level)
    return CalcRequest(text, tool, args, _jsonable(quantities), missing, level)


def run(request: CalcRequest) -> CalcResult:
    """Run the calculation the request names; the request must be complete."""
    if not request.complete:
        raise ValueError(request.missing_prompt() if request.tool else "这不是可以测算的数字问题")
    check = calculator.OPERATIONS[request.tool](**request.args)
    registry = default_registry()
    keys = list(check.keys)
    sources = [dict(src.to_dict(), indicator=key) for key in keys for src in registry.get(key).sources]
    return CalcResult(
        tool=request.tool,
        input=_jsonable(request.args),
        output=check.to_dict(),
        steps=list(check.steps),
        verdict=check.verdict,
        indicator_keys=keys,
        met=check.met,
        sources=sources,
    )


# ---------- reading the text ----------

def _detect_tool(text: str) -> str | None:
    for kind, pattern in _TOOL_RULES:
        if re.search(pattern, text):
            return kind
    return None


def _detect_level(text: str) -> str | None:
    text = _KEYWORD_MASKS.sub(lambda m: "□" * len(m.group()), text)
    if "一贯制" in text:
        return "一贯制"
    found = {level for level, pattern in (("初中", r"初中|中学|初[一二三]|[七八九]年级"), ("小学", r"小学|村小|[一二三四五六]年级"))
             if re.search(pattern, text)}
    return found.pop() if len(found) == 1 else None


def _detect_area(text: str) -> str | None:
    found = {area for area, pattern in (("城区", r"城区|市区|县城|城里"), ("镇区", r"镇区|乡镇|镇上|镇"))
             if re.search(pattern, text)}
    return found.pop() if len(found) == 1 else None


def _mask(pattern: re.Pattern, text: str) -> str:
    return pattern.sub(lambda m: "□" * len(m.group()), text)


def _keyword_spans(text: str, vocab: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping keyword occurrences, longest first: "符合交流轮岗条件" hides "交流轮岗"."""
    words = sorted(((w, f) for f, ws in vocab.items() for w in ws), key=lambda wf: -len(wf[0]))
    spans: list[tuple[int, int, str]] = []
    for word, name in words:
        for match in re.finditer(re.escape(word), text):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, name))
    return sorted(spans)


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    start = max(text.rfind(c, 0, position) for c in _CLAUSE_BREAKS) + 1
    ends = [i for i in (text.find(c, position) for c in _CLAUSE_BREAKS) if i != -1]
    return start, min(ends, default=len(text))


def _assign(text: str, vocab: dict[str, list[str]]) -> dict[str, Any]:
    """Give each number the quantity it counts: a noun right after it ("850名学生") wins,
    else the nearest keyword before it in its clause ("学生850人"), else a later keyword."""
    spans = _keyword_spans(_mask(_KEYWORD_MASKS, text), vocab)
    numbers = [n for n in extract_numbers(_mask(_NUMBER_MASKS, text))
               if not n.percent and not any(s < n.end and n.start < e for s, e, _ in spans)]
    found: dict[str, Any] = {}
    previous: tuple[NumberMention, str | None] | None = None
    for i, number in enumerate(numbers):
        start, end = _clause_bounds(text, number.start)
        if previous and previous[0].end > start:
            start = previous[0].end
        if i + 1 < len(numbers) and numbers[i + 1].start < end:
            end = numbers[i + 1].start
        name = _field_for(text, number, spans, start, end, previous)
        if name in _AREA_FIELDS and _AREA_UNIT.match(text[number.end:]):
            name = _AREA_FIELDS[name]
        if name and _fits(name, number.value):
            if name in _LIST_FIELDS:
                found.setdefault(name, []).append(number.value)
            else:
                found.setdefault(name, number.value)
        previous = (number, name)
    return found


def _field_for(text, number, spans, start, end, previous) -> str | None:
    after = [(s, f) for s, e, f in spans if number.end <= s < end]
    for s, name in after:
        if _CLASSIFIER.match(text[number.end:s]):
            return name
    before = [(e, f) for s, e, f in spans if start <= s and e <= number.start]
    if before:
        return max(before)[1]
    if previous and previous[1] in _LIST_FIELDS and re.fullmatch(
        r"[\s、,，和及与/]*(?:人|㎡|平方米|平米)?[\s、,，和及与/]*", text[previous[0].end:number.start]
    ):
        return previous[1]
    return after[0][1] if after else None


def _fits(name: str, value: Decimal) -> bool:
    """Counts of people, rooms and classes are whole numbers; 0.9 is a threshold, not a head count."""
    return name in _MONEY_OR_AREA or value == value.to_integral_value()


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    def one(v: Any) -> Any:
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else str(v)
        if isinstance(v, list):
            return [one(x) for x in v]
        return v
    return {k: one(v) for k, v in values.items()}


# ---------- one builder per kind of question: which tool, its arguments, what is missing ----------

def _need(quantities: dict, names: list[str]) -> list[str]:
    return [_NAMES[n] for n in names if n not in quantities]


def _resource(text, q, level):
    given = [name for name in _RESOURCE_WORDS if name in q]
    missing = [] if level in calculator.LEVELS else [_NAMES["level"]]
    missing += _need(q, ["students"])
    if len(given) > 1:
        args = {"level": level, "students": q.get("students"), **{n: q[n] for n in given}}
        return "check_school_resources", args, missing
    fields = calculator.resource_inputs()
    if given:
        name = given[0]
    else:
        name = next(n for n, words in _RESOURCE_WORDS.items() if any(w in text for w in words))
        if not _ASKS_REQUIREMENT.search(text):
            missing.append(fields[name].measure.input_name)
    args = {"level": level, "indicator": fields[name].key, "students": q.get("students"), "amount": q.get(name)}
    return "check_resource_indicator", args, missing


def _rotation(text, q, level):
    args = {k: q.get(k) for k in ("eligible_teachers", "rotated_teachers", "backbone_rotated")}
    return "check_rotation", args, _need(q, ["eligible_teachers", "rotated_teachers"])


def _training(text, q, level):
    args = {"public_budget_yuan": q.get("public_budget_yuan"), "training_funds_yuan": q.get("training_funds_yuan")}
    return "check_training_funds", args, _need(q, ["public_budget_yuan"])


def _admission(text, q, level):
    area = _detect_area(text)
    missing = [] if area else [_NAMES["area"]]
    args = {"area": area, "nearby_admitted": q.get("nearby_admitted"), "total_admitted": q.get("total_admitted")}
    return "check_admission_ratio", args, missing + _need(q, ["nearby_admitted", "total_admitted"])


def _special_ed(text, q, level):
    if "per_student_yuan" in q:
        return "check_special_ed_funding", {"per_student_yuan": q["per_student_yuan"]}, []
    args = {"total_yuan": q.get("total_yuan"), "students": q.get("students")}
    missing = [] if "total_yuan" in q and "students" in q else ["生均公用经费（或公用经费总额和学生数）"]
    return "check_special_ed_funding", args, missing


def _small_school(text, q, level):
    args = {"students": q.get("students"), "per_student_yuan": q.get("per_student_yuan")}
    return "check_small_school_funding", args, _need(q, ["students"])


def _rooms(text, q, level):
    args = {k: q.get(k) for k in ("classes", "music_rooms", "art_rooms")}
    args.update(music_room_areas=q.get("music_room_areas", []), art_room_areas=q.get("art_room_areas", []))
    return "check_music_art_rooms", args, _need(q, ["classes", "music_rooms", "art_rooms"])


def _class(text, q, level):
    missing = [] if level in calculator.LEVELS else [_NAMES["level"]]
    if "class_sizes" in q:
        return "check_class_size", {"level": level, "class_sizes": q["class_sizes"]}, missing
    if "students" in q and "classes" in q:
        args = {"level": level, "students": q["students"], "classes": q["classes"]}
        return "check_average_class_size", args, missing
    return "check_class_size", {"level": level, "class_sizes": []}, missing + [_NAMES["class_sizes"]]


def _school_size(text, q, level):
    missing = [] if level else [_NAMES["kind"]]
    return "check_school_size", {"kind": level, "students": q.get("students")}, missing + _need(q, ["students"])


def _percent(kind):
    key, _, _ = _PERCENT_TOOLS[kind]
    part_name, whole_name = calculator.PERCENT_TARGETS[key]

    def build(text, q, level):
        args = {"key": key, "part": q.get("part"), "whole": q.get("whole")}
        missing = [name for field_name, name in (("part", part_name), ("whole", whole_name)) if field_name not in q]
        return "check_percentage_target", args, missing
    return build


_BUILDERS = {
    "resource": _resource,
    "check_rotation": _rotation,
    "check_training_funds": _training,
    "check_admission_ratio": _admission,
    "check_special_ed_funding": _special_ed,
    "check_small_school_funding": _small_school,
    "check_music_art_rooms": _rooms,
    "class": _class,
    "check_school_size": _school_size,
    **{kind: _percent(kind) for kind in _PERCENT_TOOLS},
}
