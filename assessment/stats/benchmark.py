"""Benchmark figures across organisations: median, top 25%, top 10%, percentile rank."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from assessment.stats.descriptive import clean_values


@dataclass(frozen=True)
class BenchmarkSummary:
    """The pool's median and the thresholds for its top 25% and top 10%."""

    n: int
    median: float | None
    top25: float | None
    top10: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def benchmark_summary(values: Sequence[float | None]) -> BenchmarkSummary:
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


def percentile_rank(value: float, pool: Sequence[float | None]) -> float | None:
    """Percentile rank 0-100 of value in the pool: % below plus half the % equal."""
    scores = clean_values(pool)
    if scores.size == 0 or not math.isfinite(value):
        return None
    # The 'mean' definition treats ties symmetrically, so an organisation tied with the
    # whole pool sits at 50, not 0 or 100. Whether the organisation itself belongs to
    # the pool is the caller's choice.
    return float(stats.percentileofscore(scores, value, kind="mean"))
