"""One organisation's results: dimension means with CIs, index band, answer shares.

Every figure rests on at least `threshold` respondents who gave an answer that enters
it, and carries that number as its `n`; otherwise it is the suppression marker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from assessment.analysis.records import Respondent, answer_column, score_column
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import INDEX
from assessment.stats.descriptive import category_shares, mean_ci, proportion
from assessment.stats.privacy import BELOW_THRESHOLD, suppressed_cell

# A dimension whose "don't know" share exceeds this is flagged (`dont_know_high`): its
# score describes only the people who felt able to answer.
DONT_KNOW_FLAG: Final = 0.20
# A figure that cannot be given because one of its groups has nobody in it (besides the
# privacy codes of `assessment.stats.privacy`).
NO_RESPONDENTS: Final = "no_respondents"


def hidden(reason: str = BELOW_THRESHOLD) -> dict[str, Any]:
    """A suppressed figure: the marker, its reason code and no n."""
    return suppressed_cell(reason) | {"n": None}


def dimension_values(respondents: Sequence[Respondent], dimension: str) -> list[float]:
    """Every respondent's score on one dimension (respondents without one left out)."""
    return [s for s in score_column(respondents, dimension) if s is not None]


def dimension_summaries(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], threshold: int,
) -> dict[str, Any]:
    """Mean, n, SD and 95% CI of every dimension and of the index, small n suppressed;
    each dimension also carries its "don't know" share."""
    summaries: dict[str, Any] = {}
    for dimension in [*questionnaire.dimensions, None]:
        key = dimension.key if dimension else INDEX
        values = dimension_values(respondents, key)
        summary: dict[str, Any] = (
            _within_scale(mean_ci(values).as_dict()) if len(values) >= threshold
            else hidden()
        )
        summary["group"] = dimension.group if dimension else INDEX
        summary |= dont_know_share(questionnaire, respondents, key, threshold) \
            if dimension else {"dont_know": None, "dont_know_high": None}
        summaries[key] = summary
    index = summaries[INDEX]
    band = questionnaire.band_for(index.get("mean"))
    index["band"] = None if band is None else {"key": band.key}
    return summaries


def dont_know_share(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], dimension: str,
    threshold: int,
) -> dict[str, Any]:
    """Share of the respondents who answered any of the dimension's items that said
    "don't know" (an option without a value) to at least one of them, and the flag."""
    # Per item, the codes of its options without a value ("don't know"), looked up once.
    items = [(i.key, {o.code for o in questionnaire.scales[i.scale].options
                      if o.value is None}) for i in questionnaire.dimension_items(dimension)]
    # Item by item over the respondents' answers (comprehensions over read columns: this
    # runs for every dimension over every respondent).
    seen = [False] * len(respondents)
    said = [False] * len(respondents)
    for key, unknown in items:
        column = answer_column(respondents, key)
        seen = [s or a is not None for s, a in zip(seen, column, strict=True)]
        if unknown:
            said = [d or (a is not None and str(a) in unknown)
                    for d, a in zip(said, column, strict=True)]
    answered, dont_know = seen.count(True), said.count(True)
    if answered < threshold:
        return {"dont_know": hidden(), "dont_know_high": None}
    share = proportion(dont_know, answered)
    return {"dont_know": share.as_dict(),
            "dont_know_high": share.share is not None and share.share > DONT_KNOW_FLAG}


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
    given = [a for a in answer_column(respondents, item_key) if a is not None]
    if len(given) < threshold:
        return hidden()
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
            given = [a for a in answer_column(respondents, item.key) if a is not None]
            shares[item.key] = (
                proportion(given.count(positive), len(given)).as_dict()
                if len(given) >= threshold else hidden()
            )
    return shares
