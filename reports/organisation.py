"""The organisation report for HR / L&D: `campaign_statistics` -> template context -> PDF."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assessment.stats.privacy import PROTECTS_SMALLER_GROUP
from reports import findings, methodology
from reports import formatting as fmt
from reports import priorities as priority_text
from reports.charts import (
    MEDIAN,
    ORGANISATION,
    TOP25,
    ChangeRow,
    IntervalRow,
    change_chart,
    heat_colours,
    interval_chart,
)
from reports.charts_benchmark import StripRow, benchmark_strips, radar
from reports.formatting import ENGLISH, N_, Language
from reports.labels import label_campaign
from reports.render import figure, language, render_html, write_pdf

# Titles and group labels are messages, translated where they are shown.
SPLITS = {
    # Grouped by how many of the three capabilities everyone has (not by how many people
    # have them): "none" is "none of the three is held by everyone".
    "by_representative": (N_("The three representative capabilities"), {
        "all": N_("All three held by everyone"),
        "some": N_("Only some of the three held by everyone"),
        "none": N_("None of the three held by everyone")}),
    "by_vision": (N_("Leadership has set a clear digital vision"), {
        "yes": N_("Says yes"), "no": N_("Says no")}),
    "by_learning": (N_("L&D understands the digital skills needed"), {
        "yes": N_("Says yes"), "no": N_("Says no")}),
}
HEATMAP_ROWS_GROUPS = ("capability", "vision", "learning", "customer")


def _pool_marks(stats: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    pool = stats["benchmark"]["all"]
    return pool.get("dimensions", {}).get(key, {}) if not fmt.is_suppressed(pool) else {}


def capability_rows(stats: Mapping[str, Any], keys: list[str]) -> list[dict[str, Any]]:
    """One table row per dimension: score with CI, benchmark marks, three percentile ranks."""
    dimensions = stats["results"]["dimensions"]
    everyone = stats["results"].get("everyone_can", {})
    rows = []
    for key in keys:
        cell = dimensions[key]
        # Each pool's marks for this dimension (the rank with its range and flags), and
        # the bare ranks (the dashboard shows those).
        rank_marks = {}
        for subset in ("all", "sector", "size_band"):
            pool = stats["benchmark"][subset]
            rank_marks[subset] = None if fmt.is_suppressed(pool) else pool["dimensions"][key]
        ranks = {subset: None if not marks or fmt.is_suppressed(marks)
                 else marks.get("percentile_rank") for subset, marks in rank_marks.items()}
        marks = _pool_marks(stats, key)
        dont_know = cell.get("dont_know")
        rows.append({
            "key": key, "label": cell["label"], "cell": cell,
            "suppressed": fmt.is_suppressed(cell),
            "everyone": everyone.get(key),
            "dont_know": None if dont_know is None or fmt.is_suppressed(dont_know)
            else dont_know, "dont_know_high": bool(cell.get("dont_know_high")),
            "median": marks.get("median"), "top25": marks.get("top25"),
            "top10": marks.get("top10"), "ranks": ranks, "rank_marks": rank_marks,
            "indicative": any(m and not fmt.is_suppressed(m) and m.get("few_respondents")
                              for m in rank_marks.values()),
        })
    return rows


def benchmark_subsets(stats: Mapping[str, Any],
                      lang: Language = ENGLISH) -> list[dict[str, Any]]:
    """The three comparison pools (all, same sector, same size band) with their sizes."""
    _ = lang.gettext
    names = {"all": _("All organisations"), "sector": _("Same sector"),
             "size_band": _("Same size band")}
    # The engine labels a sub-pool with the stored sector or size band: shown in the
    # report's language (a sector the catalogue does not know stays as stored).
    written = {"sector": lang.sector, "size_band": lang.size_band}
    subsets = []
    for key, pool in stats["benchmark"].items():
        value = written[key](pool.get("label")) if key in written else pool.get("label")
        subsets.append({
            "key": key, "name": names[key], "value": value,
            "label": _("Size band %(band)s", band=value) if key == "size_band" else value,
            "organisations": pool.get("organisations"), "suppressed": fmt.is_suppressed(pool),
            "marks": {} if fmt.is_suppressed(pool) else pool["dimensions"]["index"],
            "index_rank": None if fmt.is_suppressed(pool)
            else pool["dimensions"]["index"].get("percentile_rank")})
    return subsets


def pools_note(subsets: list[dict[str, Any]], threshold: int,
               lang: Language = ENGLISH) -> str:
    """Each comparison pool with its size: 'all organisations: 30 organisations, ...'."""
    _ = lang.gettext
    items = []
    for subset in subsets:
        if subset["key"] == "sector":
            pool = _("the same sector (%(sector)s)", sector=subset["value"])
        elif subset["key"] == "size_band":
            pool = _("the same size band (%(band)s)", band=subset["value"])
        else:
            pool = _("all organisations")
        if subset["suppressed"]:
            size = lang.ngettext("not shown, fewer than %(num)s organisation",
                                 "not shown, fewer than %(num)s organisations", threshold)
        else:
            size = lang.ngettext("%(num)s organisation", "%(num)s organisations",
                                 subset["organisations"], num=lang.count(subset["organisations"]))
        items.append(_("%(pool)s: %(standing)s", pool=pool, standing=size))
    return lang.listing(items)


def _radar(stats: Mapping[str, Any], instrument: Mapping[str, Any],
           lang: Language) -> dict[str, str]:
    keys = instrument["capabilities"]
    dimensions = stats["results"]["dimensions"]
    own = [dimensions[k].get("mean") for k in keys]
    series = [(ORGANISATION, own)]
    if not fmt.is_suppressed(stats["benchmark"]["all"]):
        series += [(MEDIAN, [_pool_marks(stats, k).get("median") for k in keys]),
                   (TOP25, [_pool_marks(stats, k).get("top25") for k in keys])]
    svg = radar([instrument["labels"][k] for k in keys], series, lang=lang)
    described = "; ".join(f"{instrument['labels'][k]} {lang.score(v)}"
                          for k, v in zip(keys, own, strict=True))
    return figure(svg, lang.gettext("Radar chart of the eight capability scores against the "
                                    "benchmark median and top quartile: %(scores)s.",
                                    scores=described))


def _strips(stats: Mapping[str, Any], keys: list[str], instrument: Mapping[str, Any],
            lang: Language) -> dict[str, str]:
    dimensions = stats["results"]["dimensions"]
    rows = []
    for key in keys:
        marks = _pool_marks(stats, key)
        cell = dimensions[key]
        rows.append(StripRow(instrument["labels"].get(key, cell["label"]), marks.get("median"),
                             marks.get("top25"), marks.get("top10"), value=cell.get("mean"),
                             note=f"P{lang.rank_range(marks)}" if marks else "",
                             suppressed=fmt.is_suppressed(cell)))
    svg = benchmark_strips(rows, stats["threshold"], lang=lang)
    return figure(svg, lang.gettext(
        "Index, digital vision, L&D readiness and customer understanding on 0–100 tracks "
        "against the benchmark median, top 25%% and top 10%%: %(scores)s.",
        scores="; ".join(f"{r.label} {lang.score(r.value)}" for r in rows)))


def crosstab_rows(stats: Mapping[str, Any], published: Mapping[str, Any],
                  lang: Language = ENGLISH) -> list[dict[str, Any]]:
    """The Digiskills cross-tabulations: share saying everyone understands customers."""
    found = stats.get("digiskills") or {}
    tables = []
    for split, (title, labels) in SPLITS.items():
        data = found.get(split)
        if not data:
            continue
        rows = [{"code": code, "label": lang.gettext(labels[code]) if code in labels else code,
                 "cell": cell,
                 "suppressed": fmt.is_suppressed(cell),
                 "published": published.get(split, {}).get(code)}
                for code, cell in data["groups"].items()]
        tables.append({"key": split, "title": lang.gettext(title), "rows": rows,
                       "test": data["test"],
                       "all_hidden": all(row["suppressed"] for row in rows)})
    return tables


def crosstab_chart(tables: list[dict[str, Any]], threshold: int, lang: Language,
                   caption: str, count: Callable[[int], str] = str) -> dict[str, str]:
    """The Digiskills splits as one interval chart: a block of rows per split."""
    rows: list[IntervalRow] = []
    # A split whose groups are all hidden is one sentence under its table, not a chart.
    for table in (t for t in tables if not t["all_hidden"]):
        rows.append(IntervalRow(table["title"], heading=True))
        for row in table["rows"]:
            cell = row["cell"]
            if row["suppressed"]:
                rows.append(IntervalRow(row["label"], suppressed=True))
            elif cell["n"] == 0:
                rows.append(IntervalRow(row["label"], note="n = 0",
                                        empty=lang.gettext("no respondents in this group")))
            else:
                yes = cell["says_yes"]
                rows.append(IntervalRow(row["label"], yes["share"], yes["ci_low"],
                                        yes["ci_high"], note=f"n = {count(cell['n'])}",
                                        reference=row["published"]))
    svg = interval_chart(rows, axis=(0, 100), axis_label=lang.gettext(
                         "Say everyone fully understands customers (%%)"),
                         threshold=threshold, value_format="percent", lang=lang)
    return figure(svg, caption)


def correlation_rows(correlations: list[dict[str, Any]], lang: Language,
                     ) -> list[IntervalRow]:
    """One chart row per correlation; a shown one without r says the answers do not vary."""
    rows = []
    for row in correlations:
        rho = row["spearman"]
        if fmt.is_suppressed(rho):
            rows.append(IntervalRow(row["label"], suppressed=True))
        else:
            rows.append(IntervalRow(row["label"], rho.get("r"), rho.get("ci_low"),
                                    rho.get("ci_high"), note=f"n = {lang.count(rho['n'])}",
                                    empty=lang.gettext("the answers do not vary")))
    return rows


def _correlation_chart(stats: Mapping[str, Any], lang: Language) -> dict[str, str]:
    rows = correlation_rows(stats["correlations"], lang)
    svg = interval_chart(rows, axis=(-1, 1), axis_label=lang.gettext(
                         "Spearman correlation with the customer-understanding score"),
                         threshold=stats["threshold"], value_format="correlation",
                         zero_line=0.0, lang=lang)
    return figure(svg, lang.gettext(
        "Spearman correlations of each capability, digital vision and L&D readiness with "
        "customer understanding, with 95%% confidence intervals."))


def group_heatmap(stats: Mapping[str, Any], instrument: Mapping[str, Any],
                  breakdown: str) -> dict[str, Any] | None:
    """One profile breakdown as a shaded table: dimensions down, groups across."""
    # A heatmap is a table with colour, so it is an HTML table (searchable, tagged as a
    # table for screen readers, cheaper than 100 matplotlib texts); a suppressed group
    # is a whole hatched column without figures.
    data = stats["groups"].get(breakdown)
    if not data or not data["rows"]:
        return None
    keys = [d["key"] for d in instrument["dimensions"] if d["group"] in HEATMAP_ROWS_GROUPS]
    keys.append("index")
    groups = [{"label": row["label"], "n": row.get("n"), "suppressed": fmt.is_suppressed(row),
               "reason": row.get("reason")}
              for row in data["rows"].values()]
    rows = []
    for key in keys:
        cells: list[dict[str, Any] | None] = []
        for row in data["rows"].values():
            cell = None if fmt.is_suppressed(row) else row["dimensions"].get(key)
            if cell is None or fmt.is_suppressed(cell):
                # A hidden group, or too few of its members scored this dimension.
                cells.append(None)
                continue
            value = cell.get("mean")
            background, ink = heat_colours(value)
            cells.append({"value": value, "background": background, "ink": ink})
        rows.append({"label": instrument["labels"][key], "key": key, "cells": cells})
    spread = [{"label": instrument["labels"][k], "spread": s} for k, s in data["spread"].items()
              if s is not None]
    spread.sort(key=lambda row: -row["spread"]["range"])
    # Groups hidden because they are small, and groups hidden only to protect a smaller
    # one: the captions say which is which, never which group a group protects.
    return {"groups": groups, "rows": rows, "spread": spread[:3],
            "all_hidden": all(g["suppressed"] for g in groups),
            "hidden": [g["label"] for g in groups
                       if g["suppressed"] and g["reason"] != PROTECTS_SMALLER_GROUP],
            "protecting": [g["label"] for g in groups
                           if g["suppressed"] and g["reason"] == PROTECTS_SMALLER_GROUP],
            "scale": [{"value": v, "background": heat_colours(v)[0], "ink": heat_colours(v)[1]}
                      for v in (0, 20, 40, 60, 80, 100)]}


def _change_note(row: Mapping[str, Any], lang: Language) -> str:
    """'+4.2 (1.0 to 7.4)' beside a dimension's change; no interval where nothing varied."""
    if fmt.is_suppressed(row):
        return ""
    if row.get("interval") != "welch":
        return lang.difference(row.get("difference"))
    return (f"{lang.difference(row['difference'])} "
            f"({lang.interval(row.get('ci_low'), row.get('ci_high'))})")


def change_section(stats: Mapping[str, Any],
                   lang: Language = ENGLISH) -> dict[str, Any] | None:
    """Change since the previous campaign: table rows and the dumbbell chart."""
    change = stats.get("change")
    if not change:
        return None
    rows = change["dimensions"]
    chart_rows = [ChangeRow(r["label"], r.get("mean_b"), r.get("mean_a"),
                            note=_change_note(r, lang), suppressed=fmt.is_suppressed(r))
                  for r in rows]
    svg = change_chart(chart_rows, stats["threshold"], lang=lang)
    return {"previous": change["previous_campaign"], "rows": rows,
            "figure": figure(svg, lang.gettext(
                "Mean score per dimension in the previous campaign and this one, with the "
                "difference and its 95%% CI."))}


def organisation_context(stats: Mapping[str, Any], instrument: Mapping[str, Any],
                         lang: Language = ENGLISH) -> dict[str, Any]:
    """Everything the organisation template shows, as plain data and SVG charts."""
    _ = lang.gettext
    stats = label_campaign(stats, instrument, lang)
    campaign = stats["campaign"]
    context: dict[str, Any] = {
        "title": _("Digital maturity benchmark report: %(organisation)s",
                   organisation=campaign["organisation"]),
        "synthetic": stats["synthetic"], "campaign": campaign,
        "responses": stats["responses"], "threshold": stats["threshold"],
        "suppressed": stats["suppressed"], "instrument": instrument,
        "methodology": methodology.organisation_notes(stats, instrument),
    }
    if stats["suppressed"]:
        # The engine's message, in the report's language.
        context["message"] = lang.ngettext(
            "Fewer than %(num)s response: no results are shown until the campaign reaches "
            "the anonymity threshold.",
            "Fewer than %(num)s responses: no results are shown until the campaign reaches "
            "the anonymity threshold.", stats["threshold"])
        context["sections"] = [("withheld", _("Results withheld")),
                               ("methodology", _("Methodology"))]
        return context
    published = instrument["published"]
    capabilities = instrument["capabilities"]
    others = [d["key"] for d in instrument["dimensions"] if d["group"] != "capability"]
    tables = crosstab_rows(stats, published, lang)
    change = change_section(stats, lang)
    actions = instrument.get("actions", {})
    index = stats["results"]["dimensions"]["index"]
    # The index's components, whose weakest qualifies the band (the capabilities one by
    # one, digital vision, L&D readiness).
    components = [d["key"] for d in instrument["dimensions"]
                  if d["group"] in ("capability", "vision", "learning")]
    seniority_gap = stats["seniority_gap"]
    subsets = benchmark_subsets(stats, lang)
    priority_rows = priority_text.priority_rows(stats["priorities"], actions, lang)
    top_priority = priority_text.top_priority(stats["priorities"], actions, lang)
    context.update({
        "index": index,
        "subsets": subsets, "pools_note": pools_note(subsets, stats["threshold"], lang),
        "band_note": findings.band_qualification(stats, components, lang)
        if index.get("band") else None,
        "band_range": next((b for b in instrument["bands"]
                            if index.get("band") and b["key"] == index["band"]["key"]), None),
        "findings": findings.headline_findings(stats, instrument["bands"], lang),
        "top_priority": top_priority,
        "capability_rows": capability_rows(stats, capabilities),
        "other_rows": capability_rows(stats, [*others, "index"]),
        "shares": _vision_learning_shares(stats, published, lang),
        "customer_answers": stats["results"].get("customer_understanding"),
        "crosstabs": tables, "correlations": stats["correlations"],
        "crosstabs_suppressed": any(row["suppressed"] for t in tables for row in t["rows"]),
        "customer_items": sum(d["item_count"] for d in instrument["dimensions"]
                              if d["group"] == "customer"),
        "correlations_hidden": all(fmt.is_suppressed(row["spearman"])
                                   for row in stats["correlations"]),
        "seniority_gap": seniority_gap,
        "gaps_hidden": all(fmt.is_suppressed(gap) for gap in seniority_gap),
        "gaps_suppressed": any(fmt.is_suppressed(gap) for gap in seniority_gap),
        "heatmaps": {name: group_heatmap(stats, instrument, name)
                     for name in ("seniority", "function")},
        # Every priority in words (the dashboard lists them all), and the ranked ones the
        # report's table and actions show.
        "priorities": priority_rows,
        "ranked_priorities": priority_text.ranked(priority_rows),
        "priority_text": top_priority["text"],
        "priorities_none": priority_text.nothing_ranked(stats["priorities"], lang),
        "priorities_unranked": priority_text.unranked_notes(stats["priorities"], lang),
        "change": change,
        "charts": {
            "radar": _radar(stats, instrument, lang),
            "strips": _strips(stats, ["index", *others], instrument, lang),
            "crosstabs": crosstab_chart(tables, stats["threshold"], lang, lang.gettext(
                "Share saying everyone fully understands customers, by whether the "
                "representative capabilities are everyone's, by a clear digital vision and by "
                "L&D understanding, with 95%% confidence intervals."))
            if any(not t["all_hidden"] for t in tables) else None,
            "correlations": _correlation_chart(stats, lang),
        },
    })
    sections = [("summary", _("Executive summary")),
                ("capabilities", _("Capabilities against the benchmark")),
                ("vision", _("Digital vision and L&D readiness")),
                ("customers", _("Customer understanding")), ("groups", _("Where groups differ")),
                ("priorities", _("Priorities"))]
    if change:
        sections.append(("change", _("Change since the previous campaign")))
    context["sections"] = [*sections, ("methodology", _("Methodology"))]
    return context


def _vision_learning_shares(stats: Mapping[str, Any], published: Mapping[str, Any],
                            lang: Language) -> list[dict[str, Any]]:
    _ = lang.gettext
    found = stats.get("digiskills") or {}
    rows = [("vision_clear", _("Top leadership has set a clear digital vision (says yes)")),
            ("priorities_everyone", _("Everyone can state the main digital priorities")),
            ("learning_understands", _("L&D understands the digital skills needed (says yes)"))]
    return [{"label": label, "cell": found[key], "published": published.get(key)}
            for key, label in rows if found.get(key)]


def organisation_html(stats: Mapping[str, Any], instrument: Mapping[str, Any],
                      code: str = "en") -> str:
    """The organisation report as one HTML document, in the language `code`."""
    context = organisation_context(stats, instrument, language(code))
    return render_html("organisation.html", context, code)


def organisation_pdf(stats: Mapping[str, Any], instrument: Mapping[str, Any],
                     code: str = "en") -> bytes:
    """The organisation report as PDF bytes, in the language `code`."""
    return write_pdf(organisation_html(stats, instrument, code))
