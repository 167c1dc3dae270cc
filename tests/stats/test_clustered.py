"""The cluster bootstrap against scipy.stats.bootstrap itself: the same resamples (drawn a
few at a time for large pools, kept whole for small ones), hence the same interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from assessment.stats import clustered


def scipy_interval(successes: np.ndarray, sizes: np.ndarray) -> tuple[float, float, float]:
    """The percentile interval and standard error scipy gives for the pooled share,
    organisations resampled with all their respondents (paired per-cluster sums)."""
    found = stats.bootstrap(
        (successes, sizes), lambda a, b, axis=-1: a.sum(axis) / b.sum(axis), paired=True,
        vectorized=True, n_resamples=clustered.RESAMPLES, batch=500, method="percentile",
        rng=np.random.default_rng(clustered.SEED), axis=-1)
    return (float(found.confidence_interval.low), float(found.confidence_interval.high),
            float(found.standard_error))


@pytest.mark.parametrize("organisations", [7, clustered.KEPT_SIZE, clustered.KEPT_SIZE + 1,
                                           2_345])
def test_cluster_share_interval_is_scipys(organisations: int) -> None:
    rng = np.random.default_rng(organisations)
    sizes = rng.integers(5, 60, organisations).astype(float)
    successes = rng.binomial(sizes.astype(int), rng.uniform(0.2, 0.8, organisations))
    low, high, se = scipy_interval(successes.astype(float), sizes)
    found = clustered.cluster_share(successes.astype(float), sizes)
    assert found["interval"] == clustered.CLUSTER_BOOTSTRAP
    assert found["clusters"] == organisations
    assert found["share"] == pytest.approx(successes.sum() / sizes.sum(), abs=1e-12)
    assert found["ci_low"] == pytest.approx(low, abs=1e-12)
    assert found["ci_high"] == pytest.approx(high, abs=1e-12)
    binomial = found["share"] * (1 - found["share"]) / sizes.sum()
    assert found["design_effect"] == pytest.approx(se * se / binomial, rel=1e-9)


def test_figures_sharing_resamples_equal_figures_alone() -> None:
    """Within `shared_resamples` the totals of every array are found in one pass; the
    figures are those computed one by one."""
    rng = np.random.default_rng(3)
    sizes = rng.integers(5, 60, 900).astype(float)
    a = rng.binomial(sizes.astype(int), 0.3).astype(float)
    b = rng.binomial(sizes.astype(int), 0.6).astype(float)

    def both() -> list[dict[str, object]]:
        return [clustered.cluster_share(a, sizes), clustered.cluster_share(b, sizes),
                clustered.cluster_difference(a, sizes, b, sizes)]

    assert clustered.shared_resamples(both) == both()
