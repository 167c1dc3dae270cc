"""Benchmarking one organisation against the pool of organisations.

The pool is every organisation's newest campaign of the same instrument (by opening day,
then closing day, then id) with at least as many respondents as its anonymity threshold;
each organisation enters with its mean score per dimension, and only on the dimensions
that at least that many of its respondents scored.

One rule for every output (campaign, comparison, pool, pages): no benchmark figure
(median, top 25%, top 10%, percentile rank) rests on fewer than MIN_ORGANISATIONS
organisations. A pool, sector or size band with fewer is suppressed whole; a dimension
scored by fewer of its organisations is suppressed on its own, since the quantiles of
two or three values give those organisations' means away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from assessment.analysis.records import CampaignInfo
from assessment.stats.benchmark import benchmark_summary, percentile_rank
from assessment.stats.privacy import BELOW_THRESHOLD, DEFAULT_THRESHOLD, suppressed_cell

MIN_ORGANISATIONS: Final = DEFAULT_THRESHOLD  # organisations behind any benchmark figure
# Below this many respondents a percentile rank is flagged as resting on few people.
FEW_RESPONDENTS: Final = 30


@dataclass(frozen=True)
class PoolMember:
    """One organisation in the pool: its attributes and mean score per dimension."""

    campaign_id: int
    sector: str
    size_band: str
    respondents: int
    means: Mapping[str, float]
    organisation_id: int | None = None


def build_pool(
    campaigns: Sequence[CampaignInfo],
    means: Mapping[int, Mapping[str, tuple[float, int]]],
    counts: Mapping[int, int],
) -> list[PoolMember]:
    """Pool members from the SQL aggregates, leaving out organisations under their
    campaign's anonymity threshold."""
    pool = []
    for info in campaigns:
        n = counts.get(info.id, 0)
        threshold = info.anonymity_threshold
        if n < threshold:
            continue
        dimension_means = {d: m for d, (m, k) in means.get(info.id, {}).items() if k >= threshold}
        pool.append(PoolMember(info.id, info.sector, info.size_band, n, dimension_means,
                               info.organisation_id))
    return pool


def with_member(pool: Sequence[PoolMember], member: PoolMember) -> list[PoolMember]:
    """The pool with `member` standing for its organisation (in place of the entry the
    organisation had, if any), so a campaign is ranked among the others and itself with
    the very figures it reports."""
    kept = [m for m in pool if m.organisation_id != member.organisation_id
            and m.campaign_id != member.campaign_id]
    return [*kept, member]


def own_member(info: CampaignInfo, respondents: int,
               summaries: Mapping[str, Mapping[str, Any]]) -> PoolMember:
    """A campaign as a pool member, from its own (unsuppressed) dimension means."""
    means = {key: cell["mean"] for key, cell in summaries.items()
             if isinstance(cell.get("mean"), float | int)}
    return PoolMember(info.id, info.sector, info.size_band, respondents, means,
                      info.organisation_id)


def summary_cell(members: Sequence[PoolMember], key: str) -> dict[str, Any]:
    """Median, top 25% and top 10% of one dimension, or the suppression marker when
    fewer than MIN_ORGANISATIONS organisations scored it."""
    return values_cell([m.means.get(key) for m in members])


def values_cell(values: Sequence[float | None]) -> dict[str, Any]:
    """Median, top 25% and top 10% of the organisations' means of one dimension, or the
    suppression marker when fewer than MIN_ORGANISATIONS organisations scored it."""
    summary = benchmark_summary(np.asarray(values, dtype=float))
    if summary.n < MIN_ORGANISATIONS:
        return suppressed_cell(BELOW_THRESHOLD) | {"n": None}
    return summary.as_dict()


def summarise(pool: Sequence[PoolMember], dimensions: Sequence[str]) -> dict[str, Any]:
    """Median, top 25% and top 10% of every dimension over a pool (see the module rule)."""
    return {key: summary_cell(pool, key) for key in dimensions}


def pool_cut(members: Sequence[PoolMember], value: str | None,
             dimensions: Sequence[str]) -> dict[str, Any]:
    """A pool or one of its cuts (a sector, a size band): its size and benchmark."""
    if len(members) < MIN_ORGANISATIONS:
        return suppressed_cell(BELOW_THRESHOLD) | {"value": value, "organisations": None}
    return {"value": value, "organisations": len(members),
            "dimensions": summarise(members, dimensions)}


def compare(
    organisation: Mapping[str, Mapping[str, Any]],
    target: CampaignInfo,
    pool: Sequence[PoolMember],
    dimensions: Sequence[str],
) -> dict[str, Any]:
    """The organisation's standing in the whole pool, its sector and its size band.

    `organisation` holds the campaign's dimension summaries (mean, ci_low, ci_high, n);
    the pool should already hold the campaign itself (see `with_member`). Each percentile
    rank carries the ranks of its interval's limits in the same pool, and a flag when
    it rests on fewer than FEW_RESPONDENTS respondents.
    """
    subsets = {  # name: (which sector or size band, its members)
        "all": (None, list(pool)),
        "sector": (target.sector, [m for m in pool if m.sector == target.sector]),
        "size_band": (target.size_band, [m for m in pool if m.size_band == target.size_band]),
    }
    result: dict[str, Any] = {}
    for name, (subset, members) in subsets.items():
        cut = pool_cut(members, subset, dimensions)
        for key, cell in cut.get("dimensions", {}).items():
            if cell.get("suppressed"):
                continue
            own = organisation.get(key, {})
            scores = [m.means.get(key) for m in members]
            value = own.get("mean")
            cell["value"] = value
            cell.update({
                "percentile_rank": _rank(value, scores),
                "percentile_rank_low": _rank(own.get("ci_low"), scores),
                "percentile_rank_high": _rank(own.get("ci_high"), scores),
                "few_respondents": value is not None and (own.get("n") or 0) < FEW_RESPONDENTS,
            })
        result[name] = cut
    return result


def _rank(value: float | None, scores: Sequence[float | None]) -> float | None:
    return None if value is None else percentile_rank(value, scores)
