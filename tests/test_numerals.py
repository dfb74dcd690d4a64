"""Numbers in Chinese text: Arabic, 万/千, Chinese numerals, percentages, with their spans."""
from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.domain.numerals import extract_numbers, parse_number


@pytest.mark.parametrize(
    "text, value",
    [
        ("850", "850"), ("1,200", "1200"), ("3.5", "3.5"), ("0.9", "0.9"), ("１２００", "1200"),
        ("1.2万", "12000"), ("3千", "3000"), ("200万", "2000000"), ("1万2千", "12000"), ("5百", "500"),
        ("八百五十", "850"), ("一千二百", "1200"), ("两千", "2000"), ("十五", "15"), ("三十六", "36"),
        ("十", "10"), ("一百零五", "105"), ("八百五", "850"), ("两千五", "2500"), ("一万二", "12000"),
        ("二十万", "200000"), ("一百二十万", "1200000"), ("零点九", "0.9"), ("一点五万", "15000"),
        ("二〇二五", "2025"), ("七", "7"), ("一百八十万", "1800000"), ("八万", "80000"), ("180万", "1800000"),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["三四", "万", "百", "x"])
def test_not_a_number(text):
    assert parse_number(text) is None


def test_extract_numbers_with_spans():
    text = "我们小学有学生850人，音体美专任教师7人"
    found = extract_numbers(text)
    assert [(m.value, m.text) for m in found] == [(Decimal(850), "850"), (Decimal(7), "7")]
    assert all(text[m.start:m.end] == m.text for m in found)


@pytest.mark.parametrize(
    "text, values",
    [
        ("有八百五十名学生和七名音体美老师", ["850", "7"]),
        ("公用经费预算200万元，培训经费8万元", ["2000000", "80000"]),
        ("在校生1,200人", ["1200"]),
        ("每百名学生拥有音体美专任教师数", []),
        ("万元", []),
        ("学生一千二百人，教师两千五", ["1200", "2500"]),
    ],
)
def test_extract_values(text, values):
    assert [m.value for m in extract_numbers(text)] == [Decimal(v) for v in values]


@pytest.mark.parametrize("text, value", [("95%", "95"), ("95.5％", "95.5"), ("百分之九十五", "95"), ("百分之5", "5")])
def test_percentages(text, value):
    (mention,) = extract_numbers(text)
    assert mention.percent is True and mention.value == Decimal(value) and mention.text == text


def test_full_width_text_keeps_offsets():
    text = "学生８５０人"
    (mention,) = extract_numbers(text)
    assert mention.value == 850 and text[mention.start:mention.end] == "８５０"


def test_百分之百_is_one_hundred_percent():
    (mention,) = extract_numbers("持证上岗率百分之百")
    assert mention.percent is True and mention.value == Decimal(100) and mention.text == "百分之百"


@pytest.mark.parametrize(
    "text, value, shown",
    [
        ("九成", "90", "九成"), ("九成五", "95", "九成五"), ("八成", "80", "八成"), ("8成", "80", "8成"),
        ("四成", "40", "四成"), ("两成", "20", "两成"), ("十成", "100", "十成"), ("一半", "50", "一半"),
        ("百分之九十", "90", "百分之九十"),
    ],
)
def test_shares_in_tenths_and_halves_are_percentages(text, value, shown):
    (mention,) = extract_numbers(f"孩子只占{text}，行吗")
    assert mention.percent is True and mention.value == Decimal(value) and mention.text == shown


def test_share_keeps_offsets_and_order():
    text = "招生200人，就近入学的占九成五"
    found = extract_numbers(text)
    assert [(m.value, m.percent) for m in found] == [(Decimal(200), False), (Decimal(95), True)]
    assert all(text[m.start:m.end] == m.text for m in found)


@pytest.mark.parametrize("text", ["统一成立专班", "一成不变", "唯一成员", "已经完成", "写成5000元", "一大半"])
def test_成_in_ordinary_words_is_no_share(text):
    assert not any(m.percent for m in extract_numbers(text))
