"""Benchmark percentiles against R's type-7 definition and scipy's documented examples."""

import json

import pytest

from assessment.stats.benchmark import BenchmarkSummary, benchmark_summary, percentile_rank


def test_benchmark_summary_type_7():
    # R: quantile(1:10, c(.5, .75, .9)) -> 5.50 7.75 9.10. Type 7 takes h = (n - 1) p + 1:
    # p = .75 -> h = 7.75 -> 7 + .75 * (8 - 7); p = .9 -> h = 9.1 -> 9 + .1 * (10 - 9).
    assert benchmark_summary(list(range(1, 11))) == BenchmarkSummary(
        n=10, median=5.5, top25=pytest.approx(7.75), top10=pytest.approx(9.1)
    )


def test_benchmark_summary_unsorted_with_gaps():
    # Sorted 10, 20, 40, 80: h(.75) = 3.25 -> 40 + .25 * 40 = 50; h(.9) = 3.7 -> 40 + .7 * 40 = 68.
    summary = benchmark_summary([80, None, 10, 40, float("nan"), 20])
    assert summary.n == 4
    assert summary.median == pytest.approx(30.0)
    assert summary.top25 == pytest.approx(50.0)
    assert summary.top10 == pytest.approx(68.0)


def test_benchmark_summary_small_pools():
    assert benchmark_summary([]) == BenchmarkSummary(n=0, median=None, top25=None, top10=None)
    assert benchmark_summary([42.0]) == BenchmarkSummary(n=1, median=42.0, top25=42.0, top10=42.0)


def test_percentile_rank_reproduces_scipy_documentation():
    # scipy.stats.percentileofscore([1, 2, 3, 3, 4], 3, kind='mean') -> 60.0:
    # 2/5 strictly below (40) averaged with 4/5 at or below (80).
    assert percentile_rank(3, [1, 2, 3, 3, 4]) == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("value", "pool", "expected"),
    [
        # 2 of 4 below, 1 of 4 equal: 50 + 25 / 2.
        (3, [1, 2, 3, 4], 62.5),
        # Tied with everyone: the middle, not the top or bottom.
        (5, [5, 5, 5], 50.0),
        (0, [1, 2, 3], 0.0),
        (9, [1, 2, 3], 100.0),
        (2, [1, None, 3, float("nan")], 50.0),
    ],
)
def test_percentile_rank_hand_worked(value, pool, expected):
    assert percentile_rank(value, pool) == pytest.approx(expected)


def test_percentile_rank_undefined():
    assert percentile_rank(3, []) is None
    assert percentile_rank(3, [None]) is None
    assert percentile_rank(float("nan"), [1, 2]) is None


def test_result_is_json_ready():
    json.dumps(benchmark_summary([]).as_dict(), allow_nan=False)
    json.dumps(benchmark_summary([1, 2, 3]).as_dict(), allow_nan=False)
