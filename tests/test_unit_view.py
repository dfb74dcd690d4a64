"""我的单位 picker (issue 13, item 9): what is typed narrows the list with chat's alias resolution;
the units are the index's own, per region (issue 12)."""
from __future__ import annotations

import pytest

from assistant.api.units.units_service import plan_regions
from assistant.domain.units import unit_names
from assistant.ui import unit_view


@pytest.fixture(scope="module")
def units(index):
    return unit_view.region_units(index)


@pytest.mark.parametrize("typed,found", [
    ("住建", ["市住房和城乡建设局"]),
    ("财政", ["市财政局"]),
    ("派出所", ["市公安局"]),  # a hand-written alias that is no part of the name
    ("我是住建局的", ["市住房和城乡建设局"]),  # a sentence, as chat reads it
    ("人社", ["市人力资源和社会保障局"]),
])
def test_typing_narrows_to_the_unit(units, typed, found):
    assert unit_view.matching_units(units, typed) == found


def test_empty_shows_all_and_a_common_word_several(units):
    assert unit_view.matching_units(units, "") == unit_names() and len(units) == 21
    several = unit_view.matching_units(units, "局")
    assert 1 < len(several) < 21 and several == [n for n in unit_names() if n in several]


def test_the_hint_is_never_silent_and_suggests_the_plans_own_short_names(units):
    hint = unit_view.search_hint("", [], units)
    assert hint == "可输入单位全称或简称，例如“政府办”“人社”“编办”。"
    assert unit_view.search_placeholder(units) == "输入单位名称或简称，例如：政府办、人社、编办"
    assert "已为您选中" in unit_view.search_hint("住建", ["市住房和城乡建设局"], units)
    none = unit_view.search_hint("火星局<b>", [], units)
    assert "没有找到" in none and "<b>" not in none and "人社" in none


def test_each_region_lists_its_own_plans_units(multidoc_index):
    assert plan_regions(multidoc_index) == ["曲阜市", "汶河区"]  # home first; the superseded 2023 plan is no region's
    wenhe = unit_view.region_units(multidoc_index, "汶河区")
    assert len(wenhe) == 20 and wenhe[0].name == "区政府办公室"
    assert unit_view.matching_units(wenhe, "财政") == ["区财政局"]
    assert unit_view.matching_units(wenhe, "派出所") == ["公安汶河分局"]  # 汶河区's own, not 曲阜's 市公安局
    assert unit_view.region_units(multidoc_index, "邹城市") == ()


def test_a_unit_view_is_read_in_its_regions_plan(multidoc_index, multidoc_settings):
    from assistant.answer.service import Assistant

    assistant = Assistant(multidoc_index, multidoc_settings)
    view = unit_view.unit_view(assistant, "区财政局", "汶河区")
    assert view is not None and "《汶河区创建全国义务教育优质均衡发展区工作实施方案》" in view.heading
    assert all(d in multidoc_index.docs["wenhe-2024-23-plan"].text for d in view.duties)
    assert "汶政办字〔2024〕23号" in view.sheet
    assert unit_view.unit_view(assistant, "区财政局") is None  # not a unit of the home plan
    assert unit_view.unit_view(assistant, "市财政局", "邹城市") is None
