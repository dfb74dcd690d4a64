"""The calculator chart (issue 13, item 7): interactive plotly, values on the bars, the standard as a
line per level, names shown as the characters they are, a bounded number of schools."""
from __future__ import annotations

import csv
import io

import pytest

from assistant.domain import schools
from assistant.domain.indicators import default_registry
from assistant.ui import calc_view, charts
from assistant.ui.calc_view import SAMPLE


@pytest.fixture(scope="module")
def report():
    return schools.evaluate(schools.read_table(SAMPLE))


def test_one_indicator_per_chart_with_values_on_the_bars_and_the_standard(report):
    ind = default_registry().get("teaching_area_per_student")
    fig = charts.indicator_chart(report, ind)
    bars = [t for t in fig.data if t.type == "bar"]
    assert {t.name for t in bars} == {"达标", "未达标"}
    values = [v for t in bars for v in t.text]
    assert "4.71" in values and len(values) == 9  # every school's value printed on its bar
    standard = next(t for t in fig.data if t.type == "scatter")
    assert sorted(set(standard.x)) == [4.5, 5.8]  # 小学 and 初中 differ
    assert "生均教学及辅助用房面积" in fig.layout.title.text and fig.layout.modebar.orientation == "v"
    assert all(t.orientation == "h" for t in bars)  # names across the screen, readable at 390 px


def test_the_picker_switches_indicator(report):
    keys = [key for _, key in charts.indicator_choices(default_registry())]
    assert len(keys) == 7
    assert "多媒体教室" in calc_view.chart(report, keys[-1]).layout.title.text
    assert calc_view.chart(report, "no-such-key").layout.title.text == calc_view.chart(report).layout.title.text


def test_a_hostile_name_is_escaped_for_plotly():
    label = charts.school_label({"school": '<a href="http://evil.example">点我</a>', "level": "小学"})
    assert "<a" not in label and "&lt;a" in label


def test_long_names_wrap():
    label = charts.school_label({"school": "示例九年一贯制学校（虚构）", "level": "初中"})
    assert "<br>" in label and max(len(line) for line in label.split("<br>")) <= charts.LABEL_CHARS


def test_a_bounded_number_of_schools_is_drawn():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for _, name, _ in schools.COLUMNS])
    for i in range(charts.MAX_CHART_SCHOOLS + 5):
        writer.writerow([f"学校{i:03d}", "小学", 1000, 42, 10, 9, 4500, 7500, 2000000, 23])
    report = schools.evaluate(schools.parse_table(out.getvalue().encode(), "s.csv"))
    fig = calc_view.chart(report)
    assert sum(len(t.x) for t in fig.data if t.type == "bar") == charts.MAX_CHART_SCHOOLS
    assert f"前 {charts.MAX_CHART_SCHOOLS} 所" in fig.layout.title.text
