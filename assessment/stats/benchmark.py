"""Benchmark figures across organisations: median, top 25%, top 10%, percentile rank."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from assessment.stats.descriptive import clean_values

# Scores within this distance count as equal when ranking: an organisation's mean
# computed by the database and by Python can differ in the last bits (0-100 scale).
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class BenchmarkSummary:
    """The pool's median and the thresholds for its top 25% and top 10%."""

    n: int
    median: float | None
    top25: float | None
    top10: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def benchmark_summary(values: Sequence[float | None] | np.ndarray) -> BenchmarkSummary:
    """Median, 75th and 90th percentiles of the pool (linear interpolation, R type 7)."""
    pool = clean_values(values)
    if pool.size == 0:
        return BenchmarkSummary(n=0, median=None, top25=None, top10=None)
    # numpy's default 'linear' method is Hyndman & Fan (1996) type 7, R's default, so
    # figures match what a consultant gets from quantile() in R or PERCENTILE.INC in Excel.
    median, top25, top10 = np.percentile(pool, [50, 75, 90], method="linear")
    return BenchmarkSummary(
        n=int(pool.size), median=float(median), top25=float(top25), top10=float(top10)
    )


def percentile_rank(
    value: float, pool: Sequence[float | None], tolerance: float = TIE_TOLERANCE
) -> float | None:
    """Percentile rank 0-100 of value in the pool: % below plus half the % equal.

    Values within `tolerance` of each other count as equal.
    """
    scores = clean_values(pool)
    if scores.size == 0 or not math.isfinite(value):
        return None
    # The 'mean' definition treats ties symmetrically, so an organisation tied with the
    # whole pool sits at 50, not 0 or 100; it is scipy's percentileofscore(kind="mean"),
    # written out because scipy compares exactly and two floating-point paths to the
    # same mean would not tie. Whether the organisation belongs to the pool is the
    # caller's choice.
    equal = int(np.count_nonzero(np.abs(scores - value) <= tolerance))
    below = int(np.count_nonzero(scores < value - tolerance))
    return 100.0 * (below + 0.5 * equal) / scores.size
