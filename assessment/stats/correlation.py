"""Correlations with confidence intervals, and false-discovery-rate control.

Used for "how does customer understanding go with each capability": each coefficient
comes with its n, interval and p-value, and the p-values of one family of comparisons
are adjusted together with Benjamini-Hochberg.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from assessment.stats.descriptive import as_floats, check_confidence, finite_or_none, is_constant

# The Fisher z interval needs n - 3 > 0.
MIN_PAIRS = 4


@dataclass(frozen=True)
class Correlation:
    """A correlation coefficient with its confidence interval and p-value."""

    method: Literal["spearman", "pearson"]
    n: int
    r: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def spearman(
    x: Sequence[float | None], y: Sequence[float | None], confidence: float = 0.95
) -> Correlation:
    """Spearman's rho with the Bonett-Wright (2000) interval; incomplete pairs are dropped."""
    check_confidence(confidence)
    xs, ys = _complete_pairs(x, y)
    n = int(xs.size)
    if n < MIN_PAIRS or is_constant(xs) or is_constant(ys):
        return _undefined("spearman", n)
    result = stats.spearmanr(xs, ys)
    r = float(result.statistic)
    # scipy has no interval for rho. Bonett & Wright (2000), Psychometrika 65(1), 23-28:
    # tanh(atanh(r) -/+ z * sqrt((1 + r^2 / 2) / (n - 3))).
    se = math.sqrt((1 + r * r / 2) / (n - 3))
    ci_low, ci_high = _fisher_z_interval(r, se, confidence)
    return Correlation(
        method="spearman",
        n=n,
        r=finite_or_none(r),
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=finite_or_none(result.pvalue),
    )


def pearson(
    x: Sequence[float | None], y: Sequence[float | None], confidence: float = 0.95
) -> Correlation:
    """Pearson's r with the Fisher z interval; incomplete pairs are dropped."""
    check_confidence(confidence)
    xs, ys = _complete_pairs(x, y)
    n = int(xs.size)
    if n < MIN_PAIRS or is_constant(xs) or is_constant(ys):
        return _undefined("pearson", n)
    result = stats.pearsonr(xs, ys)
    r = float(result.statistic)
    if abs(r) < 1.0:
        interval = result.confidence_interval(confidence_level=confidence)
        ci_low, ci_high = finite_or_none(interval.low), finite_or_none(interval.high)
    else:
        # A perfect correlation: scipy's atanh(+-1) would warn; the interval's limit is r.
        ci_low = ci_high = r
    return Correlation(
        method="pearson",
        n=n,
        r=finite_or_none(r),
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=finite_or_none(result.pvalue),
    )


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values; None (or NaN) entries stay None."""
    given = [finite_or_none(p) for p in p_values]
    present = [(i, p) for i, p in enumerate(given) if p is not None]
    adjusted: list[float | None] = [None] * len(given)
    if not present:
        return adjusted
    values = stats.false_discovery_control([p for _, p in present], method="bh")
    for (i, _), value in zip(present, values, strict=True):
        adjusted[i] = float(value)
    return adjusted


def _complete_pairs(
    x: Sequence[float | None], y: Sequence[float | None]
) -> tuple[np.ndarray, np.ndarray]:
    if len(x) != len(y):
        raise ValueError(f"x and y must pair up, got lengths {len(x)} and {len(y)}")
    # None becomes NaN in a float array, so "missing, NaN or infinite" (finite_or_none)
    # is one vectorised test, in the same order as the pairs were given.
    xs, ys = as_floats(x), as_floats(y)
    kept = np.isfinite(xs) & np.isfinite(ys)
    return xs[kept], ys[kept]


def _fisher_z_interval(r: float, se: float, confidence: float) -> tuple[float, float]:
    if abs(r) >= 1.0:
        # atanh(+-1) is infinite; the interval collapses onto r in the limit.
        return r, r
    z = float(stats.norm.ppf((1 + confidence) / 2))
    centre = math.atanh(r)
    return math.tanh(centre - z * se), math.tanh(centre + z * se)


def _undefined(method: Literal["spearman", "pearson"], n: int) -> Correlation:
    return Correlation(method=method, n=n, r=None, ci_low=None, ci_high=None, p_value=None)
