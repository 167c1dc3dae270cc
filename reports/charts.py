"""Report charts as SVG: matplotlib `Figure` objects (never pyplot), fixed sizes, fixed ids.

Every chart is drawn at the size it is printed (so 8 pt in the chart is 8 pt on paper),
with text as paths (WeasyPrint then draws exactly what matplotlib laid out, in any
script) and with the Okabe-Ito colours plus markers, line styles and hatching, so series
stay apart in greyscale and for colour-blind readers. Groups under the anonymity
threshold are drawn as hatched grey "suppressed" cells and never carry a number.
"""

from __future__ import annotations

import io
import math
import textwrap
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import LineStyleType, RcKeyType

from reports.formatting import ENGLISH, N_, Language

CM = 1 / 2.54  # matplotlib sizes figures in inches
FONT_FAMILIES = ["Noto Sans", "Noto Sans CJK SC", "DejaVu Sans"]
# What WeasyPrint sets the charts' text in: as report.css, Noto Sans Math sets the minus
# sign (U+2212), which Noto Sans lacks, before the CJK font could. matplotlib measures
# with FONT_FAMILIES (it has no bold Noto Sans Math and would warn about it).
SVG_FONT_FAMILIES = ["Noto Sans", "Noto Sans Math", "Noto Sans CJK SC", "DejaVu Sans"]
# Okabe & Ito (2008), "Color Universal Design": distinct for the common colour-vision
# deficiencies; each series also has its own marker and line style for greyscale.
BLUE, ORANGE, GREEN, SKY = "#0072B2", "#E69F00", "#009E73", "#56B4E9"
VERMILLION, PURPLE, BLACK = "#D55E00", "#CC79A7", "#000000"
GREY, LIGHT_GREY, TEXT = "#BDBDBD", "#EDEDED", "#222222"
SUPPRESSED_HATCH = "////"
HEATMAP = "cividis"  # perceptually uniform, readable by colour-blind readers, monotone in grey

RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    # Fixed salt and no date: the same data give byte-identical SVG (and PDF content).
    "svg.hashsalt": "digital-maturity-report",
    "font.family": FONT_FAMILIES,
    # Organisation names are plain text: "$" must not switch on mathtext.
    "text.parse_math": False,
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "hatch.linewidth": 0.6,
    "hatch.color": "#6E6E6E",
    "lines.linewidth": 1.4,
}


@dataclass(frozen=True)
class SeriesStyle:
    """How one benchmark series is drawn: colour, marker and line style."""

    label: str
    color: str
    marker: str
    linestyle: LineStyleType


# Labels are messages (a literal % is written %%): charts show lang.gettext(style.label).
ORGANISATION = SeriesStyle(N_("This organisation"), BLUE, "o", "-")
MEDIAN = SeriesStyle(N_("Benchmark median"), BLACK, "s", "--")
TOP25 = SeriesStyle(N_("Top 25%% threshold"), ORANGE, "^", ":")
TOP10 = SeriesStyle(N_("Top 10%% threshold"), GREEN, "D", "-.")


@contextmanager
def chart_style() -> Iterator[None]:
    """The report's matplotlib settings, for this chart only (rcParams stay untouched)."""
    with matplotlib.rc_context(RC):
        yield


def to_svg(figure: Figure) -> str:
    """The figure as an SVG document with no date in it."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    # WeasyPrint's SVG text reads only the first of "'A', 'B'" (it strips quotes before
    # spaces), so the fallback fonts are written without the space after each comma.
    measured = ",".join(f"'{family}'" for family in FONT_FAMILIES)
    printed = ",".join(f"'{family}'" for family in SVG_FONT_FAMILIES)
    return buffer.getvalue().replace("', '", "','").replace(measured, printed)


def warm_up() -> None:
    """Draw a small chart in the report's style, its text in the weights the charts use,
    so that matplotlib has looked up the report's fonts (a tenth of a second, once per
    process) before a page or a report needs a chart (`assessment.preload`)."""
    with chart_style():
        figure = Figure(figsize=(2, 1))
        ax = figure.add_subplot()
        ax.barh([0, 1], [1, 2], label="Ag")
        ax.set_title("Ag \u2212 1", fontweight="bold")
        ax.text(0.5, 0.5, "Ag 1\u20132", fontsize=7)
        ax.legend()
        to_svg(figure)


def text_width_cm(text: str, size_pt: float = 7.5) -> float:
    """Rough printed width of a one-line label (wide CJK glyphs count double)."""
    lines = text.split("\n") or [""]
    em = size_pt / 72 * 2.54
    widths = []
    for line in lines:
        units = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.56 for ch in line)
        widths.append(units * em)
    return max(widths)


def wrap(label: str, width: int = 24) -> str:
    """A label broken over lines of about `width` characters (CJK characters count two)."""
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in label):
        width = max(4, width // 2)
    return "\n".join(textwrap.wrap(label, width)) or label


def _row_scale(labels: Sequence[str]) -> float:
    """Taller rows when a label wraps (longer labels in Russian or Latvian), so none overlap."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return 1.0 + 0.35 * (min(lines, 3) - 1)


def legend_columns(handles: Sequence[Any], available_cm: float) -> tuple[int, int]:
    """How many legend columns fit in the width, and how many rows that makes."""
    widths = [text_width_cm(str(h.get_label())) + 1.3 for h in handles]
    columns = max(1, len(handles))
    while columns > 1 and sum(sorted(widths, reverse=True)[:columns]) > available_cm:
        columns -= 1
    return columns, math.ceil(len(handles) / columns) if handles else 0


def framed_axes(
    width_cm: float, body_cm: float, *, left_cm: float, right_cm: float, top_cm: float,
    axis_cm: float, handles: Sequence[Any],
) -> tuple[Figure, Axes]:
    """A figure with `body_cm` of axes and room below for the x axis and a fitted legend."""
    # The legend is laid out before the figure exists, so its rows set the bottom margin
    # and no label runs off the page.
    columns, legend_rows = legend_columns(handles, width_cm - 0.4)
    bottom_cm = axis_cm + 0.45 * legend_rows + 0.15
    height_cm = top_cm + body_cm + bottom_cm
    fig = Figure(figsize=(width_cm * CM, height_cm * CM))
    fig.subplots_adjust(left=left_cm / width_cm, right=1 - right_cm / width_cm,
                        top=1 - top_cm / height_cm, bottom=bottom_cm / height_cm)
    ax = fig.add_subplot()
    if handles:
        fig.legend(handles=handles, loc="lower left", ncols=columns, borderaxespad=0.3,
                   bbox_to_anchor=(0.0, 0.0), columnspacing=1.2, handletextpad=0.5)
    return fig, ax


def suppressed_patch(threshold: int, unit: str = "respondents",
                     lang: Language = ENGLISH) -> Patch:
    """The legend entry of a suppressed cell: 'fewer than N respondents' (or organisations)."""
    return Patch(facecolor=LIGHT_GREY, edgecolor=GREY, hatch=SUPPRESSED_HATCH,
                 label=lang.gettext("Suppressed: %(reason)s",
                                    reason=lang.fewer_than(threshold, unit)))


def draw_suppressed(ax: Axes, rows: Sequence[float], x: float, width: float,
                    height: float = 0.6, lang: Language = ENGLISH) -> None:
    """Hatched grey bars across the given rows, each saying 'suppressed', with no figure."""
    if not rows:
        return
    ax.barh(rows, width, left=x, height=height, color=LIGHT_GREY, edgecolor=GREY,
            hatch=SUPPRESSED_HATCH, linewidth=0.5, zorder=1)
    for y in rows:
        ax.text(x + width / 2, y, lang.suppressed, ha="center", va="center",
                fontsize=7, color=TEXT, zorder=2,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})


@dataclass(frozen=True)
class IntervalRow:
    """One row of an interval chart: a value with its 95% CI, or a heading."""

    label: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    note: str = ""
    suppressed: bool = False
    reference: float | None = None
    heading: bool = False
    empty: str = ""  # said in place of a dot when a shown row has no value ("no data")


def _decimals(ticks: Sequence[float]) -> int:
    """The fewest decimals (up to 2) that write every tick exactly: 0.25 needs two."""
    return next((digits for digits in range(3)
                 if all(abs(round(t, digits) - t) < 1e-9 for t in ticks)), 2)


def _plotted(row: IntervalRow) -> bool:
    return not row.heading and not row.suppressed and row.value is not None


def interval_chart(
    rows: Sequence[IntervalRow], *, axis: tuple[float, float], axis_label: str,
    threshold: int, value_format: str = "score", zero_line: float | None = None,
    reference_label: str | None = None, width_cm: float = 16.5,
    lang: Language = ENGLISH,
) -> str:
    """Dots with 95% CI whiskers, one row each, the value printed above the dot."""
    # Headings are written across the plot, so only data rows need room on the left.
    labels = ["" if r.heading else wrap(r.label, 34) for r in rows]
    left = min(7.0, max(2.0, max(text_width_cm(label) for label in labels) + 0.4))
    right = 2.2 if any(r.note for r in rows) else 0.6
    write = lang.percent if value_format == "percent" else lang.correlation \
        if value_format == "correlation" else lang.score
    scale = 100.0 if value_format == "percent" else 1.0
    with chart_style():
        handles: list[Any] = [Line2D([], [], color=BLUE, marker="o", markersize=5,
                                     label=lang.gettext("Estimate with 95%% confidence interval"))]
        if any(r.reference is not None for r in rows):
            handles.append(Line2D([], [], linestyle="none", marker="D", markersize=5,
                                  markerfacecolor="white", markeredgecolor=VERMILLION,
                                  label=reference_label or
                                  lang.gettext("Published Digiskills figure")))
        if any(r.suppressed for r in rows):
            handles.append(suppressed_patch(threshold, lang=lang))
        fig, ax = framed_axes(width_cm, 0.62 * len(rows) * _row_scale(labels),
                              left_cm=left, right_cm=right,
                              top_cm=0.2, axis_cm=1.3, handles=handles)
        low_end, high_end = axis
        span = high_end - low_end
        ax.set_xlim(low_end, high_end)
        # Tick labels in the report's language (decimal comma, typographic minus).
        tick_digits = _decimals(ax.get_xticks().tolist())
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda value, _position: lang.number(value, tick_digits)))
        ax.set_ylim(len(rows) - 0.5, -0.6)
        ax.set_yticks(range(len(rows)), labels)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(axis_label)
        ax.grid(axis="x", color=LIGHT_GREY, linewidth=0.5)
        ax.set_axisbelow(True)
        if zero_line is not None:
            ax.axvline(zero_line, color="#777777", linewidth=0.8, linestyle="--")
        # One artist per kind of mark (not per row): matplotlib's cost is per artist.
        dots = [(row.value * scale, y) for y, row in enumerate(rows)
                if row.value is not None and _plotted(row)]
        whiskers = [(y, row.low * scale, row.high * scale) for y, row in enumerate(rows)
                    if _plotted(row) and row.low is not None and row.high is not None]
        references = [(row.reference * scale, y) for y, row in enumerate(rows)
                      if _plotted(row) and row.reference is not None]
        if whiskers:
            ys, lows, highs = zip(*whiskers, strict=True)
            ax.hlines(ys, lows, highs, color=BLUE, linewidth=1.2, zorder=2)
            ax.plot([*lows, *highs], [*ys, *ys], linestyle="none", marker="|", markersize=6,
                    markeredgewidth=1.0, color=BLUE, zorder=2)
        if dots:
            ax.plot(*zip(*dots, strict=True), linestyle="none", marker="o", markersize=5,
                    color=BLUE, zorder=3, clip_on=False)
        if references:
            ax.plot(*zip(*references, strict=True), linestyle="none", marker="D",
                    markersize=5, zorder=4, markerfacecolor="white",
                    markeredgecolor=VERMILLION, markeredgewidth=1.2)
        draw_suppressed(ax, [y for y, row in enumerate(rows) if row.suppressed and not
                             row.heading], low_end, span, lang=lang)
        for y, row in enumerate(rows):
            if row.note:
                ax.text(1.02, y, row.note, transform=ax.get_yaxis_transform(), va="center",
                        fontsize=7, color=TEXT)
            if row.heading:
                ax.text(-left / (width_cm - left - right), y + 0.1, row.label,
                        transform=ax.get_yaxis_transform(), fontweight="bold", va="center",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
            elif _plotted(row):
                if row.value is None:  # _plotted rows have a value
                    raise RuntimeError("a plotted row without a value")
                # Beside the whisker and the published marker (not above them), so close
                # rows never collide and no marker covers the figure.
                ends = [v for v in (row.low, row.high, row.value) if v is not None]
                right_end, left_end = max(ends) * scale, min(ends) * scale
                if row.reference is not None:
                    # The figure moves past the published marker only when the marker
                    # would sit on it; a marker further away keeps the figure beside its
                    # own whisker, where it reads as this row's estimate.
                    mark = row.reference * scale
                    if right_end <= mark <= right_end + 0.11 * span:
                        right_end = mark + 0.01 * span
                    if left_end - 0.11 * span <= mark <= left_end:
                        left_end = mark - 0.01 * span
                if right_end + 0.09 * span < high_end:
                    ax.text(right_end + 0.015 * span, y, write(row.value), ha="left",
                            va="center", fontsize=7, color=TEXT)
                else:
                    ax.text(left_end - 0.015 * span, y, write(row.value), ha="right",
                            va="center", fontsize=7, color=TEXT)
            elif not row.suppressed:
                # At the start of the axis, clear of the zero line and of any mark.
                ax.text(low_end + 0.015 * span, y, row.empty or lang.gettext("no data"),
                        ha="left", va="center", fontsize=7, color="#555555",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8})
        return to_svg(fig)


@cache
def _heatmap_colours() -> Any:
    # The registry hands out a fresh copy of the colour map on every lookup, which then
    # builds its lookup table again: hundreds of times per dashboard.
    return matplotlib.colormaps[HEATMAP]


def heat_colours(value: float | None) -> tuple[str, str]:
    """Background and text colour of a 0-100 heatmap cell (cividis; white when missing)."""
    if value is None:
        return "#FFFFFF", TEXT
    red, green, blue, _ = _heatmap_colours()(min(max(value, 0.0), 100.0) / 100)
    # Relative luminance (WCAG 2): black figures read better above about 0.18.
    luminance = 0.2126 * red**2.2 + 0.7152 * green**2.2 + 0.0722 * blue**2.2
    background = "#{:02X}{:02X}{:02X}".format(*(round(255 * c) for c in (red, green, blue)))
    return background, TEXT if luminance > 0.18 else "#FFFFFF"


@dataclass(frozen=True)
class ChangeRow:
    """One dimension's previous and current mean (None when suppressed)."""

    label: str
    before: float | None
    after: float | None
    note: str = ""
    suppressed: bool = False


def _compared(row: ChangeRow) -> bool:
    return not row.suppressed and row.before is not None and row.after is not None


def change_chart(rows: Sequence[ChangeRow], threshold: int, width_cm: float = 16.5,
                 lang: Language = ENGLISH) -> str:
    """Previous (hollow) to current (filled) mean per dimension, on 0-100."""
    labels = [wrap(r.label, 34) for r in rows]
    left = min(7.0, max(text_width_cm(label) for label in labels) + 0.4)
    with chart_style():
        handles: list[Any] = [
            Line2D([], [], linestyle="none", marker="o", markerfacecolor="white",
                   markeredgecolor=BLACK, label=lang.gettext("Previous campaign")),
            Line2D([], [], linestyle="none", marker="o", color=BLUE,
                   label=lang.gettext("This campaign")),
        ]
        if not all(_compared(r) for r in rows):
            handles.append(suppressed_patch(threshold, lang=lang))
        fig, ax = framed_axes(width_cm, 0.55 * len(rows) * _row_scale(labels),
                              left_cm=left, right_cm=3.4,
                              top_cm=0.2, axis_cm=1.3, handles=handles)
        ax.set_xlim(0, 100)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_yticks(range(len(rows)), labels)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(lang.gettext("Mean score 0–100"))
        ax.grid(axis="x", color=LIGHT_GREY, linewidth=0.5)
        ax.set_axisbelow(True)
        for y, row in enumerate(rows):
            ax.text(1.035, y, row.note, transform=ax.get_yaxis_transform(), va="center",
                    fontsize=7, color=TEXT)
        shown = [(y, row.before, row.after) for y, row in enumerate(rows) if _compared(row)]
        draw_suppressed(ax, [y for y, row in enumerate(rows) if not _compared(row)], 0, 100,
                        lang=lang)
        if shown:
            ys, before, after = zip(*shown, strict=True)
            ax.hlines(ys, before, after, color=GREY, linewidth=2.0, zorder=1)
            # Not clipped: a mean of 0 or 100 is drawn whole over the axis' end.
            ax.plot(before, ys, marker="o", markersize=6, markerfacecolor="white",
                    markeredgecolor=BLACK, markeredgewidth=1.0, zorder=2, linestyle="none",
                    clip_on=False)
            ax.plot(after, ys, marker="o", markersize=6, color=BLUE, zorder=3,
                    linestyle="none", clip_on=False)
        return to_svg(fig)
