"""The published Digiskills analyses: who says everyone fully understands customers.

Respondent level: each response is classified by its own answers. Organisation level:
each organisation (campaign) is classified by the majority of its respondents - it counts
as having a capability "fully present" when more than half of its respondents say
everyone can do it, and as understanding its customers when more than half say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assessment.analysis.records import Respondent
from assessment.instrument.questionnaire import AnalysisMap, Questionnaire
from assessment.stats.association import split_share
from assessment.stats.descriptive import proportion
from assessment.stats.privacy import DEFAULT_THRESHOLD, suppress_groups, suppressed_cell

ALL, SOME, NONE = "all", "some", "none"


def _analysis(questionnaire: Questionnaire) -> AnalysisMap:
    if questionnaire.analysis is None:
        raise ValueError(f"{questionnaire.ident} has no 'analysis' map")
    return questionnaire.analysis


def representative_class(a: AnalysisMap, answers: Mapping[str, Any]) -> str | None:
    """'all', 'some' or 'none' of the representative capabilities are fully present."""
    values = [answers.get(k) for k in a.representative_items]
    if any(v is None or v == "dont_know" for v in values):
        return None
    present = sum(v == a.representative_positive for v in values)
    if present == len(values):
        return ALL
    return NONE if present == 0 else SOME


def _yes_no(answer: Any, positive: str) -> str | None:
    if answer is None or answer == "dont_know":
        return None
    return "yes" if answer == positive else "no"


def _split(
    respondents: Sequence[Mapping[str, Any]],
    classify: Callable[[Mapping[str, Any]], str | None],
    a: AnalysisMap,
    labels: Sequence[str],
    threshold: int,
) -> dict[str, Any]:
    """Outcome 'yes' / 'no' shares within each class, with the test across classes.

    Classes smaller than the threshold (and any needed to protect them from subtraction)
    are suppressed, and the test is then left out, since its table would reveal them.
    """
    counts = {label: [0, 0, 0] for label in labels}  # says yes, says no, n
    for answers in respondents:
        label = classify(answers)
        outcome = answers.get(a.outcome_item)
        if label is None or outcome is None or label not in counts:
            continue
        counts[label][2] += 1
        counts[label][0] += outcome == a.outcome_positive
        counts[label][1] += outcome == "no"
    hidden = suppress_groups({label: c[2] for label, c in counts.items()}, threshold)
    groups: dict[str, Any] = {
        label: suppressed_cell() if label in hidden else {
            "n": c[2],
            "says_yes": proportion(c[0], c[2]).as_dict(),
            "says_no": proportion(c[1], c[2]).as_dict(),
        }
        for label, c in counts.items()
    }
    test = None if hidden else split_share(
        {label: (c[0], c[2]) for label, c in counts.items()}).test.as_dict()
    return {"groups": groups, "test": test}


def respondent_findings(
    questionnaire: Questionnaire, respondents: Sequence[Respondent],
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """The Digiskills figures computed over individual respondents."""
    a = _analysis(questionnaire)
    answers = [r.answers for r in respondents]
    return _findings(questionnaire, a, answers, threshold) | {
        "level": "respondent", "n": len(answers)}


def organisation_findings(
    questionnaire: Questionnaire, respondents: Sequence[Respondent], minimum: int,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """The Digiskills figures over organisations, each classified by its majority.

    Organisations with fewer than `minimum` respondents are left out.
    """
    a = _analysis(questionnaire)
    by_campaign: dict[int, list[Mapping[str, Any]]] = {}
    for r in respondents:
        by_campaign.setdefault(r.campaign_id, []).append(r.answers)
    majority = [
        _majority_answers(questionnaire, a, group)
        for group in by_campaign.values() if len(group) >= minimum
    ]
    return _findings(questionnaire, a, majority, threshold) | {
        "level": "organisation", "n": len(majority)}


def _majority_answers(
    q: Questionnaire, a: AnalysisMap, group: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """An organisation's answers as 'more than half of its respondents said so'."""
    def majority(key: str, positive: str, negative: str) -> str:
        said = sum(g.get(key) == positive for g in group)
        return positive if said * 2 > len(group) else negative

    summary: dict[str, Any] = {
        key: majority(key, a.representative_positive, "not_everyone")
        for key in a.representative_items
    }
    summary[a.outcome_item] = majority(a.outcome_item, a.outcome_positive, "no")
    summary[a.vision_item] = majority(a.vision_item, a.vision_positive, "no")
    summary[a.learning_item] = majority(a.learning_item, a.learning_positive, "no")
    for dimension in q.dimensions_in("capability"):
        if dimension.key not in summary:
            summary[dimension.key] = majority(
                dimension.key, a.representative_positive, "not_everyone")
    return summary


def _findings(
    q: Questionnaire, a: AnalysisMap, answers: Sequence[Mapping[str, Any]], threshold: int
) -> dict[str, Any]:
    outcome = [x.get(a.outcome_item) for x in answers]
    known = [o for o in outcome if o is not None]
    everyone_shares = {
        d.key: _share(answers, d.key, a.representative_positive)
        for d in q.dimensions_in("capability")
    }
    return {
        "outcome_item": a.outcome_item,
        "understands_customers": proportion(
            sum(o == a.outcome_positive for o in known), len(known)).as_dict(),
        "outcome_answers": {
            code: proportion(sum(o == code for o in known), len(known)).as_dict()
            for code in _codes(q, a.outcome_item)
        },
        "by_representative": _split(
            answers, lambda x: representative_class(a, x), a, [ALL, SOME, NONE], threshold),
        "by_vision": _split(
            answers, lambda x: _yes_no(x.get(a.vision_item), a.vision_positive), a,
            ["yes", "no"], threshold),
        "by_learning": _split(
            answers, lambda x: _yes_no(x.get(a.learning_item), a.learning_positive), a,
            ["yes", "no"], threshold),
        "everyone_can": everyone_shares,
        "vision_clear": _share(answers, a.vision_item, a.vision_positive),
        "learning_understands": _share(answers, a.learning_item, a.learning_positive),
        "priorities_everyone": _share(answers, a.priorities_item, a.representative_positive)
        if a.priorities_item else None,
    }


def _codes(q: Questionnaire, item_key: str) -> list[str]:
    return [o.code for o in q.item_scale(item_key).options]


def _share(answers: Sequence[Mapping[str, Any]], key: str, positive: str) -> dict[str, Any]:
    """Share of those who answered the item (don't know included) giving `positive`."""
    given = [x.get(key) for x in answers if x.get(key) is not None]
    return proportion(sum(v == positive for v in given), len(given)).as_dict()
