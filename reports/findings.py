"""Headline findings of an organisation report, written from the engine's figures.

Each function reads one part of `campaign_statistics` and returns a sentence (or None
when the data cannot support one); what a finding says - above or below, clear or
within the margin of error - follows the numbers. Each sentence is one message of the
catalogue with named placeholders (never fragments glued together), so a translation
can put the figures in its own order. Suppressed cells are never read for figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessment.analysis.priorities import AT_TOP_QUARTILE, GAP_LINKED, GAP_NOT_LINKED
from reports import formatting as fmt
from reports.formatting import ENGLISH, Language


def _visible(cell: Any) -> bool:
    return isinstance(cell, Mapping) and not fmt.is_suppressed(cell)


def capability_standing(stats: Mapping[str, Any], capabilities: list[str],
                        lang: Language = ENGLISH) -> str | None:
    """Strongest and weakest capability against the benchmark median (or in absolute terms)."""
    _ = lang.gettext
    dimensions = stats["results"]["dimensions"]
    pool = stats["benchmark"]["all"]
    scored = [(key, dimensions[key]) for key in capabilities
              if _visible(dimensions.get(key)) and dimensions[key].get("mean") is not None]
    if not scored:
        return None
    if not _visible(pool) or "dimensions" not in pool:
        high = max(scored, key=lambda kv: kv[1]["mean"])
        low = min(scored, key=lambda kv: kv[1]["mean"])
        return lang.ngettext(
            "Highest-scoring capability: %(high)s (%(high_score)s); lowest: %(low)s "
            "(%(low_score)s). There is no benchmark yet: the pool has fewer than %(num)s "
            "organisation.",
            "Highest-scoring capability: %(high)s (%(high_score)s); lowest: %(low)s "
            "(%(low_score)s). There is no benchmark yet: the pool has fewer than %(num)s "
            "organisations.",
            stats["threshold"], high=high[1]["label"], high_score=lang.score(high[1]["mean"]),
            low=low[1]["label"], low_score=lang.score(low[1]["mean"]))
    marks = pool["dimensions"]
    gaps = [(key, cell["mean"] - marks[key]["median"]) for key, cell in scored
            if marks.get(key, {}).get("median") is not None]
    if not gaps:
        return None
    best = max(gaps, key=lambda kv: kv[1])
    worst = min(gaps, key=lambda kv: kv[1])

    def describe(key: str, gap: float) -> str:
        values = {"label": lang.inline(dimensions[key]["label"]),
                  "score": lang.score(dimensions[key]["mean"]), "gap": lang.score(abs(gap)),
                  "median": lang.score(marks[key]["median"]),
                  "rank": lang.rank(marks[key].get("percentile_rank"))}
        if gap >= 0:
            return _("%(label)s (%(score)s, %(gap)s points above the median of %(median)s; "
                     "percentile rank %(rank)s)", **values)
        return _("%(label)s (%(score)s, %(gap)s points below the median of %(median)s; "
                 "percentile rank %(rank)s)", **values)

    n = pool["organisations"]
    if best[0] == worst[0]:
        return lang.ngettext("Against the median of %(num)s organisation: %(best)s.",
                             "Against the median of %(num)s organisations: %(best)s.",
                             n, best=describe(*best))
    if best[1] < 0:
        # Behind everywhere: "strongest" would mislead, so say where the gap is smallest.
        return lang.ngettext(
            "Against the median of %(num)s organisation, every capability is below the "
            "median; the gap is smallest for %(best)s and largest for %(worst)s.",
            "Against the median of %(num)s organisations, every capability is below the "
            "median; the gap is smallest for %(best)s and largest for %(worst)s.",
            n, best=describe(*best), worst=describe(*worst))
    if worst[1] >= 0:
        return lang.ngettext(
            "Against the median of %(num)s organisation, every capability is at or above "
            "the median; most for %(best)s, least for %(worst)s.",
            "Against the median of %(num)s organisations, every capability is at or above "
            "the median; most for %(best)s, least for %(worst)s.",
            n, best=describe(*best), worst=describe(*worst))
    return lang.ngettext(
        "Against the median of %(num)s organisation, the strongest capability is %(best)s; "
        "the weakest is %(worst)s.",
        "Against the median of %(num)s organisations, the strongest capability is %(best)s; "
        "the weakest is %(worst)s.",
        n, best=describe(*best), worst=describe(*worst))


def seniority_gap(stats: Mapping[str, Any], lang: Language = ENGLISH) -> str | None:
    """The largest difference between senior leaders and staff, with its interval."""
    _ = lang.gettext
    rows = [g for g in stats.get("seniority_gap", [])
            if _visible(g) and g.get("difference") is not None and g["dimension"] != "index"]
    if not rows:
        return function_spread(stats, lang)
    gap = max(rows, key=lambda g: abs(g["difference"]))
    clear = (gap.get("ci_low") is not None and gap.get("ci_high") is not None
             and (gap["ci_low"] > 0 or gap["ci_high"] < 0))
    values = {"label": lang.inline(gap["label"]), "gap": lang.score(abs(gap["difference"])),
              "senior": lang.score(gap["mean_a"]), "staff": lang.score(gap["mean_b"]),
              "ci": lang.interval(gap.get("ci_low"), gap.get("ci_high")),
              "n_senior": lang.count(gap["n_a"]), "n_staff": lang.count(gap["n_b"])}
    higher = gap["difference"] >= 0
    if higher and clear:
        return _("Senior leaders rate %(label)s %(gap)s points higher than staff (%(senior)s "
                 "against %(staff)s; 95%% CI of the difference %(ci)s; n = %(n_senior)s and "
                 "%(n_staff)s), larger than chance would explain.", **values)
    if higher:
        return _("Senior leaders rate %(label)s %(gap)s points higher than staff (%(senior)s "
                 "against %(staff)s; 95%% CI of the difference %(ci)s; n = %(n_senior)s and "
                 "%(n_staff)s), within the margin of error.", **values)
    if clear:
        return _("Senior leaders rate %(label)s %(gap)s points lower than staff (%(senior)s "
                 "against %(staff)s; 95%% CI of the difference %(ci)s; n = %(n_senior)s and "
                 "%(n_staff)s), larger than chance would explain.", **values)
    return _("Senior leaders rate %(label)s %(gap)s points lower than staff (%(senior)s "
             "against %(staff)s; 95%% CI of the difference %(ci)s; n = %(n_senior)s and "
             "%(n_staff)s), within the margin of error.", **values)


def function_spread(stats: Mapping[str, Any], lang: Language = ENGLISH) -> str | None:
    """Where business functions differ most, when seniority levels cannot be compared."""
    breakdown = stats.get("groups", {}).get("function")
    if not breakdown:
        return None
    visible = {code: {**row, "means": {key: cell.get("mean")
                                       for key, cell in row["dimensions"].items()}}
               for code, row in breakdown["rows"].items() if "dimensions" in row}
    spreads = [(key, s) for key, s in breakdown["spread"].items()
               if s is not None and key.startswith("cap_")]
    if len(visible) < 2 or not spreads:
        return lang.ngettext(
            "Seniority levels and business functions cannot be compared: too few groups "
            "have %(num)s or more respondent.",
            "Seniority levels and business functions cannot be compared: too few groups "
            "have %(num)s or more respondents.", stats["threshold"])
    key, spread = max(spreads, key=lambda kv: kv[1]["range"])
    low = next(r for r in visible.values() if r["means"].get(key) == spread["lowest"])
    high = next(r for r in visible.values() if r["means"].get(key) == spread["highest"])
    return lang.gettext(
        "Business functions differ most on %(label)s: from %(lowest)s (%(low_group)s) to "
        "%(highest)s (%(high_group)s), a range of %(range)s points.",
        label=lang.inline(stats["results"]["dimensions"][key]["label"]),
        lowest=lang.score(spread["lowest"]), low_group=low["label"],
        highest=lang.score(spread["highest"]), high_group=high["label"],
        range=lang.score(spread["range"]))


def customer_understanding(stats: Mapping[str, Any], published: Mapping[str, Any],
                           lang: Language = ENGLISH) -> str | None:
    """The share saying everyone understands customers, and its closest capability link."""
    _ = lang.gettext
    answers = stats["results"].get("customer_understanding")
    if not _visible(answers) or "yes" not in answers.get("answers", {}):
        return None
    yes = answers["answers"]["yes"]
    values: dict[str, Any] = {
        "share": lang.percent(yes["share"]), "yes": lang.count(yes["successes"]),
        "n": lang.count(yes["n"]), "ci": lang.percent_interval(yes["ci_low"], yes["ci_high"])}
    if "understands_customers" in published:
        sentence = _("%(share)s of respondents (%(yes)s of %(n)s; 95%% CI %(ci)s) say everyone "
                     "in the organisation fully understands its customers (Digiskills 2015: "
                     "%(published)s).",
                     published=lang.percent(published["understands_customers"], 0), **values)
    else:
        sentence = _("%(share)s of respondents (%(yes)s of %(n)s; 95%% CI %(ci)s) say everyone "
                     "in the organisation fully understands its customers.", **values)
    links = [row for row in stats.get("correlations", [])
             if _visible(row.get("spearman")) and row["spearman"].get("r") is not None
             and row["dimension"].startswith("cap_")]
    if links:
        best = max(links, key=lambda row: row["spearman"]["r"])
        rho = best["spearman"]
        sentence += " " + _(
            "Among the capabilities it goes most closely with %(label)s (Spearman r = %(r)s, "
            "95%% CI %(ci)s, n = %(n)s).", label=lang.inline(best["label"]),
            r=lang.correlation(rho["r"]), ci=lang.interval(rho["ci_low"], rho["ci_high"], 2),
            n=lang.count(rho["n"]))
    return sentence


def priority_reason(priority: Mapping[str, Any], lang: Language = ENGLISH) -> str:
    """Why a capability ranks where it does: the engine's reason code, phrased in the
    report's language with the priority's own figures."""
    _ = lang.gettext
    label, reason = priority["label"], priority["reason"]
    if reason == AT_TOP_QUARTILE:
        return _("%(label)s: already at or above the top quartile of the benchmark.",
                 label=label)
    values = {"label": label, "gap": lang.number(priority.get("gap"), 0),
              "r": lang.correlation(priority.get("link"))}
    if reason == GAP_NOT_LINKED:
        return _("%(label)s: %(gap)s points below the top quartile, but organisations "
                 "stronger here do not understand customers better (r = %(r)s).", **values)
    if reason == GAP_LINKED:
        return _("%(label)s: %(gap)s points below the top quartile; organisations stronger "
                 "here understand customers better (r = %(r)s).", **values)
    return _("%(label)s: not enough data to rank.", label=label)


def top_priority(stats: Mapping[str, Any], lang: Language = ENGLISH) -> str:
    """The capability to develop first, or why none stands out."""
    ranked = [p for p in stats.get("priorities", []) if p.get("priority")]
    if not ranked:
        return lang.gettext(
            "No capability stands out as a priority: either the organisation is at or above "
            "the benchmark's top quartile everywhere, or there is not yet enough benchmark "
            "data to rank them.")
    return lang.gettext("Develop first: %(reason)s", reason=priority_reason(ranked[0], lang))


def headline_findings(
    stats: Mapping[str, Any], capabilities: list[str], published: Mapping[str, Any],
    lang: Language = ENGLISH,
) -> list[str]:
    """The three headline findings: capability standing, group gap, customers."""
    found = [capability_standing(stats, capabilities, lang), seniority_gap(stats, lang),
             customer_understanding(stats, published, lang)]
    return [f for f in found if f]
