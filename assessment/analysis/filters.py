"""One campaign's figures for one group of respondents (a value of one profile field),
under the same anonymity rules as every other output.

Which groups may be shown on their own (`offered_values`): a group the engine's own
breakdown shows (so at least `threshold` people and not hidden by complementary
suppression), whose complement (everyone else, those who left the field unanswered
included) has at least `threshold` people too, and such that the groups not offered
together have none or at least `threshold` people. Subtracting one filtered view, or
all of them, from the unfiltered one therefore never isolates fewer people than the
threshold.

The filtered figures (`filtered_figures`): the engine computes every figure for the group
and, the same way, for its complement. A figure of the group is suppressed when it
rests on fewer than `threshold` people, and when the same figure of the complement is
suppressed or rests on fewer than `threshold` people (but more than none), since the
unfiltered figure minus the group's would give the complement's away. Figures derived
from a suppressed one (its benchmark position, the priorities) follow it. The change
since the previous campaign is shown only if the group may be shown in that campaign as
well. Breakdowns by another profile field (the heatmaps, the senior-leader / staff gap)
are left out of a filtered view: crossed with other views they would describe
intersections of two fields that no rule here protects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assessment.analysis.groups import BREAKDOWNS, breakdown, partition
from assessment.analysis.priorities import priorities
from assessment.analysis.records import Respondent
from assessment.instrument.questionnaire import Questionnaire
from assessment.stats.privacy import (
    BELOW_THRESHOLD,
    PROTECTS_SMALLER_GROUP,
    is_suppressed,
    suppressed_cell,
)

FIELDS = tuple(BREAKDOWNS)  # the profile fields a view can be filtered by
COUNT_KEYS = ("n", "n_a", "n_b")  # how the engine's figures say how many people they rest on
KEPT_KEYS = ("dimension", "group")  # what identifies a figure that is suppressed
# A benchmark cell's own figures (the pool's, the same in every view); the rest of it
# (value, percentile ranks, flags) describes the group and follows its mean.
POOL_KEYS = ("n", "median", "top25", "top10", "suppressed", "reason")
Selection = Callable[[Sequence[Respondent]], list[Respondent]]
Figures = Callable[[Sequence[Respondent], Selection], dict[str, Any]]


class FilterUnavailable(ValueError):
    """The group cannot be shown on its own (unknown, too small or protecting another)."""


def offered_values(groups: Mapping[str, Any] | None, total: int, threshold: int) -> list[str]:
    """The values of one field whose group may be shown on its own.

    `groups` is the engine's breakdown of the field (`groups.<field>` of the campaign
    statistics) and `total` the campaign's number of responses.
    """
    rows = (groups or {}).get("rows", {})
    shown = {code: int(row["n"]) for code, row in rows.items()
             if not is_suppressed(row) and isinstance(row.get("n"), int)
             and row["n"] >= threshold}
    rest = total - sum(shown.values())  # hidden groups and those who did not answer
    if 0 < rest < threshold and shown:
        # Complementary suppression over the offered groups: withhold the smallest
        # (ties by code) so that the people in no offered group reach the threshold.
        smallest = min(shown, key=lambda code: (shown[code], code))
        del shown[smallest]
    return [code for code, n in shown.items() if total - n >= threshold]


def offered_filters(statistics: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every field's offered values, read from a campaign's unfiltered statistics."""
    if statistics.get("suppressed") or "groups" not in statistics:
        return {}
    total = int(statistics["responses"]["n"])
    threshold = int(statistics["threshold"])
    offered = {name: offered_values(statistics["groups"].get(name), total, threshold)
               for name in FIELDS}
    return {name: values for name, values in offered.items() if values}


def _selection(field: str, value: str, inside: bool) -> Selection:
    attribute = BREAKDOWNS[field]

    def select(respondents: Sequence[Respondent]) -> list[Respondent]:
        return [r for r in respondents if (attribute(r) == value) is inside]

    return select


def _offered_in(q: Questionnaire, respondents: Sequence[Respondent], field: str,
                threshold: int) -> list[str]:
    groups = breakdown(q, respondents, BREAKDOWNS[field], field, threshold)
    return offered_values(groups, len(respondents), threshold)


def filtered_figures(
    q: Questionnaire, field: str, value: str, respondents: Sequence[Respondent],
    previous: Sequence[Respondent] | None, threshold: int, previous_threshold: int,
    figures: Figures,
) -> dict[str, Any]:
    """The campaign's figures for the respondents whose `field` is `value`.

    `figures(respondents, selection)` computes the campaign statistics over some of the
    campaign's respondents, with `selection` choosing the matching part of the previous
    campaign's; `previous` are the previous campaign's respondents (None if none).
    """
    if field not in FIELDS or not any(i.key == field for i in q.profile_items()):
        raise FilterUnavailable(f"no profile field '{field}' to filter by")
    if value not in _offered_in(q, respondents, field, threshold):
        raise FilterUnavailable(f"the {field} group '{value}' cannot be shown on its own")
    inside, outside = _selection(field, value, True), _selection(field, value, False)
    group = figures(inside(respondents), inside)
    complement = figures(outside(respondents), outside)
    masked = mask(group, complement, threshold)
    for key in ("groups", "seniority_gap", "priorities"):
        masked.pop(key, None)
    masked["groups"], masked["seniority_gap"] = {}, []
    _follow_dimensions(masked)
    _follow_splits(masked)
    masked["priorities"] = _priorities(q, masked, group.get("priorities") or [])
    change_allowed = previous is not None and value in _offered_in(
        q, previous, field, previous_threshold)
    if masked.get("change") and not change_allowed:
        masked["change"] = dict(masked["change"]) | {"dimensions": [
            {"dimension": row.get("dimension")} | suppressed_cell(PROTECTS_SMALLER_GROUP)
            | {"n": None} for row in masked["change"]["dimensions"]]}
    masked["responses"] = dict(masked["responses"]) | {"response_rate": None}
    masked["filter"] = {"field": field, "value": value, "n": len(partition(
        respondents, BREAKDOWNS[field]).get(value, []))}
    return masked


def _small(node: Any, threshold: int) -> bool:
    """Whether a figure rests on more than none but fewer than `threshold` people."""
    if not isinstance(node, Mapping):
        return False
    return any(isinstance(n := node.get(key), int) and not isinstance(n, bool)
               and 0 < n < threshold for key in COUNT_KEYS)


def _hidden(node: Mapping[str, Any], reason: str) -> dict[str, Any]:
    kept = {key: node[key] for key in KEPT_KEYS if key in node}
    if "band" in node:
        kept["band"] = None
    return suppressed_cell(reason) | {"n": None} | kept


def mask(group: Any, complement: Any, threshold: int) -> Any:
    """The group's figures with each one suppressed that is small in either view.

    Walks both JSON trees together (dicts by key, lists by position); `benchmark` is
    left to `_follow_dimensions`, which hides the group's place in it where its own
    figure is hidden.
    """
    if isinstance(group, Mapping):
        if is_suppressed(group):
            return dict(group)
        if _small(group, threshold):
            return _hidden(group, BELOW_THRESHOLD)
        if is_suppressed(complement) or _small(complement, threshold):
            return _hidden(group, PROTECTS_SMALLER_GROUP)
        other = complement if isinstance(complement, Mapping) else {}
        return {key: value if key == "benchmark" else mask(value, other.get(key), threshold)
                for key, value in group.items()}
    if isinstance(group, list):
        others = complement if isinstance(complement, list) else []
        return [mask(value, others[i] if i < len(others) else None, threshold)
                for i, value in enumerate(group)]
    return group


def _follow_dimensions(statistics: dict[str, Any]) -> None:
    """Hide the group's value and percentile rank in each benchmark where its mean is."""
    dimensions = statistics.get("results", {}).get("dimensions", {})
    hidden = {key for key, cell in dimensions.items() if is_suppressed(cell)}
    benchmark = {}
    for name, pool in (statistics.get("benchmark") or {}).items():
        if is_suppressed(pool) or "dimensions" not in pool:
            benchmark[name] = pool
            continue
        benchmark[name] = dict(pool) | {"dimensions": {
            key: {k: v if k in POOL_KEYS else None for k, v in cell.items()}
            if key in hidden else cell
            for key, cell in pool["dimensions"].items()}}
    if benchmark:
        statistics["benchmark"] = benchmark


def _follow_splits(statistics: dict[str, Any]) -> None:
    """Leave out a cross-tabulation's test when one of its groups is hidden (as the engine
    does), since the test's table would give the hidden group away."""
    found = statistics.get("digiskills")
    if not isinstance(found, dict):
        return
    for key, split in found.items():
        if isinstance(split, dict) and isinstance(split.get("groups"), dict) and any(
                is_suppressed(cell) for cell in split["groups"].values()):
            found[key] = split | {"test": None}


def _priorities(q: Questionnaire, statistics: Mapping[str, Any],
                unmasked: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The priorities ranked again from the group's own (possibly suppressed) means."""
    dimensions = statistics.get("results", {}).get("dimensions", {})
    own = {key: None if is_suppressed(cell) else cell.get("mean")
           for key, cell in dimensions.items()}
    pool = (statistics.get("benchmark") or {}).get("all", {})
    links = {row["dimension"]: {"r": row.get("link")} for row in unmasked}
    return priorities(q, own, pool.get("dimensions", {}), links)
