"""The study report over the whole pool: `pool_statistics` -> template context -> PDF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessment.instrument.attributes import SIZE_BANDS
from assessment.stats.clustered import CLUSTER_BOOTSTRAP, RESAMPLES
from reports import formatting as fmt
from reports.charts import interval_chart
from reports.charts_benchmark import StripRow, benchmark_strips
from reports.formatting import ENGLISH, N_, Language
from reports.labels import label_pool
from reports.methodology import reliability_rows, rendering_notes
from reports.organisation import SPLITS, correlation_rows, crosstab_chart, crosstab_rows
from reports.render import figure, language, render_html, write_pdf

# One sentence per split, whole (so a translation can reorder it): the share saying
# everyone understands customers in the first and the last group, the published
# figures beside them, and the test.
SENTENCES = {
    "by_representative": N_(
        "Where everyone can do all three representative capabilities, %(first)s say everyone "
        "understands customers%(first_published)s; where none of the three is fully present, "
        "%(last)s%(last_published)s, and %(said_no)s say it does not%(said_no_published)s "
        "(%(test)s)."),
    "by_vision": N_(
        "Where respondents say leadership has set a clear digital vision, %(first)s say "
        "everyone understands customers%(first_published)s; where they say it has not, "
        "%(last)s%(last_published)s (%(test)s)."),
    "by_learning": N_(
        "Where respondents think L&D understands the digital skills needed, %(first)s say "
        "everyone understands customers%(first_published)s; where they think it does not, "
        "%(last)s%(last_published)s (%(test)s)."),
}


def headline(pool: Mapping[str, Any], published: Mapping[str, Any],
             lang: Language = ENGLISH) -> list[str]:
    """The Digiskills findings reproduced from the pool, each with n, Wilson CI and test."""
    found = pool["digiskills"]["respondent"]
    share = found["understands_customers"]
    lines = [lang.ngettext(
        "%(share)s of %(num)s respondent (95%% CI %(ci)s) say everyone in their organisation "
        "fully understands its customers, their preferences and behaviours%(published)s.",
        "%(share)s of %(num)s respondents (95%% CI %(ci)s) say everyone in their organisation "
        "fully understands its customers, their preferences and behaviours%(published)s.",
        share["n"], share=lang.percent(share["share"]), num=lang.count(share["n"]),
        ci=lang.percent_interval(share["ci_low"], share["ci_high"]),
        published=_published(published.get("understands_customers"), lang))]
    for split, (_title, labels) in SPLITS.items():
        data = found[split]
        first, last = list(labels)[0], list(labels)[-1]
        a, b = data["groups"][first], data["groups"][last]
        if fmt.is_suppressed(a) or fmt.is_suppressed(b) or not a["n"] or not b["n"]:
            continue
        values = {
            "first": _yes(a, lang), "last": _yes(b, lang),
            "first_published": _published(published.get(split, {}).get(first), lang),
            "last_published": _published(published.get(split, {}).get(last), lang),
            "test": lang.test_summary(data["test"])}
        if split == "by_representative":
            values |= {"said_no": lang.percent(b["says_no"]["share"]),
                       "said_no_published": _published(
                           published.get("by_representative_no", {}).get(last), lang)}
        lines.append(lang.gettext(SENTENCES[split], **values))
    return lines


def interval_note(pool: Mapping[str, Any], lang: Language = ENGLISH) -> str:
    """How the pool's respondent-level intervals were found, from the engine's codes."""
    found = pool["digiskills"]["respondent"]["understands_customers"]
    if found.get("interval") == CLUSTER_BOOTSTRAP:
        return lang.ngettext(
            "Intervals are cluster-bootstrap 95%% intervals: organisations are resampled "
            "with all their respondents, because people in one organisation answer alike. "
            "For the share who say everyone understands customers the design effect is "
            "%(deff)s across %(num)s organisation: an interval that ignored the clustering "
            "would be far too narrow.",
            "Intervals are cluster-bootstrap 95%% intervals: organisations are resampled "
            "with all their respondents, because people in one organisation answer alike. "
            "For the share who say everyone understands customers the design effect is "
            "%(deff)s across %(num)s organisations: an interval that ignored the clustering "
            "would be far too narrow.", found.get("clusters") or 0,
            num=lang.count(found.get("clusters")),
            deff=lang.number(found.get("design_effect"), 1))
    return lang.gettext("Intervals are Wilson 95%% score intervals: the pool has too few "
                        "organisations to allow for clustering by resampling them.")


def _yes(cell: Mapping[str, Any], lang: Language) -> str:
    yes = cell["says_yes"]
    return lang.gettext("%(share)s (n = %(n)s; 95%% CI %(ci)s)", share=lang.percent(yes["share"]),
                        n=lang.count(cell["n"]),
                        ci=lang.percent_interval(yes["ci_low"], yes["ci_high"]))


def _published(value: float | None, lang: Language) -> str:
    return "" if value is None else f" [Digiskills: {lang.percent(value, 0)}]"


def other_published(pool: Mapping[str, Any], instrument: Mapping[str, Any],
                    lang: Language = ENGLISH) -> list[dict[str, Any]]:
    """The other published Digiskills shares beside the pool's figures."""
    _ = lang.gettext
    found = pool["digiskills"]["respondent"]
    published = instrument["published"]
    rows = [{"label": _("Everyone can: %(capability)s",
                        capability=lang.inline(instrument["labels"][key])),
             "cell": found["everyone_can"][key], "published": published.get("everyone_can",
                                                                              {}).get(key)}
            for key in instrument["capabilities"]]
    rows.append({"label": _("Top leadership has set a clear digital vision"),
                 "cell": found["vision_clear"], "published": published.get("vision_clear")})
    if found.get("priorities_everyone"):
        rows.append({"label": _("Everyone can state the main digital priorities"),
                     "cell": found["priorities_everyone"],
                     "published": published.get("priorities_everyone")})
    rows.append({"label": _("L&D understands the digital skills needed"),
                 "cell": found["learning_understands"], "published": None})
    return rows


def distribution(pool: Mapping[str, Any], attribute: str, title: str,
                 threshold: int, lang: Language = ENGLISH) -> dict[str, Any]:
    """The index per sector (or size band): table rows and a strip chart."""
    rows = []
    found = pool["distributions"][attribute]
    # Size bands in their natural order, not alphabetical ("1000-4999" before "250-999").
    order = [b for b in SIZE_BANDS if b in found] if attribute == "size_band" else []
    # Sectors and size bands are stored as entered: named in the report's language.
    name = lang.size_band if attribute == "size_band" else lang.sector
    for value in order + sorted((v for v in found if v not in order), key=name):
        cell = found[value]
        index = {} if fmt.is_suppressed(cell) else cell["dimensions"]["index"]
        # A cut is shown only where its index benchmark is (enough organisations scored).
        suppressed = fmt.is_suppressed(cell) or fmt.is_suppressed(index)
        index = {} if suppressed else index
        rows.append({"label": name(value), "suppressed": suppressed,
                     "organisations": cell.get("organisations"),
                     "respondents": cell.get("respondents"), "index": index})
    strips = [StripRow(r["label"], r["index"].get("median"), r["index"].get("top25"),
                       r["index"].get("top10"), suppressed=r["suppressed"],
                       note="" if r["suppressed"] else lang.gettext(
                           "%(n)s org.", n=r["organisations"]))
              for r in rows]
    svg = benchmark_strips(strips, threshold, show_value=False, unit="organisations",
                           lang=lang)
    alt = lang.gettext(
        "Digital maturity index by %(attribute)s: median, top-25%% and top-10%% thresholds of "
        "the organisations' index; %(medians)s.", attribute=title.lower(), medians="; ".join(
            lang.gettext("%(group)s median %(median)s", group=r["label"],
                         median=lang.score(r["index"].get("median")))
            for r in rows if not r["suppressed"]))
    return {"title": title, "rows": rows, "figure": figure(svg, alt)}


def study_context(pool: Mapping[str, Any], instrument: Mapping[str, Any],
                  threshold: int, lang: Language = ENGLISH) -> dict[str, Any]:
    """Everything the study template shows, as plain data and SVG charts."""
    _ = lang.gettext
    pool = label_pool(pool, instrument)
    published = instrument["published"]
    levels = {level: crosstab_rows({"digiskills": pool["digiskills"][level]},
                                   published if level == "respondent" else {}, lang)
              for level in ("respondent", "organisation")}
    labels = instrument["labels"]
    # Dimensions in the instrument's order, whatever the order of the JSON's keys.
    order = [*(d["key"] for d in instrument["dimensions"]), "index"]
    correlations = pool["correlations"]
    corr_svg = interval_chart(correlation_rows(correlations, lang), axis=(-0.2, 1),
                              axis_label=_("Spearman correlation with the "
                                           "customer-understanding score"),
                              threshold=threshold, value_format="correlation",
                              zero_line=0.0, lang=lang)
    no_link = {"n": None, "r": None, "ci_low": None, "ci_high": None, "p_value": None}
    links = [{"label": labels[key], "cell": no_link if fmt.is_suppressed(cell) else cell}
             for key in order if (cell := pool["capability_links"].get(key)) is not None]
    blank = {"n": None, "median": None, "top25": None, "top10": None}
    benchmark = [{"label": labels[key], "cell": blank if fmt.is_suppressed(cell) else cell}
                 for key in order if (cell := pool["benchmark"].get(key)) is not None]
    seniority_gap = pool["seniority_gap"]
    distributions = [distribution(pool, "sector", _("Sector"), threshold, lang),
                     distribution(pool, "size_band", _("Size band"), threshold, lang)]
    return {
        "title": _("Digital maturity benchmark study (%(questionnaire)s)",
                   questionnaire=pool["questionnaire"]),
        "synthetic": pool["synthetic"], "all_synthetic": pool["all_synthetic"],
        "pool": pool, "instrument": instrument, "threshold": threshold,
        "findings": headline(pool, published, lang), "crosstabs": levels,
        "other_published": other_published(pool, instrument, lang),
        "distributions": distributions,
        "benchmark": benchmark, "correlations": correlations, "links": links,
        "seniority_gap": seniority_gap,
        "charts": {"crosstabs": crosstab_chart(
            levels["respondent"], threshold, lang, lang.gettext(
                "The pool's respondents: share saying everyone fully understands customers by "
                "representative capabilities, digital vision and L&D understanding, with 95%% "
                "intervals and the published Digiskills figures."), count=lang.count),
                   "correlations": figure(corr_svg, _(
                       "Spearman correlations of each capability, vision and L&D readiness "
                       "with customer understanding across all respondents."))},
        "interval_note": interval_note(pool, lang),
        "gaps_suppressed": any(fmt.is_suppressed(gap) for gap in seniority_gap),
        "gaps_clustered": any(gap.get("interval") == CLUSTER_BOOTSTRAP for gap in seniority_gap),
        "distributions_suppressed": any(row["suppressed"] for block in distributions
                                        for row in block["rows"]),
        "methodology": {"kind": "study", "rendering": rendering_notes(),
                        "reliability": reliability_rows(pool["reliability"], instrument),
                        "alpha_method": _("cluster bootstrap") if any(
                            cell.get("interval") == CLUSTER_BOOTSTRAP
                            for cell in pool["reliability"].values()) else "Feldt",
                        "resamples": RESAMPLES,
                        "pool": {"all": pool["organisations"]}},
        "sections": [("findings", _("Headline findings")),
                     ("digiskills", _("The Digiskills analyses")),
                     ("distributions", _("By sector and size band")),
                     ("relations", _("Capability and customer understanding")),
                     ("methodology", _("Methodology"))],
    }


def study_html(pool: Mapping[str, Any], instrument: Mapping[str, Any], threshold: int,
               code: str = "en") -> str:
    """The study report as one HTML document, in the language `code`."""
    return render_html("study.html", study_context(pool, instrument, threshold,
                                                   language(code)), code)


def study_pdf(pool: Mapping[str, Any], instrument: Mapping[str, Any], threshold: int,
              code: str = "en") -> bytes:
    """The study report as PDF bytes, in the language `code`."""
    return write_pdf(study_html(pool, instrument, threshold, code))
