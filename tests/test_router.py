import pytest

from assistant.answer.router import INTENTS, route


@pytest.mark.parametrize(
    "question, intent",
    [
        ("我是住建局的，我们要做什么？", "duty"),
        ("公安部门在学校安全方面做什么", "duty"),
        ("财政局的职责", "duty"),
        ("学校周边网吧归谁管？", "who"),
        ("谁负责提供人口户籍数据？", "who"),
        ("防溺水是哪个部门的事？", "who"),
        ("就近入学比例要求是多少", "target"),
        ("教师培训经费占公用经费多少", "target"),
        ("小学每百名学生高学历教师要多少", "target"),
        ("我们小学有学生850人，音体美专任教师7人，达标吗？", "calculation"),
        ("专班组长是谁", "roster"),
        ("专班办公室设在哪", "roster"),
        ("专班什么时候解散", "roster"),
        ("公安局谁在专班里", "roster"),
        ("这个方案的文号和印发日期", "overview"),
        ("给我介绍一下这个方案", "overview"),
        ("四个统一是什么", "general"),
        ("今天天气怎么样", "out_of_scope"),
        ("asdfgh", "out_of_scope"),
        ("高中教师职称评审怎么搞", "out_of_scope"),
    ],
)
def test_intents(question, intent):
    assert route(question).intent == intent


def test_every_route_is_a_known_intent():
    for question in ("市财政局负责什么", "网吧归谁管", "组长是谁", "天气", "四个统一是什么", "我们小学有学生850人，音体美专任教师7人，达标吗？"):
        assert route(question).intent in INTENTS


def test_route_carries_slots():
    r = route("初中每百名学生高于规定学历教师数要多少")
    assert r.level == "初中" and r.indicators == ["teachers_above_degree_per100"]
    assert route("城管和市监局分别负责什么").units == ["市综合行政执法局", "市市场监督管理局"]
