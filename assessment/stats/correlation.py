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


def pearson_from_moments(
    n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float, constant: bool,
    confidence: float = 0.95,
) -> Correlation:
    """`pearson` from the sums of the n complete pairs (x, y, x^2, y^2, x*y), as the
    database gives them; `constant`: x or y takes one value only (r is undefined)."""
    check_confidence(confidence)
    if n < MIN_PAIRS or constant:
        return _undefined("pearson", n)
    r = _r_from_moments(n, sx, sy, sxx, syy, sxy)
    # scipy.stats.pearsonr's p-value and interval, from r and n alone: r is beta
    # distributed on (-1, 1) with a = b = n/2 - 1 under independence; Fisher's z interval.
    half = n / 2 - 1
    p_value = 2 * stats.beta(half, half, loc=-1, scale=2).sf(abs(r))
    if abs(r) < 1.0:
        ci_low, ci_high = _fisher_z_interval(r, math.sqrt(1 / (n - 3)), confidence)
    else:
        ci_low = ci_high = r
    return Correlation(method="pearson", n=n, r=finite_or_none(r),
                       ci_low=finite_or_none(ci_low), ci_high=finite_or_none(ci_high),
                       p_value=finite_or_none(p_value))


def spearman_from_ranks(
    n: int, rx: float, ry: float, rxx: float, ryy: float, rxy: float, constant: bool,
    confidence: float = 0.95,
) -> Correlation:
    """`spearman` from the sums of the n complete pairs' mid-ranks (as
    `scipy.stats.rankdata` gives them over those pairs), their squares and products;
    `constant`: x or y takes one value only."""
    check_confidence(confidence)
    if n < MIN_PAIRS or constant:
        return _undefined("spearman", n)
    # Spearman's rho is Pearson's r of the ranks; its p-value as scipy.stats.spearmanr
    # gives it (Student's t with n - 2 degrees of freedom).
    r = _r_from_moments(n, rx, ry, rxx, ryy, rxy)
    dof = n - 2
    with np.errstate(divide="ignore"):
        t = r * math.sqrt(max(dof / ((r + 1.0) * (1.0 - r)), 0.0)) if abs(r) < 1.0 \
            else math.copysign(math.inf, r)
    p_value = 2 * stats.t.sf(abs(t), dof)
    se = math.sqrt((1 + r * r / 2) / (n - 3))
    ci_low, ci_high = _fisher_z_interval(r, se, confidence)
    return Correlation(method="spearman", n=n, r=finite_or_none(r), ci_low=ci_low,
                       ci_high=ci_high, p_value=finite_or_none(p_value))


def rank_sums(x: np.ndarray, y: np.ndarray, count: np.ndarray, cluster: np.ndarray,
              clusters: int) -> dict[str, np.ndarray]:
    """Per cluster, the sums of the pairs' mid-ranks over all the pairs (as
    `scipy.stats.rankdata` ranks them), of their squares and of their products (rx, ry,
    rxx, ryy, rxy), from a table of cells: `count` pairs with values (x, y) in cluster
    `cluster` (0 to clusters - 1) each."""
    def mid_ranks(values: np.ndarray) -> np.ndarray:
        _distinct, index = np.unique(values, return_inverse=True)
        tied = np.bincount(index, weights=count)
        # The values tied at one rank take the mean of the places they fill.
        return (np.cumsum(tied) - (tied - 1) / 2)[index]

    rx, ry = mid_ranks(np.asarray(x, dtype=float)), mid_ranks(np.asarray(y, dtype=float))
    return {name: np.bincount(cluster, weights=count * value, minlength=clusters)
            for name, value in (("rx", rx), ("ry", ry), ("rxx", rx * rx), ("ryy", ry * ry),
                                ("rxy", rx * ry))}


def _r_from_moments(n: int, sx: float, sy: float, sxx: float, syy: float,
                    sxy: float) -> float:
    cov = sxy - sx * sy / n
    var_x, var_y = sxx - sx * sx / n, syy - sy * sy / n
    return min(1.0, max(-1.0, cov / math.sqrt(var_x * var_y)))


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
