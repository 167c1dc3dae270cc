"""The comparison report for consultants: `comparison_statistics` -> context -> PDF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports import findings
from reports import formatting as fmt
from reports.charts import IntervalRow, heat_colours, interval_chart
from reports.charts_benchmark import Panel, ranking, small_multiples
from reports.formatting import ENGLISH, Language
from reports.labels import label_comparison
from reports.methodology import rendering_notes
from reports.render import figure, language, render_html, write_pdf


def _index_mean(stats: Mapping[str, Any]) -> float | None:
    if stats["suppressed"]:
        return None
    index = stats["results"]["dimensions"]["index"]
    return None if fmt.is_suppressed(index) else index.get("mean")


def organisation_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per campaign, numbered in rank order of the index (highest first, those
    without an index last), so "1." is the leader in every table and chart."""
    ranked = sorted(data["campaigns"], key=lambda stats: (
        _index_mean(stats) is None, -(_index_mean(stats) or 0.0)))
    rows = []
    for number, stats in enumerate(ranked, start=1):
        campaign = stats["campaign"]
        row: dict[str, Any] = {
            "number": number, "name": campaign["organisation"], "campaign": campaign["name"],
            "sector": campaign["sector"], "size_band": campaign["size_band"],
            "country": campaign["country"], "n": stats["responses"]["n"],
            "threshold": stats["threshold"], "suppressed": stats["suppressed"],
            "synthetic": stats["synthetic"],
        }
        if not stats["suppressed"]:
            dimensions = stats["results"]["dimensions"]
            pool = stats["benchmark"]["all"]
            row.update({
                "index": dimensions["index"], "dimensions": dimensions,
                "rank": None if fmt.is_suppressed(pool)
                else pool["dimensions"]["index"].get("percentile_rank"),
                "customers": (stats["results"].get("customer_understanding") or {}),
            })
        rows.append(row)
    return rows


def score_table(rows: list[dict[str, Any]], keys: list[str],
                benchmark: Mapping[str, Any], lang: Language = ENGLISH) -> dict[str, Any]:
    """Organisations down, dimensions across, cells shaded like a heatmap."""
    body = []
    for row in rows:
        cells: list[dict[str, Any] | None] = []
        for key in keys:
            cell = None if row["suppressed"] else row["dimensions"][key]
            if cell is None or fmt.is_suppressed(cell):
                cells.append(None)
                continue
            background, ink = heat_colours(cell.get("mean"))
            cells.append({"value": cell.get("mean"), "background": background, "ink": ink,
                          "dont_know_high": bool(cell.get("dont_know_high"))})
        body.append({"row": row, "cells": cells})
    _ = lang.gettext
    marks = [{"label": label, "figures": [benchmark[key].get(mark) for key in keys]}
             for mark, label in (("median", _("Benchmark median")),
                                 ("top25", _("Top 25%% threshold")),
                                 ("top10", _("Top 10%% threshold")))]
    return {"dimensions": keys, "body": body, "marks": marks}


def _charts(rows: list[dict[str, Any]], instrument: Mapping[str, Any],
            benchmark: Mapping[str, Any], threshold: int,
            lang: Language = ENGLISH) -> dict[str, dict[str, str]]:
    _ = lang.gettext
    # The rows are in rank order already (organisation_rows).
    labels = [f"{r['number']}. {r['name']}" for r in rows]
    values = [None if r["suppressed"] or fmt.is_suppressed(r["index"])
              else r["index"].get("mean") for r in rows]
    rank_svg = ranking(labels, values, dict(benchmark["index"]), lang=lang)
    keys = [*instrument["capabilities"], "index"]
    panels = [Panel(f"{r['number']}. {r['name']}", None if r["suppressed"]
                    else [None if fmt.is_suppressed(r["dimensions"][k])
                          else r["dimensions"][k].get("mean") for k in keys]) for r in rows]
    multiples = small_multiples([instrument["short"][k] for k in keys],
                                [benchmark[k].get("median") for k in keys], panels, threshold,
                                lang=lang)
    customer_rows = []
    for r in rows:
        yes = r.get("customers", {}).get("answers", {}).get("yes")
        if r["suppressed"] or yes is None:
            customer_rows.append(IntervalRow(f"{r['number']}. {r['name']}", suppressed=True))
        else:
            customer_rows.append(IntervalRow(f"{r['number']}. {r['name']}", yes["share"],
                                             yes["ci_low"], yes["ci_high"],
                                             note=f"n = {lang.count(yes['n'])}"))
    customers = interval_chart(customer_rows, axis=(0, 100), axis_label=_(
                               "Say everyone fully understands customers (%%)"),
                               threshold=threshold, value_format="percent", lang=lang)
    return {
        "ranking": figure(rank_svg, _(
            "Digital maturity index of each organisation, highest first, with the benchmark "
            "median, top-25%% and top-10%% thresholds: %(scores)s.", scores="; ".join(
                f"{label} {lang.score(value)}"
                for label, value in zip(labels, values, strict=True)))),
        "multiples": figure(multiples, _(
            "One small bar chart per organisation: its mean score on each capability and the "
            "index, with the benchmark median.")),
        "customers": figure(customers, _(
            "Share of each organisation's respondents saying everyone fully understands "
            "customers, with 95%% intervals.")),
    }


def comparison_context(data: Mapping[str, Any], instrument: Mapping[str, Any],
                       lang: Language = ENGLISH) -> dict[str, Any]:
    """Everything the comparison template shows, as plain data and SVG charts."""
    _ = lang.gettext
    rows = organisation_rows(label_comparison(data, instrument, lang))
    threshold = max(r["threshold"] for r in rows)
    benchmark = data["benchmark"]["dimensions"]
    keys = [d["key"] for d in instrument["dimensions"]] + ["index"]
    table = score_table(rows, keys, benchmark, lang)
    return {
        "title": lang.ngettext("Digital maturity comparison of %(num)s organisation",
                               "Digital maturity comparison of %(num)s organisations",
                               len(rows)),
        "synthetic": data["synthetic"], "instrument": instrument, "threshold": threshold,
        "all_synthetic": all(r["synthetic"] for r in rows),
        "rows": rows, "pool_size": data["benchmark"]["organisations"],
        "table": table,
        "overview": findings.comparison_overview(
            rows, [k for k in keys if k != "index"], instrument["labels"], lang),
        "any_hidden": any(cell is None for line in table["body"] for cell in line["cells"]),
        "any_dont_know": any(cell and cell["dont_know_high"] for line in table["body"]
                             for cell in line["cells"]),
        "charts": _charts(rows, instrument, benchmark, threshold, lang),
        "methodology": {"kind": "comparison", "rendering": rendering_notes(),
                        "reliability": [],
                        "pool": {"all": data["benchmark"]["organisations"]}},
        "sections": [("overview", _("Overview")), ("scores", _("Scores side by side")),
                     ("profiles", _("Capability profiles")),
                     ("customers", _("Customer understanding")),
                     ("methodology", _("Methodology"))],
    }


def comparison_html(data: Mapping[str, Any], instrument: Mapping[str, Any],
                    code: str = "en") -> str:
    """The comparison report as one HTML document, in the language `code`."""
    return render_html("comparison.html",
                       comparison_context(data, instrument, language(code)), code)


def comparison_pdf(data: Mapping[str, Any], instrument: Mapping[str, Any],
                   code: str = "en") -> bytes:
    """The comparison report as PDF bytes, in the language `code`."""
    return write_pdf(comparison_html(data, instrument, code))
