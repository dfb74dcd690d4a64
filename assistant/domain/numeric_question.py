"""Numeric questions in Chinese: find the numbers a user gives, what they count, and the calculation.

"我们小学有学生850人，音体美专任教师7人，达标吗？" → check_resource_indicator(小学,
pe_art_teachers_per100, 850, 7). A needed number that is absent is asked for by
name (`CalcRequest.missing`, never with digits in it), never guessed.

Also understood: a rate stated directly ("初中三年巩固率93.5%" → check_reported_rate), money
with 万 and short verbs ("公用经费预算150万，培训花了9万"), per-school lists for a county
差异系数 ("三所小学分别有500、700、800名学生，音体美教师分别是5、5、9人"). Figures the
standard itself uses, quoted in a question about the standard ("达到5%了吗", "不足100名学生的
村小怎么核定", "最低多少钱一个学生"), are not the user's data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from itertools import permutations
from typing import Any

from . import calculator
from .indicators import Registry, default_registry
from .number_roles import NumberRole, Token, mask_non_data, number_roles, school_name_level, school_names, tokens
from .numerals import NumberMention, extract_numbers

_CLAUSE_BREAKS = "，,。；;？?！!\n"
_DIGIT_CHARS = "0-9零〇一二两三四五六七八九十百千"
# Numbers that belong to names, ordinals, years, grades and the rules' own wording, not to the user's data.
# Names, school counts, ordinals, years and durations are told apart by number_roles; these are
# the rules' own phrases and words that merely contain a numeral character.
_NUMBER_MASKS = re.compile(
    r"每百名学生|每百名|每\s*(?:100|一百)\s*(?:个|名|位)?\s*(?:在校生|在校学生|学生|孩子)?|每\s*(?:12|十二)\s*个班级?"
    r"|(?:五|5)\s*年\s*(?:360|三百六十)\s*学时|(?:360|三百六十)\s*学时|一校一策|九年一贯制|十二年一贯制|三年巩固率|三年前"
    r"|一下|一共|一起|一些|一定|一般|一样|进一步|统一|同一|一个班|每个班"
    # 不足100名学生的村小 / 按100名学生核定: the rule's own figure.
    r"|(?:不足|不到|少于|按照?)\s*(?:100|一百)\s*名?\s*(?:学生|人)"
    # 一个学生 / 每名学生 means "per student", not one student.
    rf"|(?<![{_DIGIT_CHARS}])[一每](?:个|名|位)(?:学生|孩子)"
)
# Phrases whose words must not be read as quantity keywords.
_KEYWORD_MASKS = re.compile(r"每百名学生|中小学")
# Between a number and the noun it counts: "850名学生", "8万元培训经费".
# "30位老师学历超出规定": the teachers named between the classifier and what they are counted as.
_CLASSIFIER = re.compile(
    r"^\s*(?:多|余)?\s*(?:名|个|位|间|所|人|万?元|平方米|平米|㎡)?\s*(?:多|余)?\s*(?:专任)?(?:教师|老师)?\s*的?\s*$")
# Between a per-unit keyword and its amount: "每个学生8000元的公用经费" is per student, whatever follows.
_PER_UNIT_GAP = re.compile(r"\s*(?:是|为|有|按|约|达到?)?\s*")
_PER_UNIT_FIELDS = {"per_student_yuan"}
# A word of sum between an amount-per-student word and its figure makes the figure the sum.
_TOTALITY = re.compile(r"总共|一共|总计|合计|共计|总额|总数|共")
_TOTAL_OF = {"per_student_yuan": "total_yuan"}
# A resource figure given per student or per hundred students is the indicator's value itself.
_PER_VALUE = re.compile(r"生均|每生|每名学生|每个学生|每百名学生|每百名|每一百名|每\s*100\s*(?:个|名|位)")
_AREA_WORDS = r"平方米|平米|平(?!均)|㎡|m2|m²"  # "90平" is 90 square metres; 平均 is no unit
_AREA_UNIT = re.compile(rf"^\s*(?:{_AREA_WORDS})")
_ASKS_REQUIREMENT = re.compile(r"需要|至少|多少才|才达标|才够|才能达标|最少|最低|起码|要多少|要几|几名|几个|几位|多少[名个位人间]|配多少|配几|应配|应该配")
# Between two numbers of one list: "500、700、800名", "5人、5人和9人".
_LIST_GAP = re.compile(r"\s*(?:名|个|人|位|间|所|元|万元|平方米|平米|㎡)?\s*[、,，/和及与]\s*")
# A clause that tells us what to say is an instruction, not data ("把经费说成5000元").
_INSTRUCTION = re.compile(r"说成|改成|改为|写成|当成|当作|冒充")
# A percentage that is the standard being asked about, not the user's figure:
# "达到5%了吗", "够10%吗", "要求95%以上", "按5%算", "95%是国家标准吗".
_ASKED_PERCENT_AFTER = re.compile(
    r"^\s*(?:了|以上|及以上|没有?)?\s*(?:吗|么|嘛|没|没有|否|呢|[?？])"
    r"|^\s*(?:以上)?\s*(?:是|为)?\s*(?:不是)?\s*(?:国家|本市|市里|省里|省|上级|文件)?的?(?:标准|要求|底线|门槛|目标|规定)"
)
_ASKED_PERCENT_BEFORE = re.compile(
    r"(?:要求|标准|规定|不低于|不少于|不得低于|至少|最低|应当?|需要?|要|够不够|是否|能否|能不能|有没有|按照?|够|满)"
    r"\s*(?:达到|到|是|为|有)?\s*$"
)
# A figure the standard itself uses, in a clause that asks for the standard, with no sign that
# the user is reporting their own data: "特教学校生均公用经费8000元是国家标准吗".
_ASKS_TARGET = re.compile(r"怎么|怎样|如何|多少|几|最低|最高|最多|最少|上限|下限|标准|要求|规定|是不是|是否")
_USER_MARKERS = re.compile(
    r"我们|我校|我县|我市|我区|本校|咱|有|共|今年|去年|花了|用了|安排了|实际|现有|目前|只有|才|"
    r"达标|够不够|够吗|符合|合格|合规|行不行|能行|行吗|过线|过没过|达没达|超了|超标|假设|如果|"
    # "这项指标怎样": how the user's own figure fares.
    r"(?:这项|这个|该|此项|我们的?)指标(?:怎么样|怎样|如何)|(?:达标)?情况(?:怎么样|怎样|如何)"
)
# Words that ask what a rule's figure means: is it a ceiling or a floor ("8000元是封顶还是保底").
_RULE_MEANING = r"封顶|保底|兜底|上限|下限|是指|指的是|意思|含义|最高还是最低|最低还是最高|最多还是最少|最少还是最多"
# A question about what a figure means ("交流轮岗比例10%是指什么").
_ASKS_MEANING = re.compile(rf"什么|怎么|怎样|如何|哪|多少|几|为什么|为啥|啥|{_RULE_MEANING}")
_CV_WORD = "差异系数"
# A 差异系数 the user already has: "差异系数是0.42", "差异系数为０.６".
_REPORTED_CV = re.compile(r"差异系数[^，,。；;0-9０-９]{0,6}?(?:是|为|达到|有|只有|才)?\s*$")

_STUDENTS = ["在校学生", "在校生", "学生数", "学生人数", "学生", "孩子", "在校"]  # "在校120人"
# "1630人规模的初中": the school's size is its student count.
_SCHOOL_SIZE = ["规模", "校额"]
# An amount for each student: "生均", "每个学生8000元".
_PER_STUDENT = ["生均公用经费", "生均经费", "生均", "每生", "人均",
                *(f"{each}{unit}{who}" for each in ("每", "一") for unit in ("个", "名", "位") for who in ("学生", "孩子"))]


def _above_degree_words() -> list[str]:
    """高于规定学历 in any wording: a verb of exceeding (高于/超过/超出/高出), the rule (规定/规定要求/要求/
    标准), and 学历 before or after: 学历高出规定要求, 超过规定学历, 高于规定的学历."""
    words = ["高学历", "本科以上学历", "研究生学历"]
    for verb in ("高于", "超过", "超出", "高出"):
        for rule in ("国家规定", "规定要求", "规定", "要求", "标准"):
            words += [f"{verb}{rule}学历", f"{verb}{rule}的学历", f"学历{verb}{rule}"]
    return words


def _rotation_words() -> tuple[list[str], list[str]]:
    """Who may rotate (符合/够/具备/满足/达到 + 交流轮岗/交流/轮岗 + 条件/资格/要求) and who did
    (交流/轮岗 + 出去/出/走/了, 派出/外派)."""
    topics = ("交流轮岗", "轮岗交流", "交流", "轮岗", "")
    eligible = ["应交流", "应轮岗", "可交流", "可轮岗", "有资格交流", "有资格轮岗", "可以交流", "可以轮岗",
                "能交流", "能轮岗", "够条件交流", "够条件轮岗"]
    for verb in ("符合", "够", "具备", "满足", "达到"):
        for topic in topics:
            eligible += [f"{verb}{topic}{cond}" for cond in ("条件", "资格", "要求") if topic or cond != "要求"]
    rotated = ["参加交流", "参加轮岗", "派出", "派往", "外派", "派"]  # "再多派2个"
    for topic in topics[:-1]:
        rotated += [f"{topic}{how}" for how in ("出去", "出", "走了", "走", "了", "")]
    return eligible, rotated


_ELIGIBLE_WORDS, _ROTATED_WORDS = _rotation_words()


def _pe_art_words() -> list[str]:
    """音体美 in any order and spelling: 音体美/体音美, 音乐体育美术, 音乐、体育、美术, 音乐、体育和美术."""
    words = ["体育、艺术", "体育艺术", "体育和艺术", "艺术体育", "体艺", "艺体"]
    full, short = ("音乐", "体育", "美术"), ("音", "体", "美")
    for a, b, c in permutations(range(3)):
        words += [short[a] + short[b] + short[c], full[a] + full[b] + full[c],
                  f"{full[a]}、{full[b]}、{full[c]}", f"{full[a]}、{full[b]}和{full[c]}"]
    return words


_RESOURCE_WORDS = {
    "teachers_above_degree": _above_degree_words(),
    "backbone_teachers": ["县级以上骨干", "市级骨干", "骨干"],
    "pe_art_teachers": _pe_art_words(),
    "teaching_area_m2": ["教学及辅助用房", "教学辅助用房", "教辅用房", "教学用房", "辅助用房", "用房"],
    "sports_area_m2": ["体育运动场馆", "运动场馆", "体育场馆", "运动场", "操场", "场馆"],
    "equipment_value_yuan": ["教学仪器设备", "仪器设备", "教学仪器", "设备值", "设备总值", "仪器"],
    "multimedia_classrooms": ["网络多媒体教室", "多媒体教室", "网络多媒体", "多媒体"],
}
# 音体美 teachers counted by subject ("体育老师9个 音乐5个 美术4个"): all three give the indicator's count.
_SUBJECT_WORDS = {"pe_teachers": ["体育老师", "体育教师", "体育"], "music_teachers": ["音乐老师", "音乐教师", "音乐"],
                  "art_teachers": ["美术老师", "美术教师", "美术"]}


def _subjects_summed(q: dict[str, Any]) -> dict[str, Any]:
    """The 音体美 count from its three subjects, when all three and no total are given; the subjects
    stay in the quantities, so the answer restates them."""
    if "pe_art_teachers" in q or not all(name in q for name in _SUBJECT_WORDS):
        return q
    return {**q, "pe_art_teachers": sum(q[name] for name in _SUBJECT_WORDS)}


# "平均数6.2，标准差2.1": the county's moments of one indicator, from which its 差异系数 follows
_MEAN_WORDS = ["平均数", "平均值", "均值", "平均"]
_SD_WORDS = ["标准差"]
_CLASSES = ["个教学班", "教学班", "个班", "班级数", "班级"]


@dataclass(frozen=True)
class _PercentKind:
    """A plan target given as a share: its registry key, words for the part and the whole, and the
    rate's name; the part and whole are named as the calculator names them (asked for when missing)."""

    key: str
    part_words: list[str]
    whole_words: list[str]
    rate_name: str

    @property
    def part_name(self) -> str:
        return calculator.PERCENT_TARGETS[self.key][0]

    @property
    def whole_name(self) -> str:
        return calculator.PERCENT_TARGETS[self.key][1]


_PERCENT_TOOLS = {
    "consolidation": _PercentKind(
        "junior_consolidation_rate", ["初三", "毕业", "现在", "目前", "还有", "剩"],
        ["三年前", "初一", "入学时", "入学", "招生", "起始"],
        "初中三年巩固率"),
    "enrolment": _PercentKind(
        "enrolment_rate", ["已入学", "入学", "在校"], ["适龄儿童", "适龄"],
        "入学率"),
    "disabled": _PercentKind(
        "disabled_children_enrolment_rate", ["已入学", "入学", "在校", "就读", "安置"],
        ["适龄残疾儿童", "残疾儿童少年", "残疾儿童", "适龄"],
        "残疾儿童少年入学率"),
    "certified": _PercentKind(
        "certified_teachers_rate", ["持证上岗", "持证", "教师资格证"], ["专任教师", "教师"],
        "专任教师持证上岗率"),
    "training_hours": _PercentKind(
        "training_hours_completion_rate", ["已完成", "完成了", "完成", "达到"],
        ["应参训", "参训", "专任教师", "教师总数", "全体教师", "教师", "老师"],
        "教师培训完成率"),
    "quota": _PercentKind(
        "quota_allocation_ratio", ["分配到初中", "分配到校", "分配名额", "分配了", "分配", "分到"],
        ["招生计划总数", "招生计划", "计划总数", "总名额", "招生名额", "计划", "招生"],
        "优质高中招生名额分配比例"),
    "migrant": _PercentKind(
        "migrant_children_public_ratio", ["公办学校", "公办", "民办", "就读", "在校"],
        ["随迁子女总数", "符合条件", "随迁子女"],
        "随迁子女在公办学校和政府购买服务的民办学校就读比例"),
    "social": _PercentKind(
        "social_recognition", ["认可", "满意"], ["受访", "调查", "问卷", "参与", "总共", "共"],
        "社会认可度"),
    "salary": _PercentKind(
        "teacher_salary_vs_civil_servants", ["教师", "老师"], ["公务员"], "教师与公务员平均工资收入之比"),
}
_VOCAB: dict[str, dict[str, list[str]]] = {
    "resource": {"students": [*_STUDENTS, *_SCHOOL_SIZE], **_RESOURCE_WORDS, **_SUBJECT_WORDS},
    "cv": {"students": _STUDENTS, **_RESOURCE_WORDS, "mean": _MEAN_WORDS, "sd": _SD_WORDS},
    "check_rotation": {
        "eligible_teachers": _ELIGIBLE_WORDS,
        "backbone_rotated": ["骨干"],
        # "派出10名老师去别的学校" sends teachers to another school: rotated.
        "rotated_teachers": _ROTATED_WORDS,
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
        "per_student_yuan": _PER_STUDENT,
        "total_yuan": ["公用经费总额", "经费总额", "公用经费", "经费"],
        "students": _STUDENTS,
    },
    "check_small_school_funding": {
        "students": _STUDENTS,
        "per_student_yuan": ["生均公用经费标准", *_PER_STUDENT, "标准"],
    },
    "check_music_art_rooms": {
        "classes": _CLASSES,
        "music_rooms": ["音乐专用教室", "音乐教室", "音乐室"],
        "art_rooms": ["美术专用教室", "美术教室", "美术室"],
    },
    "class": {
        "class_sizes": ["班额", "每班", "每个班", "一个班", "班级人数", "班级学生数", "分别是", "分别为", "分别"],
        # a stated average is not one class's size: within the limit it proves nothing of every class
        "average_class_size": ["平均班额", "平均每班", "平均每个班", "班均"],
        "students": _STUDENTS,
        "classes": _CLASSES,
    },
    "check_school_size": {"students": [*_STUDENTS, *_SCHOOL_SIZE]},
    "school_rule": {"students": _STUDENTS, **_RESOURCE_WORDS},
    **{tool: {"part": pk.part_words, "whole": pk.whole_words} for tool, pk in _PERCENT_TOOLS.items()},
}
_ITEM_DIGITS = "0-9一二两三四五六七"
_ALLOWANCE = re.compile(r"余项|允许范围|(?<![0-9.])85\s*[%％]|百分之八十五")
_MET_WORDS = r"达标|达到要求|达到标准|合格|够了|够|满足要求|满足|符合|没问题"
# "其他六项都合格" / "别的都达标": every resource indicator but the ones the question gives is met —
# said as a fact, not asked ("另外多媒体教室都够吗" asks about one)
_OTHERS_MET = re.compile(rf"(?:其他|其它|其余|别的|剩下的?)[^，,。；;？?]{{0,10}}?(?:都|均|全)[^，,。；;？?]{{0,2}}?"
                         rf"(?:{_MET_WORDS})(?![吗么没不])")
_TOOL_RULES = [
    ("cv", r"差异系数|校际差异"),
    ("salary", r"工资|薪酬|薪资"),
    ("training_hours", r"学时|培训完成率"),
    ("check_rotation", r"轮岗|交流|派出(?!所)|派往|外派|骨干教师?的?(?:占比|比例|比率|占)[^，,。；;]*?(?:%|％|百分之)"),
    ("check_training_funds",
     r"培训经费|培训费|(?:公用经费|预算)[^。？?！!]*培训|培训[^。？?！!]*(?:公用经费|预算)"),
    ("check_admission_ratio", r"就近|划片"),
    ("quota", r"名额"),
    ("migrant", r"随迁"),
    ("check_special_ed_funding", r"特殊教育|特教"),
    # 村小 names a kind of school; only its funding (经费, 核定) makes it this question
    ("check_small_school_funding", r"核定公用经费|(?=.*(?:经费|核定|拨款|拨付))(?:.*?)(?:村小|教学点|小规模学校)"),
    ("check_music_art_rooms", r"专用教室|音乐教室|美术教室|音乐室|美术室"),
    ("consolidation", r"巩固率"),
    ("disabled", r"残疾"),
    ("enrolment", r"入学率"),
    ("certified", r"持证"),
    ("social", r"认可度|满意度|满意率"),
    ("class", r"班额|每班|每个班|一个班|班级人数|班级学生数|最大的班|最大班|最大的一个班"),
    # The school rule: a count of indicators met ("达标了5项") or its 85% allowance; before the
    # resource kind, whose words these questions also use.
    ("school_rule", rf"{_ALLOWANCE.pattern}|[{_ITEM_DIGITS}]\s*项[^，,。；;？?]{{0,8}}?(?:{_MET_WORDS})"
                    rf"|达标了?\s*[{_ITEM_DIGITS}]\s*项|{_OTHERS_MET.pattern}"),
    ("resource", "|".join(w for words in _RESOURCE_WORDS.values() for w in words)),
    # Last: "1630人规模的初中" only sizes the school when no resource is named.
    ("check_school_size", r"规模|校额"),
]
_LIST_FIELDS = {"class_sizes", "music_room_areas", "art_room_areas"}
_AREA_FIELDS = {"music_rooms": "music_room_areas", "art_rooms": "art_room_areas"}
_MONEY_OR_AREA = {"public_budget_yuan", "training_funds_yuan", "per_student_yuan", "total_yuan",
                  "teaching_area_m2", "sports_area_m2", "equipment_value_yuan",
                  "music_room_areas", "art_room_areas"}
# Figures the rules themselves use, per kind of question and quantity (see _is_standard_figure).
_STANDARD_FIGURES = {
    "check_small_school_funding": {"students": ["small_school_funding_basis"]},
    "check_special_ed_funding": {"per_student_yuan": ["special_ed_funding_per_student"]},
    "class": {"class_sizes": ["class_size"], "average_class_size": ["class_size"]},
    "check_school_size": {"students": ["school_size"]},
    "check_music_art_rooms": {"music_room_areas": ["music_room_area"], "art_room_areas": ["art_room_area"]},
}
# Kinds whose only head count is the school's students: a bare "68人" is that.
# Kinds whose bare head count ("小学九百人", "一所600人") is the school's students.
_HEADCOUNT_DEFAULT = {"check_small_school_funding": "students", "check_school_size": "students",
                      "resource": "students", "school_rule": "students", "class": "headcount"}
_HEADCOUNT = re.compile(r"^\s*(?:多|余)?\s*(?:人|名)")
# What the word right after a number says it measures ("48人" is people, never a number of classes).
# 个 counts people, rooms or classes alike; a number with no unit word fits any quantity.
_UNIT_FAMILIES = [
    (re.compile(rf"^\s*(?:多|余)?\s*(?:{_AREA_WORDS})"), "area"),
    (re.compile(r"^\s*(?:多|余)?\s*(?:万元|亿元|元|块)"), "money"),
    (re.compile(r"^\s*(?:多|余)?\s*间"), "rooms"),
    (re.compile(r"^\s*(?:多|余)?\s*(?:个教学班|个班|班)"), "classes"),
    (re.compile(r"^\s*(?:多|余)?\s*(?:人|名|位)"), "people"),
    (re.compile(r"^\s*(?:多|余)?\s*个"), "count"),
]
_COUNT_FAMILIES = {"people", "rooms", "classes"}
_UNIT_OF_FAMILY = {"人": "people", "间": "rooms", "㎡": "area", "元": "money"}
# The seven resources' families follow from the registry's units; the other quantities are the
# question layer's own.
_FIELD_FAMILIES = {
    **{field: _UNIT_OF_FAMILY[ind.unit] for field, ind in calculator.resource_inputs().items()},
    "students": "people", "eligible_teachers": "people", "rotated_teachers": "people", "backbone_rotated": "people",
    "nearby_admitted": "people", "total_admitted": "people", "class_sizes": "people", "headcount": "people",
    "music_rooms": "rooms", "art_rooms": "rooms", "classes": "classes",
    "music_room_areas": "area", "art_room_areas": "area",
    "public_budget_yuan": "money", "training_funds_yuan": "money", "per_student_yuan": "money", "total_yuan": "money",
}


def _unit_family(after: str) -> str | None:
    return next((family for pattern, family in _UNIT_FAMILIES if pattern.match(after)), None)


def _compatible(name: str, family: str | None) -> bool:
    """A quantity can take a number whose unit word is of its family (个 for any count)."""
    want = _FIELD_FAMILIES.get(name)
    if family is None or want is None or (family == "area" and name in _AREA_FIELDS):
        return True
    return want == family or (family == "count" and want in _COUNT_FAMILIES)
_NAMES = {
    "students": "在校生数", "level": "学段（小学或初中）",
    "pe_teachers": "体育教师数", "music_teachers": "音乐教师数", "art_teachers": "美术教师数",
    "kind": "学校类型（小学、初中或九年一贯制）",
    "eligible_teachers": "符合交流轮岗条件的教师总数", "rotated_teachers": "交流轮岗教师数",
    "backbone_rotated": "交流轮岗的骨干教师数",
    "public_budget_yuan": "年度公用经费预算总额", "training_funds_yuan": "教师培训经费",
    "nearby_admitted": "就近划片入学人数", "total_admitted": "招生总人数",
    "per_student_yuan": "生均公用经费", "total_yuan": "公用经费总额",
    "classes": "班级数", "class_sizes": "各班学生数", "average_class_size": "平均班额", "music_rooms": "音乐专用教室数", "art_rooms": "美术专用教室数",
    "school_students": "各校在校生数", "met_items": "已达标的资源配置指标项数",
    "music_room_areas": "音乐专用教室面积", "art_room_areas": "美术专用教室面积",
    "cv": "差异系数", "mean": "平均数", "sd": "标准差",
    "headcount": "人数",
}
_UNITLESS = {"cv", "mean", "sd"}  # ratios and the moments of any indicator: no unit of their own
# Quantity names for a rate the user states directly ("巩固率93.5%").
_RATE = "rate_percent"
_ROTATION_RATE, _BACKBONE_RATE = "rotation_rate_percent", "backbone_rate_percent"


@dataclass
class CalcRequest:
    text: str
    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    quantities: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    level: str | None = None
    kind: str | None = None  # the kind of question (a key of _BUILDERS), kept so a follow-up can reuse it
    schools: list["CalcRequest"] = field(default_factory=list)  # one request per school of a list

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


def parse_numeric_question(text: str, roles: list[NumberRole] | None = None) -> CalcRequest:
    """The calculation a question asks for. Only numbers whose role is data (number_roles) are
    bound to quantities; the others are masked before any binding."""
    kind = _detect_tool(text)
    if kind is None:
        return CalcRequest(text, None)
    roles = number_roles(text) if roles is None else roles
    data_text = _mask_rule_phrases(text, mask_non_data(text, roles))
    counted: dict[str, int] = {}
    if kind == "school_rule":
        counted, counts_masked = _item_counts(text, data_text)
        if counted or _ALLOWANCE.search(text) or _OTHERS_MET.search(text):
            data_text = counts_masked
        else:
            kind = _detect_tool(text, skip=kind)  # "三项分别达标没": no count stated, the items are asked
            if kind is None:
                return CalcRequest(text, None)
    if kind not in ("cv", "school_rule"):
        listed = _school_list(text, roles, data_text, kind) or _respectively(text, data_text, kind)
        if listed:
            return listed
    levels = _level_list(text, data_text, kind) if kind == "cv" else None
    if levels:
        return levels
    if kind == "cv":
        quantities = _same_students(text, _assign_lists(text, _VOCAB[kind], data_text))
    elif kind == "school_rule":
        # "没达标的是生均仪器设备值，小学1800元": the one resource named is what a loose figure measures
        found, _, conflicts = _bind(text, _VOCAB[kind], kind, data_text, implied=_heading_quantity(text))
        if not counted and _OTHERS_MET.search(text):
            counted = {"met_items": _others_met(found)}
        quantities = {**found, **counted}
    else:
        found, _, conflicts = _bind(text, _VOCAB[kind], kind, data_text, implied=_room_subject(text, kind))
        quantities = _distribute(text, _settle_headcount(found))
        if kind == "resource":
            quantities = _subjects_summed(_city_level_backbone(text, data_text, quantities))
            if _CITY_BASIS in quantities:  # 县级以上 and 市级 figures: not a conflict, the 市级 one is judged
                conflicts = [c for c in conflicts if c != "backbone_teachers"]
        if kind == "class":
            quantities = _one_class(quantities)
        quantities.update(_reported_rates(data_text, kind))
    level = detect_level(text)
    builder = _BUILDERS[kind]
    tool, args, missing = builder(text, quantities, level)
    unreadable = list(dict.fromkeys(f"“{r.evidence}”的准确数值（请写成普通的非负数字）"
                                    for r in roles if r.role == "unreadable"))
    if kind != "cv":  # two figures for one quantity: which is meant is asked, not guessed
        unreadable += [f"{_label(n)}的准确数字（问题中给出了不止一个数）" for n in dict.fromkeys(conflicts)]
    if kind == "resource" and _many_schools(text, roles):
        unreadable.append("每所学校各自的数字（请逐校写明，如“甲校：学生800人、音体美教师8人；乙校：…”）")
    return CalcRequest(text, tool, args, _jsonable(quantities), unreadable + missing, level, kind)


def _school_list(text: str, roles: list[NumberRole], data_text: str, kind: str = "resource") -> CalcRequest | None:
    """"两所初中：一所600人、音体美教师5人，另一所900人、音体美教师9人" → one request per school,
    for any calculation kind (班额, 规模 … as well as the seven resources).

    A school starts at a school's name (五中, 时庄中心小学), at 一所/另一所, or at 第N所; a list
    needs two or more such starts with figures of their own. A heading before the first school that
    names one resource ("三所小学的音体美专任教师：实验一小2000人20个…") names the figures each
    school leaves unnamed; a later school's figure no noun names measures what the earlier school's
    did ("二中1200人，教室30间"). A school whose figures cannot all be read makes the list
    unreadable: asked about, never half-read."""
    starts = {t.start for t in school_names(text)}
    for r in roles:
        m = r.mention
        counted_one = r.role == "schools" and m.value == 1
        nth = r.role == "ordinal" and text[m.end:m.end + 1] == "所"
        if counted_one or nth:
            lead = 2 if text[max(0, m.start - 2):m.start] == "另外" else 1 if text[m.start - 1:m.start] in ("另", "第") else 0
            starts.add(m.start - lead)
    return _list_from(text, sorted(starts), data_text, kind)


def _level_list(text: str, data_text: str, kind: str) -> CalcRequest | None:
    """"全市小学差异系数0.42，初中0.47，各自达标吗": each level named with figures of its own is
    one calculation, like a school of a list."""
    named = [(m.start(), level) for level, _ in _LEVEL_PATTERNS for m in re.finditer(level, text)]
    if len(named) != 2 or named[0][1] == named[1][1]:
        return None
    return _list_from(text, sorted(a for a, _ in named), data_text, kind)


def _list_from(text: str, starts: list[int], data_text: str, kind: str) -> CalcRequest | None:
    """One request per stretch of `text` from one start to the next (see _school_list)."""
    if len(starts) < 2:
        return None
    level = detect_level(text)
    bounds = [*starts, len(text)]
    # The heading runs to the first school with figures of its own: "五中、二中的多媒体教室：五中1500人39间…"
    first = next((a for a, b in zip(bounds, bounds[1:]) if extract_numbers(data_text[a:b])), starts[0])
    implied = _heading_quantity(text[:first], _RESOURCE_WORDS if kind == "resource" else _VOCAB[kind])
    parts, prefer = [], ()
    for a, b in zip(bounds, bounds[1:]):
        own_text = segment = text[a:b]  # own_text: the school as asked, for its label
        data = data_text[a:b]
        if kind == "cv" and _CV_WORD in text[:first] and _CV_WORD not in segment:
            segment, data = _CV_WORD + segment, _CV_WORD + data  # "差异系数小学0.52，初中0.43": the heading's
        own_level = detect_level(segment) or level  # "一小1600人…二中1200人…": each school's name says its level
        if kind == "cv":  # a reported 差异系数 per level: read as a single question's would be
            q, conflicts = _assign_lists(segment, _VOCAB[kind], data), []
            unbound = [] if q else extract_numbers(data)
        else:
            q, unbound, conflicts = _bind(segment, _VOCAB[kind], kind, data, implied=implied, prefer=prefer)
        if not q and parts:
            q = _sole_figure(segment, unbound, parts[-1].quantities)
            unbound = [] if q else unbound
        if not q and not unbound:
            continue  # a school only named ("曲阜一中、曲阜二中都是初中")
        if kind == "class":
            q = _one_class(_settle_headcount(q, implied))
        if unbound or conflicts:
            return None  # a school whose figures cannot all be read: not a list we can read safely
        if kind == "resource":
            per_value = any(key in q for key in _VALUE_KEYS)
            if not (per_value or any(n in q for n in _RESOURCE_WORDS)) or ("students" not in q and not per_value):
                return None  # a school without its own resource figures
        tool, args, missing = _BUILDERS[kind](segment, q, own_level)
        if kind != "resource" and (tool is None or any(m != _NAMES["level"] for m in missing)):
            return None
        parts.append(CalcRequest(own_text.strip("，,；;。 "), tool, args, _jsonable(q), missing, own_level, kind))
        prefer = prefer or tuple(q)
    if len(parts) < 2:
        return None
    missing = list(dict.fromkeys(m for p in parts for m in p.missing))
    return CalcRequest(text, "school_list", {}, {}, missing, level, kind, parts)


_RESPECTIVELY = re.compile(r"分别|各")
_SAME_FOR_ALL = re.compile(r"都|各")


def _respectively(text: str, data_text: str, kind: str = "resource") -> CalcRequest | None:
    """"第三中学和十一中网络多媒体教室分别45间、22间，学生各1500人、1000人", "五中和十一中学生分别
    1750和2050人，规模…": the named schools in order, and clauses that give one figure per school
    after 分别/各 (or one figure for all after 都/各: "学生都是1000人"). Every clause with figures must
    be one of these, naming the one quantity its figures measure; otherwise the list is not read
    (and asked about)."""
    names = list(dict.fromkeys(t.word for t in school_names(text)))
    if len(names) < 2:
        return None
    columns: dict[str, list] = {}
    for match in re.finditer(r"[^，,；;。？?！!：:]+", data_text):
        values = [n.value for n in extract_numbers(match.group()) if not n.percent]
        if not values:
            continue
        source = text[match.start():match.end()]
        name = _heading_quantity(source, _RESOURCE_WORDS if kind == "resource" else _VOCAB[kind]) \
            or ("students" if any(w in source for w in _STUDENTS) else None)
        if name is None or name in columns:
            return None
        if len(values) == 1 and _SAME_FOR_ALL.search(source):
            values = values * len(names)
        if len(values) != len(names) or (len(names) > 1 and not _RESPECTIVELY.search(source)
                                         and not _SAME_FOR_ALL.search(source)):
            return None
        if not all(_fits(name, v) for v in values):
            return None
        columns[name] = values
    if not columns or (kind == "resource" and not any(name != "students" for name in columns)):
        return None
    level = detect_level(text)
    parts = []
    for i, school in enumerate(names):
        q = {name: values[i] for name, values in columns.items()}
        tool, args, missing = _BUILDERS[kind](school, q, level)
        if tool is None:
            return None
        parts.append(CalcRequest(school, tool, args, _jsonable(q), missing, level, kind))
    missing = list(dict.fromkeys(m for p in parts for m in p.missing))
    return CalcRequest(text, "school_list", {}, {}, missing, level, kind, parts)


_CITY_BASIS = "backbone_basis"  # not a figure: says the 骨干 count is the 市级 one


def _city_level_backbone(text: str, data_text: str, q: dict[str, Any]) -> dict[str, Any]:
    """Qufu's plan counts 市级 骨干教师, stricter than the national 县级以上 (indicators.yaml's note):
    when a question gives both ("县级骨干10个，市级的只有6个"), the 市级 figure is judged, and the
    read-back says so."""
    if "backbone_teachers" not in q or "市级" not in text or "县级" not in text:
        return q
    for n in extract_numbers(data_text):
        lead = text[_clause_bounds(text, n.start)[0]:n.start]
        if "市级" in lead and "县级" not in lead[lead.rfind("市级"):] and n.value == n.value.to_integral_value():
            return {**q, "backbone_teachers": n.value, _CITY_BASIS: "市级"}
    return q


def _room_subject(text: str, kind: str) -> str | None:
    """"1间音乐专用教室，面积100平米": with one subject's rooms named, a bare area is that subject's."""
    if kind != "check_music_art_rooms":
        return None
    named = [f for f, words in _VOCAB[kind].items() if f in _AREA_FIELDS and any(w in text for w in words)]
    return _AREA_FIELDS[named[0]] if len(named) == 1 else None


def _many_schools(text: str, roles: list[NumberRole]) -> bool:
    """The question is about several schools ("两所学校", "各自", two named schools) — figures
    that could not be read school by school must not be read as one school's."""
    counted = any(r.role == "schools" and r.mention.value >= 2 for r in roles)
    return counted or "各自" in text or len({t.word for t in school_names(text)}) >= 2


def _settle_headcount(quantities: dict[str, Any], implied: str | None = None) -> dict[str, Any]:
    """A class question's head count no keyword names: the total when classes are counted too
    ("6个班共258人"), else what a list's heading names ("平均班额：五中52人"), else one class's size
    ("有个班48人")."""
    if "headcount" in quantities:
        count = quantities.pop("headcount")
        if "classes" in quantities:
            quantities.setdefault("students", count)
        elif implied and implied not in _LIST_FIELDS:
            quantities.setdefault(implied, count)
        else:
            quantities.setdefault("class_sizes", []).append(count)
    return quantities


def _one_class(quantities: dict[str, Any]) -> dict[str, Any]:
    """"初中一个班52个学生": in a class question, students with no number of classes are one class."""
    if "students" in quantities and not {"classes", "class_sizes", "average_class_size"} & set(quantities):
        quantities["class_sizes"] = [quantities.pop("students")]
    return quantities


def _heading_quantity(heading: str, vocab: dict[str, list[str]] = _RESOURCE_WORDS) -> str | None:
    """The one quantity a list's heading names ("三个初中平均班额："): its field, or for a resource
    its value key after 生均/每百名."""
    spans = _keyword_spans(_mask(_KEYWORD_MASKS, heading), vocab, heading)
    named = {f for _, _, f in spans}
    if len(named) != 1:
        return None
    name = named.pop()
    fields = calculator.resource_inputs()
    return fields[name].key if name in fields and _PER_VALUE.search(heading) else name


def readback(request: CalcRequest) -> str:
    """The figures a calculation uses, in words: "在校生1800人、音体美专任教师数14人" — shown before
    the result so a misreading is visible."""
    if request.schools:
        return "；".join(f"{_school_label(i, p)}：{readback(p)}" for i, p in enumerate(request.schools))
    fields = calculator.resource_inputs()
    by_key = {ind.key: ind for ind in fields.values()}
    parts = []
    for name, value in request.quantities.items():
        if name == _CITY_BASIS:
            continue
        values = value if isinstance(value, list) else [value]
        shown = "、".join(str(v) for v in values)
        if name in fields:
            ind = fields[name]
            unit = {"㎡": "平方米", "元": "元"}.get(ind.unit, ind.unit)
            label = "市级骨干教师数（按曲阜方案的市级口径）" if request.quantities.get(_CITY_BASIS) and \
                name == "backbone_teachers" else ind.measure.input_name
        elif name in by_key:
            label, unit = by_key[name].name, by_key[name].unit
        elif name in ("part", "whole") and request.kind in _PERCENT_TOOLS:
            pk = _PERCENT_TOOLS[request.kind]
            label = pk.part_name if name == "part" else pk.whole_name
            unit = calculator.percent_unit(pk.key)
        elif name.endswith("percent") or name == _RATE:
            label, unit = {"rate_percent": "比例"}.get(name, "比例"), "%"
        else:
            label = _NAMES.get(name, name)
            unit = "" if name in _UNITLESS else "元" if name.endswith("yuan") else "平方米" if "area" in name else "间" if "rooms" in name \
                else "个" if name == "classes" else "项" if name == "met_items" else "人"
        if unit == "元" and all(Decimal(str(v)) >= 10000 for v in values):  # "300万元（3000000元）"
            shown, unit = "、".join(f"{calculator.plain(Fraction(str(v)) / 10000)}万元（{v}元）" for v in values), ""
        parts.append(f"{label}{shown}{unit}")
    if request.level:
        parts.insert(0, request.level)
    return "、".join(parts)


# "再增加1名", "少3个": a change to the previous figure, not the figure itself ("增加到1200人" sets it).
_DELTA_UP = re.compile(r"(?:增加|增多|多加|新增|新进|加上|补充|添|(?:再[\u4e00-\u9fff]{0,2}?|多了?)(?=\s*\d|[一二两三四五六七八九十]))(?!\s*(?:到|至|为|成))")
_DELTA_DOWN = re.compile(r"(?:减少|少了?(?=\s*\d|[一二两三四五六七八九十])|调走|减去|去掉)(?!\s*(?:到|至|为|成))")


def merge(previous: CalcRequest, text: str, roles: list[NumberRole], level: str | None) -> CalcRequest:
    """A follow-up to a calculation ("换成1300人呢", "同样的数放到初中"): the previous quantities,
    replaced by the ones `text` binds (read with the previous question's vocabulary), and the level
    it names."""
    kind = previous.kind or "resource"
    data_text = _mask_rule_phrases(text, mask_non_data(text, roles))
    if kind == "cv":
        given = _assign_lists(text, _VOCAB[kind], data_text)
    else:
        bound, unbound, _ = _bind(text, _VOCAB[kind], kind, data_text, prefer=tuple(previous.quantities))
        given = _settle_headcount(bound) or _sole_figure(text, unbound, previous.quantities)  # "提到8300呢"
    if _DELTA_UP.search(text) or _DELTA_DOWN.search(text):
        sign = -1 if _DELTA_DOWN.search(text) else 1
        given = {k: previous.quantities[k] + sign * v for k, v in given.items()
                 if isinstance(previous.quantities.get(k), (int, Decimal)) and not isinstance(v, list)}
        given = {k: (int(v) if v == int(v) else v) for k, v in given.items()}
    subjects = _RESOURCE_FIELDS if kind == "resource" else _ROOM_FIELDS if kind == "check_music_art_rooms" else set()
    if any(f in given and f not in previous.quantities for f in subjects):
        # "那骨干教师8个呢" after an 音体美 question, "美术教室有4间呢" after 音乐: the new subject
        # replaces the old one, the school's own figures (students, classes) stay
        kept = {k: v for k, v in previous.quantities.items() if k not in subjects}
        quantities = {**kept, **given}
    else:
        quantities = {**previous.quantities, **given}
    new_level = level or previous.level
    tool, args, missing = _BUILDERS[kind](previous.text, quantities, new_level)
    return CalcRequest(previous.text, tool, args, _jsonable(quantities), missing, new_level, kind)


def _sole_figure(text: str, unbound: list[NumberMention], before: dict[str, Any]) -> dict[str, Any]:
    """After figures for one quantity only, a lone bare number of its unit can only be that quantity's
    new value ("提到8300呢"; "小学0.42，初中0.47")."""
    only = [k for k, v in before.items() if not isinstance(v, list)]
    if len(unbound) != 1 or len(only) != len(before) or len(only) != 1:
        return {}
    name, number = only[0], unbound[0]
    ok = _compatible(_base_field(name), _unit_family(text[number.end:])) and _fits(name, number.value)
    return {name: number.value} if ok else {}


def run(request: CalcRequest, registry: Registry | None = None) -> CalcResult:
    """Run the calculation the request names; the request must be complete. `registry`: the
    standards to judge by (a county plan's own figures), default the registry's."""
    if not request.complete:
        raise ValueError(request.missing_prompt() if request.tool else "这不是可以测算的数字问题")
    if request.schools:
        return _run_list(request, registry)
    operation = calculator.OPERATIONS[request.tool]
    check = operation(**request.args, **({"registry": registry} if registry is not None else {}))
    registry = registry or default_registry()
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


def _nth(i: int) -> str:
    """第一所, 第二所…: written in Chinese so the school's position is never read as a figure."""
    return f"第{'一二三四五六七八九十'[i] if i < 10 else i + 1}所"


def _school_label(i: int, part: CalcRequest) -> str:
    """The school as the user named it (实验一小, A校), the level of a list by level ("小学0.42，初中0.47"),
    else its place in the list (第一所)."""
    names = school_names(part.text)
    if names and names[0].start == 0 and not re.search(r"\d", names[0].word):
        return names[0].word
    return part.level if part.level and part.text.startswith(part.level) else _nth(i)


def _run_list(request: CalcRequest, registry: Registry | None) -> CalcResult:
    results = [run(part, registry) for part in request.schools]
    flags = [r.met for r in results]
    met = False if False in flags else None if None in flags else True
    labels = [_school_label(i, part) for i, part in enumerate(request.schools)]
    verdict = "\n".join(f"{label}：{r.verdict}" for label, r in zip(labels, results))
    steps = [f"{label}：{step}" for label, r in zip(labels, results) for step in r.steps]
    keys = list(dict.fromkeys(k for r in results for k in r.indicator_keys))
    return CalcResult("school_list", {"schools": [r.input for r in results]},
                      {"schools": [r.output for r in results], "met": met}, steps, verdict, keys, met,
                      [s for r in results for s in r.sources])


# ---------- reading the text ----------

def _detect_tool(text: str, skip: str | None = None) -> str | None:
    cut = tokens(text)
    for kind, pattern in _TOOL_RULES:
        if kind != skip and any(not _straddled(cut, *m.span()) for m in re.finditer(pattern, text)):
            return kind
    return None


_LEVEL_PATTERNS = (("初中", r"初中|中学|初[一二三]|[七八九]年级"), ("小学", r"小学|村小|(?<!初)[一二三四五六]年级"))


def detect_level(text: str) -> str | None:
    """The school level a question names (初中 / 小学 / 一贯制), or None when it names none or both."""
    text = _KEYWORD_MASKS.sub(lambda m: "□" * len(m.group()), text)
    if "一贯制" in text:
        return "一贯制"
    found = {level for level, pattern in _LEVEL_PATTERNS if re.search(pattern, text)}
    if not found:  # "五中有学生1800人": the school's name says its level
        return school_name_level(text)
    return found.pop() if len(found) == 1 else None


def _detect_area(text: str) -> str | None:
    found = {area for area, pattern in (("城区", r"城区|市区|县城|城里"), ("镇区", r"镇区|乡镇|镇上|镇"))
             if re.search(pattern, text)}
    return found.pop() if len(found) == 1 else None


def in_rule_phrase(text: str, mention: NumberMention) -> bool:
    """The number is part of the rules' own wording (每100个学生, 5年360学时), not anyone's figure."""
    return any(m.start() <= mention.start and mention.end <= m.end() for m in _NUMBER_MASKS.finditer(text))


def _mask_rule_phrases(text: str, data_text: str) -> str:
    """`data_text` with the rules' own phrases (found in the unmasked `text`) masked as well."""
    for match in _NUMBER_MASKS.finditer(text):
        a, b = match.span()
        data_text = data_text[:a] + "□" * (b - a) + data_text[b:]
    return data_text


def _mask(pattern: re.Pattern, text: str) -> str:
    return pattern.sub(lambda m: "□" * len(m.group()), text)


def _keyword_spans(text: str, vocab: dict[str, list[str]], source: str | None = None) -> list[tuple[int, int, str]]:
    """Non-overlapping keyword occurrences, longest first: "符合交流轮岗条件" hides "交流轮岗".
    An occurrence that a word of the sentence (`source`, cut by jieba) straddles is no keyword:
    "小学生均" is 小学|生均 and holds no 学生, "入学时" is 入学|时 and holds no 学时."""
    words = sorted(((w, f) for f, ws in vocab.items() for w in ws), key=lambda wf: -len(wf[0]))
    cut = tokens(source if source is not None else text)
    spans: list[tuple[int, int, str]] = []
    for word, name in words:
        for match in re.finditer(re.escape(word), text):
            start, end = match.span()
            if _straddled(cut, start, end):
                continue
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, name))
    return sorted(spans)


def _straddled(cut: tuple[Token, ...], start: int, end: int) -> bool:
    """A keyword that begins inside a word ("小学生均" holds no 学生). A numeral token that swallowed
    its classifier ("三十个|班") is no such word: 个班 is still read."""
    return any(t.start < start < t.end < end and not t.flag.startswith("m") for t in cut)


def _clause_bounds(text: str, position: int) -> tuple[int, int]:
    start = max(text.rfind(c, 0, position) for c in _CLAUSE_BREAKS) + 1
    ends = [i for i in (text.find(c, position) for c in _CLAUSE_BREAKS) if i != -1]
    return start, min(ends, default=len(text))


def _numbers(text: str, spans, data_text: str) -> list[NumberMention]:
    """The user's plain numbers (no percentages) from `data_text` (non-data numbers masked),
    minus those inside keywords, masked phrases and instructions about what to say."""
    masked = data_text
    found = []
    for n in extract_numbers(masked):
        if n.percent or any(s < n.end and n.start < e for s, e, _ in spans):
            continue
        start, end = _clause_bounds(text, n.start)
        if _INSTRUCTION.search(text[start:end]):
            continue
        found.append(n)
    return found


def _assign(text: str, vocab: dict[str, list[str]], kind: str | None, data_text: str) -> dict[str, Any]:
    return _bind(text, vocab, kind, data_text)[0]


def _label(name: str) -> str:
    fields = calculator.resource_inputs()
    if name in fields:
        return fields[name].measure.input_name
    return fields[_VALUE_KEYS[name]].name if name in _VALUE_KEYS else _NAMES.get(name, name)


def _bind(text: str, vocab: dict[str, list[str]], kind: str | None, data_text: str,
          implied: str | None = None, prefer: tuple[str, ...] = ()
          ) -> tuple[dict[str, Any], list[NumberMention], list[str]]:
    """Give each number the quantity it counts; also the numbers left unbound and the quantities
    given two different figures. A noun right after
    it ("850名学生") wins, else the nearest keyword before it in its clause ("学生850人"), else a
    later keyword; a keyword whose kind of unit the number's unit word contradicts is skipped
    ("有个班48人": 48 people, not 48 classes). A number no keyword names takes the quantity its unit
    word leaves as the only one among `prefer` (a follow-up's previous quantities), or `implied`,
    the quantity a list's heading names ("音体美教师：实验一小2000人20个")."""
    spans = _keyword_spans(_mask(_KEYWORD_MASKS, text), vocab, text)
    numbers = _numbers(text, spans, data_text)
    found: dict[str, Any] = {}
    unbound: list[NumberMention] = []
    conflicts: list[str] = []
    previous: tuple[NumberMention, str | None] | None = None
    for i, number in enumerate(numbers):
        start, end = _clause_bounds(text, number.start)
        if previous and previous[0].end > start:
            start = previous[0].end
        if i + 1 < len(numbers) and numbers[i + 1].start < end:
            end = numbers[i + 1].start
        family = _unit_family(text[number.end:])
        fitting = [(s, e, f) for s, e, f in spans if _compatible(f, family)]
        name = _field_for(text, number, fitting, start, end, previous)
        if name is None:
            # "高于规定学历老师 一共八十一个": a noun that closes the clause before, its figure not yet given,
            # names the figure that opens this one
            ending = [f for s, e, f in fitting if start - 1 >= e and f not in found
                      and _NOUN_TAIL.fullmatch(text[e:start - 1])]
            if ending and _ADJACENT.fullmatch(text[start:number.start]):
                name = ending[0]
        per_value = _PER_VALUE.search(text[start:number.start])
        if name is None and kind in _HEADCOUNT_DEFAULT and _HEADCOUNT.match(text[number.end:]) and not per_value \
                and _HEADCOUNT_DEFAULT[kind] not in found:
            name = _HEADCOUNT_DEFAULT[kind]  # "只有68人": the only head count these questions have
        if name is None:
            name = _by_unit(family, found, implied, prefer)
        if name in _AREA_FIELDS and _AREA_UNIT.match(text[number.end:]):
            name = _AREA_FIELDS[name]
        lead = max((e for s, e, f in spans if f == name and start <= s and e <= number.start), default=None)
        if name in _TOTAL_OF and lead is not None and _TOTALITY.search(text[lead:number.start]):
            # "生均公用经费总共拨了157万": the sum for all students, not the amount for each
            name = _TOTAL_OF[name] if _TOTAL_OF[name] in vocab else None
        if per_value and _TOTALITY.search(text[start + per_value.end():number.start]):
            per_value = None
        if name in _RESOURCE_WORDS and per_value:
            name = calculator.resource_inputs()[name].key  # "生均仪器设备值2600元" is already the value
        if name and _fits(name, number.value) and not _is_standard_figure(text, number, name, kind) \
                and not _names_a_bar(text, number):
            if name in _LIST_FIELDS:
                found.setdefault(name, []).append(number.value)
            elif found.setdefault(name, number.value) != number.value or _ends_list(text, number, unbound):
                conflicts.append(name)  # several figures for one quantity: which is meant is asked, not guessed
        else:
            unbound.append(number)
        previous = (number, name)
    return found, unbound, conflicts


_RUN_GAP = re.compile(r"\s*(?:名|个|人|位|间|元)?\s*[、,，/和及与\s]\s*")


def _ends_list(text: str, number: NumberMention, unbound: list[NumberMention]) -> bool:
    """"一到六年级分别是350 360 … 320人": the number closes a run of figures no noun named, so the
    quantity it is bound to was given several figures (one per grade), not this one alone."""
    last = unbound[-1] if unbound else None
    return bool(last and _RUN_GAP.fullmatch(text[last.end:number.start]))


def _by_unit(family: str | None, found: dict, implied: str | None, prefer: tuple[str, ...]) -> str | None:
    """A number no keyword names: the list's implied quantity, or — in a follow-up — the one
    quantity of the previous calculation its unit word can measure ("1000人22间": 22 rooms).
    A bare 个 never counts the students ("再评上6个": six more teachers)."""
    if implied and implied not in found and _compatible(_base_field(implied), family):
        return implied
    if family is None:
        return None
    open_fields = [f for f in prefer if f not in found and _compatible(f, family)
                   and not (family == "count" and f == "students")]
    return open_fields[0] if len(open_fields) == 1 else None


# A resource indicator's value key (pe_art_teachers_per100) → the raw-count field it is computed from.
_VALUE_KEYS = {ind.key: field for field, ind in calculator.resource_inputs().items()}
_RESOURCE_FIELDS = {*_RESOURCE_WORDS, *_VALUE_KEYS}  # raw-count fields and value keys of the seven
_ROOM_FIELDS = set(_AREA_FIELDS)  # the subjects of the special rooms (音乐, 美术)


def _base_field(name: str) -> str:
    """An indicator's value key → the raw-count field it is computed from (for its unit family)."""
    return _VALUE_KEYS.get(name, name)


def _field_for(text, number, spans, start, end, previous) -> str | None:
    if previous and previous[1]:
        # the noun that named the number before ("850名学生") is spent: "…学生有8名" are not 8 students
        spans = [(s, e, f) for s, e, f in spans if not (f == previous[1] and previous[0].end <= s < number.start
                                                         and _CLASSIFIER.match(text[previous[0].end:s]))]
    lead = max(((e, f) for s, e, f in spans if start <= s and e <= number.start), default=None)
    if lead and lead[1] in _PER_UNIT_FIELDS and _PER_UNIT_GAP.fullmatch(text[lead[0]:number.start]):
        return lead[1]
    before = [(e, f) for s, e, f in spans if start <= s and e <= number.start]
    adjacent = max(before)[1] if before and _ADJACENT.fullmatch(text[max(before)[0]:number.start]) else None
    # A noun followed by a number of its own ("1200人高于规定学历教师70人") is that number's.
    after = [(s, f) for s, e, f in spans if number.end <= s < end
             and not (s > number.end and _NOUN_THEN_NUMBER.match(text[e:]))]
    for s, name in after:
        # "学生1500 仪器设备…": a noun right before a bare number names it, a noun after only a space does not
        if _CLASSIFIER.match(text[number.end:s]) and not (adjacent and not text[number.end:s].strip()):
            return name
    if before:
        return max(before)[1]
    if previous and previous[1] in _LIST_FIELDS and re.fullmatch(
        r"[\s、,，和及与/]*(?:人|㎡|平方米|平米)?[\s、,，和及与/]*", text[previous[0].end:number.start]
    ):
        return previous[1]
    # A later keyword names the number only when nothing separates them ("850学生"), never across 、/和.
    if after and not re.search(r"[、，,；;和及与]", text[number.end:after[0][0]]):
        return after[0][1]
    return None


_ADJACENT = re.compile(r"\s*(?:是|有|为|共|共有|一共)?\s*")
_NOUN_TAIL = re.compile(r"(?:专任)?(?:教师|老师)?(?:人?数)?\s*")  # what may close a keyword's clause after it
_NOUN_THEN_NUMBER = re.compile(rf"^\s*(?:专任)?(?:教师|老师)?\s*(?:数|的?人?数)?\s*(?:是|有|为|共|共有|达到|只有|才)?\s*[0-9{_DIGIT_CHARS}]")


def _fits(name: str, value: Decimal) -> bool:
    """Counts of people, rooms and classes are whole numbers; 0.9 is a threshold, not a head count.
    An indicator's own value (生均6.8平方米, 每百名3.8人) is a ratio and may have decimals."""
    return name in _MONEY_OR_AREA or name in _UNITLESS or name in _VALUE_KEYS or value == value.to_integral_value()


# "生均够8000吗", "能达到0.9吗": a figure right after a verb of reaching, in a yes/no question, is the
# bar the user holds the school to, not the school's own figure.
_BAR_VERB = re.compile(r"(?:够|达到|达|超过|超|满|到|不到|低于|高于|不低于|不少于)\s*$")
_YES_NO = re.compile(r"吗|没|不|么")


def _names_a_bar(text: str, number: NumberMention) -> bool:
    start, end = _clause_bounds(text, number.start)
    return bool(_BAR_VERB.search(text[start:number.start]) and _YES_NO.search(text[number.end:end]))


def _is_standard_figure(text: str, number: NumberMention, name: str, kind: str | None) -> bool:
    """The rule's own figure quoted in a question about the rule ("不足100名学生的村小怎么核定",
    "班额最多45人吗"), not a figure the user reports."""
    keys = _STANDARD_FIGURES.get(kind or "", {}).get(name)
    if keys is None and name in _VALUE_KEYS:
        keys = [name]  # "每百名学生拥有0.9个音体美教师是什么要求": the indicator's own threshold
    if not keys or _USER_MARKERS.search(text.replace("拥有", "")):  # 拥有 is the indicator's wording
        return False
    start, end = _clause_bounds(text, number.start)
    if not (_ASKS_TARGET.search(text[start:end]) or re.search(_RULE_MEANING, text)):
        return False
    registry = default_registry()
    figures = {Decimal(v) for key in keys for v in registry.get(key).values.values()}
    figures |= {s.value for key in keys for s in registry.get(key).sources if s.value is not None}
    return number.value in figures


def _reported_rates(text: str, kind: str) -> dict[str, Decimal]:
    """Rates the user states as percentages ("巩固率93.5%"), without the standard they ask about
    ("达到5%了吗", "够10%吗", "要求95%以上")."""
    if kind not in _RATE_KINDS:
        return {}
    found: dict[str, Decimal] = {}
    mentions = extract_numbers(text)
    previous_end = 0
    for n in mentions:
        if not n.percent:
            previous_end = n.end
            continue
        start, end = _clause_bounds(text, n.start)
        before = text[max(start, previous_end):n.start]
        previous_end = n.end
        if _INSTRUCTION.search(text[start:end]):
            continue
        if _ASKED_PERCENT_AFTER.match(text[n.end:]) or _ASKED_PERCENT_BEFORE.search(before):
            continue
        if n.value in _rate_targets(kind) and _ASKS_MEANING.search(text) and not _USER_MARKERS.search(text):
            continue  # the standard's own figure in a question about the standard
        if kind == "check_rotation":
            name = _BACKBONE_RATE if "骨干" in before else _ROTATION_RATE
        else:
            name = _RATE
        found.setdefault(name, n.value)
    return found


def _rate_targets(kind: str) -> set[Decimal]:
    registry = default_registry()
    keys = {"check_rotation": ["teacher_rotation_ratio", "backbone_rotation_ratio"],
            "check_training_funds": ["training_funds_ratio"],
            "check_admission_ratio": ["nearby_admission_ratio"]}.get(kind)
    keys = keys or [_PERCENT_TOOLS[kind].key]
    return {Decimal(v) for key in keys for v in registry.get(key).values.values()}


def _assign_lists(text: str, vocab: dict[str, list[str]], data_text: str) -> dict[str, Any]:
    """Per-school lists for a 差异系数: "三所小学分别有500、700、800名学生，音体美教师分别是5、5、9人".

    Numbers joined by 、/，/和 form one list, named by the noun right after its last number or
    else the nearest keyword before its first; lists (or single numbers, school by school) that
    name the same quantity are joined in order. Values given per hundred or per student
    ("每百名学生音体美教师分别为1、0.71、1.13") are kept under the indicator's key."""
    spans = _keyword_spans(_mask(_KEYWORD_MASKS, text), vocab, text)
    numbers = _numbers(text, spans, data_text)
    groups: list[list[NumberMention]] = []
    for n in numbers:
        if groups and _LIST_GAP.fullmatch(text[groups[-1][-1].end:n.start]):
            groups[-1].append(n)
        else:
            groups.append([n])
    fields = calculator.resource_inputs()
    found: dict[str, Any] = {}
    previous_end = 0
    for group in groups:
        first, last = group[0], group[-1]
        if len(group) == 1 and _REPORTED_CV.search(text[_clause_bounds(text, first.start)[0]:first.start]):
            limits = set(default_registry().get("resource_cv_limit").values.values())
            asked = first.value in limits and _ASKS_MEANING.search(text) and not _USER_MARKERS.search(text)
            if not asked and not _ASKED_PERCENT_AFTER.match(text[first.end:]):
                found.setdefault("cv", first.value)
            previous_end = last.end
            continue
        start = max(_clause_bounds(text, first.start)[0], previous_end)
        end = _clause_bounds(text, last.start)[1]
        name = None
        for s, e, f in spans:
            if last.end <= s < end and _CLASSIFIER.match(text[last.end:s]):
                name = f
                break
        if name is None:
            before = [(e, f) for s, e, f in spans if start <= s and e <= first.start]
            name = max(before)[1] if before else None
        previous_end = last.end
        if name is None:
            continue
        values = [n.value for n in group]
        lead = text[start:first.start]
        if name in fields and re.search(r"每百名|生均|每名学生|每个学生", lead):
            name = fields[name].key  # already the indicator value
        elif not all(_fits(name, v) for v in values):
            continue
        found.setdefault(name, []).extend(values)
    return found


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    def one(v: Any) -> Any:
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else str(v)
        if isinstance(v, list):
            return [one(x) for x in v]
        if isinstance(v, dict):
            return {k: one(x) for k, x in v.items()}
        return v
    return {k: one(v) for k, v in values.items()}


# ---------- one builder per kind of question: which tool, its arguments, what is missing ----------

def _need(quantities: dict, names: list[str]) -> list[str]:
    return [_NAMES[n] for n in names if n not in quantities]


def _reported(key: str, rate: Decimal, level: str | None = None) -> tuple[str, dict, list]:
    args = {"key": key, "rate_percent": rate, **({"level": level} if level else {})}
    return "check_reported_rate", args, []


def _resource(text, q, level):
    fields = calculator.resource_inputs()
    values = [ind for ind in fields.values() if ind.key in q]
    if values and not any(name in q for name in _RESOURCE_WORDS):
        shared = all(calculator.same_for_all_levels(ind.key) for ind in values)
        missing = [] if level in calculator.LEVELS or shared else [_NAMES["level"]]
        known = level if level in calculator.LEVELS else None
        if len(values) > 1:  # "生均用房6.2平方米、生均体育场馆9.6平方米": each judged
            return "check_indicator_values", {"level": known, "values": {i.key: q[i.key] for i in values}}, missing
        ind = values[0]
        args = {"level": known, "indicator": ind.key, "value": q[ind.key]}
        return "check_indicator_value", args, missing
    given = [name for name in _RESOURCE_WORDS if name in q]
    level_missing = [] if level in calculator.LEVELS else [_NAMES["level"]]
    missing = _need(q, ["students"])
    if len(given) > 1:
        args = {"level": level, "students": q.get("students"), **{n: q[n] for n in given}}
        return "check_school_resources", args, level_missing + missing
    fields = calculator.resource_inputs()
    if given:
        name = given[0]
    else:
        name = next(n for n, words in _RESOURCE_WORDS.items() if any(w in text for w in words))
        if not _ASKS_REQUIREMENT.search(text):
            missing.append(fields[name].measure.input_name)
    indicator = fields[name]
    args = {"level": level if not level_missing else None, "indicator": indicator.key,
            "students": q.get("students"), "amount": q.get(name)}
    if level_missing and calculator.same_for_all_levels(indicator.key):
        return "check_resource_indicator", args, missing  # 小学 and 初中 share the bar: no need to ask
    return "check_resource_indicator", args, level_missing + missing


_SAME_STUDENTS = re.compile(rf"(?:都是|都有|均为|均是|各有|各|都)\s*[0-9{_DIGIT_CHARS}]+\s*(?:名|个)?(?:人|学生)")


def _same_students(text: str, q: dict[str, Any]) -> dict[str, Any]:
    """"学生都是600人", "两所初中各1000人": one head count for every school of the other lists."""
    students = q.get("students", [])
    if len(students) != 1 or not _SAME_STUDENTS.search(text):
        return q
    longest = max((len(v) for k, v in q.items() if k != "students" and isinstance(v, list)), default=1)
    return {**q, "students": students * longest}


def _cv(text, q, level):
    fields = calculator.resource_inputs()
    missing = [] if level in calculator.LEVELS else [_NAMES["level"]]
    moments = [q.get(k) for k in ("mean", "sd")]
    if all(isinstance(m, list) and len(m) == 1 for m in moments):
        return "check_cv_from_moments", {"level": level, "mean": moments[0][0], "sd": moments[1][0]}, missing
    if "cv" in q and "students" not in q:
        return "check_reported_cv", {"level": level, "cv": q["cv"]}, missing
    students = q.get("students", [])
    if not students:
        missing.append(_NAMES["school_students"])
    specs, named = [], []
    for field_name, ind in fields.items():
        counts, values = q.get(field_name), q.get(ind.key)
        if counts is None and values is None:
            if any(w in text for w in _RESOURCE_WORDS[field_name]):
                named.append(ind.measure.input_name)
            continue
        given = counts if counts is not None else values
        named.append(ind.measure.input_name)
        if not students:
            continue
        if len(given) != len(students):
            missing.append(f"与各校在校生数一一对应的各校{ind.measure.input_name}（两组数字个数不一致）")
            continue
        column = "amount" if counts is not None else "value"
        schools = [{"school": f"学校{'甲乙丙丁戊己庚辛壬癸'[i] if i < 10 else i + 1}", "students": p, column: x}
                   for i, (p, x) in enumerate(zip(students, given))]
        specs.append({"indicator": ind.key, "schools": schools})
    if not specs and students and not any("一一对应" in m for m in missing):
        wanted = named[0] if named else "资源配置指标数据（如音体美专任教师数）"
        missing.append(f"各校{wanted}")
    if not students and not named:
        missing.append("各校资源配置指标数据（如音体美专任教师数）")
    if not specs:
        return "county_variation", {"level": level, "indicator": None, "schools": []}, missing
    if len(specs) == 1 and "amount" in specs[0]["schools"][0]:
        return "county_variation", {"level": level, **specs[0]}, missing
    if len(specs) == 1:
        return "check_cv_values", {"level": level, **specs[0]}, missing
    return "county_variations", {"level": level, "indicators": specs}, missing


def _rotation(text, q, level):
    if "backbone_rotated" in q and "rotated_teachers" in q and "eligible_teachers" not in q:
        # "交流轮岗的老师150人，其中骨干27人": the 骨干 share, all that these figures decide
        args = {"eligible_teachers": None, "rotated_teachers": q["rotated_teachers"], "backbone_rotated": q["backbone_rotated"]}
        return "check_rotation", args, []
    if "eligible_teachers" in q and "rotated_teachers" in q or not ({_ROTATION_RATE, _BACKBONE_RATE} & set(q)):
        args = {k: q.get(k) for k in ("eligible_teachers", "rotated_teachers", "backbone_rotated")}
        return "check_rotation", args, _need(q, ["eligible_teachers", "rotated_teachers"])
    rates = [{"key": key, "rate_percent": q[name]}
             for name, key in ((_ROTATION_RATE, "teacher_rotation_ratio"), (_BACKBONE_RATE, "backbone_rotation_ratio"))
             if name in q]
    return "check_reported_rates", {"rates": rates}, []


def _training(text, q, level):
    if _RATE in q and "training_funds_yuan" not in q:
        return _reported("training_funds_ratio", q[_RATE])
    args = {"public_budget_yuan": q.get("public_budget_yuan"), "training_funds_yuan": q.get("training_funds_yuan")}
    return "check_training_funds", args, _need(q, ["public_budget_yuan"])


def _admission(text, q, level):
    missing = [] if level in calculator.LEVELS else [_NAMES["level"]]
    if _RATE in q and not ("nearby_admitted" in q and "total_admitted" in q):
        tool, args, _ = _reported("nearby_admission_ratio", q[_RATE], level)
        return tool, args, missing
    area = _detect_area(text)
    args = {"level": level, "nearby_admitted": q.get("nearby_admitted"), "total_admitted": q.get("total_admitted"),
            **({"area": area} if area else {})}
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


_EACH = re.compile(rf"各\s*(?:有|是|为)?\s*[0-9{_DIGIT_CHARS}]")


def _distribute(text: str, q: dict) -> dict:
    """"音乐、美术专用教室各3间": a figure after 各 belongs to both subjects named before it."""
    if not (_EACH.search(text) and "音乐" in text and "美术" in text):
        return q
    q = dict(q)
    for one, other in (("music_rooms", "art_rooms"), ("music_room_areas", "art_room_areas")):
        for a, b in ((one, other), (other, one)):
            if a in q and b not in q:
                q[b] = q[a]
    return q


def _rooms(text, q, level):
    areas = [("music_room_area", a) for a in q.get("music_room_areas", [])] + \
        [("art_room_area", a) for a in q.get("art_room_areas", [])]
    if areas and not any(k in q for k in ("classes", "music_rooms", "art_rooms")):
        # Only rooms' areas given ("音乐专用教室面积85平方米"): each is judged on its own.
        return "check_reported_rates", {"rates": [{"key": k, "rate_percent": a} for k, a in areas]}, []
    args = {k: q.get(k) for k in ("classes", "music_rooms", "art_rooms")}
    args.update(music_room_areas=q.get("music_room_areas", []), art_room_areas=q.get("art_room_areas", []))
    rooms = [k for k in ("music_rooms", "art_rooms") if k in q] or ["music_rooms", "art_rooms"]
    return "check_music_art_rooms", args, _need(q, ["classes", *rooms])


def _class(text, q, level):
    missing = [] if level in calculator.LEVELS else [_NAMES["level"]]
    if "class_sizes" in q:
        return "check_class_size", {"level": level, "class_sizes": q["class_sizes"]}, missing
    if "average_class_size" in q:
        return "check_average_class_size", {"level": level, "average": q["average_class_size"]}, missing
    if "students" in q and "classes" in q:
        args = {"level": level, "students": q["students"], "classes": q["classes"]}
        return "check_average_class_size", args, missing
    return "check_class_size", {"level": level, "class_sizes": []}, missing + [_NAMES["class_sizes"]]


def _school_size(text, q, level):
    missing = [] if level else [_NAMES["kind"]]
    return "check_school_size", {"kind": level, "students": q.get("students")}, missing + _need(q, ["students"])


_ITEM = re.compile(r"^\s*项")
_ASKING = re.compile(r"吗|么|没有?$|否|有没有|几")
_SET_NAME = re.compile(r"^\s*项\s*(?:资源配置)?\s*指标")
_MET = re.compile(_MET_WORDS)
_UNMET = re.compile(r"(?:没有?|未|不)能?(?:达标|达到|合格)")


def _item_counts(text: str, data_text: str) -> tuple[dict[str, int], str]:
    """"达标了5项", "6项达标", "两项没达标" → how many of the seven resource indicators the school
    meets; "7项资源配置指标" names the set (the standard's own figure) and counts nothing. Each
    number read here is masked so it is never bound to a resource."""
    total = len(calculator.resource_inputs())
    found: dict[str, int] = {}
    for n in extract_numbers(data_text):
        if not _ITEM.match(data_text[n.end:]) or n.value != n.value.to_integral_value():
            continue
        start, end = _clause_bounds(text, n.start)
        before, after = text[start:n.start][-6:], text[n.end:end][:9]
        data_text = data_text[:n.start] + "□" * (n.end - n.start) + data_text[n.end:]
        if n.value == total and _SET_NAME.match(text[n.end:]) and not _MET.search(before):
            continue
        near = before + "|" + after
        if _ASKING.search(text[n.end:end]):
            continue  # "三项分别达标没": asks about the items listed, states no count
        if _UNMET.search(near):
            found["met_items"] = max(0, total - int(n.value))
        elif _MET.search(near):
            found["met_items"] = int(n.value)
    return found, data_text


def _others_met(found: dict[str, Any]) -> int:
    """"其他都达标": the seven less the indicators the question gives figures for."""
    fields = calculator.resource_inputs()
    given = {ind.key for name, ind in fields.items() if name in found or ind.key in found}
    return len(fields) - max(1, len(given))


def _school_rule(text, q, level):
    fields = calculator.resource_inputs()
    values = {ind.key: q[ind.key] for ind in fields.values() if ind.key in q}
    amounts = {name: q[name] for name in fields if name in q}
    args = {"level": level if level in calculator.LEVELS else None, "met_count": q.get("met_items"),
            "values": values, **({"students": q.get("students"), **amounts} if amounts else {})}
    missing = [] if values or amounts or "met_items" in q else [_NAMES["met_items"]]
    named = [fields[n].key for n in amounts] + list(values)
    if args["level"] is None and not all(calculator.same_for_all_levels(k) for k in named):
        missing.append(_NAMES["level"])
    if amounts and "students" not in q:
        missing.append(_NAMES["students"])
    return "check_school_rule", args, missing


def _percent(kind):
    pk = _PERCENT_TOOLS[kind]

    def build(text, q, level):
        if _RATE in q and not ("part" in q and "whole" in q):
            return _reported(pk.key, q[_RATE])
        args = {"key": pk.key, "part": q.get("part"), "whole": q.get("whole")}
        if "part" not in q and "whole" not in q:
            return "check_percentage_target", args, [f"{pk.rate_name}（或{pk.part_name}和{pk.whole_name}）"]
        missing = [name for field_name, name in (("part", pk.part_name), ("whole", pk.whole_name)) if field_name not in q]
        return "check_percentage_target", args, missing
    return build


# Kinds of question whose target is a percentage the user may state directly.
_RATE_KINDS = {"check_rotation", "check_training_funds", "check_admission_ratio", *_PERCENT_TOOLS}

_BUILDERS = {
    "resource": _resource,
    "cv": _cv,
    "check_rotation": _rotation,
    "check_training_funds": _training,
    "check_admission_ratio": _admission,
    "check_special_ed_funding": _special_ed,
    "check_small_school_funding": _small_school,
    "check_music_art_rooms": _rooms,
    "class": _class,
    "check_school_size": _school_size,
    "school_rule": _school_rule,
    **{kind: _percent(kind) for kind in _PERCENT_TOOLS},
}
