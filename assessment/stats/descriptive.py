"""Means, proportions and their confidence intervals, as plain JSON-friendly results.

Every statistic that is undefined for the data given (too few values, no spread) is
returned as None, never NaN: the results go straight into JSON, templates and PDFs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

# Below this relative spread scipy warns of catastrophic cancellation (and with
# filterwarnings=error that would raise), so such data are treated as constant.
_RELATIVE_SPREAD_FLOOR = 1e-12

# How an interval was found (the "interval" code of a mean or a difference).
T_INTERVAL = "t"  # Student's t interval of a mean
WELCH_INTERVAL = "welch"  # Welch's t interval of a difference of means
ALL_SAME = "all_same"  # every value is the same: no interval, the value is the figure


@dataclass(frozen=True)
class MeanSummary:
    """A mean with its sample standard deviation and t confidence interval.

    `interval` says how the interval was found: "t", or "all_same" when every value is
    the same (no interval is given: the values do not vary, so the t formula would give
    a zero-width interval that claims a precision the data cannot show); None when
    there are no values.
    """

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    interval: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Proportion:
    """A share of successes among n, with a Wilson score interval."""

    successes: int
    n: int
    share: float | None
    ci_low: float | None
    ci_high: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MeanDifference:
    """Welch's comparison of two means: difference = mean_a - mean_b.

    `interval` is "welch", or "all_same" when each group's values are all the same (the
    difference is exact for these people and there is no interval or test); None when a
    group has fewer than two values.
    """

    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    interval: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def finite_or_none(value: Any) -> float | None:
    """Return value as a float, or None if it is missing, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def as_floats(values: Iterable[Any]) -> np.ndarray:
    """Values (or equal-length rows of values) as a float array, None as NaN: one
    vectorised conversion instead of a Python test per value."""
    return np.array(values if isinstance(values, list | tuple | np.ndarray) else list(values),
                    dtype=float)


def clean_values(values: Iterable[float | None]) -> np.ndarray:
    """Return the finite values as a float array, dropping None and NaN."""
    floats = as_floats(values)
    return floats[np.isfinite(floats)]


def is_constant(values: np.ndarray) -> bool:
    """Return True if the values have no spread worth computing with."""
    if values.size < 2:
        return True
    centre = float(np.mean(values))
    spread = float(np.linalg.norm(values - centre))
    return spread == 0.0 or spread < _RELATIVE_SPREAD_FLOOR * abs(centre)


def check_confidence(confidence: float) -> None:
    """Raise ValueError unless 0 < confidence < 1."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")


def mean_ci(values: Sequence[float | None], confidence: float = 0.95) -> MeanSummary:
    """Mean, sample sd (ddof=1) and t confidence interval; None and NaN are dropped."""
    check_confidence(confidence)
    data = clean_values(values)
    n = int(data.size)
    if n == 0:
        return MeanSummary(n=0, mean=None, sd=None, ci_low=None, ci_high=None)
    mean = float(np.mean(data))
    if n == 1:
        return MeanSummary(n=1, mean=mean, sd=None, ci_low=None, ci_high=None,
                           interval=ALL_SAME)
    if is_constant(data):
        # The t formula would give sd 0 and a zero-width interval ("100 to 100"):
        # the code says instead that every answer had this value.
        return MeanSummary(n=n, mean=float(data[0]), sd=0.0, ci_low=None, ci_high=None,
                           interval=ALL_SAME)
    sd = float(np.std(data, ddof=1))
    half_width = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return MeanSummary(n=n, mean=mean, sd=sd, ci_low=mean - half_width,
                       ci_high=mean + half_width, interval=T_INTERVAL)


def wilson_interval(
    successes: int, n: int, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """Wilson score interval for successes out of n; (None, None) when n == 0."""
    check_confidence(confidence)
    _check_counts(successes, n)
    if n == 0:
        return None, None
    interval = stats.binomtest(successes, n).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return finite_or_none(interval.low), finite_or_none(interval.high)


def proportion(successes: int, n: int, confidence: float = 0.95) -> Proportion:
    """Share of successes among n with its Wilson interval; share None when n == 0."""
    ci_low, ci_high = wilson_interval(successes, n, confidence)
    share = successes / n if n else None
    return Proportion(
        successes=int(successes), n=int(n), share=share, ci_low=ci_low, ci_high=ci_high
    )


def category_shares(counts: Mapping[str, int], confidence: float = 0.95) -> dict[str, Proportion]:
    """Each category's share of the total of all counts, with Wilson intervals."""
    total = sum(counts.values())
    return {label: proportion(count, total, confidence) for label, count in counts.items()}


def difference_ci(
    a: Sequence[float | None], b: Sequence[float | None], confidence: float = 0.95
) -> MeanDifference:
    """Welch's t comparison of two means (a - b) with its confidence interval and p-value."""
    check_confidence(confidence)
    data_a, data_b = clean_values(a), clean_values(b)
    mean_a = float(np.mean(data_a)) if data_a.size else None
    mean_b = float(np.mean(data_b)) if data_b.size else None
    difference = mean_a - mean_b if mean_a is not None and mean_b is not None else None
    ci_low = ci_high = p_value = None
    interval = None
    # Welch needs a variance from each group, and at least one of them non-zero.
    testable = data_a.size >= 2 and data_b.size >= 2
    if testable and not (is_constant(data_a) and is_constant(data_b)):
        ci_low, ci_high, p_value = _welch(data_a, data_b, confidence)
        interval = WELCH_INTERVAL
    elif testable:
        interval = ALL_SAME
    return MeanDifference(
        n_a=int(data_a.size),
        n_b=int(data_b.size),
        mean_a=mean_a,
        mean_b=mean_b,
        difference=difference,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        interval=interval,
    )


def difference_from_moments(
    a: tuple[int, float, float, bool], b: tuple[int, float, float, bool],
    confidence: float = 0.95,
) -> MeanDifference:
    """`difference_ci` from each group's (n, sum, sum of squares, all values equal)."""
    check_confidence(confidence)
    (n_a, sum_a, squares_a, constant_a), (n_b, sum_b, squares_b, constant_b) = a, b
    mean_a = sum_a / n_a if n_a else None
    mean_b = sum_b / n_b if n_b else None
    difference = mean_a - mean_b if mean_a is not None and mean_b is not None else None
    ci_low = ci_high = p_value = None
    interval = None
    testable = n_a >= 2 and n_b >= 2
    if testable and mean_a is not None and mean_b is not None \
            and not (constant_a and constant_b):
        ci_low, ci_high, p_value = _welch_from_stats(
            mean_a, _variance(n_a, sum_a, squares_a, constant_a), n_a,
            mean_b, _variance(n_b, sum_b, squares_b, constant_b), n_b, confidence)
        interval = WELCH_INTERVAL
    elif testable:
        interval = ALL_SAME
    return MeanDifference(n_a=n_a, n_b=n_b, mean_a=mean_a, mean_b=mean_b,
                          difference=difference, ci_low=ci_low, ci_high=ci_high,
                          p_value=p_value, interval=interval)


def _variance(n: int, total: float, squares: float, constant: bool) -> float:
    """The sample variance (ddof=1) from sums; exactly 0 when every value is the same."""
    return 0.0 if constant else max(0.0, (squares - total * total / n) / (n - 1))


def _welch(
    a: np.ndarray, b: np.ndarray, confidence: float
) -> tuple[float | None, float | None, float | None]:
    return _welch_from_stats(float(np.mean(a)), float(np.var(a, ddof=1)), a.size,
                             float(np.mean(b)), float(np.var(b, ddof=1)), b.size, confidence)


def _welch_from_stats(
    mean_a: float, var_a: float, n_a: int, mean_b: float, var_b: float, n_b: int,
    confidence: float,
) -> tuple[float | None, float | None, float | None]:
    # scipy.stats.ttest_ind warns ("catastrophic cancellation") whenever one group is
    # constant, which is common with Likert answers, so the test runs from summary
    # statistics and the interval is built by hand: Welch (1947), difference
    # +/- t(df) * sqrt(var_a/n_a + var_b/n_b) with the Welch-Satterthwaite df.
    result = stats.ttest_ind_from_stats(
        mean_a, math.sqrt(var_a), n_a, mean_b, math.sqrt(var_b), n_b, equal_var=False
    )
    share_a, share_b = var_a / n_a, var_b / n_b
    se = math.sqrt(share_a + share_b)
    df = (share_a + share_b) ** 2 / (share_a**2 / (n_a - 1) + share_b**2 / (n_b - 1))
    half_width = float(stats.t.ppf((1 + confidence) / 2, df)) * se
    difference = mean_a - mean_b
    return (
        finite_or_none(difference - half_width),
        finite_or_none(difference + half_width),
        finite_or_none(result.pvalue),
    )


def _check_counts(successes: int, n: int) -> None:
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
