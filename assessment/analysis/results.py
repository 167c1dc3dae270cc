"""One organisation's results: dimension means with CIs, index band, answer shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assessment.analysis.records import Respondent
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import INDEX
from assessment.stats.descriptive import category_shares, mean_ci, proportion
from assessment.stats.privacy import suppressed_cell


def dimension_values(respondents: Sequence[Respondent], dimension: str) -> list[float]:
    """Every respondent's score on one dimension (respondents without one left out)."""
    return [s for r in respondents if (s := r.scores.get(dimension)) is not None]


def dimension_summaries(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
) -> dict[str, Any]:
    """Mean, n, SD and 95% CI of every dimension and of the index; small n suppressed."""
    summaries: dict[str, Any] = {}
    for dimension in [*questionnaire.dimensions, None]:
        key = dimension.key if dimension else INDEX
        values = dimension_values(respondents, key)
        summary: dict[str, Any] = (
            _within_scale(mean_ci(values).as_dict()) if len(values) >= threshold
            else suppressed_cell() | {"n": None}
        )
        summary["group"] = dimension.group if dimension else INDEX
        summaries[key] = summary
    index = summaries[INDEX]
    band = questionnaire.band_for(index.get("mean"))
    index["band"] = None if band is None else {"key": band.key}
    return summaries


def _within_scale(summary: dict[str, Any]) -> dict[str, Any]:
    """Clip a t interval to the 0-100 scale: a mean near a bound can give a limit past it."""
    for key in ("ci_low", "ci_high"):
        if summary[key] is not None:
            summary[key] = min(100.0, max(0.0, summary[key]))
    return summary


def item_answer_shares(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], item_key: str,
    threshold: int,
) -> dict[str, Any]:
    """Share of each answer to one item, with Wilson 95% intervals."""
    scale = questionnaire.item_scale(item_key)
    answers = [r.answers.get(item_key) for r in respondents]
    given = [a for a in answers if a is not None]
    if len(given) < threshold:
        return suppressed_cell() | {"n": None}
    counts = {o.code: sum(a == o.code for a in given) for o in scale.options}
    shares = category_shares(counts)
    return {"n": len(given),
            "answers": {code: share.as_dict() for code, share in shares.items()}}


def everyone_shares(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
    positive: str = "everyone",
) -> dict[str, Any]:
    """For each capability: the share saying everyone in the organisation can do it."""
    shares: dict[str, Any] = {}
    for dimension in questionnaire.dimensions_in("capability"):
        for item in questionnaire.dimension_items(dimension.key):
            given = [a for r in respondents if (a := r.answers.get(item.key)) is not None]
            shares[item.key] = (
                proportion(sum(a == positive for a in given), len(given)).as_dict()
                if len(given) >= threshold else suppressed_cell() | {"n": None}
            )
    return shares
