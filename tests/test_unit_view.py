"""我的单位 picker (issue 13, item 9): what is typed narrows the list with chat's alias resolution."""
from __future__ import annotations

import pytest

from assistant.domain.units import unit_names
from assistant.ui import unit_view


@pytest.mark.parametrize("typed,units", [
    ("住建", ["市住房和城乡建设局"]),
    ("财政", ["市财政局"]),
    ("派出所", ["市公安局"]),  # an alias that is no part of the name
    ("我是住建局的", ["市住房和城乡建设局"]),  # a sentence, as chat reads it
    ("人社", ["市人力资源和社会保障局"]),
])
def test_typing_narrows_to_the_unit(typed, units):
    assert unit_view.matching_units(typed) == units


def test_empty_shows_all_and_a_common_word_several():
    assert unit_view.matching_units("") == unit_names() and len(unit_names()) == 21
    several = unit_view.matching_units("局")
    assert 1 < len(several) < 21 and several == [n for n in unit_names() if n in several]


def test_the_hint_is_never_silent():
    assert unit_view.search_hint("", unit_names()) == unit_view.SEARCH_HINT
    assert "已为您选中" in unit_view.search_hint("住建", ["市住房和城乡建设局"])
    none = unit_view.search_hint("火星局<b>", [])
    assert "没有找到" in none and "<b>" not in none and "住建" in none
