"""Cross-tabulation tests against scipy's and R's documented examples and hand arithmetic."""

import json
import math
from itertools import product

import pytest
from scipy import stats

from assessment.stats.association import (
    MONTE_CARLO_WARNING,
    CrosstabTest,
    crosstab_test,
    split_share,
)
from assessment.stats.descriptive import proportion


def test_chi_square_reproduces_r_documentation():
    # R's ?chisq.test (Agresti 2007, p. 39): party by gender,
    # X-squared = 30.07, df = 2, p-value = 2.954e-07.
    result = crosstab_test([[762, 327, 468], [484, 239, 477]])
    assert result.test == "chi-square"
    assert result.statistic == pytest.approx(30.07, abs=5e-3)
    assert result.dof == 2
    assert result.p_value == pytest.approx(2.954e-07, abs=5e-11)
    assert result.n == 2757
    # V = sqrt(30.0701 / (2757 * 1)) = 0.104436
    assert result.cramers_v == pytest.approx(0.104436, abs=1e-5)
    assert result.warning is None


def test_chi_square_on_2x2_is_uncorrected():
    # Expected counts all 15, so X^2 = 4 * 5^2 / 15 = 6.6667 (Yates would give 5.4);
    # V = sqrt(6.6667 / 60) = 1/3.
    result = crosstab_test([[20, 10], [10, 20]])
    assert result.test == "chi-square"
    assert result.statistic == pytest.approx(20 / 3)
    assert result.p_value == pytest.approx(stats.chi2.sf(20 / 3, 1))
    assert result.cramers_v == pytest.approx(1 / 3)


def test_cramers_v_agrees_with_scipy():
    table = [[12, 30, 18], [25, 14, 9], [7, 11, 20]]
    expected = stats.contingency.association(table, method="cramer", correction=False)
    assert crosstab_test(table).cramers_v == pytest.approx(expected)


def test_fisher_exact_reproduces_scipy_documentation():
    # scipy.stats.fisher_exact docs: fisher_exact([[8, 2], [1, 5]]) ->
    # statistic 20.0, pvalue 0.034965034965034975.
    result = crosstab_test([[8, 2], [1, 5]])
    assert result.test == "fisher-exact"
    assert result.statistic == pytest.approx(20.0)
    assert result.p_value == pytest.approx(0.034965034965034975, rel=1e-12)
    assert result.dof is None
    assert result.n == 16


def test_fisher_exact_hypergeometric_example():
    # scipy's fisher_exact notes: for [[6, 2], [1, 4]] the tables no more probable than
    # the observed one (x = 6, p = 0.0816) are x = 2, 6, 7; p = 0.0163 + 0.0816 + 0.00466.
    result = crosstab_test([[6, 2], [1, 4]])
    assert result.test == "fisher-exact"
    assert result.p_value == pytest.approx(0.0163 + 0.0816 + 0.00466, abs=2e-4)


def test_fisher_exact_infinite_odds_ratio_is_none():
    result = crosstab_test([[5, 0], [1, 6]])
    assert result.test == "fisher-exact"
    assert result.statistic is None
    assert result.p_value is not None


def _exact_rxc_p_value(table: list[list[int]]) -> float:
    # Freeman-Halton by enumeration for a 2 x 3 table: every table with the observed
    # margins has probability prod(C(col_j, top_j)) / C(n, top row total).
    top_total, columns = sum(table[0]), [a + b for a, b in zip(*table, strict=True)]
    n = sum(columns)

    def probability(top: tuple[int, ...]) -> float:
        return math.prod(math.comb(c, t) for c, t in zip(columns, top, strict=True)) / math.comb(
            n, top_total
        )

    observed = probability(tuple(table[0]))
    tables = [top for top in product(*(range(c + 1) for c in columns)) if sum(top) == top_total]
    return sum(p for p in map(probability, tables) if p <= observed * (1 + 1e-7))


def test_fisher_exact_on_larger_tables_uses_a_repeatable_monte_carlo():
    table = [[8, 2, 3], [1, 5, 4]]
    result = crosstab_test(table)
    assert result.test == "fisher-exact"
    assert result.warning == MONTE_CARLO_WARNING
    assert result.statistic is None
    # 9999 resamples: the Monte Carlo standard error near p = 0.05 is about 0.002.
    assert result.p_value == pytest.approx(_exact_rxc_p_value(table), abs=0.01)
    assert crosstab_test(table) == result


def test_empty_rows_and_columns_are_dropped():
    padded = crosstab_test([[8, 2, 0], [1, 5, 0], [0, 0, 0]])
    assert padded == crosstab_test([[8, 2], [1, 5]])


@pytest.mark.parametrize(
    ("table", "n"),
    [([[5, 0], [0, 0]], 5), ([[0, 0], [0, 0]], 0), ([[3, 4, 5]], 12), ([[1], [2]], 3)],
)
def test_tables_without_two_non_empty_rows_and_columns(table, n):
    assert crosstab_test(table) == CrosstabTest(
        test=None, statistic=None, p_value=None, dof=None, cramers_v=None, n=n
    )


@pytest.mark.parametrize("table", [[[1, -1], [2, 3]], [1, 2, 3]])
def test_invalid_tables_are_rejected(table):
    with pytest.raises(ValueError):
        crosstab_test(table)


def test_split_share_digiskills_vision():
    # Digiskills: 63% where leadership set a clear digital vision, 20% where not.
    # Table [[63, 20], [37, 80]], n = 200: X^2 = n (ad - bc)^2 / (r1 r2 c1 c2)
    # = 200 * 4300^2 / (83 * 117 * 100 * 100) = 38.0805; V = 4300 / sqrt(97110000) = 0.43636.
    split = split_share({"vision": (63, 100), "no vision": (20, 100)})
    assert split.groups["vision"] == proportion(63, 100)
    assert split.groups["no vision"].share == pytest.approx(0.20)
    assert split.test.test == "chi-square"
    assert split.test.statistic == pytest.approx(200 * 4300**2 / (83 * 117 * 100 * 100))
    assert split.test.cramers_v == pytest.approx(4300 / math.sqrt(83 * 117 * 100 * 100))
    assert split.test.n == 200


def test_split_share_with_an_empty_group():
    split = split_share({"a": (3, 10), "b": (7, 10), "c": (0, 0)})
    assert split.groups["c"].share is None
    assert split.test == crosstab_test([[3, 7], [7, 3]])
    json.dumps(split.as_dict(), allow_nan=False)
