from assistant.answer.text import overlap
from assistant.understand.topic import names_nothing, topic_tokens


def test_words_that_ask_point_or_glue_are_no_topic():
    assert topic_tokens("汶河要组几个教育集团") == ["汶河", "教育", "集团"]  # 要+组 one-character verbs, 几个 asks
    assert topic_tokens("新版要招多少老师") == ["新版", "老师"]
    assert topic_tokens("我是督导室的 方案里对督导这块怎么要求") == ["督导", "督导室"]
    assert "每年" in topic_tokens("每年至少要交流多少老师") and topic_tokens("双减方面有什么要求") == ["双减"]


def test_a_clause_naming_nothing_of_its_own():
    assert names_nothing("现在是谁") and names_nothing("现在定的哪年")
    assert not names_nothing("组长是谁") and not names_nothing("平时管些啥")


def test_a_compounds_characters_are_counted_once():
    # 中小学 and its parts 中小, 小学 are three characters of the question, not seven
    tokens = ["今年", "中小", "小学", "中小学", "暑假", "开始"]
    assert round(overlap(tokens, "改善中小学教学设施"), 2) == 0.33
    assert overlap(["四个统一", "统一"], "建设标准统一") == 0.5  # a part found covers its own characters
    assert overlap(["组长"], "组  长：韩志远") == 1.0  # a layout's spaces split no word
