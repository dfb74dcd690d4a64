"""Roster questions read into a RosterAsk and answered from the indexed roster (real index)."""
import pytest

from assistant.understand.roster import read_roster_ask


@pytest.mark.parametrize("question, what, roles, groups, orgs", [
    ("副组长有几个？都是谁", "count", ("副组长",), (), ()),
    ("专班里一共有多少个镇街的负责人", "count", (), ("镇", "街道"), ()),
    ("组织部有几个人进了专班", "count", (), (), ("组织部",)),
    ("专班里有团委的人吗", "exists", (), (), ("团委",)),
    ("专班的组成是怎样的 分几个层级", "list", (), (), ()),
])
def test_the_ask_is_read_by_structure(question, what, roles, groups, orgs):
    ask = read_roster_ask(question)
    assert (ask.what, ask.roles, ask.groups, ask.orgs) == (what, roles, groups, orgs)


def test_excluded_roles_are_not_counted():
    ask = read_roster_ask("专班成员（不算组长副组长）一共多少人")
    assert ask.roles == ("成员",) and set(ask.excluded) == {"组长", "副组长"}


@pytest.mark.parametrize("question, must_contain, count", [
    ("副组长有几个？都是谁", ["王  进", "储艳丽"], 2),
    ("专班成员（不算组长副组长）一共多少人", ["李士东", "孔  赓"], 32),
    ("专班里一共有多少个镇街的负责人", ["鲁城街道", "尼山镇"], 12),
    ("组织部有几个人进了专班", ["唐爱军", "蔡  萌"], 2),
])
def test_counts_are_tool_outputs_over_the_quoted_lines(assistant, question, must_contain, count):
    answer = assistant.ask(question)
    assert all(s in answer.answer for s in must_contain)
    assert [t.output["count"] for t in answer.tool_calls if t.name == "roster_count"] == [count]
    assert f"共{count}名" in answer.answer


def test_an_organisation_with_nobody_on_the_roster_says_so(assistant):
    answer = assistant.ask("专班里有团委的人吗")
    assert "名单中没有来自团委的人员" in answer.answer


def test_a_person_answer_includes_the_note_naming_them_and_he_resolves(assistant):
    assert "兼任办公室主任" in assistant.ask("王庆新是什么职务").answer
    assert "兼任办公室主任" in assistant.ask("他还兼着啥", history=["王庆新是干嘛的"]).answer


@pytest.mark.parametrize("question", ["有多少个成员单位有职责分工", "附件里一共列了多少家单位的职责"])
def test_a_count_of_units_with_duties_counts_the_duty_annex(assistant, question):
    assert read_roster_ask(question).duties
    answer = assistant.ask(question)
    assert [t.output["count"] for t in answer.tool_calls if t.name == "duty_unit_count"] == [21]
    assert "共21家" in answer.answer and "各镇街" in answer.answer
    # one verbatim heading per unit, "（一）市政府办公室" … "（二十一）各镇街"
    assert len(answer.citations) == 21 and answer.citations[-1].quote == "（二十一）各镇街"


def test_a_count_of_people_is_no_count_of_duties():
    assert not read_roster_ask("专班一共多少人").duties
    assert not read_roster_ask("专班里有几个部门的人").duties
