"""Charts that set organisations against the benchmark: radar, strips, ranking, panels."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.projections.polar import PolarAxes

from reports.charts import (
    BLUE,
    CM,
    GREY,
    LIGHT_GREY,
    MEDIAN,
    ORGANISATION,
    SUPPRESSED_HATCH,
    TEXT,
    TOP10,
    TOP25,
    SeriesStyle,
    chart_style,
    draw_suppressed,
    framed_axes,
    legend_columns,
    suppressed_patch,
    text_width_cm,
    to_svg,
    wrap,
)
from reports.formatting import ENGLISH, Language


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _marker(style: SeriesStyle, lang: Language, size: float = 5) -> Line2D:
    return Line2D([], [], color=style.color, marker=style.marker, linestyle=style.linestyle,
                  markersize=size, label=lang.gettext(style.label))


def radar(labels: Sequence[str], series: Sequence[tuple[SeriesStyle, Sequence[float | None]]],
          width_cm: float = 15.0, lang: Language = ENGLISH) -> str:
    """The capabilities around a circle, 0 at the centre and 100 at the rim, one line each."""
    # A capability without a value (suppressed or unanswered) leaves a gap in its line.
    count = len(labels)
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    closed = np.append(angles, angles[0])
    # The circle (half the width across) with room above and below it for the wrapped
    # labels at the top and the bottom (longer in Russian or Latvian) and the legend.
    wrapped = [wrap(label, 18) for label in labels]
    line_cm = 0.33  # one 7.5 pt line with its leading
    top_cm = 0.5 + line_cm * (wrapped[0].count("\n") + 1)
    bottom_lines = max((w.count("\n") + 1 for w, a in zip(wrapped, angles, strict=True)
                        if math.cos(a) < -0.1), default=1)
    bottom_cm = 1.3 + line_cm * bottom_lines
    diameter = 0.5 * width_cm
    height_cm = diameter + top_cm + bottom_cm
    with chart_style():
        fig = Figure(figsize=(width_cm * CM, height_cm * CM))
        ax = fig.add_axes((0.25, bottom_cm / height_cm, 0.5, diameter / height_cm),
                          projection="polar")
        if not isinstance(ax, PolarAxes):
            raise TypeError("matplotlib gave no polar axes")
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        ax.set_ylim(0, 100)
        ax.set_yticks([20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], fontsize=6.5,
                      color="#555555")
        # The scale's figures sit between two capabilities, on a white ground so that a
        # line crossing them never hides them.
        for tick in ax.get_yticklabels():
            tick.set_bbox({"facecolor": "white", "edgecolor": "none", "alpha": 0.8,
                           "pad": 0.4})
            tick.set_zorder(5)
        ax.set_rlabel_position(180 / count)
        # Labels outside the rim, each aligned away from the centre (left on the right
        # half, right on the left half, below at the bottom), so none runs over the
        # polygons or the rim whatever its length or language.
        ax.set_xticks(angles, [""] * count)
        for angle, label in zip(angles, wrapped, strict=True):
            across, up = math.sin(angle), math.cos(angle)
            ax.text(angle, 108, label, fontsize=7.5, clip_on=False,
                    ha="left" if across > 0.1 else "right" if across < -0.1 else "center",
                    va="bottom" if up > 0.1 else "top" if up < -0.1 else "center")
        ax.grid(color=GREY, linewidth=0.5)
        ax.spines["polar"].set_color(GREY)
        for style, values in series:
            points = _nan(values)
            closed_values = [*points, points[0]]
            ax.plot(closed, closed_values, color=style.color, linestyle=style.linestyle,
                    marker=style.marker, markersize=4.5, linewidth=1.4, zorder=3)
            if style is ORGANISATION and not any(math.isnan(v) for v in points):
                ax.fill(closed, closed_values, color=style.color, alpha=0.12, zorder=2)
        fig.legend(handles=[_marker(style, lang) for style, _ in series], loc="lower center",
                   ncols=len(series), bbox_to_anchor=(0.5, 0.0))
        return to_svg(fig)


@dataclass(frozen=True)
class StripRow:
    """One dimension on a 0-100 track: the benchmark markers and, optionally, a value."""

    label: str
    median: float | None
    top25: float | None
    top10: float | None
    value: float | None = None
    note: str = ""
    suppressed: bool = False


def benchmark_strips(rows: Sequence[StripRow], threshold: int, *, show_value: bool = True,
                     unit: str = "respondents", width_cm: float = 16.5,
                     lang: Language = ENGLISH) -> str:
    """Each row a 0-100 track with the median, top-25% and top-10% marks (and the value)."""
    labels = [wrap(r.label, 30) for r in rows]
    left = min(6.5, max(text_width_cm(label) for label in labels) + 0.4)
    right = max((text_width_cm(r.note, 7) + 0.6 for r in rows if r.note), default=0.5)
    marks = [(TOP10, "top10"), (TOP25, "top25"), (MEDIAN, "median")]
    with chart_style():
        handles: list[Any] = []
        if show_value:
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=7,
                                  color=BLUE, label=lang.gettext(ORGANISATION.label)))
        handles += [Line2D([], [], linestyle="none", marker=style.marker, color=style.color,
                           markersize=6, label=lang.gettext(style.label))
                    for style, _ in reversed(marks)]
        if any(r.suppressed for r in rows):
            handles.append(suppressed_patch(threshold, unit, lang))
        fig, ax = framed_axes(width_cm, 0.75 * len(rows), left_cm=left, right_cm=right,
                              top_cm=0.2, axis_cm=1.3, handles=handles)
        ax.set_xlim(0, 100)
        ax.set_ylim(len(rows) - 0.5, -0.6)
        ax.set_yticks(range(len(rows)), labels)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(lang.gettext("Score 0–100"))
        ax.grid(axis="x", color=LIGHT_GREY, linewidth=0.5)
        ax.set_axisbelow(True)
        shown = [y for y, row in enumerate(rows) if not row.suppressed]
        draw_suppressed(ax, [y for y, row in enumerate(rows) if row.suppressed], 0, 100,
                        lang=lang)
        ax.hlines(shown, 0, 100, color=GREY, linewidth=3, zorder=1)
        spans = [(y, row.median, row.top10) for y, row in enumerate(rows)
                 if not row.suppressed and row.median is not None and row.top10 is not None]
        if spans:
            ys, starts, ends = zip(*spans, strict=True)
            ax.hlines(ys, starts, ends, color="#8C8C8C", linewidth=5, zorder=1)
        for style, key in marks:
            points = [(getattr(row, key), y) for y, row in enumerate(rows)
                      if not row.suppressed and getattr(row, key) is not None]
            if points:
                # Not clipped: a mark at 0 or 100 is drawn whole over the axis' end.
                ax.plot(*zip(*points, strict=True), marker=style.marker, color=style.color,
                        markersize=6, linestyle="none", zorder=2, markeredgecolor="white",
                        markeredgewidth=0.5, clip_on=False)
        values = [(row.value, y) for y, row in enumerate(rows)
                  if show_value and not row.suppressed and row.value is not None]
        if values:
            ax.plot(*zip(*values, strict=True), marker="o", markersize=8, color=BLUE,
                    zorder=3, markeredgecolor="white", markeredgewidth=0.8, linestyle="none",
                    clip_on=False)
        for value, y in values:
            ax.text(value, y - 0.3, lang.score(value), ha="center", va="bottom",
                    fontsize=7, color=TEXT, fontweight="bold")
        for y, row in enumerate(rows):
            if row.note:
                ax.text(1.035, y, row.note, transform=ax.get_yaxis_transform(), va="center",
                        fontsize=7, color=TEXT)
        return to_svg(fig)


@dataclass(frozen=True)
class Panel:
    """One organisation's small-multiple panel: a value per dimension (None: missing)."""

    title: str
    values: Sequence[float | None] | None  # None: the whole campaign is suppressed


def small_multiples(labels: Sequence[str], medians: Sequence[float | None],
                    panels: Sequence[Panel], threshold: int, columns: int = 4,
                    width_cm: float = 17.0, lang: Language = ENGLISH) -> str:
    """One small bar chart per organisation, same scale, benchmark median as ticks."""
    rows = math.ceil(len(panels) / columns)
    left = min(4.0, max(text_width_cm(label, 6.5) for label in labels) + 0.3)
    panel_height = 0.36 * len(labels) + 0.9
    y = np.arange(len(labels))
    with chart_style():
        handles: list[Any] = [
            Line2D([], [], color=BLUE, linewidth=5,
                   label=lang.gettext("Organisation's mean score")),
            Line2D([], [], linestyle="none", marker="|", markersize=7, markeredgewidth=1.6,
                   color=MEDIAN.color, label=lang.gettext(MEDIAN.label))]
        if any(p.values is None or None in p.values for p in panels):
            handles.append(suppressed_patch(threshold, lang=lang))
        legend_cols, legend_rows = legend_columns(handles, width_cm - 0.4)
        bottom = 0.95 + 0.45 * legend_rows
        top = 0.95  # room for the first row's two-line titles
        height = rows * panel_height + top + bottom
        fig = Figure(figsize=(width_cm * CM, height * CM))
        fig.subplots_adjust(left=left / width_cm, right=1 - 0.3 / width_cm,
                            top=1 - top / height, bottom=bottom / height,
                            wspace=0.2, hspace=0.55)
        grid = fig.add_gridspec(rows, columns)
        for index, panel in enumerate(panels):
            ax = fig.add_subplot(grid[index // columns, index % columns])
            ax.set_xlim(0, 100)
            ax.set_ylim(len(labels) - 0.5, -0.5)
            ax.set_title(wrap(panel.title, 26), fontsize=7, loc="left")
            ax.set_yticks(y, labels if index % columns == 0 else [], fontsize=6.5)
            ax.set_xticks([0, 50, 100], ["0", "50", "100"], fontsize=6)
            # The end ticks lean inwards, so "100" of one panel never meets "0" of the next.
            start, _middle, end = ax.get_xticklabels()
            start.set_horizontalalignment("left")
            end.set_horizontalalignment("right")
            ax.tick_params(axis="y", length=0)
            ax.grid(axis="x", color=LIGHT_GREY, linewidth=0.4)
            ax.set_axisbelow(True)
            if panel.values is None:
                draw_suppressed(ax, [(len(labels) - 1) / 2], 0, 100, height=len(labels),
                                lang=lang)
                continue
            values = _nan(panel.values)
            ax.barh(y, np.nan_to_num(values), height=0.62, color=BLUE)
            # A dimension without a figure is hatched across, never a bar at zero.
            missing = [row for row, value in enumerate(values) if math.isnan(value)]
            if missing:
                ax.barh(missing, 100, height=0.62, color=LIGHT_GREY, edgecolor=GREY,
                        hatch=SUPPRESSED_HATCH, linewidth=0.4)
            ax.plot(_nan(medians), y, linestyle="none", marker="|", markersize=7,
                    markeredgewidth=1.6, color=MEDIAN.color)
        fig.legend(handles=handles, loc="lower left", ncols=legend_cols,
                   bbox_to_anchor=(0.0, 0.0))
        return to_svg(fig)


def ranking(labels: Sequence[str], values: Sequence[float | None],
            benchmark: dict[str, float | None], width_cm: float = 16.5,
            lang: Language = ENGLISH) -> str:
    """Organisations' index as bars, best first, with the benchmark's marks as lines."""
    wrapped = [wrap(label, 44) for label in labels]
    left = min(7.0, max(text_width_cm(label) for label in wrapped) + 0.4)
    y = np.arange(len(labels))
    lines = [(style, mark) for style, key in ((MEDIAN, "median"), (TOP25, "top25"),
                                              (TOP10, "top10"))
             if (mark := benchmark.get(key)) is not None]
    with chart_style():
        handles: list[Any] = [Line2D([], [], color=BLUE, linewidth=5, label=lang.gettext("Index"))]
        handles += [Line2D([], [], color=style.color, linestyle=style.linestyle,
                           label=lang.gettext(style.label)) for style, _ in lines]
        fig, ax = framed_axes(width_cm, 0.55 * len(labels), left_cm=left, right_cm=0.6,
                              top_cm=0.2, axis_cm=1.3, handles=handles)
        ax.set_xlim(0, 100)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_yticks(y, wrapped)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(lang.gettext("Digital maturity index 0–100"))
        numbers = _nan(values)
        ax.barh(y, np.nan_to_num(numbers), height=0.6, color=BLUE)
        for row, value in enumerate(numbers):
            text = lang.suppressed if math.isnan(value) else lang.score(value)
            ax.text(0 if math.isnan(value) else value + 1, row, text, va="center",
                    fontsize=7, color=TEXT, zorder=3,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})
        for style, mark in lines:
            ax.axvline(mark, color=style.color, linestyle=style.linestyle, linewidth=1.2)
        return to_svg(fig)
