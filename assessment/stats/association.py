"""Tests of association for the Digiskills-style cross-tabulations.

The test is chosen by the data: Pearson's chi-square when every expected count is at
least 5, Fisher's exact test otherwise (Cochran's rule).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from assessment.stats.descriptive import Proportion, finite_or_none, proportion

CrosstabTestName = Literal["chi-square", "fisher-exact"]

SMALL_EXPECTED_COUNT = 5
SMALL_EXPECTED_WARNING = "small expected counts"
MONTE_CARLO_WARNING = "p-value estimated by Monte Carlo"

# Fisher's exact test on tables larger than 2 x 2 arrived in scipy 1.15, and there it
# estimates the p-value by Monte Carlo; a fixed seed keeps every report repeatable.
_FISHER_RXC = "method" in inspect.signature(stats.fisher_exact).parameters
_MONTE_CARLO_SEED = 20151231
_MONTE_CARLO_RESAMPLES = 9999


@dataclass(frozen=True)
class CrosstabTest:
    """A test of independence on a contingency table, with Cramér's V.

    statistic is Pearson's X^2 for the chi-square test, the sample odds ratio for
    Fisher's test on a 2 x 2 table (None if infinite) and None for larger tables.
    """

    test: CrosstabTestName | None
    statistic: float | None
    p_value: float | None
    dof: int | None
    cramers_v: float | None
    n: int
    warning: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ShareSplit:
    """A share (e.g. 'says yes') in each group and the test of whether it differs."""

    groups: dict[str, Proportion]
    test: CrosstabTest

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def crosstab_test(table: Sequence[Sequence[int]]) -> CrosstabTest:
    """Test independence of rows and columns: chi-square, or Fisher's test if counts are small."""
    counts = _as_counts(table)
    n = int(counts.sum())
    # Empty rows and columns carry no information and would give zero expected counts.
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return CrosstabTest(test=None, statistic=None, p_value=None, dof=None, cramers_v=None, n=n)

    # No Yates correction, for 2 x 2 tables too: small tables go to Fisher's exact test
    # (the case Yates's correction approximates), and Cramér's V is defined on the
    # uncorrected X^2, so the reported statistic and V agree.
    chi2, p_value, dof, expected = stats.chi2_contingency(counts, correction=False)
    cramers_v = _cramers_v(float(chi2), n, counts.shape)
    if not (expected < SMALL_EXPECTED_COUNT).any():
        return CrosstabTest(
            test="chi-square",
            statistic=finite_or_none(chi2),
            p_value=finite_or_none(p_value),
            dof=int(dof),
            cramers_v=cramers_v,
            n=n,
        )
    if counts.shape == (2, 2):
        result = stats.fisher_exact(counts)
        return CrosstabTest(
            test="fisher-exact",
            statistic=finite_or_none(result.statistic),
            p_value=finite_or_none(result.pvalue),
            dof=None,
            cramers_v=cramers_v,
            n=n,
        )
    if _FISHER_RXC:
        method = stats.MonteCarloMethod(
            n_resamples=_MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(_MONTE_CARLO_SEED)
        )
        result = stats.fisher_exact(counts, method=method)
        return CrosstabTest(
            test="fisher-exact",
            statistic=None,
            p_value=finite_or_none(result.pvalue),
            dof=None,
            cramers_v=cramers_v,
            n=n,
            warning=MONTE_CARLO_WARNING,
        )
    return CrosstabTest(
        test="chi-square",
        statistic=finite_or_none(chi2),
        p_value=finite_or_none(p_value),
        dof=int(dof),
        cramers_v=cramers_v,
        n=n,
        warning=SMALL_EXPECTED_WARNING,
    )


def split_share(groups: Mapping[str, tuple[int, int]]) -> ShareSplit:
    """Per-group shares from (successes, n) pairs, and the test on the 2 x k table."""
    shares = {label: proportion(successes, n) for label, (successes, n) in groups.items()}
    table = [
        [successes for successes, _ in groups.values()],
        [n - successes for successes, n in groups.values()],
    ]
    return ShareSplit(groups=shares, test=crosstab_test(table))


def _as_counts(table: Sequence[Sequence[int]]) -> np.ndarray:
    counts = np.asarray(table, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("a contingency table must be two-dimensional")
    if (counts < 0).any():
        raise ValueError("a contingency table cannot hold negative counts")
    return counts


def _cramers_v(chi2: float, n: int, shape: tuple[int, ...]) -> float | None:
    # scipy.stats.contingency.association computes V too, but it would run the
    # chi-square test again; the formula is short: V = sqrt(X^2 / (n * (min(r, c) - 1)))
    # (Cramér 1946, Mathematical Methods of Statistics).
    smaller_side = min(shape) - 1
    if n == 0 or smaller_side < 1:
        return None
    return finite_or_none(math.sqrt(chi2 / (n * smaller_side)))
