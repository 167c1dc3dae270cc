"""Headline findings of an organisation report, written from the engine's figures.

Each function reads one part of `campaign_statistics` and returns a sentence (or None
when the data cannot support one); nothing here is canned text with blanks, so what a
finding says - above or below, clear or within the margin of error - follows the numbers.
Suppressed cells are never read for figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports import formatting as fmt


def _visible(cell: Any) -> bool:
    return isinstance(cell, Mapping) and not fmt.is_suppressed(cell)


def capability_standing(stats: Mapping[str, Any], capabilities: list[str]) -> str | None:
    """Strongest and weakest capability against the benchmark median (or in absolute terms)."""
    dimensions = stats["results"]["dimensions"]
    pool = stats["benchmark"]["all"]
    scored = [(key, dimensions[key]) for key in capabilities
              if _visible(dimensions.get(key)) and dimensions[key].get("mean") is not None]
    if not scored:
        return None
    if not _visible(pool) or "dimensions" not in pool:
        high = max(scored, key=lambda kv: kv[1]["mean"])
        low = min(scored, key=lambda kv: kv[1]["mean"])
        return (f"Highest-scoring capability: {high[1]['label']} ({fmt.score(high[1]['mean'])}"
                f"); lowest: {low[1]['label']} ({fmt.score(low[1]['mean'])}). There is no "
                f"benchmark yet: the pool has fewer than {stats['threshold']} organisations.")
    marks = pool["dimensions"]
    gaps = [(key, cell["mean"] - marks[key]["median"]) for key, cell in scored
            if marks.get(key, {}).get("median") is not None]
    if not gaps:
        return None
    best = max(gaps, key=lambda kv: kv[1])
    worst = min(gaps, key=lambda kv: kv[1])

    def describe(key: str, gap: float) -> str:
        side = "above" if gap >= 0 else "below"
        return (f"{dimensions[key]['label'].lower()} ({fmt.score(dimensions[key]['mean'])}, "
                f"{fmt.score(abs(gap))} points {side} the median of "
                f"{fmt.score(marks[key]['median'])}; percentile rank "
                f"{fmt.rank(marks[key].get('percentile_rank'))})")

    opening = f"Against the median of {pool['organisations']} organisations"
    if best[0] == worst[0]:
        return f"{opening}: {describe(*best)}."
    if best[1] < 0:
        # Behind everywhere: "strongest" would mislead, so say where the gap is smallest.
        return (f"{opening}, every capability is below the median; the gap is smallest for "
                f"{describe(*best)} and largest for {describe(*worst)}.")
    if worst[1] >= 0:
        return (f"{opening}, every capability is at or above the median; most for "
                f"{describe(*best)}, least for {describe(*worst)}.")
    return (f"{opening}, the strongest capability is {describe(*best)}; the weakest is "
            f"{describe(*worst)}.")


def seniority_gap(stats: Mapping[str, Any]) -> str | None:
    """The largest difference between senior leaders and staff, with its interval."""
    rows = [g for g in stats.get("seniority_gap", [])
            if _visible(g) and g.get("difference") is not None and g["dimension"] != "index"]
    if not rows:
        return function_spread(stats)
    gap = max(rows, key=lambda g: abs(g["difference"]))
    side = "higher" if gap["difference"] >= 0 else "lower"
    bounds = fmt.interval(gap.get("ci_low"), gap.get("ci_high"))
    clear = (gap.get("ci_low") is not None and gap.get("ci_high") is not None
             and (gap["ci_low"] > 0 or gap["ci_high"] < 0))
    verdict = ("larger than chance would explain" if clear
               else "within the margin of error")
    return (f"Senior leaders rate {gap['label'].lower()} {fmt.score(abs(gap['difference']))} "
            f"points {side} than staff ({fmt.score(gap['mean_a'])} against "
            f"{fmt.score(gap['mean_b'])}; 95% CI of the difference {bounds}; "
            f"n = {gap['n_a']} and {gap['n_b']}), {verdict}.")


def function_spread(stats: Mapping[str, Any]) -> str | None:
    """Where business functions differ most, when seniority levels cannot be compared."""
    breakdown = stats.get("groups", {}).get("function")
    if not breakdown:
        return None
    visible = {code: row for code, row in breakdown["rows"].items() if "means" in row}
    spreads = [(key, s) for key, s in breakdown["spread"].items()
               if s is not None and key.startswith("cap_")]
    if len(visible) < 2 or not spreads:
        return (f"Seniority levels and business functions cannot be compared: too few "
                f"groups have {stats['threshold']} or more respondents.")
    key, spread = max(spreads, key=lambda kv: kv[1]["range"])
    label = stats["results"]["dimensions"][key]["label"]
    low = next(r for r in visible.values() if r["means"].get(key) == spread["lowest"])
    high = next(r for r in visible.values() if r["means"].get(key) == spread["highest"])
    return (f"Business functions differ most on {label.lower()}: from "
            f"{fmt.score(spread['lowest'])} ({low['label']}) to {fmt.score(spread['highest'])} "
            f"({high['label']}), a range of {fmt.score(spread['range'])} points.")


def customer_understanding(stats: Mapping[str, Any], published: Mapping[str, Any]) -> str | None:
    """The share saying everyone understands customers, and its closest capability link."""
    answers = stats["results"].get("customer_understanding")
    if not _visible(answers) or "yes" not in answers.get("answers", {}):
        return None
    yes = answers["answers"]["yes"]
    sentence = (f"{fmt.percent(yes['share'])} of respondents ({yes['successes']} of "
                f"{yes['n']}; 95% CI {fmt.percent(yes['ci_low'])} to "
                f"{fmt.percent(yes['ci_high'])}) say everyone in the organisation fully "
                f"understands its customers")
    if "understands_customers" in published:
        sentence += f" (Digiskills 2015: {fmt.percent(published['understands_customers'], 0)})"
    links = [row for row in stats.get("correlations", [])
             if _visible(row.get("spearman")) and row["spearman"].get("r") is not None
             and row["dimension"].startswith("cap_")]
    if links:
        best = max(links, key=lambda row: row["spearman"]["r"])
        rho = best["spearman"]
        sentence += (f". Among the capabilities it goes most closely with "
                     f"{best['label'].lower()} (Spearman r = {fmt.correlation(rho['r'])}, "
                     f"95% CI {fmt.interval(rho['ci_low'], rho['ci_high'], 2)}, n = {rho['n']})")
    return sentence + "."


def top_priority(stats: Mapping[str, Any]) -> str:
    """The capability to develop first, or why none stands out."""
    ranked = [p for p in stats.get("priorities", []) if p.get("priority")]
    if not ranked:
        return ("No capability stands out as a priority: either the organisation is at or "
                "above the benchmark's top quartile everywhere, or there is not yet enough "
                "benchmark data to rank them.")
    first = ranked[0]
    return f"Develop first: {first['reason']}"


def headline_findings(
    stats: Mapping[str, Any], capabilities: list[str], published: Mapping[str, Any]
) -> list[str]:
    """The three headline findings: capability standing, group gap, customers."""
    found = [capability_standing(stats, capabilities), seniority_gap(stats),
             customer_understanding(stats, published)]
    return [f for f in found if f]
