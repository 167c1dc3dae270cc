"""Correlations and Benjamini-Hochberg against statpsych, scipy's docs and hand arithmetic."""

import json
import math

import pytest
from scipy import stats

from assessment.stats.correlation import Correlation, benjamini_hochberg, pearson, spearman

Z_975 = 1.959963985

# statpsych's ci.spear documentation example.
STATPSYCH_Y = [21, 4, 9, 12, 35, 18, 10, 22, 24, 1, 6, 8, 13, 16, 19]
STATPSYCH_X = [67, 28, 30, 28, 52, 40, 25, 37, 44, 10, 14, 20, 28, 40, 51]


def test_spearman_reproduces_statpsych_ci_spear():
    # ci.spear(.05, y, x) -> Estimate 0.8699639, LL 0.5840951, UL 0.9638297.
    result = spearman(STATPSYCH_Y, STATPSYCH_X)
    assert result.method == "spearman"
    assert result.n == 15
    assert result.r == pytest.approx(0.8699639, abs=1e-6)
    assert result.ci_low == pytest.approx(0.5840951, abs=1e-6)
    assert result.ci_high == pytest.approx(0.9638297, abs=1e-6)
    assert result.p_value == pytest.approx(stats.spearmanr(STATPSYCH_Y, STATPSYCH_X).pvalue)


def test_spearman_drops_incomplete_pairs():
    x = [*STATPSYCH_Y, None, 3.0, float("nan")]
    y = [*STATPSYCH_X, 5.0, None, 2.0]
    assert spearman(x, y) == spearman(STATPSYCH_Y, STATPSYCH_X)


def test_pearson_hand_worked():
    # x = 1..5, y = 2, 4, 5, 4, 5: Sxy = 6, Sxx = 10, Syy = 6, r = 6 / sqrt(60);
    # Fisher z interval: tanh(atanh(r) -/+ 1.959964 / sqrt(5 - 3)).
    x, y = [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]
    r = 6 / math.sqrt(60)
    result = pearson(x, y)
    assert result.method == "pearson"
    assert result.r == pytest.approx(r)
    assert result.ci_low == pytest.approx(math.tanh(math.atanh(r) - Z_975 / math.sqrt(2)))
    assert result.ci_high == pytest.approx(math.tanh(math.atanh(r) + Z_975 / math.sqrt(2)))


def test_pearson_agrees_with_scipy_interval():
    check = stats.pearsonr(STATPSYCH_X, STATPSYCH_Y)
    interval = check.confidence_interval(confidence_level=0.9)
    result = pearson(STATPSYCH_X, STATPSYCH_Y, confidence=0.9)
    assert result.r == pytest.approx(check.statistic)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
    assert result.p_value == pytest.approx(check.pvalue)


@pytest.mark.parametrize("correlate", [spearman, pearson])
@pytest.mark.parametrize(
    ("x", "y", "n"),
    [
        ([1, 2, 3], [1, 2, 3], 3),
        ([1, 1, 1, 1, 1], [1, 2, 3, 4, 5], 5),
        ([1, 2, 3, 4, 5], [7, 7, 7, 7, 7], 5),
        ([None, None], [1, 2], 0),
        ([], [], 0),
    ],
)
def test_undefined_correlations_are_none(correlate, x, y, n):
    result = correlate(x, y)
    assert (result.n, result.r, result.ci_low, result.ci_high, result.p_value) == (
        n,
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("correlate", [spearman, pearson])
@pytest.mark.parametrize("sign", [1, -1])
def test_perfect_correlation_gives_a_collapsed_interval(correlate, sign):
    result = correlate([1, 2, 3, 4, 5], [sign * v for v in [2, 4, 6, 8, 10]])
    # r may come back as 0.9999999999999999; the limits must not become NaN either way.
    assert result.r == pytest.approx(sign)
    assert result.ci_low == pytest.approx(sign, abs=1e-12)
    assert result.ci_high == pytest.approx(sign, abs=1e-12)


def test_pairs_must_line_up():
    with pytest.raises(ValueError):
        spearman([1, 2, 3], [1, 2])


def test_benjamini_hochberg_reproduces_scipy_documentation():
    # scipy.stats.false_discovery_control docs (Benjamini & Hochberg 1995, thrombolysis).
    ps = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
          0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip
    documented = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714,
                  0.0645, 0.0765, 0.486, 0.58118182, 0.714875, 0.75323077, 0.81321429,
                  1.0]  # fmt: skip
    assert benjamini_hochberg(ps) == pytest.approx(documented, abs=1e-8)


def test_benjamini_hochberg_hand_worked_with_gaps():
    # Present p-values 0.01, 0.04, 0.03 (m = 3). Sorted: 0.01 * 3/1 = 0.03,
    # 0.03 * 3/2 = 0.045, 0.04 * 3/3 = 0.04; step-up minimum from the top: 0.03, 0.04, 0.04.
    adjusted = benjamini_hochberg([0.01, None, float("nan"), 0.04, 0.03])
    assert adjusted == pytest.approx([0.03, None, None, 0.04, 0.04])
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([None]) == [None]


def test_results_are_json_ready():
    for result in [spearman([1], [2]), pearson(STATPSYCH_X, STATPSYCH_Y)]:
        assert isinstance(result, Correlation)
        json.dumps(result.as_dict(), allow_nan=False)
