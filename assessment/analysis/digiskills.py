"""The published Digiskills analyses: who says everyone fully understands customers.

Respondent level: each response is classified by its own answers. Organisation level:
each organisation (campaign) is classified by the majority of its respondents - it counts
as having a capability "fully present" when more than half of its respondents say
everyone can do it, and as understanding its customers when more than half say so.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from assessment.analysis import results
from assessment.analysis.records import (
    ANSWER_STATES,
    NO_ANSWER,
    OTHER_ANSWER,
    POSITIVE_ANSWER,
    UNKNOWN_ANSWER,
    PoolTallies,
    Respondent,
    SplitPlan,
    TallyPlan,
    answer_column,
)
from assessment.instrument.questionnaire import AnalysisMap, Questionnaire
from assessment.stats.association import split_share
from assessment.stats.clustered import (
    cluster_share,
    cluster_split,
    clustered_share,
    clustered_split,
)
from assessment.stats.descriptive import proportion
from assessment.stats.privacy import DEFAULT_THRESHOLD, suppression_reasons

UNSHOWN = ""  # respondents whose class is unknown: a group never shown (no label is empty)

ALL, SOME, NONE = "all", "some", "none"
DONT_KNOW = "dont_know"


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
             if v is not None and v != DONT_KNOW]
    if any(known) and not all(known):
        return SOME
    if len(known) < len(values):
        return None
    return ALL if all(known) else NONE


def _yes_no(answer: Any, positive: str) -> str | None:
    if answer is None or answer == DONT_KNOW:
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
    return _findings(questionnaire, a, answers, threshold, clusters,
                     lambda key: answer_column(respondents, key)) | {
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
    return _majority(q, a, lambda key, positive: sum(g.get(key) == positive for g in group),
                     len(group))


def _majority(
    q: Questionnaire, a: AnalysisMap, said: Callable[[str, str], int], size: int
) -> dict[str, Any]:
    """The majority answers of an organisation of `size` respondents, `said(key, code)`
    of whom gave that code to that item."""
    def majority(key: str, positive: str, negative: str) -> str:
        return positive if said(key, positive) * 2 > size else negative

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


SPLITS = ("by_representative", "by_vision", "by_learning")


def classifier(
    a: AnalysisMap, split: str
) -> tuple[tuple[str, ...], str, Callable[[Mapping[str, Any]], str | None], list[str]]:
    """What a cross-tabulation classes respondents by: the items, their positive code,
    the classing of one respondent's answers, and the classes in order."""
    if split == "by_representative":
        return (tuple(a.representative_items), a.representative_positive,
                lambda x: representative_class(a, x), [ALL, SOME, NONE])
    item, positive = ((a.vision_item, a.vision_positive) if split == "by_vision"
                      else (a.learning_item, a.learning_positive))
    return (item,), positive, lambda x: _yes_no(x.get(item), positive), ["yes", "no"]


def _findings(
    q: Questionnaire, a: AnalysisMap, answers: Sequence[Mapping[str, Any]], threshold: int,
    clusters: Clusters = None, column: Callable[[str], Sequence[Any]] | None = None,
) -> dict[str, Any]:
    """`column(key)`: the answers to one item, as read already (default: read here)."""
    def share(key: str, positive: str) -> dict[str, Any]:
        given = column(key) if column is not None else [x.get(key) for x in answers]
        return _share(given, positive, threshold, clusters)

    def split(name: str) -> dict[str, Any]:
        _items, _positive, classify, labels = classifier(a, name)
        return _split(answers, classify, a, labels, threshold, clusters)

    return _assemble(q, a, share, split)


def _assemble(
    q: Questionnaire, a: AnalysisMap, share: Callable[[str, str], dict[str, Any]],
    split: Callable[[str], dict[str, Any]],
) -> dict[str, Any]:
    """The findings, given how a share and a cross-tabulation are found."""
    return {
        "outcome_item": a.outcome_item,
        "understands_customers": share(a.outcome_item, a.outcome_positive),
        "outcome_answers": {code: share(a.outcome_item, code)
                            for code in _codes(q, a.outcome_item)},
        **{name: split(name) for name in SPLITS},
        "everyone_can": {d.key: share(d.key, a.representative_positive)
                         for d in q.dimensions_in("capability")},
        "vision_clear": share(a.vision_item, a.vision_positive),
        "learning_understands": share(a.learning_item, a.learning_positive),
        "priorities_everyone": share(a.priorities_item, a.representative_positive)
        if a.priorities_item else None,
    }


def _codes(q: Questionnaire, item_key: str) -> list[str]:
    return [o.code for o in q.item_scale(item_key).options]


def _share(column: Sequence[Any], positive: str, threshold: int,
           clusters: Clusters = None) -> dict[str, Any]:
    """Share of those who answered the item (`column`: each one's answer; don't know
    included) giving `positive`."""
    if clusters is None:
        # Counted by list methods: this runs for a dozen items over every respondent.
        given = [v for v in column if v is not None]
        if len(given) < threshold:
            return results.hidden()
        return proportion(given.count(positive), len(given)).as_dict()
    kept = [(v, c) for v, c in zip(column, clusters, strict=True) if v is not None]
    if len(kept) < threshold:
        return results.hidden()
    return _shares([v == positive for v, _ in kept], [c for _, c in kept])


# The pool's findings from per-organisation tallies (`analysis.loading.pool_tallies`):
# the same figures as the functions above compute from every respondent's answers.

NEGATIVE_OUTCOME = "no"  # the outcome answer counted as "says no"


def tally_plan(q: Questionnaire) -> TallyPlan:
    """The tallies the Digiskills findings are computed from: every code of the items
    shared or taken by majority, and each cross-tabulation's classes and outcome."""
    a = _analysis(q)
    items = [a.outcome_item, *a.representative_items, a.vision_item, a.learning_item,
             *(d.key for d in q.dimensions_in("capability"))]
    if a.priorities_item:
        items.append(a.priorities_item)
    splits = []
    for name in SPLITS:
        split_items, positive, classify, _labels = classifier(a, name)
        # Each respondent's class depends only on how each answer stands (no answer,
        # don't know, the positive code, another code): classing one answer set per
        # combination gives the whole table, by the very rule applied to respondents.
        stand_in = {NO_ANSWER: None, UNKNOWN_ANSWER: DONT_KNOW, POSITIVE_ANSWER: positive,
                    OTHER_ANSWER: _other_code(q, split_items[0], positive)}
        classes = {
            states: classify(dict(zip(split_items, (stand_in[s] for s in states),
                                      strict=True)))
            for states in itertools.product(ANSWER_STATES, repeat=len(split_items))
        }
        splits.append(SplitPlan(name, split_items, positive, DONT_KNOW, classes,
                                a.outcome_item, (a.outcome_positive, NEGATIVE_OUTCOME)))
    return TallyPlan(codes={item: tuple(_codes(q, item)) for item in dict.fromkeys(items)},
                     splits=tuple(splits))


def _other_code(q: Questionnaire, item: str, positive: str) -> str:
    return next(c for c in _codes(q, item) if c not in (positive, DONT_KNOW))


def respondent_findings_from_tallies(
    q: Questionnaire, tallies: PoolTallies, threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """`respondent_findings(..., clustered=True)` of the pool, from its tallies."""
    a = _analysis(q)

    def share(key: str, positive: str) -> dict[str, Any]:
        if tallies.count(("answered", key)) < threshold:
            return results.hidden()
        return cluster_share(tallies["code", key, positive], tallies["answered", key])

    def split(name: str) -> dict[str, Any]:
        _items, _positive, _classify, labels = classifier(a, name)

        def tally(label: str | None, what: str) -> np.ndarray:
            return tallies["split", name, label, what]

        sizes = {label: tallies.count(("split", name, label, "n")) for label in labels}
        unknown = tallies.count(("split", name, None, "n")) \
            if ("split", name, None, "n") in tallies.values else 0
        hidden = suppression_reasons(sizes | {UNSHOWN: unknown}, threshold, unshown={UNSHOWN})
        shares, test = cluster_split({label: (tally(label, a.outcome_positive),
                                              tally(label, "n")) for label in labels})
        groups: dict[str, Any] = {
            label: results.hidden(hidden[label]) if label in hidden else {
                "n": sizes[label],
                "says_yes": shares[label],
                "says_no": cluster_share(tally(label, NEGATIVE_OUTCOME), tally(label, "n")),
            }
            for label in labels
        }
        return {"groups": groups, "test": None if hidden else test}

    return _assemble(q, a, share, split) | {
        "level": "respondent", "n": tallies.count(("respondents",))}


def organisation_findings_from_tallies(
    q: Questionnaire, tallies: PoolTallies, minimum: int, threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """`organisation_findings` of the pool, from its tallies."""
    a = _analysis(q)
    sizes = tallies["respondents",]

    def said_in(place: int) -> Callable[[str, str], int]:
        return lambda key, code: int(tallies["code", key, code][place])

    majority = [_majority(q, a, said_in(place), int(size))
                for place, size in enumerate(sizes) if size >= minimum]
    return _findings(q, a, majority, threshold) | {"level": "organisation", "n": len(majority)}
