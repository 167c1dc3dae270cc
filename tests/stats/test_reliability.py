"""Cronbach's alpha against hand arithmetic, a congeneric model and the ANOVA identity."""

import json

import numpy as np
import pytest
from scipy import stats

from assessment.stats.reliability import Reliability, cronbach_alpha

HAND_MATRIX = [[1, 2, 3], [2, 3, 3], [3, 3, 4], [4, 5, 5]]

# R psych sim.congeneric default loadings; population alpha 0.742.
LOADINGS = np.array([0.8, 0.7, 0.6, 0.5])


def _implied_correlations(loadings: np.ndarray) -> np.ndarray:
    # One-factor model: r_ij = l_i * l_j off the diagonal, 1 on it.
    matrix = np.outer(loadings, loadings)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def _sample_with_covariance(covariance: np.ndarray, n: int, seed: int) -> np.ndarray:
    # Whiten random data so its sample covariance is exactly I, then colour it, so the
    # sample covariance (ddof=1) is exactly the target and alpha is known in advance.
    raw = np.random.default_rng(seed).standard_normal((n, covariance.shape[0]))
    centred = raw - raw.mean(axis=0)
    whitened = centred @ np.linalg.inv(np.linalg.cholesky(np.cov(centred, rowvar=False)).T)
    return whitened @ np.linalg.cholesky(covariance).T + 3.0


def test_alpha_hand_worked():
    # Item variances 5/3, 4.75/3, 2.75/3 (sum 12.5/3); totals 6, 8, 10, 14 have variance
    # 35/3; alpha = 3/2 * (1 - 12.5/35) = 27/28.
    result = cronbach_alpha(HAND_MATRIX)
    assert (result.n, result.k) == (4, 3)
    assert result.alpha == pytest.approx(27 / 28)


def test_alpha_listwise_deletion():
    with_gaps = [*HAND_MATRIX, [None, 1, 1], [2, float("nan"), 5]]
    assert cronbach_alpha(with_gaps) == cronbach_alpha(HAND_MATRIX)


def test_congeneric_population_alpha():
    # Standardised alpha = k / (k - 1) * (1 - k / sum(R)); the six loading products sum
    # to 2.51, so sum(R) = 4 + 2 * 2.51 = 9.02 and alpha = 4/3 * 5.02 / 9.02 = 0.742055.
    correlations = _implied_correlations(LOADINGS)
    assert correlations.sum() == pytest.approx(9.02)
    data = _sample_with_covariance(correlations, n=200, seed=1)
    result = cronbach_alpha(data.tolist())
    assert result.alpha == pytest.approx(4 / 3 * 5.02 / 9.02, abs=1e-9)
    assert round(result.alpha, 3) == 0.742


def test_congeneric_simulation_recovers_alpha():
    rng = np.random.default_rng(2015)
    n = 100_000
    factor = rng.standard_normal((n, 1))
    noise = rng.standard_normal((n, LOADINGS.size)) * np.sqrt(1 - LOADINGS**2)
    result = cronbach_alpha((factor * LOADINGS + noise).tolist())
    assert result.alpha == pytest.approx(0.742, abs=0.01)


def test_feldt_interval_equals_the_icc_consistency_interval():
    # Cronbach's alpha is ICC(C,k) of a two-way ANOVA (persons x items); McGraw & Wong
    # (1996, case 3) give its interval as 1 - 1 / (F_obs / F(1 - a/2)) and
    # 1 - 1 / (F_obs / F(a/2)), F_obs = MS_persons / MS_residual on (n-1, (n-1)(k-1)).
    # The hand matrix, nudged so that persons, items and residual all vary.
    nudge = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    data = np.array(HAND_MATRIX, dtype=float) + nudge
    n, k = data.shape
    grand = data.mean()
    ss_persons = k * ((data.mean(axis=1) - grand) ** 2).sum()
    ss_items = n * ((data.mean(axis=0) - grand) ** 2).sum()
    ss_residual = ((data - grand) ** 2).sum() - ss_persons - ss_items
    df_persons, df_residual = n - 1, (n - 1) * (k - 1)
    f_observed = (ss_persons / df_persons) / (ss_residual / df_residual)
    expected_low = 1 - 1 / (f_observed / stats.f.ppf(0.95, df_persons, df_residual))
    expected_high = 1 - 1 / (f_observed / stats.f.ppf(0.05, df_persons, df_residual))

    result = cronbach_alpha(data.tolist(), confidence=0.90)
    assert result.alpha == pytest.approx(1 - 1 / f_observed)
    assert result.ci_low == pytest.approx(expected_low)
    assert result.ci_high == pytest.approx(expected_high)
    assert result.ci_low < result.alpha < result.ci_high


def test_feldt_interval_near_statpsych_ci_cronbach():
    # statpsych ci.cronbach(.05, .85, 7, 89) -> LL 0.7971254, UL 0.8931436. statpsych
    # uses a slightly different approximation, so agreement is to about 1e-4; a wrong
    # orientation of the F quantiles would be off by far more.
    k, alpha = 7, 0.85
    rho = alpha / (k - (k - 1) * alpha)  # equal correlations giving alpha = .85
    covariance = np.full((k, k), rho)
    np.fill_diagonal(covariance, 1.0)
    result = cronbach_alpha(_sample_with_covariance(covariance, n=89, seed=7).tolist())
    assert result.alpha == pytest.approx(0.85, abs=1e-9)
    assert result.ci_low == pytest.approx(0.7971254, abs=2e-4)
    assert result.ci_high == pytest.approx(0.8931436, abs=2e-4)


@pytest.mark.parametrize(
    ("items", "n", "k"),
    [
        ([], 0, 0),
        ([[1], [2], [3], [4]], 4, 1),
        ([[1, 2], [2, 3]], 2, 2),
        ([[1, 1], [2, 2], [None, 3]], 2, 2),
        ([[3, 3], [3, 3], [3, 3]], 3, 2),
    ],
)
def test_alpha_undefined(items, n, k):
    assert cronbach_alpha(items) == Reliability(alpha=None, ci_low=None, ci_high=None, n=n, k=k)


def test_ragged_rows_are_rejected():
    with pytest.raises(ValueError):
        cronbach_alpha([[1, 2], [1, 2, 3]])


def test_result_is_json_ready():
    json.dumps(cronbach_alpha(HAND_MATRIX).as_dict(), allow_nan=False)
