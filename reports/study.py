"""The study report over the whole pool: `pool_statistics` -> template context -> PDF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessment.operations import SIZE_BANDS
from reports import formatting as fmt
from reports.charts import IntervalRow, interval_chart
from reports.charts_benchmark import StripRow, benchmark_strips
from reports.methodology import reliability_rows, rendering_notes
from reports.organisation import SPLITS, crosstab_rows
from reports.render import figure, render_html, write_pdf

LEVELS = {"respondent": "Respondents", "organisation": "Organisations"}
PHRASES = {
    "by_representative": ("Where everyone can do all three representative capabilities",
                          "where none of the three is fully present"),
    "by_vision": ("Where respondents say leadership has set a clear digital vision",
                  "where they say it has not"),
    "by_learning": ("Where respondents think L&D understands the digital skills needed",
                    "where they think it does not"),
}


def headline(pool: Mapping[str, Any], published: Mapping[str, Any]) -> list[str]:
    """The Digiskills findings reproduced from the pool, each with n, Wilson CI and test."""
    found = pool["digiskills"]["respondent"]
    share = found["understands_customers"]
    lines = [f"{fmt.percent(share['share'])} of {fmt.count(share['n'])} respondents (95% CI "
             f"{fmt.percent(share['ci_low'])} to {fmt.percent(share['ci_high'])}) say everyone "
             f"in their organisation fully understands its customers, their preferences and "
             f"behaviours" + _published(published.get("understands_customers")) + "."]
    for split, (_title, labels) in SPLITS.items():
        data = found[split]
        first, last = list(labels)[0], list(labels)[-1]
        where_first, where_last = PHRASES[split]
        a, b = data["groups"][first], data["groups"][last]
        if fmt.is_suppressed(a) or fmt.is_suppressed(b) or not a["n"] or not b["n"]:
            continue
        said_no = ""
        if split == "by_representative":
            said_no = f", and {fmt.percent(b['says_no']['share'])} say it does not" + \
                _published(published.get("by_representative_no", {}).get(last))
        lines.append(
            f"{where_first}, {_yes(a)} say everyone understands customers"
            + _published(published.get(split, {}).get(first))
            + f"; {where_last}, {_yes(b)}"
            + _published(published.get(split, {}).get(last)) + said_no
            + f" ({fmt.test_summary(data['test'])}).")
    return lines


def _yes(cell: Mapping[str, Any]) -> str:
    yes = cell["says_yes"]
    return (f"{fmt.percent(yes['share'])} (n = {fmt.count(cell['n'])}; 95% CI "
            f"{fmt.percent(yes['ci_low'])} to {fmt.percent(yes['ci_high'])})")


def _published(value: float | None) -> str:
    return "" if value is None else f" [Digiskills: {fmt.percent(value, 0)}]"


def other_published(pool: Mapping[str, Any], instrument: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The other published Digiskills shares beside the pool's figures."""
    found = pool["digiskills"]["respondent"]
    published = instrument["published"]
    rows = [{"label": f"Everyone can: {instrument['labels'][key].lower()}",
             "cell": found["everyone_can"][key], "published": published.get("everyone_can",
                                                                              {}).get(key)}
            for key in instrument["capabilities"]]
    rows.append({"label": "Top leadership has set a clear digital vision",
                 "cell": found["vision_clear"], "published": published.get("vision_clear")})
    if found.get("priorities_everyone"):
        rows.append({"label": "Everyone can state the main digital priorities",
                     "cell": found["priorities_everyone"],
                     "published": published.get("priorities_everyone")})
    rows.append({"label": "L&D understands the digital skills needed",
                 "cell": found["learning_understands"], "published": None})
    return rows


def distribution(pool: Mapping[str, Any], attribute: str, title: str,
                 threshold: int) -> dict[str, Any]:
    """The index per sector (or size band): table rows and a strip chart."""
    rows = []
    found = pool["distributions"][attribute]
    # Size bands in their natural order, not alphabetical ("1000-4999" before "250-999").
    order = [b for b in SIZE_BANDS if b in found] if attribute == "size_band" else []
    for value in order + sorted(v for v in found if v not in order):
        cell = found[value]
        suppressed = fmt.is_suppressed(cell)
        index = {} if suppressed else cell["dimensions"]["index"]
        rows.append({"label": value, "suppressed": suppressed,
                     "organisations": cell.get("organisations"),
                     "respondents": cell.get("respondents"), "index": index})
    strips = [StripRow(r["label"], r["index"].get("median"), r["index"].get("top25"),
                       r["index"].get("top10"), suppressed=r["suppressed"],
                       note="" if r["suppressed"] else f"{r['organisations']} org.")
              for r in rows]
    svg = benchmark_strips(strips, threshold, show_value=False, unit="organisations")
    alt = (f"Digital maturity index by {title.lower()}: median, top-25% and top-10% thresholds "
           "of the organisations' index; " + "; ".join(
               f"{r['label']} median {fmt.score(r['index'].get('median'))}"
               for r in rows if not r["suppressed"]) + ".")
    return {"title": title, "rows": rows, "figure": figure(svg, alt)}


def _crosstab_chart(tables: list[dict[str, Any]], threshold: int) -> dict[str, str]:
    rows: list[IntervalRow] = []
    for table in tables:
        rows.append(IntervalRow(table["title"], heading=True))
        for row in table["rows"]:
            cell = row["cell"]
            if row["suppressed"] or not cell["n"]:
                rows.append(IntervalRow(row["label"], suppressed=row["suppressed"],
                                        note="" if row["suppressed"] else "n = 0"))
                continue
            yes = cell["says_yes"]
            rows.append(IntervalRow(row["label"], yes["share"], yes["ci_low"], yes["ci_high"],
                                    note=f"n = {fmt.count(cell['n'])}",
                                    reference=row["published"]))
    svg = interval_chart(rows, axis=(0, 100), axis_label="Say everyone fully understands "
                         "customers (%)", threshold=threshold, value_format="percent")
    return figure(svg, "The pool's respondents: share saying everyone fully understands "
                       "customers by representative capabilities, digital vision and L&D "
                       "understanding, with 95% intervals and the published Digiskills figures.")


def study_context(pool: Mapping[str, Any], instrument: Mapping[str, Any],
                  threshold: int) -> dict[str, Any]:
    """Everything the study template shows, as plain data and SVG charts."""
    published = instrument["published"]
    levels = {level: crosstab_rows({"digiskills": data}, published if level == "respondent"
                                   else {})
              for level, data in pool["digiskills"].items()}
    correlations = pool["correlations"]
    chart_rows = [IntervalRow(row["label"], row["spearman"].get("r"),
                              row["spearman"].get("ci_low"), row["spearman"].get("ci_high"),
                              note=f"n = {fmt.count(row['spearman'].get('n'))}",
                              suppressed=fmt.is_suppressed(row["spearman"]))
                  for row in correlations]
    corr_svg = interval_chart(chart_rows, axis=(-0.2, 1), axis_label="Spearman correlation "
                              "with 'everyone fully understands customers'",
                              threshold=threshold, value_format="correlation", zero_line=0.0)
    links = [{"label": instrument["labels"][key], "cell": cell}
             for key, cell in pool["capability_links"].items()]
    benchmark = [{"label": instrument["labels"][key], "cell": cell}
                 for key, cell in pool["benchmark"].items()]
    return {
        "lang": "en", "title": f"Digital maturity benchmark study ({pool['questionnaire']})",
        "synthetic": pool["synthetic"], "all_synthetic": pool["all_synthetic"],
        "pool": pool, "instrument": instrument, "threshold": threshold,
        "findings": headline(pool, published), "crosstabs": levels,
        "other_published": other_published(pool, instrument),
        "distributions": [distribution(pool, "sector", "Sector", threshold),
                          distribution(pool, "size_band", "Size band", threshold)],
        "benchmark": benchmark, "correlations": correlations, "links": links,
        "seniority_gap": pool["seniority_gap"],
        "charts": {"crosstabs": _crosstab_chart(levels["respondent"], threshold),
                   "correlations": figure(corr_svg, "Spearman correlations of each "
                                          "capability, vision and L&D readiness with customer "
                                          "understanding across all respondents.")},
        "methodology": {"rendering": rendering_notes(),
                        "reliability": reliability_rows(pool["reliability"]),
                        "pool": {"all": pool["organisations"]}},
        "sections": [("findings", "Headline findings"), ("digiskills", "The Digiskills analyses"),
                     ("distributions", "By sector and size band"),
                     ("relations", "Capability and customer understanding"),
                     ("methodology", "Methodology")],
    }


def study_html(pool: Mapping[str, Any], instrument: Mapping[str, Any], threshold: int) -> str:
    """The study report as one HTML document."""
    return render_html("study.html", study_context(pool, instrument, threshold))


def study_pdf(pool: Mapping[str, Any], instrument: Mapping[str, Any], threshold: int) -> bytes:
    """The study report as PDF bytes."""
    return write_pdf(study_html(pool, instrument, threshold))
