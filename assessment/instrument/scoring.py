"""Scoring: answers -> dimension scores (0-100) and the overall digital-maturity index.

The formula (also in the README's methodology):

* an item's score maps its option's value linearly onto 0-100:
  ``100 * (value - lowest) / (highest - lowest)`` over the scale's numeric values;
  "don't know" (an option without a value) and unanswered items are left out, never zero;
* a dimension's score is the mean of its answered items' scores (None if none answered);
* the index is the weighted mean of the group means named in the instrument's
  ``index.weights``, where a group's mean is the plain mean of its scored dimensions;
  groups with no score are left out and the weights of the rest renormalised.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean
from typing import Any

from assessment.instrument.questionnaire import Questionnaire

INDEX = "index"
Answers = Mapping[str, Any]


def item_score(questionnaire: Questionnaire, item_key: str, answer: Any) -> float | None:
    """The 0-100 score of one answer, or None for "don't know" or no answer."""
    if answer is None:
        return None
    scale = questionnaire.item_scale(item_key)
    option = scale.option(str(answer))
    if option is None or option.value is None:
        return None
    low, high = scale.value_range
    return 100.0 * (option.value - low) / (high - low)


def dimension_scores(questionnaire: Questionnaire, answers: Answers) -> dict[str, float | None]:
    """Each dimension's 0-100 score for one respondent."""
    scores: dict[str, float | None] = {}
    for dimension in questionnaire.dimensions:
        item_scores = [
            s for item in questionnaire.dimension_items(dimension.key)
            if (s := item_score(questionnaire, item.key, answers.get(item.key))) is not None
        ]
        scores[dimension.key] = fmean(item_scores) if item_scores else None
    return scores


def overall_index(questionnaire: Questionnaire, scores: Mapping[str, float | None]) -> float | None:
    """The weighted index over dimension groups, renormalising for groups with no score."""
    weighted: list[tuple[float, float]] = []
    for group, weight in questionnaire.index.weights.items():
        values = [
            score for d in questionnaire.dimensions_in(group)
            if (score := scores.get(d.key)) is not None
        ]
        if values:
            weighted.append((weight, fmean(values)))
    if not weighted:
        return None
    total_weight = sum(w for w, _ in weighted)
    return sum(w * v for w, v in weighted) / total_weight


def score_response(questionnaire: Questionnaire, answers: Answers) -> dict[str, float | None]:
    """Every dimension's score plus the overall index under the key ``"index"``."""
    scores = dimension_scores(questionnaire, answers)
    scores[INDEX] = overall_index(questionnaire, scores)
    return scores
