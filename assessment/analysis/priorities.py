"""Which capabilities to develop first, and what changed since the previous campaign."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessment.analysis.benchmark import PoolMember
from assessment.analysis.records import Respondent
from assessment.analysis.results import dimension_values
from assessment.questionnaire import Questionnaire, translate
from assessment.scoring import INDEX
from assessment.stats.correlation import spearman
from assessment.stats.descriptive import difference_ci
from assessment.stats.privacy import suppressed_cell

OUTCOME_DIMENSION = "customer"


def capability_links(
    questionnaire: Questionnaire, pool: Sequence[PoolMember]
) -> dict[str, dict[str, Any]]:
    """Across organisations: Spearman of each capability's mean with customer understanding."""
    outcome = [m.means.get(OUTCOME_DIMENSION) for m in pool]
    return {
        d.key: spearman([m.means.get(d.key) for m in pool], outcome).as_dict()
        for d in questionnaire.dimensions_in("capability")
    }


def priorities(
    questionnaire: Questionnaire,
    organisation: Mapping[str, float | None],
    top_quartile: Mapping[str, float | None],
    links: Mapping[str, Mapping[str, Any]],
    language: str = "en",
) -> list[dict[str, Any]]:
    """Capabilities ranked by (gap to the pool's top quartile) x (link to customers).

    The gap counts only shortfalls (an organisation above the top quartile has no gap);
    the link counts only positive correlations (a capability that does not go with
    better customer understanding is no priority for that purpose).
    """
    ranked: list[dict[str, Any]] = []
    for d in questionnaire.dimensions_in("capability"):
        value, target = organisation.get(d.key), top_quartile.get(d.key)
        r = links.get(d.key, {}).get("r")
        label = translate(d.label, language)
        if value is None or target is None or r is None:
            ranked.append({"dimension": d.key, "label": label, "score": None, "gap": None,
                           "link": r, "priority": None,
                           "reason": f"{label}: not enough data to rank."})
            continue
        gap = max(0.0, target - value)
        priority = gap * max(r, 0.0)
        ranked.append({"dimension": d.key, "label": label, "score": value, "gap": gap,
                       "link": r, "priority": priority, "reason": _reason(label, gap, r)})
    ranked.sort(key=_rank_key)
    for rank, p in enumerate(ranked, start=1):
        p["rank"] = rank
    return ranked


def _rank_key(p: dict[str, Any]) -> tuple[bool, float, float, str]:
    # Ties (e.g. every capability at or above the top quartile) go to the weakest first.
    priority = p["priority"]
    return priority is None, -(priority or 0.0), p["score"] or 0.0, str(p["dimension"])


def _reason(label: str, gap: float, r: float) -> str:
    if gap <= 0:
        return f"{label}: already at or above the top quartile of the benchmark."
    if r <= 0:
        return (f"{label}: {gap:.0f} points below the top quartile, but organisations "
                f"stronger here do not understand customers better (r = {r:.2f}).")
    return (f"{label}: {gap:.0f} points below the top quartile; organisations stronger here "
            f"understand customers better (r = {r:.2f}).")


def change(
    questionnaire: Questionnaire, current: Sequence[Respondent], previous: Sequence[Respondent],
    threshold: int, language: str = "en",
) -> dict[str, Any]:
    """Per dimension and the index: current minus previous mean, Welch 95% CI."""
    keys = [(d.key, translate(d.label, language)) for d in questionnaire.dimensions]
    rows = []
    for key, label in [*keys, (INDEX, "Digital maturity index")]:
        now, before = dimension_values(current, key), dimension_values(previous, key)
        if len(now) < threshold or len(before) < threshold:
            rows.append({"dimension": key, "label": label} | suppressed_cell())
            continue
        rows.append({"dimension": key, "label": label} | difference_ci(now, before).as_dict())
    return {"dimensions": rows}
