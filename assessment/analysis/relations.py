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

from assessment.analysis.records import Respondent
from assessment.analysis.results import hidden
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import item_score
from assessment.stats.clustered import clustered_alpha, clustered_correlation
from assessment.stats.correlation import benjamini_hochberg, pearson, spearman
from assessment.stats.reliability import cronbach_alpha


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
    return [None if key is None else r.scores.get(key) for r in respondents]


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
        values = [r.scores.get(key) for r in respondents]
        row: dict[str, Any] = {"dimension": key, "outcome": outcome_dimension(questionnaire),
               "spearman": spearman(values, outcome).as_dict(),
               "pearson": pearson(values, outcome).as_dict()}
        if clustered:
            x, y, ids = _pairs(values, outcome, respondents)
            for method in ("spearman", "pearson"):
                row[method] |= clustered_correlation(row[method]["r"], x, y, ids,
                                                     ranks=method == "spearman")
        rows.append(row)
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
    """Every respondent's score on one item, each distinct answer scored once."""
    scored: dict[str, float | None] = {}
    column: list[float | None] = []
    for r in respondents:
        answer = r.answers.get(item_key)
        if not isinstance(answer, str):  # no answer, or a list (a multiple-choice item)
            column.append(item_score(questionnaire, item_key, answer))
        elif answer in scored:
            column.append(scored[answer])
        else:
            column.append(scored.setdefault(answer,
                                            item_score(questionnaire, item_key, answer)))
    return column


def reliability(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
    clustered: bool = False,
) -> dict[str, Any]:
    """Cronbach's alpha (Feldt 95% CI) of every multi-item scale.

    The eight capability items together form the "capabilities" scale. `clustered` (the
    pool): the interval by cluster bootstrap over organisations instead of Feldt's.
    """
    scales: dict[str, list[str]] = {}
    capability_items = [i.key for d in questionnaire.dimensions_in("capability")
                        for i in questionnaire.dimension_items(d.key)]
    if len(capability_items) >= 2:
        scales["capabilities"] = capability_items
    for d in questionnaire.dimensions:
        items = [i.key for i in questionnaire.dimension_items(d.key)]
        if len(items) >= 2:
            scales[d.key] = items
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
