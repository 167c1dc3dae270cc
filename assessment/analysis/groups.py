"""Where seniority levels and business functions disagree, with groups under the
anonymity threshold suppressed (one hidden set per breakdown, reused everywhere).

Privacy, figure by figure: a group (a row of the heatmap) is hidden when it has fewer
respondents than the threshold, and each of its dimension means (a cell) is hidden when
fewer than the threshold of its members scored that dimension. Respondents who left the
breakdown's question unanswered form a group too, never shown; complementary
suppression then hides rows, and cells of each dimension, until whatever is hidden adds
up to none or at least the threshold, so the campaign's totals minus the shown figures
never describe fewer people. The senior-leader / staff gaps show only cells the heatmap
shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from statistics import fmean
from typing import Any

import numpy as np

from assessment.analysis.records import PoolTallies, Respondent, TallyPlan, score_column
from assessment.analysis.results import NO_RESPONDENTS, hidden
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import INDEX
from assessment.stats.clustered import cluster_difference, clustered_difference
from assessment.stats.correlation import benjamini_hochberg
from assessment.stats.descriptive import as_floats, difference_ci, difference_from_moments
from assessment.stats.privacy import suppression_reasons

Attribute = Callable[[Respondent], str | None]
BREAKDOWNS: dict[str, Attribute] = {
    "seniority": lambda r: r.seniority,
    "function": lambda r: r.function,
    "generation": lambda r: r.generation,
}
UNSHOWN = ""  # the never-shown group of those who did not answer (no option code is empty)


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


ScoreColumns = Mapping[str, np.ndarray]


def score_columns(respondents: Sequence[Respondent], keys: Sequence[str]) -> ScoreColumns:
    """Each dimension's scores of the respondents as a float column (NaN: not scored),
    read once for the breakdowns and gaps of one set of respondents."""
    return {key: as_floats(score_column(respondents, key)).reshape(-1) for key in keys}


class ScoreMatrix:
    """Respondents' scores on some dimensions, read once into a float matrix (NaN: not
    scored), with their groups by one profile attribute as row indices.

    A breakdown counts and averages every dimension in every group, and checks the
    complementary suppression of each: done list by list, that reads each score a dozen
    times, the larger part of a large campaign's statistics.
    """

    def __init__(self, respondents: Sequence[Respondent], attribute: Attribute,
                 keys: Sequence[str], columns: ScoreColumns | None = None):
        self.keys = list(keys)
        self.respondents = respondents
        if columns is None:
            columns = score_columns(respondents, self.keys)
        self.values = (np.column_stack([columns[key] for key in self.keys]) if self.keys
                       else np.empty((len(respondents), 0)))
        self.scored = ~np.isnan(self.values)
        rows: dict[str, list[int]] = {}  # in order of first appearance, as `partition`
        for row, r in enumerate(respondents):
            value = attribute(r)
            if value is not None:
                rows.setdefault(value, []).append(row)
        self.groups = {value: np.asarray(found, dtype=np.intp) for value, found in rows.items()}

    def counts(self, group: str) -> dict[str, int]:
        """How many of the group's members scored each dimension."""
        found = self.scored[self.groups[group]].sum(axis=0)
        return {key: int(found[column]) for column, key in enumerate(self.keys)}

    def scores(self, group: str, key: str) -> list[float]:
        """The scores of the group's members on one dimension, in the respondents' order
        (members without one left out), as `dimension_values` gives them."""
        column = self.keys.index(key)
        rows = self.groups.get(group, np.empty(0, dtype=np.intp))
        kept = rows[self.scored[rows, column]]
        return self.values[kept, column].tolist()

    def members(self, group: str) -> list[Respondent]:
        return [self.respondents[row] for row in self.groups.get(group, [])]


def visible_cells(
    matrix: ScoreMatrix, threshold: int,
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Which rows and which cells to hide, with reason codes: ({group: reason},
    {dimension: {group: reason}}) for the groups of one breakdown."""
    sizes = {g: len(rows) for g, rows in matrix.groups.items()}
    sizes[UNSHOWN] = len(matrix.respondents) - sum(sizes.values())
    rows = suppression_reasons(sizes, threshold, unshown={UNSHOWN})
    shown = [g for g in matrix.groups if g not in rows and len(matrix.groups[g])]
    counts = {g: matrix.counts(g) for g in shown}
    totals = matrix.scored.sum(axis=0)
    cells: dict[str, dict[str, str]] = {}
    for column, key in enumerate(matrix.keys):
        scored = {g: counts[g][key] for g in shown}
        scored[UNSHOWN] = int(totals[column]) - sum(scored.values())
        cells[key] = suppression_reasons(scored, threshold, unshown={UNSHOWN})
    return rows, cells


def breakdown(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], attribute: Attribute,
    item_key: str, threshold: int, columns: ScoreColumns | None = None,
) -> dict[str, Any]:
    """Dimension means per group: the heatmap rows, small groups and cells suppressed.

    Also the spread (highest minus lowest shown group mean) of each dimension.
    `columns`: the respondents' `score_columns`, when read already.
    """
    scale = questionnaire.item_scale(item_key)
    keys = [d.key for d in questionnaire.dimensions] + [INDEX]
    matrix = ScoreMatrix(respondents, attribute, keys, columns)
    row_reasons, cell_reasons = visible_cells(matrix, threshold)
    rows: dict[str, Any] = {}
    for option in scale.options:
        members = len(matrix.groups.get(option.code, ()))
        if option.code in row_reasons:
            rows[option.code] = hidden(row_reasons[option.code])
        elif members:
            cells = {}
            for key in keys:
                values = matrix.scores(option.code, key)
                reason = cell_reasons[key].get(option.code)
                cells[key] = hidden(reason) if reason else (
                    {"n": len(values), "mean": fmean(values) if values else None})
            rows[option.code] = {"n": members, "dimensions": cells}
    spread = {}
    for key in keys:
        values = [m for row in rows.values() if "dimensions" in row
                  if (m := row["dimensions"][key].get("mean")) is not None]
        spread[key] = {"lowest": min(values), "highest": max(values),
                       "range": max(values) - min(values)} if len(values) >= 2 else None
    return {"rows": rows, "spread": spread, "hidden": sorted(row_reasons)}


def seniority_gaps(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
    clustered: bool = False, columns: ScoreColumns | None = None,
) -> list[dict[str, Any]]:
    """Senior leaders minus staff, per capability and the index, with Welch 95% CIs and
    Benjamini-Hochberg adjusted p-values across the rows shown.

    `clustered` (the pool): intervals and p-values by cluster bootstrap over organisations.
    """
    a = questionnaire.analysis
    if a is None:
        return []
    keys = [*(d.key for d in questionnaire.dimensions_in("capability")), INDEX]
    matrix = ScoreMatrix(respondents, BREAKDOWNS["seniority"], keys, columns)
    row_reasons, cell_reasons = visible_cells(matrix, threshold)
    gaps = []
    for key in keys:
        reasons = [reason for code in (a.senior_code, a.staff_code)
                   if (reason := row_reasons.get(code) or cell_reasons[key].get(code))]
        values_a = matrix.scores(a.senior_code, key)
        values_b = matrix.scores(a.staff_code, key)
        if reasons or not values_a or not values_b:
            gaps.append({"dimension": key} | hidden(reasons[0] if reasons else NO_RESPONDENTS))
            continue
        gap = {"dimension": key} | difference_ci(values_a, values_b).as_dict()
        if clustered:
            senior, staff = matrix.members(a.senior_code), matrix.members(a.staff_code)
            gap |= clustered_difference(
                values_a, [r.campaign_id for r in senior if r.scores.get(key) is not None],
                values_b, [r.campaign_id for r in staff if r.scores.get(key) is not None])
        gaps.append(gap)
    return adjust_gaps(gaps)


def adjust_gaps(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add `p_adjusted` (Benjamini-Hochberg over the family of shown gaps) to each gap."""
    shown = [g for g in gaps if not g.get("suppressed")]
    for gap, p in zip(shown, benjamini_hochberg([g.get("p_value") for g in shown]),
                      strict=True):
        gap["p_adjusted"] = p
    return gaps


# The pool's seniority gaps from per-organisation tallies (`analysis.loading.pool_tallies`).


def tally_plan(questionnaire: Questionnaire) -> TallyPlan:
    """The tallies of the seniority gaps: respondents per seniority code and those with
    each score, and the senior leaders' and staff's sums."""
    a = questionnaire.analysis
    if a is None or not any(i.key == "seniority" for i in questionnaire.profile_items()):
        return TallyPlan(codes={})
    codes = tuple(o.code for o in questionnaire.item_scale("seniority").options)
    return TallyPlan(codes={}, group_column="seniority", group_codes=codes,
                     group_sums=(a.senior_code, a.staff_code),
                     group_dimensions=tuple(_gap_keys(questionnaire)))


def _gap_keys(questionnaire: Questionnaire) -> list[str]:
    return [*(d.key for d in questionnaire.dimensions_in("capability")), INDEX]


def seniority_gaps_from_tallies(
    questionnaire: Questionnaire, tallies: PoolTallies, threshold: int,
) -> list[dict[str, Any]]:
    """`seniority_gaps(..., clustered=True)` of the pool, from its tallies."""
    a = questionnaire.analysis
    if a is None:
        return []
    plan = tally_plan(questionnaire)
    keys = _gap_keys(questionnaire)
    present = [code for code in plan.group_codes
               if tallies.count(("group", code, "size")) > 0]
    sizes = {code: tallies.count(("group", code, "size")) for code in present}
    sizes[UNSHOWN] = tallies.count(("respondents",)) - sum(sizes.values())
    rows = suppression_reasons(sizes, threshold, unshown={UNSHOWN})
    shown = [g for g in present if g not in rows]
    gaps = []
    for key in keys:
        scored = {g: tallies.count(("group", g, key, "n")) for g in shown}
        scored[UNSHOWN] = sum(tallies.count(("group", g, key, "n"))
                              for g in (*plan.group_codes, None)) - sum(scored.values())
        cells = suppression_reasons(scored, threshold, unshown={UNSHOWN})
        reasons = [reason for code in (a.senior_code, a.staff_code)
                   if (reason := rows.get(code) or cells.get(code))]
        n_a = tallies.count(("group", a.senior_code, key, "n"))
        n_b = tallies.count(("group", a.staff_code, key, "n"))
        if reasons or not n_a or not n_b:
            gaps.append({"dimension": key} | hidden(reasons[0] if reasons else NO_RESPONDENTS))
            continue

        def moments(code: str, key: str = key) -> tuple[int, float, float, bool]:
            def tally(what: str) -> np.ndarray:
                return tallies["group", code, key, what]
            return (tallies.count(("group", code, key, "n")), float(tally("sum").sum()),
                    float(tally("squares").sum()),
                    bool(np.nanmin(tally("min")) == np.nanmax(tally("max"))))

        gap = {"dimension": key} | difference_from_moments(
            moments(a.senior_code), moments(a.staff_code)).as_dict()
        gap |= cluster_difference(
            tallies["group", a.senior_code, key, "sum"], tallies["group", a.senior_code, key, "n"],
            tallies["group", a.staff_code, key, "sum"], tallies["group", a.staff_code, key, "n"])
        gaps.append(gap)
    return adjust_gaps(gaps)
