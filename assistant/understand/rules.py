"""The rule router: one vote in the intent classifier (understand.intents), from inspectable patterns.

Intents: duty (a unit's duties), who (which unit does X), target (a threshold), calculation (the
question brings numbers of its own), roster (taskforce people/organisation), overview, general,
out_of_scope.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


WHO = re.compile(r"谁|哪个部门|哪个单位|哪些部门|哪些单位|哪家|什么部门|什么单位|哪一个部门|由哪|归哪")
DUTY = re.compile(r"职责|负责|做什么|干什么|干啥|做啥|要做|任务|管(?:什么|啥|哪些|哪块|哪方面)|分工|工作是|作用|干嘛|做哪些|承担|配合|活儿|做点|干点|哪些事|什么事|抓什么|工作内容|要求是什么")
ROSTER = re.compile(r"名单[里上中]|组长|负总责|总负责|抓总|挂帅|专班成员|参加专班|进专班|派谁|谁参加|谁代表|专班里|在专班|成员名单|办公室设在|专班办公室|办公室主任|解散|牵头人|谁领导|领导小组|专班由|专班有哪些人|专班.*组成|成员有")
OVERVIEW = re.compile(r"几大块|几部分|哪几块|结构|框架|包含哪些内容|有哪些内容|为重点|介绍|概述|概括|简介|总体|主要内容|讲了什么|讲什么|说了什么|是什么文件|什么方案|文号|印发|发文|哪天印发|日期|附件|工作目标|总目标|目标是什么|目标年份|哪一年|主要任务|几个?方面|保障措施|依据")
TARGET = re.compile(r"要求|标准|多少|比例|达到|不低于|不少于|以上|指标|目标|几个|几人|几名|百分之|%|率|是否达标|门槛")
# A target question asks for a figure; "县管校聘是怎么要求的" names an indicator's topic but wants the clause.
FIGURE = re.compile(r"多少|几|比例|百分|%|不低于|不少于|达到|最低|最少|最多|上限|下限|标准|指标|门槛|数量|人数|面积|金额|元|率|合格|程度|配到|才算|够不够")
PERSON = re.compile(r"(局长|主任|部长|主席|理事长|镇长|副市长|市长|政委|书记|负责人)是谁|谁是.*(局长|主任|组长)")
DOMAIN_NOUN = re.compile(r"每百名|生均|比例|率|经费|学时|名额|班额|规模|教师|老师|学生|学校|面积|设备|教室|入学|轮岗|培训|骨干")
YES_NO = re.compile(r"能.*吗|可以.*吗|必须|要不要|是否|行不行|允许")
GOAL = re.compile(r"目标|达成|想实现|要实现|最终|为重点|重点是")
DOC_META = re.compile(r"文号|印发|发文|发给|主送|哪天发|什么时候发|日期|谁发的|哪个单位发|哪个部门发|发布单位")
# Subjects the plan does not govern; a question about them is refused even if a word overlaps.
OUT_OF_SCOPE = re.compile(
    r"天气|气温|股市|股票|基金|彩票|房价|高考|考研|大学|高校|研究生|公务员|幼儿园|托育|门票|景点|旅游路线|"
    r"医保|社保卡|退休|养老金|高中教师|高中职称|高中阶段|职业高中|中职|足球比赛|电影|菜谱|做饭|翻译|写诗|代码|"
    r"乘以|除以|加上|减去|教资|笔试|面试|报名时间|考试时间"
)


@dataclass(frozen=True)
class Route:
    """The rules' vote: an intent and the rule that chose it (the entities stay in the frame)."""

    intent: str
    reason: str


def has_meaningful_text(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]{2,}", text))


def rule_intent(question: str, units: list[str], indicators: list[str], binds_numbers: bool,
                names_member: bool = False) -> Route:
    """The rules' intent for a question whose entities the frame has already found
    (`names_member`: it names a taskforce member on the indexed roster)."""
    if not has_meaningful_text(question):
        return Route("out_of_scope", "没有可识别的中文问题")
    if OUT_OF_SCOPE.search(question) and not (units or indicators):
        return Route("out_of_scope", "问题不属于义务教育优质均衡创建范围")
    if binds_numbers:
        return Route("calculation", "问题给出了自己的数字")
    if units and DUTY.search(question):
        return Route("duty", "问某单位的职责")
    if GOAL.search(question) and "方案" in question:
        return Route("overview", "问方案目标")
    if names_member or ROSTER.search(question) or PERSON.search(question) or re.search(r"专班.*(谁|哪些人|人员|哪几位)|(谁|哪位|哪些人|哪几位).*专班", question):
        return Route("roster", "问专班人员或组织")
    if units and re.search(r"是谁|是哪位|哪位领导", question):  # "鲁城街道是谁": the unit's member
        return Route("roster", "问某单位在专班的成员")
    if units and not (TARGET.search(question) or WHO.search(question)):
        return Route("duty", "问某单位的职责")
    if DOC_META.search(question):
        return Route("overview", "问发文信息")
    if WHO.search(question):
        return Route("who", "问哪个单位负责某事")
    if OVERVIEW.search(question) and not indicators:
        return Route("overview", "问方案概况")
    if (indicators and YES_NO.search(question)) or (
        FIGURE.search(question) and (indicators or (TARGET.search(question) and DOMAIN_NOUN.search(question)))
    ):
        return Route("target", "问指标或目标值")
    return Route("general", "其他可从文件回答的问题")
