"""Which capabilities to develop first, and what changed since the previous campaign."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessment.analysis.benchmark import PoolMember
from assessment.analysis.records import Respondent
from assessment.analysis.results import dimension_values
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import INDEX
from assessment.stats.correlation import spearman
from assessment.stats.descriptive import difference_ci
from assessment.stats.privacy import suppressed_cell

OUTCOME_DIMENSION = "customer"
# Why a capability ranks where it does: the codes in each priority's "reason".
NOT_ENOUGH_DATA = "not_enough_data"  # no score, no benchmark or no link to rank it by
AT_TOP_QUARTILE = "at_top_quartile"  # at or above the benchmark's top quartile
GAP_NOT_LINKED = "gap_not_linked"  # below it, but not linked to customer understanding
GAP_LINKED = "gap_linked"  # below it, and linked to better customer understanding
REASONS = (NOT_ENOUGH_DATA, AT_TOP_QUARTILE, GAP_NOT_LINKED, GAP_LINKED)


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
) -> list[dict[str, Any]]:
    """Capabilities ranked by (gap to the pool's top quartile) x (link to customers).

    The gap counts only shortfalls (an organisation above the top quartile has no gap);
    the link counts only positive correlations (a capability that does not go with
    better customer understanding is no priority for that purpose). Each carries a
    reason code (see REASONS) that the pages and reports phrase in the reader's language.
    """
    ranked: list[dict[str, Any]] = []
    for d in questionnaire.dimensions_in("capability"):
        value, target = organisation.get(d.key), top_quartile.get(d.key)
        r = links.get(d.key, {}).get("r")
        if value is None or target is None or r is None:
            ranked.append({"dimension": d.key, "score": None, "gap": None, "link": r,
                           "priority": None, "reason": NOT_ENOUGH_DATA})
            continue
        gap = max(0.0, target - value)
        priority = gap * max(r, 0.0)
        ranked.append({"dimension": d.key, "score": value, "gap": gap, "link": r,
                       "priority": priority, "reason": _reason(gap, r)})
    ranked.sort(key=_rank_key)
    for rank, p in enumerate(ranked, start=1):
        p["rank"] = rank
    return ranked


def _rank_key(p: dict[str, Any]) -> tuple[bool, float, float, str]:
    # Ties (e.g. every capability at or above the top quartile) go to the weakest first.
    priority = p["priority"]
    return priority is None, -(priority or 0.0), p["score"] or 0.0, str(p["dimension"])


def _reason(gap: float, r: float) -> str:
    if gap <= 0:
        return AT_TOP_QUARTILE
    return GAP_NOT_LINKED if r <= 0 else GAP_LINKED


def change(
    questionnaire: Questionnaire, current: Sequence[Respondent], previous: Sequence[Respondent],
    threshold: int,
) -> dict[str, Any]:
    """Per dimension and the index: current minus previous mean, Welch 95% CI."""
    rows = []
    for key in [*(d.key for d in questionnaire.dimensions), INDEX]:
        now, before = dimension_values(current, key), dimension_values(previous, key)
        if len(now) < threshold or len(before) < threshold:
            rows.append({"dimension": key} | suppressed_cell())
            continue
        rows.append({"dimension": key} | difference_ci(now, before).as_dict())
    return {"dimensions": rows}
