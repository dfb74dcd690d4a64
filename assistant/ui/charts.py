"""The calculator chart: one resource indicator across schools against its standard, as an interactive
plotly figure (drawn by the plotly.js that gradio bundles: nothing is fetched).

Horizontal bars, so school names are read across the screen even at 390 px, each bar labelled with its
value; the standard of the school's level (小学 and 初中 differ) is a black line across the bar.
"""
from __future__ import annotations

import html
import textwrap

import plotly.graph_objects as go

from assistant.domain.indicators import Indicator, Registry

MET, UNMET, LIMIT = "#2e7d32", "#c62828", "#212121"
# Schools drawn (a chart of 1,000 schools is unreadable); the table and downloads have all.
MAX_CHART_SCHOOLS = 30
LABEL_CHARS = 9  # a school label wraps after this many characters (a 390 px screen fits the bars beside it)
ROW_PX, FRAME_PX = 34, 150  # height per school bar, and for title, axis and legend


def school_label(school: dict) -> str:
    """Name and level, wrapped, as plotly text: plotly reads <a>, <b> and <br> in labels, so a school
    named <a href=…> is escaped to show as the characters it is."""
    text = f"{school['school']}（{school['level']}）"
    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(text, LABEL_CHARS) or [""])


def chart_schools(report: dict) -> tuple[list[dict], int]:
    """The schools drawn (at most MAX_CHART_SCHOOLS, in table order) and how many the report has."""
    every = [s for level in report["levels"].values() for s in level["schools"]]
    return every[:MAX_CHART_SCHOOLS], len(every)


def indicator_chart(report: dict, ind: Indicator) -> go.Figure:
    schools, total = chart_schools(report)
    labels = [school_label(s) for s in schools]
    values = [float(s["indicators"][ind.key]["value"]) for s in schools]
    met = [bool(s["indicators"][ind.key]["met"]) for s in schools]
    fig = go.Figure()
    for flag, name, color in ((True, "达标", MET), (False, "未达标", UNMET)):
        picked = [i for i, m in enumerate(met) if m is flag]
        fig.add_bar(
            y=[labels[i] for i in picked], x=[values[i] for i in picked], orientation="h", name=name,
            marker_color=color, text=[f"{s['indicators'][ind.key]['value']}" for s in (schools[i] for i in picked)],
            # inside, from the start: the standard's line is near the bar's end and would cross a label there
            textposition="inside", insidetextanchor="start", textfont={"color": "white", "size": 13},
            cliponaxis=False, hovertemplate="%{y}<br>%{x}" + html.escape(ind.unit) + "<extra></extra>",
        )
    limits = [float(ind.threshold(s["level"])) for s in schools]
    fig.add_scatter(
        y=labels, x=limits, mode="markers", name="标准值（按学段）", hovertemplate="标准值 %{x}<extra></extra>",
        marker={"symbol": "line-ns", "size": ROW_PX - 8, "line": {"width": 3, "color": LIMIT}, "color": LIMIT},
    )
    shown = f"<br><sup>共 {total} 所学校，图中为前 {len(schools)} 所</sup>" if len(schools) < total else ""
    top = max([*values, *limits], default=1.0) or 1.0
    fig.update_layout(
        title={"text": f"{html.escape(ind.name)}（{html.escape(ind.unit)}）{shown}", "x": 0, "xanchor": "left",
               "font": {"size": 15}},
        barmode="overlay", bargap=0.3, height=FRAME_PX + ROW_PX * max(len(schools), 1),
        margin={"l": 8, "r": 16, "t": 56 if not shown else 76, "b": 8},
        legend={"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top", "font": {"size": 12}},
        xaxis={"range": [0, top * 1.25], "title": None, "tickfont": {"size": 11}, "side": "top"},
        yaxis={"categoryorder": "array", "categoryarray": labels, "autorange": "reversed", "automargin": True,
               "tickfont": {"size": 12}},
        font={"family": "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"},
        uniformtext={"minsize": 10, "mode": "show"}, plot_bgcolor="white", paper_bgcolor="white",
        modebar={"orientation": "v"},  # beside the plot, never over the title
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eceff1")
    return fig


def indicator_choices(registry: Registry) -> list[tuple[str, str]]:
    """(label, key) of each resource indicator, for the picker above the chart."""
    return [(f"{ind.name}（{ind.unit}）", ind.key) for ind in registry.resource_indicators]
