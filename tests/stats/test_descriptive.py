"""Means, proportions and Welch's comparison against published examples and hand arithmetic."""

import json
import math

import pytest
from scipy import stats

from assessment.stats.descriptive import (
    MeanSummary,
    Proportion,
    category_shares,
    difference_ci,
    mean_ci,
    proportion,
    wilson_interval,
)

# Student's t quantiles from printed tables (two-sided 95%).
T_975_DF2 = 4.302653
T_975_DF7 = 2.364624
Z_975 = 1.959963985


def test_mean_ci_hand_worked():
    # mean = 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sd = sqrt(32 / 7);
    # half width = t(.975, 7) * sd / sqrt(8) = 2.364624 * 2.138090 / 2.828427 = 1.787488.
    summary = mean_ci([2, 4, 4, 4, 5, 5, 7, 9])
    assert summary.n == 8
    assert summary.mean == pytest.approx(5.0)
    assert summary.sd == pytest.approx(math.sqrt(32 / 7))
    assert summary.ci_low == pytest.approx(5 - 1.787488, abs=1e-5)
    assert summary.ci_high == pytest.approx(5 + 1.787488, abs=1e-5)


def test_mean_ci_drops_missing_values():
    assert mean_ci([2, None, 4, 4, 4, float("nan"), 5, 5, 7, 9]) == mean_ci(
        [2, 4, 4, 4, 5, 5, 7, 9]
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], MeanSummary(n=0, mean=None, sd=None, ci_low=None, ci_high=None)),
        ([3.5], MeanSummary(n=1, mean=3.5, sd=None, ci_low=None, ci_high=None,
                            interval="all_same")),
        # Every value the same: no zero-width "4 to 4" interval, the code says why.
        ([4, 4, 4], MeanSummary(n=3, mean=4.0, sd=0.0, ci_low=None, ci_high=None,
                                interval="all_same")),
    ],
)
def test_mean_ci_small_samples(values, expected):
    assert mean_ci(values) == expected


def test_mean_ci_rejects_a_confidence_outside_0_1():
    with pytest.raises(ValueError):
        mean_ci([1, 2, 3], confidence=95)


def test_wilson_interval_matches_the_score_formula():
    # Wilson (1927): centre (p + z^2/2n) / (1 + z^2/n),
    # half width z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2).
    successes, n = 7, 50
    p = successes / n
    denominator = 1 + Z_975**2 / n
    centre = (p + Z_975**2 / (2 * n)) / denominator
    half = Z_975 / denominator * math.sqrt(p * (1 - p) / n + Z_975**2 / (4 * n * n))
    low, high = wilson_interval(successes, n)
    assert low == pytest.approx(centre - half, abs=1e-9)
    assert high == pytest.approx(centre + half, abs=1e-9)


def test_wilson_interval_published_example():
    # binomtest(682, 925).proportion_ci(method='wilson') as printed in
    # https://qiita.com/WolfMoon/items/3bc2c71c897fb1d52500
    low, high = wilson_interval(682, 925)
    assert low == pytest.approx(0.7079959876196205, abs=1e-12)
    assert high == pytest.approx(0.7646358009714889, abs=1e-12)


def test_wilson_interval_at_the_edges():
    # With no successes the lower limit is exactly 0 and the upper z^2 / (n + z^2).
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(Z_975**2 / (10 + Z_975**2), abs=1e-9)
    assert wilson_interval(0, 0) == (None, None)


@pytest.mark.parametrize(("successes", "n"), [(-1, 5), (6, 5), (0, -1)])
def test_wilson_interval_rejects_impossible_counts(successes, n):
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


def test_proportion():
    # Digiskills: 44% of respondents say everyone fully understands the customers.
    share = proportion(44, 100)
    assert share.share == pytest.approx(0.44)
    assert (share.ci_low, share.ci_high) == wilson_interval(44, 100)
    assert proportion(0, 0) == Proportion(successes=0, n=0, share=None, ci_low=None, ci_high=None)


def test_category_shares_use_the_total_as_n():
    shares = category_shares({"yes": 3, "partly": 5, "no": 2, "dont_know": 0})
    assert {label: s.n for label, s in shares.items()} == dict.fromkeys(shares, 10)
    assert shares["partly"].share == pytest.approx(0.5)
    assert shares["dont_know"].share == 0.0
    assert category_shares({}) == {}


def test_difference_ci_reproduces_r_welch_on_sleep_data():
    # R: t.test(extra ~ group, data = sleep) -> t = -1.8608, df = 17.776,
    # p-value = 0.07939, 95 percent CI -3.3654832 0.2054832; means 0.75 and 2.33.
    group_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    group_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    result = difference_ci(group_1, group_2)
    assert (result.n_a, result.n_b) == (10, 10)
    assert result.mean_a == pytest.approx(0.75)
    assert result.mean_b == pytest.approx(2.33)
    assert result.difference == pytest.approx(-1.58)
    assert result.ci_low == pytest.approx(-3.3654832, abs=1e-7)
    assert result.ci_high == pytest.approx(0.2054832, abs=1e-7)
    assert result.p_value == pytest.approx(0.07939, abs=1e-5)


def test_difference_ci_reproduces_r_documentation_p_value():
    # R's ?t.test: t.test(1:10, y = c(7:20))  # P = .00001855
    result = difference_ci(list(range(1, 11)), list(range(7, 21)))
    assert result.p_value == pytest.approx(0.00001855, abs=1e-8)
    check = stats.ttest_ind(range(1, 11), range(7, 21), equal_var=False)
    interval = check.confidence_interval()
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))


def test_difference_ci_with_one_constant_group():
    # Likert answers are often constant within a group. a = 1, 2, 3 (var 1), b = 5, 5, 5:
    # se = sqrt(1/3); Welch df = (1/3)^2 / ((1/3)^2 / 2) = 2;
    # CI = -3 +/- t(.975, 2) * sqrt(1/3) = -3 +/- 4.302653 * 0.577350 = -3 +/- 2.484138.
    result = difference_ci([1, 2, 3], [5, 5, 5])
    assert result.difference == pytest.approx(-3.0)
    assert result.ci_low == pytest.approx(-3 - T_975_DF2 * math.sqrt(1 / 3), abs=1e-5)
    assert result.ci_high == pytest.approx(-3 + T_975_DF2 * math.sqrt(1 / 3), abs=1e-5)
    t_statistic = -3 / math.sqrt(1 / 3)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(t_statistic), 2))


@pytest.mark.parametrize(
    ("a", "b"),
    [([5, 5, 5], [5, 5]), ([1], [2, 3, 4]), ([], [1, 2]), ([2, 2], [3, 3])],
)
def test_difference_ci_without_a_test(a, b):
    result = difference_ci(a, b)
    assert (result.ci_low, result.ci_high, result.p_value) == (None, None, None)


def test_results_are_json_ready():
    results = [
        mean_ci([]),
        mean_ci([1]),
        mean_ci([1, 2, 3]),
        proportion(0, 0),
        difference_ci([1], []),
        difference_ci([1, 2, 3], [5, 5, 5]),
    ]
    for result in results:
        json.dumps(result.as_dict(), allow_nan=False)
