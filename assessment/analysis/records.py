"""Plain records the engine works on, loaded from the database or built in tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Respondent:
    """One submitted response: answers by item key, scores by dimension, coarse profile."""

    campaign_id: int
    answers: Mapping[str, Any]
    scores: Mapping[str, float | None]
    seniority: str | None = None
    function: str | None = None
    generation: str | None = None
    country: str | None = None


class Respondents(list[Respondent]):
    """Respondents as `analysis.loading.respondents` loads them, never changed after:
    each item's answers and each dimension's scores across them are read once, however
    many figures need them (`answer_column`, `score_column`). A list made from it (a
    group of respondents) is a plain list, read afresh."""

    def __init__(self, respondents: Iterable[Respondent] = ()) -> None:
        super().__init__(respondents)
        self.answers_read: dict[str, tuple[Any, ...]] = {}
        self.scores_read: dict[str, tuple[float | None, ...]] = {}


def answer_column(respondents: Sequence[Respondent], key: str) -> Sequence[Any]:
    """Every respondent's answer to one item (None: no answer), in order; read-only."""
    return _read_once(respondents, "answers_read", key,
                      lambda: [r.answers.get(key) for r in respondents])


def score_column(respondents: Sequence[Respondent], key: str) -> Sequence[float | None]:
    """Every respondent's score on one dimension (None: not scored), in order; read-only."""
    return _read_once(respondents, "scores_read", key,
                      lambda: [r.scores.get(key) for r in respondents])


def _read_once(respondents: Sequence[Respondent], memo: str, key: str,
               read: Callable[[], list[Any]]) -> Sequence[Any]:
    kept: dict[str, tuple[Any, ...]] | None = getattr(respondents, memo, None)
    if kept is None:  # a plain list: read afresh
        return read()
    found = kept.get(key)
    if found is None:
        found = kept[key] = tuple(read())
    return found


@dataclass(frozen=True)
class CampaignInfo:
    """What the reports say about a campaign and its organisation."""

    id: int
    name: str
    organisation_id: int
    organisation: str
    sector: str
    size_band: str
    country: str
    synthetic: bool
    questionnaire_key: str
    questionnaire_version: int
    opens_on: dt.date
    closes_on: dt.date | None
    anonymity_threshold: int
    invited: int | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id, "name": self.name, "organisation_id": self.organisation_id,
            "organisation": self.organisation, "sector": self.sector,
            "size_band": self.size_band, "country": self.country, "synthetic": self.synthetic,
            "questionnaire": f"{self.questionnaire_key}@{self.questionnaire_version}",
            "opens_on": self.opens_on.isoformat(),
            "closes_on": self.closes_on.isoformat() if self.closes_on else None,
            "anonymity_threshold": self.anonymity_threshold, "invited": self.invited,
        }


def campaign_order(info: CampaignInfo) -> tuple[dt.date, dt.date, int]:
    """The order of an organisation's campaigns, oldest first: by opening day, then
    closing day (one still open, with none, comes after any that closed), then id.

    Dates, not ids, decide, so a back-dated import is not taken for the newest campaign.
    """
    return info.opens_on, info.closes_on or dt.date.max, info.id


# Bumped whenever the tallies a plan names are computed differently, so kept ones of
# the old kind are not read.
TALLY_FORMAT = "tallies-1"

# States of one answer in a `SplitPlan`'s class table.
NO_ANSWER, UNKNOWN_ANSWER, POSITIVE_ANSWER, OTHER_ANSWER = 0, 1, 2, 3
ANSWER_STATES = (NO_ANSWER, UNKNOWN_ANSWER, POSITIVE_ANSWER, OTHER_ANSWER)


@dataclass(frozen=True)
class SplitPlan:
    """Respondents put in classes by how some of their answers stand, with the answers
    to an outcome item counted in each class (a Digiskills cross-tabulation).

    `classes` maps each combination of answer states (one of ANSWER_STATES per item:
    no answer, the `unknown` code, the `positive` code, any other code) to a class, or
    to None when the class is unknown.
    """

    name: str
    items: tuple[str, ...]
    positive: str
    unknown: str
    classes: Mapping[tuple[int, ...], str | None]
    outcome: str
    outcome_codes: tuple[str, ...]


@dataclass(frozen=True)
class TallyPlan:
    """Which per-organisation counts and sums the pool's figures are computed from.

    - `codes`: for each item, the respondents who answered it and those giving each code;
    - `splits`: the cross-tabulations (see SplitPlan);
    - `pairs`: (x, y) dimension pairs: the moments of the complete pairs, their ranks'
      over the whole pool (mid-ranks, as `scipy.stats.rankdata`) and their extremes;
    - `scales`: per scale, its items with each code's score: over the respondents who
      scored every item, the item sums and the sums of products (`item_pairs` order);
    - `group_column` (a profile column): respondents per code, those with a score per
      dimension, and for the codes of `group_sums` the sums, squares and extremes.
    """

    codes: Mapping[str, tuple[str, ...]]
    splits: tuple[SplitPlan, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    scales: Mapping[str, Mapping[str, Mapping[str, float]]] = field(default_factory=dict)
    group_column: str | None = None
    group_codes: tuple[str, ...] = ()
    group_sums: tuple[str, ...] = ()
    group_dimensions: tuple[str, ...] = ()

    def digest(self) -> str:
        """A name of the plan that changes whenever its tallies would (SHA-256)."""
        return hashlib.sha256(f"{TALLY_FORMAT}:{self!r}".encode()).hexdigest()

    def merged(self, other: TallyPlan) -> TallyPlan:
        """Both plans' tallies (the group column of whichever names one)."""
        grouped = self if self.group_column is not None else other
        return TallyPlan(
            codes={**self.codes, **other.codes}, splits=(*self.splits, *other.splits),
            pairs=tuple(dict.fromkeys((*self.pairs, *other.pairs))),
            scales={**self.scales, **other.scales}, group_column=grouped.group_column,
            group_codes=grouped.group_codes, group_sums=grouped.group_sums,
            group_dimensions=grouped.group_dimensions)


Tally = tuple[Any, ...]


@dataclass(frozen=True)
class PoolTallies:
    """Per-organisation counts and sums over a pool's responses: for each tally of a
    `TallyPlan` (named by a tuple, see `analysis.loading.pool_tallies`), one value per
    campaign, in the order of `campaign_ids` (ascending)."""

    campaign_ids: np.ndarray
    values: Mapping[Tally, np.ndarray]
    # The plan's digest, and the campaigns' tallies computed afresh in this read, to
    # keep: (campaign id, data version, tallies, cells) as `CampaignTally` stores them.
    plan: str = ""
    fresh: tuple[tuple[int, int, bytes, bytes], ...] = ()

    def __getitem__(self, name: Tally) -> np.ndarray:
        return self.values[name]

    def total(self, name: Tally) -> float:
        """The tally over the whole pool."""
        return float(self.values[name].sum())

    def count(self, name: Tally) -> int:
        """A count over the whole pool."""
        return int(round(self.total(name)))

    def restricted(self, campaign_ids: Sequence[int]) -> PoolTallies:
        """The tallies of these campaigns only (those present), in ascending order."""
        keep = np.isin(self.campaign_ids, np.asarray(list(campaign_ids)))
        if keep.all():  # as a rule: no copy of every tally
            return self
        return PoolTallies(self.campaign_ids[keep],
                           {name: value[keep] for name, value in self.values.items()},
                           self.plan, self.fresh)
