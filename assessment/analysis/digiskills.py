"""The published Digiskills analyses: who says everyone fully understands customers.

Respondent level: each response is classified by its own answers. Organisation level:
each organisation (campaign) is classified by the majority of its respondents - it counts
as having a capability "fully present" when more than half of its respondents say
everyone can do it, and as understanding its customers when more than half say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assessment.analysis import results
from assessment.analysis.records import Respondent
from assessment.instrument.questionnaire import AnalysisMap, Questionnaire
from assessment.stats.association import split_share
from assessment.stats.clustered import clustered_share, clustered_split
from assessment.stats.descriptive import proportion
from assessment.stats.privacy import DEFAULT_THRESHOLD, suppression_reasons

UNSHOWN = ""  # respondents whose class is unknown: a group never shown (no label is empty)

ALL, SOME, NONE = "all", "some", "none"


def _analysis(questionnaire: Questionnaire) -> AnalysisMap:
    if questionnaire.analysis is None:
        raise ValueError(f"{questionnaire.ident} has no 'analysis' map")
    return questionnaire.analysis


def representative_class(a: AnalysisMap, answers: Mapping[str, Any]) -> str | None:
    """'all', 'some' or 'none' of the representative capabilities are fully present.

    A "don't know" (or no answer) leaves the class unknown unless the known answers
    already settle it: one capability everyone's and another not makes it "some"
    whatever the unknown one is.
    """
    values = [answers.get(k) for k in a.representative_items]
    known = [v == a.representative_positive for v in values
             if v is not None and v != "dont_know"]
    if any(known) and not all(known):
        return SOME
    if len(known) < len(values):
        return None
    return ALL if all(known) else NONE


def _yes_no(answer: Any, positive: str) -> str | None:
    if answer is None or answer == "dont_know":
        return None
    return "yes" if answer == positive else "no"


Clusters = Sequence[int] | None  # each answer's organisation, when intervals allow for it


def _shares(hits: Sequence[bool], ids: Sequence[int] | None) -> dict[str, Any]:
    """A share with a Wilson interval, or with a cluster-bootstrap one given the clusters."""
    if ids is None:
        return proportion(sum(hits), len(hits)).as_dict()
    return clustered_share(hits, ids)


def _split(
    respondents: Sequence[Mapping[str, Any]],
    classify: Callable[[Mapping[str, Any]], str | None],
    a: AnalysisMap,
    labels: Sequence[str],
    threshold: int,
    clusters: Clusters = None,
) -> dict[str, Any]:
    """Outcome 'yes' / 'no' shares within each class, with the test across classes.

    Classes smaller than the threshold (and any needed to protect them from subtraction,
    counting those whose class is unknown as a group of their own, since the outcome's
    answers table shows everyone) are suppressed, and the test is then left out, since
    its table would reveal them.
    """
    outcomes: dict[str, list[str]] = {label: [] for label in labels}
    ids: dict[str, list[int]] = {label: [] for label in labels}
    unknown = 0
    for position, answers in enumerate(respondents):
        label = classify(answers)
        outcome = answers.get(a.outcome_item)
        if outcome is None:
            continue
        if label is None or label not in outcomes:
            unknown += 1
            continue
        outcomes[label].append(outcome)
        ids[label].append(clusters[position] if clusters is not None else 0)
    sizes = {label: len(o) for label, o in outcomes.items()} | {UNSHOWN: unknown}
    hidden = suppression_reasons(sizes, threshold, unshown={UNSHOWN})
    says_yes = {label: [o == a.outcome_positive for o in found]
                for label, found in outcomes.items()}
    if clusters is None:
        shares = {label: proportion(sum(hits), len(hits)).as_dict()
                  for label, hits in says_yes.items()}
        test = split_share({label: (sum(hits), len(hits))
                            for label, hits in says_yes.items()}).test.as_dict()
    else:
        shares, test = clustered_split({label: (says_yes[label], ids[label])
                                        for label in labels})
    groups: dict[str, Any] = {
        label: results.hidden(hidden[label]) if label in hidden else {
            "n": len(found),
            "says_yes": shares[label],
            "says_no": _shares([o == "no" for o in found],
                               ids[label] if clusters is not None else None),
        }
        for label, found in outcomes.items()
    }
    return {"groups": groups, "test": None if hidden else test}


def respondent_findings(
    questionnaire: Questionnaire, respondents: Sequence[Respondent],
    threshold: int = DEFAULT_THRESHOLD, clustered: bool = False,
) -> dict[str, Any]:
    """The Digiskills figures computed over individual respondents.

    `clustered` (the pool: respondents of many organisations): intervals and tests allow
    for respondents being clustered in organisations (`assessment.stats.clustered`).
    """
    a = _analysis(questionnaire)
    answers = [r.answers for r in respondents]
    clusters = [r.campaign_id for r in respondents] if clustered else None
    return _findings(questionnaire, a, answers, threshold, clusters) | {
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
    if a.priorities_item:
        summary[a.priorities_item] = majority(
            a.priorities_item, a.representative_positive, "not_everyone")
    for dimension in q.dimensions_in("capability"):
        if dimension.key not in summary:
            summary[dimension.key] = majority(
                dimension.key, a.representative_positive, "not_everyone")
    return summary


def _findings(
    q: Questionnaire, a: AnalysisMap, answers: Sequence[Mapping[str, Any]], threshold: int,
    clusters: Clusters = None,
) -> dict[str, Any]:
    def share(key: str, positive: str) -> dict[str, Any]:
        return _share(answers, key, positive, threshold, clusters)

    def split(classify: Callable[[Mapping[str, Any]], str | None],
              labels: Sequence[str]) -> dict[str, Any]:
        return _split(answers, classify, a, labels, threshold, clusters)

    return {
        "outcome_item": a.outcome_item,
        "understands_customers": share(a.outcome_item, a.outcome_positive),
        "outcome_answers": {code: share(a.outcome_item, code)
                            for code in _codes(q, a.outcome_item)},
        "by_representative": split(lambda x: representative_class(a, x), [ALL, SOME, NONE]),
        "by_vision": split(lambda x: _yes_no(x.get(a.vision_item), a.vision_positive),
                           ["yes", "no"]),
        "by_learning": split(lambda x: _yes_no(x.get(a.learning_item), a.learning_positive),
                             ["yes", "no"]),
        "everyone_can": {d.key: share(d.key, a.representative_positive)
                         for d in q.dimensions_in("capability")},
        "vision_clear": share(a.vision_item, a.vision_positive),
        "learning_understands": share(a.learning_item, a.learning_positive),
        "priorities_everyone": share(a.priorities_item, a.representative_positive)
        if a.priorities_item else None,
    }


def _codes(q: Questionnaire, item_key: str) -> list[str]:
    return [o.code for o in q.item_scale(item_key).options]


def _share(answers: Sequence[Mapping[str, Any]], key: str, positive: str,
           threshold: int, clusters: Clusters = None) -> dict[str, Any]:
    """Share of those who answered the item (don't know included) giving `positive`."""
    given = [(x.get(key), clusters[i] if clusters is not None else 0)
             for i, x in enumerate(answers) if x.get(key) is not None]
    if len(given) < threshold:
        return results.hidden()
    return _shares([v == positive for v, _ in given],
                   [c for _, c in given] if clusters is not None else None)
