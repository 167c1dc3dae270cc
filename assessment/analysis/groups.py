"""Where seniority levels and business functions disagree, with groups under the
anonymity threshold suppressed (one hidden set per breakdown, reused everywhere)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import fmean
from typing import Any

from assessment.analysis.records import Respondent
from assessment.analysis.results import dimension_values
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import INDEX
from assessment.stats.descriptive import difference_ci
from assessment.stats.privacy import suppress_groups, suppressed_cell

Attribute = Callable[[Respondent], str | None]
BREAKDOWNS: dict[str, Attribute] = {
    "seniority": lambda r: r.seniority,
    "function": lambda r: r.function,
    "generation": lambda r: r.generation,
}


def partition(
    respondents: Sequence[Respondent], attribute: Attribute
) -> dict[str, list[Respondent]]:
    """Respondents grouped by one profile attribute (unanswered left out)."""
    groups: dict[str, list[Respondent]] = {}
    for r in respondents:
        value = attribute(r)
        if value is not None:
            groups.setdefault(value, []).append(r)
    return groups


def breakdown(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], attribute: Attribute,
    item_key: str, threshold: int,
) -> dict[str, Any]:
    """Dimension means per group: the heatmap rows, small groups suppressed.

    Also the spread (highest minus lowest visible group mean) of each dimension.
    """
    groups = partition(respondents, attribute)
    hidden = suppress_groups({g: len(rs) for g, rs in groups.items()}, threshold)
    scale = questionnaire.item_scale(item_key)
    dimension_keys = [d.key for d in questionnaire.dimensions] + [INDEX]
    rows: dict[str, Any] = {}
    for option in scale.options:
        members = groups.get(option.code, [])
        if option.code in hidden:
            rows[option.code] = suppressed_cell()
        elif members:
            means = {k: (fmean(v) if (v := dimension_values(members, k)) else None)
                     for k in dimension_keys}
            rows[option.code] = {"n": len(members), "means": means}
    visible = [row for row in rows.values() if "means" in row]
    spread = {}
    for key in dimension_keys:
        values = [m for row in visible if (m := row["means"].get(key)) is not None]
        spread[key] = {"lowest": min(values), "highest": max(values),
                       "range": max(values) - min(values)} if len(values) >= 2 else None
    return {"rows": rows, "spread": spread, "hidden": sorted(hidden)}


def seniority_gaps(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
) -> list[dict[str, Any]]:
    """Senior leaders minus staff, per capability and the index, with Welch 95% CIs."""
    a = questionnaire.analysis
    if a is None:
        return []
    groups = partition(respondents, BREAKDOWNS["seniority"])
    hidden = suppress_groups({g: len(rs) for g, rs in groups.items()}, threshold)
    senior, staff = groups.get(a.senior_code, []), groups.get(a.staff_code, [])
    gaps = []
    keys = [d.key for d in questionnaire.dimensions_in("capability")]
    for key in [*keys, INDEX]:
        if a.senior_code in hidden or a.staff_code in hidden or not senior or not staff:
            gaps.append({"dimension": key} | suppressed_cell())
            continue
        result = difference_ci(dimension_values(senior, key), dimension_values(staff, key))
        gaps.append({"dimension": key} | result.as_dict())
    return gaps
