"""Internal consistency of a scale (Cronbach's alpha), for the methodology appendix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from assessment.stats.descriptive import as_floats, check_confidence, finite_or_none

MIN_ITEMS = 2
MIN_RESPONDENTS = 3


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha over n complete respondents and k items, with Feldt's interval."""

    alpha: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    k: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def cronbach_alpha(
    items: Sequence[Sequence[float | None]], confidence: float = 0.95
) -> Reliability:
    """Cronbach's alpha of a respondents x items matrix (listwise deletion), with Feldt's CI."""
    check_confidence(confidence)
    scores = _complete_rows(items)
    n, k = scores.shape
    if k < MIN_ITEMS or n < MIN_RESPONDENTS:
        return Reliability(alpha=None, ci_low=None, ci_high=None, n=n, k=k)
    # Cronbach (1951): alpha = k / (k - 1) * (1 - sum of item variances / variance of totals).
    total_variance = float(np.var(scores.sum(axis=1), ddof=1))
    if total_variance <= 0.0:
        return Reliability(alpha=None, ci_low=None, ci_high=None, n=n, k=k)
    item_variance = float(np.var(scores, axis=0, ddof=1).sum())
    alpha = k / (k - 1) * (1 - item_variance / total_variance)
    ci_low, ci_high = _feldt_interval(alpha, n, k, confidence)
    return Reliability(alpha=finite_or_none(alpha), ci_low=ci_low, ci_high=ci_high, n=n, k=k)


def alpha_from_moments(
    n: int, item_sums: Sequence[float], product_sums: Sequence[float],
    confidence: float = 0.95,
) -> Reliability:
    """`cronbach_alpha` from sums over the n complete rows: each item's sum and the sum
    of each pair's products, (i, j) with i <= j in row-major order (squares included)."""
    check_confidence(confidence)
    k = len(item_sums)
    if k < MIN_ITEMS or n < MIN_RESPONDENTS:
        return Reliability(alpha=None, ci_low=None, ci_high=None, n=n, k=k)
    pairs = [(i, j) for i in range(k) for j in range(i, k)]
    # The items' covariance matrix (ddof=1): the totals' variance is the sum of all its
    # cells, the items' variances its diagonal.
    cov = {(i, j): (product_sums[p] - item_sums[i] * item_sums[j] / n) / (n - 1)
           for p, (i, j) in enumerate(pairs)}
    item_variance = sum(cov[(i, i)] for i in range(k))
    total_variance = item_variance + 2 * sum(v for (i, j), v in cov.items() if i != j)
    if total_variance <= 0.0:
        return Reliability(alpha=None, ci_low=None, ci_high=None, n=n, k=k)
    alpha = k / (k - 1) * (1 - item_variance / total_variance)
    ci_low, ci_high = _feldt_interval(alpha, n, k, confidence)
    return Reliability(alpha=finite_or_none(alpha), ci_low=ci_low, ci_high=ci_high, n=n, k=k)


def _feldt_interval(
    alpha: float, n: int, k: int, confidence: float
) -> tuple[float | None, float | None]:
    # scipy has no interval for alpha. Feldt (1965); Feldt, Woodruff & Salih (1987),
    # Applied Psychological Measurement 11, 93-103, formulas 6 and 7:
    # (1 - alpha_pop) / (1 - alpha_hat) ~ F(n - 1, (n - 1)(k - 1)), so the lower limit
    # uses the upper F quantile: L = 1 - (1 - alpha) F(1 - c/2), U = 1 - (1 - alpha) F(c/2).
    tail = (1 - confidence) / 2
    df_persons, df_residual = n - 1, (n - 1) * (k - 1)
    upper_f = float(stats.f.ppf(1 - tail, df_persons, df_residual))
    lower_f = float(stats.f.ppf(tail, df_persons, df_residual))
    return (
        finite_or_none(1 - (1 - alpha) * upper_f),
        finite_or_none(1 - (1 - alpha) * lower_f),
    )


def _complete_rows(items: Sequence[Sequence[float | None]]) -> np.ndarray:
    widths = {len(row) for row in items}
    if len(widths) > 1:
        raise ValueError(f"every respondent needs the same number of items, got {widths}")
    k = widths.pop() if widths else 0
    scores = as_floats(items).reshape(len(items), k)
    # Listwise deletion: alpha compares variances, which must come from the same people.
    return scores[np.isfinite(scores).all(axis=1)]
