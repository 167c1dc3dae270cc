"""What to develop first (the eight capabilities, digital vision and L&D readiness),
and what changed since the previous campaign."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from assessment.analysis.benchmark import PoolMember
from assessment.analysis.records import Respondent
from assessment.analysis.relations import outcome_dimension
from assessment.analysis.results import dimension_values, hidden
from assessment.instrument.questionnaire import ACTION_GROUPS, Questionnaire
from assessment.instrument.scoring import INDEX
from assessment.stats.correlation import spearman
from assessment.stats.descriptive import difference_ci

# A link across organisations needs at least this many of them: Spearman's rho of fewer
# is too unstable to rank priorities by (and would come close to describing single
# organisations).
MIN_LINK_ORGANISATIONS: Final = 10
# Why a capability ranks where it does: the codes in each priority's "reason".
NOT_ENOUGH_DATA = "not_enough_data"  # no score, no benchmark or no link to rank it by
AT_TOP_QUARTILE = "at_top_quartile"  # at or above the benchmark's top quartile
GAP_NOT_LINKED = "gap_not_linked"  # below it, but not linked to customer understanding
GAP_LINKED = "gap_linked"  # below it, and linked to better customer understanding
REASONS = (NOT_ENOUGH_DATA, AT_TOP_QUARTILE, GAP_NOT_LINKED, GAP_LINKED)


def priority_keys(questionnaire: Questionnaire) -> list[str]:
    """The dimensions the priorities rank: every capability, digital vision, L&D."""
    return [d.key for group in ACTION_GROUPS for d in questionnaire.dimensions_in(group)]


def capability_links(
    questionnaire: Questionnaire, pool: Sequence[PoolMember]
) -> dict[str, dict[str, Any]]:
    """Across organisations: Spearman of each capability's (and vision's and L&D's) mean
    with the customer-understanding mean; hidden when fewer than MIN_LINK_ORGANISATIONS
    organisations have both."""
    key = outcome_dimension(questionnaire)
    outcome = [m.means.get(key) if key else None for m in pool]
    links: dict[str, dict[str, Any]] = {}
    for dimension in priority_keys(questionnaire):
        link = spearman([m.means.get(dimension) for m in pool], outcome).as_dict()
        links[dimension] = link if link["n"] >= MIN_LINK_ORGANISATIONS else hidden()
    return links


def priorities(
    questionnaire: Questionnaire,
    organisation: Mapping[str, float | None],
    benchmark: Mapping[str, Mapping[str, Any]],
    links: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Capabilities, vision and L&D ranked by (gap to the pool's top quartile) x (link to
    customers).

    `benchmark` holds the pool's median and top25 per dimension. The gaps count only
    shortfalls (an organisation above the top quartile has no gap); the link counts only
    positive correlations (a dimension that does not go with better customer
    understanding is no priority for that purpose). Each carries a reason code (see
    REASONS) and the key of its recommended action from the instrument's action library,
    which the pages and reports phrase in the reader's language. Only priorities above 0
    get a rank: when none has one, nothing stands out.
    """
    ranked: list[dict[str, Any]] = []
    for key in priority_keys(questionnaire):
        action = questionnaire.action_for(key)
        marks = benchmark.get(key, {})
        value, target, median = organisation.get(key), marks.get("top25"), marks.get("median")
        r = links.get(key, {}).get("r")
        row: dict[str, Any] = {"dimension": key, "action": action.key if action else None,
                               "link": r}
        if value is None or target is None or median is None or r is None:
            ranked.append(row | {"score": value, "gap": None, "gap_median": None,
                                 "priority": None, "reason": NOT_ENOUGH_DATA})
            continue
        gap = max(0.0, target - value)
        ranked.append(row | {"score": value, "gap": gap,
                             "gap_median": max(0.0, median - value),
                             "priority": gap * max(r, 0.0), "reason": _reason(gap, r)})
    ranked.sort(key=_rank_key)
    place = 0
    for p in ranked:
        if p["priority"]:
            place += 1
        p["rank"] = place if p["priority"] else None
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
            rows.append({"dimension": key} | hidden())
            continue
        rows.append({"dimension": key} | difference_ci(now, before).as_dict())
    return {"dimensions": rows}
