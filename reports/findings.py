"""Headline findings: candidate findings from the engine's figures, ranked by named rules.

The rules (also printed in each report's methodology appendix):

* Candidates come from four families: each of the eleven dimensions and the index
  against the benchmark median of all organisations (BENCHMARK); each dimension's
  correlation with customer understanding within the organisation (LINK); each
  dimension's and the index's change since the previous campaign (CHANGE); and the
  difference between senior leaders and staff (GAP).
* A candidate is stated only when its effect is material - a difference of at least
  MATERIAL_POINTS on the 0-100 scale, a correlation of at least MATERIAL_CORRELATION -
  and its 95% interval excludes no effect (the benchmark median for a score, zero for a
  change, a gap or a correlation); correlations and gaps, which are families of
  comparisons, also need a Benjamini-Hochberg adjusted p below SIGNIFICANCE. A figure
  without an interval (everyone answered alike) is never a headline.
* Every figure a sentence cites rests on at least the anonymity threshold of
  respondents: a hidden cell has no figures, and a shown one is checked again here.
* The index's candidates come first (it sums up every dimension); the others rank by
  their effect over its material threshold (a fall of 80 points is eight times
  material, r = 0.45 one and a half); at most MAX_PER_FAMILY come from one family and
  MAX_FINDINGS are shown. When none qualifies, one sentence says so.

Each sentence is one message of the catalogue with named placeholders (never
fragments glued together) and ends with what it means for the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from reports import formatting as fmt
from reports.formatting import ENGLISH, Language

MATERIAL_POINTS: Final = 10.0  # half a maturity band (bands are 20 points wide)
MATERIAL_CORRELATION: Final = 0.3  # Cohen's "medium" correlation
SIGNIFICANCE: Final = 0.05  # adjusted p of a family of comparisons
MAX_FINDINGS: Final = 4
MAX_PER_FAMILY: Final = 2
# The band is qualified by its weakest component when that component ranks below this
# percentile among all organisations (below the median).
QUALIFY_BELOW_RANK: Final = 50.0

BENCHMARK, LINK, CHANGE, GAP = "benchmark", "link", "change", "gap"
INDEX = "index"


@dataclass(frozen=True)
class Finding:
    """One candidate finding: its family, dimension, strength and sentence."""

    family: str
    dimension: str
    strength: float  # the effect over its material threshold: what ranks candidates
    sentence: str


def _shown(cell: Any, threshold: int, *counts: str) -> bool:
    """A cell that may carry figures: shown, and each of its counts at the threshold."""
    if not isinstance(cell, Mapping) or fmt.is_suppressed(cell):
        return False
    return all(isinstance(cell.get(key), int) and cell[key] >= threshold
               for key in counts or ("n",))


def _excludes(low: Any, high: Any, value: float) -> bool:
    return low is not None and high is not None and (low > value or high < value)


def benchmark_candidates(stats: Mapping[str, Any], lang: Language = ENGLISH) -> list[Finding]:
    """Dimensions (and the index) whose score is materially and clearly off the median."""
    pool = stats["benchmark"]["all"]
    if fmt.is_suppressed(pool):
        return []
    threshold = stats["threshold"]
    found = []
    for key, cell in stats["results"]["dimensions"].items():
        marks = pool["dimensions"].get(key)
        if (not _shown(cell, threshold) or cell.get("interval") != "t"
                or not isinstance(marks, Mapping) or fmt.is_suppressed(marks)
                or marks.get("median") is None):
            continue
        gap = cell["mean"] - marks["median"]
        if abs(gap) < MATERIAL_POINTS or not _excludes(cell["ci_low"], cell["ci_high"],
                                                       marks["median"]):
            continue
        values = {"label": cell["label"], "score": lang.score(cell["mean"]),
                  "gap": lang.score(abs(gap)), "median": lang.score(marks["median"]),
                  "ci": lang.interval(cell["ci_low"], cell["ci_high"]),
                  "respondents": lang.count(cell["n"]), "rank": lang.rank_range(marks),
                  "num": lang.count(pool["organisations"])}
        if gap > 0:
            sentence = lang.ngettext(
                "%(label)s scores %(score)s, %(gap)s points above the benchmark median of "
                "%(median)s (95%% CI %(ci)s; n = %(respondents)s; percentile rank %(rank)s among "
                "%(num)s organisation): a clear strength to build on.",
                "%(label)s scores %(score)s, %(gap)s points above the benchmark median of "
                "%(median)s (95%% CI %(ci)s; n = %(respondents)s; percentile rank %(rank)s among "
                "%(num)s organisations): a clear strength to build on.",
                pool["organisations"], **values)
        else:
            sentence = lang.ngettext(
                "%(label)s scores %(score)s, %(gap)s points below the benchmark median of "
                "%(median)s (95%% CI %(ci)s; n = %(respondents)s; percentile rank %(rank)s among "
                "%(num)s organisation): a gap larger than the margin of error, and a place "
                "to start.",
                "%(label)s scores %(score)s, %(gap)s points below the benchmark median of "
                "%(median)s (95%% CI %(ci)s; n = %(respondents)s; percentile rank %(rank)s among "
                "%(num)s organisations): a gap larger than the margin of error, and a place "
                "to start.",
                pool["organisations"], **values)
        found.append(Finding(BENCHMARK, key, abs(gap) / MATERIAL_POINTS, sentence))
    return found


def link_candidates(stats: Mapping[str, Any], lang: Language = ENGLISH) -> list[Finding]:
    """Dimensions that go materially and clearly with customer understanding."""
    found = []
    for row in stats.get("correlations", []):
        rho = row.get("spearman")
        if not _shown(rho, stats["threshold"]) or rho.get("r") is None:
            continue
        if (abs(rho["r"]) < MATERIAL_CORRELATION or not _excludes(rho["ci_low"],
                                                                  rho["ci_high"], 0.0)
                or rho.get("p_adjusted") is None or rho["p_adjusted"] >= SIGNIFICANCE):
            continue
        values = {"label": lang.inline(row["label"]), "r": lang.correlation(rho["r"]),
                  "ci": lang.interval(rho["ci_low"], rho["ci_high"], 2),
                  "n": lang.count(rho["n"])}
        if rho["r"] > 0:
            sentence = lang.gettext(
                "Within the organisation, people who rate %(label)s higher also rate its "
                "customer understanding higher (Spearman r = %(r)s, 95%% CI %(ci)s, "
                "n = %(n)s): strengthening it is a lever worth testing for understanding "
                "customers.", **values)
        else:
            sentence = lang.gettext(
                "Within the organisation, people who rate %(label)s higher rate its customer "
                "understanding lower (Spearman r = %(r)s, 95%% CI %(ci)s, n = %(n)s): an "
                "unusual pattern worth looking into.", **values)
        found.append(Finding(LINK, row["dimension"], abs(rho["r"]) / MATERIAL_CORRELATION,
                             sentence))
    return found


def band_of(score: float | None, bands: Sequence[Mapping[str, Any]]) -> str | None:
    """The label of the maturity band a score falls in (the instrument's rule: the
    highest band whose lower limit the score reaches)."""
    if score is None:
        return None
    chosen = None
    for band in sorted(bands, key=lambda b: b["min"]):
        if score >= band["min"]:
            chosen = band["label"]
    return chosen


def change_candidates(stats: Mapping[str, Any], bands: Sequence[Mapping[str, Any]],
                      lang: Language = ENGLISH) -> list[Finding]:
    """Dimensions (and the index) that changed materially and clearly since last time."""
    change = stats.get("change")
    if not change:
        return []
    previous = change["previous_campaign"]["name"]
    found = []
    for row in change["dimensions"]:
        if (not _shown(row, stats["threshold"], "n_a", "n_b") or row.get("interval") != "welch"
                or abs(row["difference"]) < MATERIAL_POINTS
                or not _excludes(row["ci_low"], row["ci_high"], 0.0)):
            continue
        values = {"label": row["label"], "change": lang.score(abs(row["difference"])),
                  "previous": previous, "before": lang.score(row["mean_b"]),
                  "after": lang.score(row["mean_a"]),
                  "ci": lang.interval(row["ci_low"], row["ci_high"]),
                  "n_after": lang.count(row["n_a"]), "n_before": lang.count(row["n_b"])}
        band_before, band_after = band_of(row["mean_b"], bands), band_of(row["mean_a"], bands)
        fell = row["difference"] < 0
        if row["dimension"] == INDEX and band_before != band_after:
            values |= {"band_before": band_before, "band_after": band_after}
            sentence = lang.gettext(
                "The digital maturity index fell %(change)s points since “%(previous)s” (from "
                "%(before)s to %(after)s; 95%% CI of the change %(ci)s; n = %(n_after)s and "
                "%(n_before)s), taking the organisation down from the %(band_before)s band "
                "to the %(band_after)s band.", **values) if fell else lang.gettext(
                "The digital maturity index rose %(change)s points since “%(previous)s” (from "
                "%(before)s to %(after)s; 95%% CI of the change %(ci)s; n = %(n_after)s and "
                "%(n_before)s), taking the organisation up from the %(band_before)s band to "
                "the %(band_after)s band.", **values)
        elif fell:
            sentence = lang.gettext(
                "%(label)s fell %(change)s points since “%(previous)s” (from %(before)s to "
                "%(after)s; 95%% CI of the change %(ci)s; n = %(n_after)s and %(n_before)s): "
                "a fall this large is not chance and needs an explanation.", **values)
        else:
            sentence = lang.gettext(
                "%(label)s rose %(change)s points since “%(previous)s” (from %(before)s to "
                "%(after)s; 95%% CI of the change %(ci)s; n = %(n_after)s and %(n_before)s): "
                "progress larger than the margin of error.", **values)
        found.append(Finding(CHANGE, row["dimension"],
                             abs(row["difference"]) / MATERIAL_POINTS, sentence))
    return found


def gap_candidates(stats: Mapping[str, Any], lang: Language = ENGLISH) -> list[Finding]:
    """Dimensions on which senior leaders and staff differ materially and clearly."""
    found = []
    for gap in stats.get("seniority_gap", []):
        if (not _shown(gap, stats["threshold"], "n_a", "n_b") or gap.get("interval") != "welch"
                or abs(gap["difference"]) < MATERIAL_POINTS
                or not _excludes(gap["ci_low"], gap["ci_high"], 0.0)
                or gap.get("p_adjusted") is None or gap["p_adjusted"] >= SIGNIFICANCE):
            continue
        values = {"label": lang.inline(gap["label"]), "gap": lang.score(abs(gap["difference"])),
                  "senior": lang.score(gap["mean_a"]), "staff": lang.score(gap["mean_b"]),
                  "ci": lang.interval(gap["ci_low"], gap["ci_high"]),
                  "n_senior": lang.count(gap["n_a"]), "n_staff": lang.count(gap["n_b"]),
                  "p": lang.p_value(gap["p_adjusted"])}
        if gap["difference"] > 0:
            sentence = lang.gettext(
                "Senior leaders rate %(label)s %(gap)s points higher than staff do (%(senior)s "
                "against %(staff)s; 95%% CI of the difference %(ci)s; n = %(n_senior)s and "
                "%(n_staff)s; %(p)s after adjustment): plans built on leaders' view may "
                "overestimate what staff can do.", **values)
        else:
            sentence = lang.gettext(
                "Senior leaders rate %(label)s %(gap)s points lower than staff do (%(senior)s "
                "against %(staff)s; 95%% CI of the difference %(ci)s; n = %(n_senior)s and "
                "%(n_staff)s; %(p)s after adjustment): leaders may underestimate what staff "
                "can already do.", **values)
        found.append(Finding(GAP, gap["dimension"], abs(gap["difference"]) / MATERIAL_POINTS,
                             sentence))
    return found


def rank_findings(candidates: Sequence[Finding]) -> list[Finding]:
    """The strongest candidates, at most MAX_PER_FAMILY of a family and MAX_FINDINGS."""
    chosen: list[Finding] = []
    per_family: dict[str, int] = {}
    # The index sums up every dimension: its findings come first, then by strength.
    for finding in sorted(candidates, key=lambda f: (f.dimension != INDEX, -f.strength,
                                                     f.family, f.dimension)):
        if per_family.get(finding.family, 0) >= MAX_PER_FAMILY:
            continue
        per_family[finding.family] = per_family.get(finding.family, 0) + 1
        chosen.append(finding)
        if len(chosen) == MAX_FINDINGS:
            break
    return chosen


def nothing_stands_out(lang: Language = ENGLISH) -> str:
    """The one sentence for a campaign where no candidate qualifies."""
    return lang.gettext(
        "Nothing stands out: no score differs from the benchmark or from the previous "
        "campaign by %(points)s points or more, no gap between senior leaders and staff is "
        "that large, and no dimension goes with customer understanding by r = %(r)s or "
        "more, with a 95%% interval that excludes no effect. The differences in this report "
        "are within the margin of error or too small to act on.",
        points=lang.number(MATERIAL_POINTS, 0), r=lang.correlation(MATERIAL_CORRELATION))


def headline_findings(stats: Mapping[str, Any], bands: Sequence[Mapping[str, Any]],
                      lang: Language = ENGLISH) -> list[str]:
    """The headline findings of one campaign, strongest first, or why there are none."""
    families: list[Callable[[], list[Finding]]] = [
        lambda: benchmark_candidates(stats, lang), lambda: link_candidates(stats, lang),
        lambda: change_candidates(stats, bands, lang), lambda: gap_candidates(stats, lang)]
    chosen = rank_findings([f for family in families for f in family()])
    return [f.sentence for f in chosen] or [nothing_stands_out(lang)]


def band_qualification(stats: Mapping[str, Any], components: Sequence[str],
                       lang: Language = ENGLISH) -> str | None:
    """The band qualified by the index's weakest component against all organisations."""
    pool = stats["benchmark"]["all"]
    if fmt.is_suppressed(pool):
        return None
    dimensions = stats["results"]["dimensions"]
    ranked = [(pool["dimensions"][key], dimensions[key]) for key in components
              if _shown(dimensions.get(key), stats["threshold"])
              and isinstance(pool["dimensions"].get(key), Mapping)
              and pool["dimensions"][key].get("percentile_rank") is not None]
    if not ranked:
        return None
    marks, cell = min(ranked, key=lambda pair: pair[0]["percentile_rank"])
    if marks["percentile_rank"] >= QUALIFY_BELOW_RANK:
        return lang.gettext("Every component of the index (the capabilities, digital vision "
                            "and L&D readiness) is at or above the benchmark median.")
    return lang.gettext(
        "Its weakest component is %(label)s, at percentile rank %(rank)s among all "
        "organisations (score %(score)s): the band describes the organisation as a whole, "
        "not this part of it.", label=lang.inline(cell["label"]),
        rank=lang.rank_range(marks), score=lang.score(cell["mean"]))


def comparison_overview(rows: Sequence[Mapping[str, Any]], keys: Sequence[str],
                        labels: Mapping[str, str], lang: Language = ENGLISH) -> list[str]:
    """Who leads, who trails and where the organisations differ most, with n."""
    shown = [r for r in rows if not r["suppressed"] and _shown(r["index"], r["threshold"])]
    withheld = [r["name"] for r in rows if r not in shown]
    lines = []
    if len(shown) < 2:
        lines.append(lang.gettext("Fewer than two of these organisations have enough "
                                  "responses to be compared."))
    else:
        leader = max(shown, key=lambda r: r["index"]["mean"])
        trailer = min(shown, key=lambda r: r["index"]["mean"])
        values = {"leader": leader["name"], "high": lang.score(leader["index"]["mean"]),
                  "high_ci": lang.interval(leader["index"]["ci_low"],
                                           leader["index"]["ci_high"]),
                  "n_high": lang.count(leader["index"]["n"]), "trailer": trailer["name"],
                  "low": lang.score(trailer["index"]["mean"]),
                  "low_ci": lang.interval(trailer["index"]["ci_low"],
                                          trailer["index"]["ci_high"]),
                  "n_low": lang.count(trailer["index"]["n"])}
        low_end, high_end = leader["index"]["ci_low"], trailer["index"]["ci_high"]
        if low_end is not None and high_end is not None and low_end > high_end:
            lines.append(lang.gettext(
                "%(leader)s leads on the digital maturity index with %(high)s (95%% CI "
                "%(high_ci)s; n = %(n_high)s) and %(trailer)s trails with %(low)s (95%% CI "
                "%(low_ci)s; n = %(n_low)s); their intervals do not overlap, so the "
                "difference is larger than chance would explain.", **values))
        else:
            lines.append(lang.gettext(
                "%(leader)s leads on the digital maturity index with %(high)s (95%% CI "
                "%(high_ci)s; n = %(n_high)s) and %(trailer)s trails with %(low)s (95%% CI "
                "%(low_ci)s; n = %(n_low)s); their intervals overlap, so the order may be "
                "chance.", **values))
        widest = _widest_spread(shown, keys)
        if widest is not None:
            key, low, high = widest
            lines.append(lang.gettext(
                "They differ most on %(label)s: from %(lowest)s at %(low_org)s (n = %(n_low)s) "
                "to %(highest)s at %(high_org)s (n = %(n_high)s).",
                label=lang.inline(labels[key]), lowest=lang.score(low["mean"]),
                low_org=low["name"], n_low=lang.count(low["n"]),
                highest=lang.score(high["mean"]), high_org=high["name"],
                n_high=lang.count(high["n"])))
    if withheld:
        lines.append(lang.gettext(
            "Not compared, with fewer responses than the anonymity threshold: %(names)s.",
            names=lang.listing(withheld)))
    return lines


def _widest_spread(rows: Sequence[Mapping[str, Any]],
                   keys: Sequence[str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """The dimension whose shown means are furthest apart, with its lowest and highest."""
    best = None
    for key in keys:
        cells = [{"name": r["name"], "mean": cell["mean"], "n": cell["n"]}
                 for r in rows if _shown(cell := r["dimensions"].get(key), r["threshold"])
                 and cell.get("mean") is not None]
        if len(cells) < 2:
            continue
        low = min(cells, key=lambda c: c["mean"])
        high = max(cells, key=lambda c: c["mean"])
        if best is None or high["mean"] - low["mean"] > best[2]["mean"] - best[1]["mean"]:
            best = (key, low, high)
    return best
