"""How capability, vision and L&D go with customer understanding; scale reliability.

One outcome for every relation the engine reports (these correlations, the links across
organisations and the priorities built on them): the customer-understanding dimension
score, the mean of its items (the published "everyone fully understands customers"
question among them). The Digiskills cross-tabulations keep that one question, as
published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from assessment.analysis.records import (
    PoolTallies,
    Respondent,
    TallyPlan,
    answer_column,
    score_column,
)
from assessment.analysis.results import hidden
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import item_score
from assessment.stats.clustered import (
    cluster_alpha,
    cluster_correlation,
    clustered_alpha,
    clustered_correlation,
    item_pairs,
)
from assessment.stats.correlation import (
    benjamini_hochberg,
    pearson,
    pearson_from_moments,
    spearman,
    spearman_from_ranks,
)
from assessment.stats.reliability import alpha_from_moments, cronbach_alpha


def predictor_keys(questionnaire: Questionnaire) -> list[str]:
    """The dimensions related to the outcome: every capability, then vision and L&D."""
    keys = [d.key for d in questionnaire.dimensions_in("capability")]
    keys += [d.key for d in questionnaire.dimensions if d.group in ("vision", "learning")]
    return keys


def outcome_dimension(questionnaire: Questionnaire) -> str | None:
    """The key of the outcome: the (first) dimension of the "customer" group."""
    return next((d.key for d in questionnaire.dimensions_in("customer")), None)


def outcome_scores(
    questionnaire: Questionnaire, respondents: Sequence[Respondent]
) -> list[float | None]:
    """Each respondent's score on the outcome dimension (customer understanding)."""
    key = outcome_dimension(questionnaire)
    return [None] * len(respondents) if key is None else list(score_column(respondents, key))


def _pairs(x: Sequence[float | None], y: Sequence[float | None], respondents:
           Sequence[Respondent]) -> tuple[list[float], list[float], list[int]]:
    kept = [(a, b, r.campaign_id) for a, b, r in zip(x, y, respondents, strict=True)
            if a is not None and b is not None]
    return [a for a, _, _ in kept], [b for _, b, _ in kept], [c for _, _, c in kept]


def correlations(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
    clustered: bool = False,
) -> list[dict[str, Any]]:
    """Spearman (Bonett-Wright CI) and Pearson (Fisher-z CI) of each predictor with the
    outcome dimension, p-values Benjamini-Hochberg adjusted across the family per method.

    `clustered` (the pool): intervals and p-values by cluster bootstrap over organisations.
    """
    outcome = outcome_scores(questionnaire, respondents)
    rows: list[dict[str, Any]] = []
    for key in predictor_keys(questionnaire):
        values = score_column(respondents, key)
        row: dict[str, Any] = {"dimension": key, "outcome": outcome_dimension(questionnaire),
               "spearman": spearman(values, outcome).as_dict(),
               "pearson": pearson(values, outcome).as_dict()}
        if clustered:
            x, y, ids = _pairs(values, outcome, respondents)
            for method in ("spearman", "pearson"):
                row[method] |= clustered_correlation(row[method]["r"], x, y, ids,
                                                     ranks=method == "spearman")
        rows.append(row)
    return _shown(rows, threshold)


def _shown(rows: list[dict[str, Any]], threshold: int) -> list[dict[str, Any]]:
    """The rows with those under the threshold hidden and the p-values of the others
    Benjamini-Hochberg adjusted, per method."""
    for row in rows:
        if row["spearman"]["n"] < threshold:
            row["spearman"] = hidden()
            row["pearson"] = hidden()
    # The family is the rows shown: a hidden row's p-value must not move the others'.
    shown = [row for row in rows if not row["spearman"].get("suppressed")]
    for method in ("spearman", "pearson"):
        adjusted = benjamini_hochberg([row[method]["p_value"] for row in shown])
        for row, p in zip(shown, adjusted, strict=True):
            row[method]["p_adjusted"] = p
    return rows


def item_scores(questionnaire: Questionnaire, item_key: str,
                respondents: Sequence[Respondent]) -> list[float | None]:
    """Every respondent's score on one item, each option's code scored once."""
    known = {o.code: item_score(questionnaire, item_key, o.code)
             for o in questionnaire.item_scale(item_key).options}
    # Comprehensions, not a loop with appends: run for every item over every respondent.
    # A code the scale does not have scores None, as item_score gives it; an answer that
    # is no string (a list, for a multiple-choice item) is scored as item_score does.
    column = answer_column(respondents, item_key)
    return [known.get(a) if a.__class__ is str
            else None if a is None else item_score(questionnaire, item_key, a)
            for a in column]


def scale_items(questionnaire: Questionnaire) -> dict[str, list[str]]:
    """Every multi-item scale and its items: the eight capability items together
    ("capabilities"), then each dimension of two items or more."""
    scales: dict[str, list[str]] = {}
    capability_items = [i.key for d in questionnaire.dimensions_in("capability")
                        for i in questionnaire.dimension_items(d.key)]
    if len(capability_items) >= 2:
        scales["capabilities"] = capability_items
    for d in questionnaire.dimensions:
        items = [i.key for i in questionnaire.dimension_items(d.key)]
        if len(items) >= 2:
            scales[d.key] = items
    return scales


def reliability(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
    clustered: bool = False,
) -> dict[str, Any]:
    """Cronbach's alpha (Feldt 95% CI) of every multi-item scale.

    The eight capability items together form the "capabilities" scale. `clustered` (the
    pool): the interval by cluster bootstrap over organisations instead of Feldt's.
    """
    scales = scale_items(questionnaire)
    columns = {item: item_scores(questionnaire, item, respondents)
               for items in scales.values() for item in items}
    result: dict[str, Any] = {}
    for key, items in scales.items():
        matrix = list(zip(*(columns[i] for i in items), strict=True))
        alpha = cronbach_alpha(matrix).as_dict()
        if clustered and alpha["alpha"] is not None:
            alpha |= clustered_alpha(matrix, [r.campaign_id for r in respondents])
        result[key] = {"items": items} | (alpha if alpha["n"] >= threshold else hidden())
    return result


# The pool's relations from per-organisation tallies (`analysis.loading.pool_tallies`):
# the same figures as `correlations` and `reliability` with `clustered`.

_MOMENTS = ("sx", "sy", "sxx", "syy", "sxy")
_RANKS = ("rx", "ry", "rxx", "ryy", "rxy")


def tally_plan(questionnaire: Questionnaire) -> TallyPlan:
    """The tallies of the relations: each predictor paired with the outcome, and each
    scale's items with the score of every code."""
    outcome = outcome_dimension(questionnaire)
    scales = {
        name: {item: {o.code: score for o in questionnaire.item_scale(item).options
                      if (score := item_score(questionnaire, item, o.code)) is not None}
               for item in items}
        for name, items in scale_items(questionnaire).items()
    }
    pairs = tuple((key, outcome) for key in predictor_keys(questionnaire)) if outcome else ()
    return TallyPlan(codes={}, pairs=pairs, scales=scales)


def correlations_from_tallies(
    questionnaire: Questionnaire, tallies: PoolTallies, threshold: int,
) -> list[dict[str, Any]]:
    """`correlations(..., clustered=True)` of the pool, from its tallies."""
    outcome = outcome_dimension(questionnaire)
    rows: list[dict[str, Any]] = []
    for key in predictor_keys(questionnaire):
        if outcome is None:
            empty = spearman([], []).as_dict()
            rows.append({"dimension": key, "outcome": None, "spearman": empty,
                         "pearson": pearson([], []).as_dict()})
            continue

        def tally(moment: str, key: str = key) -> np.ndarray:
            return tallies["pair", key, outcome, moment]

        n = tallies.count(("pair", key, outcome, "n"))
        constant = n > 0 and (np.nanmin(tally("min_x")) == np.nanmax(tally("max_x"))
                              or np.nanmin(tally("min_y")) == np.nanmax(tally("max_y")))
        rx, ry, rxx, ryy, rxy = (float(tally(m).sum()) for m in _RANKS)
        sx, sy, sxx, syy, sxy = (float(tally(m).sum()) for m in _MOMENTS)
        row: dict[str, Any] = {
            "dimension": key, "outcome": outcome,
            "spearman": spearman_from_ranks(n, rx, ry, rxx, ryy, rxy, constant).as_dict(),
            "pearson": pearson_from_moments(n, sx, sy, sxx, syy, sxy, constant).as_dict(),
        }
        count = tally("n")
        row["spearman"] |= cluster_correlation(
            row["spearman"]["r"], [count, *(tally(m) for m in _RANKS)], ranks=True)
        row["pearson"] |= cluster_correlation(
            row["pearson"]["r"], [count, *(tally(m) for m in _MOMENTS)])
        rows.append(row)
    return _shown(rows, threshold)


def reliability_from_tallies(
    questionnaire: Questionnaire, tallies: PoolTallies, threshold: int,
) -> dict[str, Any]:
    """`reliability(..., clustered=True)` of the pool, from its tallies."""
    result: dict[str, Any] = {}
    anyone = tallies.count(("respondents",)) > 0
    for key, items in scale_items(questionnaire).items():
        # As `cronbach_alpha` counts them: no respondents at all, no items either.
        k = len(items) if anyone else 0
        n = tallies["scale", key, "n"]
        sums = [tallies["scale", key, "sum", i] for i in range(k)]
        products = [tallies["scale", key, "product", p] for p in range(len(item_pairs(k)))]
        alpha = alpha_from_moments(int(round(n.sum())), [float(s.sum()) for s in sums],
                                   [float(p.sum()) for p in products]).as_dict()
        if alpha["alpha"] is not None:
            alpha |= cluster_alpha(n, sums, products)
        result[key] = {"items": items} | (alpha if alpha["n"] >= threshold else hidden())
    return result
