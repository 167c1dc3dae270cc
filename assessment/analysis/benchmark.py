"""Benchmarking one organisation against the pool of organisations.

The pool is every organisation's newest campaign of the same instrument with at least as
many respondents as the anonymity threshold; each organisation enters with its mean
score per dimension. Sub-pools (same sector, same size band) with fewer organisations
than the threshold are suppressed, since their quantiles would come close to revealing
single organisations' results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessment.analysis.records import CampaignInfo
from assessment.stats.benchmark import benchmark_summary, percentile_rank
from assessment.stats.privacy import suppressed_cell


@dataclass(frozen=True)
class PoolMember:
    """One organisation in the pool: its attributes and mean score per dimension."""

    campaign_id: int
    sector: str
    size_band: str
    respondents: int
    means: Mapping[str, float]


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
        pool.append(PoolMember(info.id, info.sector, info.size_band, n, dimension_means))
    return pool


def summarise(pool: Sequence[PoolMember], dimensions: Sequence[str]) -> dict[str, Any]:
    """Median, top 25% and top 10% of every dimension over a pool."""
    return {
        key: benchmark_summary([m.means.get(key) for m in pool]).as_dict() for key in dimensions
    }


def compare(
    organisation: Mapping[str, float | None],
    target: CampaignInfo,
    pool: Sequence[PoolMember],
    dimensions: Sequence[str],
    threshold: int,
) -> dict[str, Any]:
    """The organisation's standing in the whole pool, its sector and its size band."""
    subsets = {  # name: (which sector or size band, its members)
        "all": (None, list(pool)),
        "sector": (target.sector, [m for m in pool if m.sector == target.sector]),
        "size_band": (target.size_band, [m for m in pool if m.size_band == target.size_band]),
    }
    result: dict[str, Any] = {}
    for name, (subset, members) in subsets.items():
        if len(members) < threshold:
            result[name] = suppressed_cell() | {"value": subset, "organisations": None}
            continue
        summary = summarise(members, dimensions)
        for key in dimensions:
            value = organisation.get(key)
            summary[key]["value"] = value
            summary[key]["percentile_rank"] = (
                None if value is None
                else percentile_rank(value, [m.means.get(key) for m in members]))
        result[name] = {"value": subset, "organisations": len(members), "dimensions": summary}
    return result
