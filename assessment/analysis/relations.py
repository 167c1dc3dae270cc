"""How capability, vision and L&D go with customer understanding; scale reliability."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assessment.analysis.records import Respondent
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import item_score
from assessment.stats.correlation import benjamini_hochberg, pearson, spearman
from assessment.stats.privacy import suppressed_cell
from assessment.stats.reliability import cronbach_alpha


def predictor_keys(questionnaire: Questionnaire) -> list[str]:
    """The dimensions related to the outcome: every capability, then vision and L&D."""
    keys = [d.key for d in questionnaire.dimensions_in("capability")]
    keys += [d.key for d in questionnaire.dimensions if d.group in ("vision", "learning")]
    return keys


def outcome_scores(
    questionnaire: Questionnaire, respondents: Sequence[Respondent]
) -> list[float | None]:
    """Each respondent's score on the outcome item (everyone understands customers)."""
    a = questionnaire.analysis
    if a is None:
        return [None] * len(respondents)
    return [item_score(questionnaire, a.outcome_item, r.answers.get(a.outcome_item))
            for r in respondents]


def correlations(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
) -> list[dict[str, Any]]:
    """Spearman (Bonett-Wright CI) and Pearson (Fisher-z CI) of each predictor with the
    outcome item, p-values Benjamini-Hochberg adjusted across the family per method."""
    outcome = outcome_scores(questionnaire, respondents)
    rows: list[dict[str, Any]] = []
    for key in predictor_keys(questionnaire):
        values = [r.scores.get(key) for r in respondents]
        rows.append({"dimension": key,
                     "spearman": spearman(values, outcome).as_dict(),
                     "pearson": pearson(values, outcome).as_dict()})
    for method in ("spearman", "pearson"):
        adjusted = benjamini_hochberg([row[method]["p_value"] for row in rows])
        for row, p in zip(rows, adjusted, strict=True):
            row[method]["p_adjusted"] = p
    for row in rows:
        if row["spearman"]["n"] < threshold:
            row["spearman"] = suppressed_cell() | {"n": None}
            row["pearson"] = suppressed_cell() | {"n": None}
    return rows


def reliability(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
) -> dict[str, Any]:
    """Cronbach's alpha (Feldt 95% CI) of every multi-item scale.

    The eight capability items together form the "capabilities" scale.
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
    result: dict[str, Any] = {}
    for key, items in scales.items():
        matrix = [[item_score(questionnaire, i, r.answers.get(i)) for i in items]
                  for r in respondents]
        alpha = cronbach_alpha(matrix).as_dict()
        result[key] = {"items": items} | (
            alpha if alpha["n"] >= threshold else suppressed_cell() | {"n": None})
    return result
