"""The calculator chart: each resource indicator across schools, against its threshold (matplotlib)."""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # server side, no display

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from assistant.domain.indicators import Registry  # noqa: E402

MET, UNMET, LIMIT = "#2e7d32", "#c62828", "#212121"
# Schools drawn (a chart of 1,000 schools took 30 s and is unreadable); the table and downloads have all.
MAX_CHART_SCHOOLS = 30
# Fonts that carry Chinese glyphs, in order of preference; Debian's fonts-noto-cjk gives the first.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC")


CJK_FILES = ("notosanscjk", "sourcehansans", "wqy", "simhei", "msyh", "pingfang")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed CJK font; without one, Chinese labels would be drawn as empty boxes."""
    found = _known_cjk()
    if found is None:
        # A font installed after matplotlib built its font cache is not in it: register the files.
        for path in font_manager.findSystemFonts():
            if any(mark in Path(path).name.lower().replace("-", "") for mark in CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = _known_cjk()
    return found


def _known_cjk() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def use_cjk_font() -> None:
    """Process-wide, because gradio draws the figure after this module returns it."""
    font = cjk_font()
    if font and matplotlib.rcParams["font.sans-serif"][:1] != [font]:
        matplotlib.rcParams["font.sans-serif"] = [font, *matplotlib.rcParams["font.sans-serif"]]
    matplotlib.rcParams["axes.unicode_minus"] = False


def school_label(school: dict) -> str:
    return f"{school['school']}（{school['level']}）"


def indicator_chart(report: dict, registry: Registry) -> Figure:
    """One small panel per indicator: a bar per school (green met, red not met), a black tick at the
    threshold of that school's level (小学 and 初中 thresholds differ). At most MAX_CHART_SCHOOLS schools."""
    every = [s for level in report["levels"].values() for s in level["schools"]]
    schools = every[:MAX_CHART_SCHOOLS]
    indicators = registry.resource_indicators
    columns = 2
    rows = math.ceil((len(indicators) + 1) / columns)  # one cell is left for the legend
    use_cjk_font()
    fig = Figure(figsize=(12, 2.6 * rows), dpi=80, layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, ind in zip(axes, indicators):
        _panel(ax, ind, schools)
    for ax in axes[len(indicators):]:
        ax.axis("off")
    axes[len(indicators)].legend(
        handles=[Patch(color=MET, label="达标"), Patch(color=UNMET, label="未达标"),
                 Line2D([0], [0], color=LIMIT, linewidth=2.5, label="标准值（按学段）")],
        loc="center", fontsize=12, frameon=False,
    )
    shown = f"（共 {len(every)} 所学校，图中为前 {len(schools)} 所）" if len(schools) < len(every) else ""
    fig.suptitle("各校资源配置指标与标准值" + shown, fontsize=14)
    return fig


def _panel(ax, ind, schools: list[dict]) -> None:
    values = [float(s["indicators"][ind.key]["value"]) for s in schools]
    limits = [float(ind.threshold(s["level"])) for s in schools]
    colors = [MET if s["indicators"][ind.key]["met"] else UNMET for s in schools]
    x = range(len(schools))
    ax.bar(x, values, color=colors, width=0.6)
    ax.hlines(limits, [i - 0.4 for i in x], [i + 0.4 for i in x], colors=LIMIT, linewidth=2.5)
    ax.set_title(f"{ind.name}（{ind.unit}）", fontsize=10)
    # parse_math off: a school named $\undefinedcommand$ is text, not a formula that fails to draw
    ax.set_xticks(list(x), [school_label(s) for s in schools], rotation=30, ha="right", fontsize=7, parse_math=False)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", alpha=0.3)
