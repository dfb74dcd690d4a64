"""Example questions drawn from the indexed home plan itself (its duty annex's first units, its
roster's leader role), so a county that indexes only its own plan is shown its own units: in the
UI's example buttons and placeholder, and in the hints of an empty question or a refusal."""
from __future__ import annotations

from assistant.index.store import LoadedIndex
from assistant.retrieve.scope import home_plan

# The indicator questions name no unit, person or place: they read the same for any county's plan.
INDICATOR_EXAMPLES = [
    "每百名学生音体美专任教师要达到多少？",
    "就近入学比例要求是多少？",
    "我们小学有学生850人，音体美专任教师7人，达标吗？",
]
FALLBACK_UNIT = "财政局"  # an index with no plan listing units still gets a well-formed example
FALLBACK_ROLE = "组长"


def example_questions(index: LoadedIndex) -> dict[str, list[str]]:
    """Example questions for the three groups of users."""
    plan = home_plan(index)
    units = [u.name for u in plan.units] if plan and plan.units else [FALLBACK_UNIT]
    first, second = units[0], units[1] if len(units) > 1 else units[0]
    return {
        "单位职责": [f"{first}负责什么？", "学校周边网吧归谁管？", f"{second}的职责有哪些？"],
        "指标查询": INDICATOR_EXAMPLES,
        "新成员入门": ["这个方案是什么文件？", f"专班{_leader_role(index, plan)}是谁？", "专班办公室设在哪里？"],
    }


def _leader_role(index: LoadedIndex, plan) -> str:
    return next((c.role for c in index.chunks if plan and c.doc_id == plan.doc_id and c.kind == "roster_member"
                 and c.role), FALLBACK_ROLE)


def suggestions(index: LoadedIndex) -> str:
    """What a refusal suggests asking instead."""
    ex = example_questions(index)
    return ("本助手只依据已收录的文件作答，不作推测。您可以这样问：\n"
            f"- 单位职责：“{ex['单位职责'][0]}”“{ex['单位职责'][1]}”\n"
            f"- 指标要求：“{ex['指标查询'][0]}”“{ex['指标查询'][1]}”\n"
            f"- 专班组织：“{ex['新成员入门'][1]}”“{ex['新成员入门'][2]}”")


def empty_message(index: LoadedIndex) -> str:
    ex = example_questions(index)
    return f"请输入问题。例如：“{ex['单位职责'][0]}”“{ex['新成员入门'][1]}”"
