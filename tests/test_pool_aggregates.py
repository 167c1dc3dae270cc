"""Issue 14, point 1: the pool's figures come from per-organisation counts and sums the
database computes, and are the very figures the per-respondent path gives."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from scipy import stats
from sqlalchemy import select

from assessment.analysis import loading
from assessment.analysis.digiskills import organisation_findings, respondent_findings
from assessment.analysis.groups import seniority_gaps
from assessment.analysis.relations import correlations, reliability
from assessment.analysis.statistics import pool_headlines, pool_plan, pool_statistics
from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import Campaign, CampaignTally
from assessment.operations.responses import submit_response
from assessment.operations.tallies import keep_tallies
from assessment.stats.correlation import pearson_from_moments, rank_sums, spearman_from_ranks
from assessment.stats.descriptive import difference_from_moments
from assessment.stats.reliability import alpha_from_moments

THRESHOLD = 5


def assert_same(found: Any, expected: Any, path: str = "") -> None:
    """Equal structures, numbers equal to 1e-9 (relative above 1)."""
    if isinstance(expected, dict):
        assert isinstance(found, dict) and found.keys() == expected.keys(), path
        for key in expected:
            assert_same(found[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list | tuple):
        assert len(found) == len(expected), path
        for i, (a, b) in enumerate(zip(found, expected, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert found == pytest.approx(expected, rel=1e-9, abs=1e-9), path
    else:
        assert found == expected, path


def test_pool_figures_from_aggregates_are_the_row_figures(
    app: Flask, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["demo", "--orgs", "24", "--seed", "14"]).exit_code == 0
    with app.app_context():
        session = db.session()
        q = registry().get("digiskills")
        found = pool_statistics(session, registry())
        headlines = pool_headlines(session, registry())
        # The row path: every pool respondent's answers loaded and analysed one by one.
        pool = loading.pool_campaigns(session, "digiskills")
        people = loading.respondents(session, [c.id for c in pool])
    assert found["organisations"] == len(pool) == 24
    assert found["respondents"] == len(people) == headlines["respondents"]
    expected_respondent = respondent_findings(q, people, THRESHOLD, clustered=True)
    assert expected_respondent["by_representative"]["groups"]["all"]["says_yes"][
        "interval"] == "cluster_bootstrap"
    assert_same(found["digiskills"], {
        "respondent": expected_respondent,
        "organisation": organisation_findings(q, people, THRESHOLD, THRESHOLD),
    })
    assert_same(headlines["digiskills"], {"respondent": expected_respondent})
    # The landing page reads the pool's outline from aggregates, pool_statistics from
    # one record per organisation: the same size, places and benchmark.
    for key in ("organisations", "countries", "synthetic", "all_synthetic", "benchmark"):
        assert_same(headlines[key], found[key], key)
    assert_same(found["correlations"], correlations(q, people, THRESHOLD, clustered=True))
    assert_same(found["reliability"], reliability(q, people, THRESHOLD, clustered=True))
    assert_same(found["seniority_gap"], seniority_gaps(q, people, THRESHOLD, clustered=True))


def test_an_empty_pool_has_no_figures(app: Flask) -> None:
    with app.app_context():
        found = pool_statistics(db.session(), registry())
    assert found["organisations"] == 0 and found["respondents"] == 0
    assert found["digiskills"]["respondent"]["understands_customers"]["suppressed"]
    assert all(row["spearman"]["suppressed"] for row in found["correlations"])


def test_rank_sums_are_scipy_ranks_summed_per_cluster() -> None:
    rng = np.random.default_rng(14)
    x = rng.integers(0, 5, 400).astype(float) * 25
    y = np.round(rng.normal(50, 20, 400) / 12.5) * 12.5
    cluster = rng.integers(0, 7, 400)
    # The same pairs as cells: (cluster, x, y) with their counts.
    cells, counts = np.unique(np.column_stack([cluster, x, y]), axis=0, return_counts=True)
    found = rank_sums(cells[:, 1], cells[:, 2], counts.astype(float),
                      cells[:, 0].astype(int), 7)
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    for name, value in (("rx", rx), ("ry", ry), ("rxx", rx * rx), ("ryy", ry * ry),
                        ("rxy", rx * ry)):
        assert found[name] == pytest.approx(np.bincount(cluster, weights=value, minlength=7))
    n = x.size
    rho = spearman_from_ranks(n, *(float(found[m].sum()) for m in ("rx", "ry", "rxx",
                                                                   "ryy", "rxy")), False)
    scipy_rho = stats.spearmanr(x, y)
    assert rho.r == pytest.approx(scipy_rho.statistic, rel=1e-12)
    assert rho.p_value == pytest.approx(scipy_rho.pvalue, rel=1e-9)
    r = pearson_from_moments(n, x.sum(), y.sum(), (x * x).sum(), (y * y).sum(),
                             (x * y).sum(), False)
    scipy_r = stats.pearsonr(x, y)
    interval = scipy_r.confidence_interval()
    assert (r.r, r.p_value, r.ci_low, r.ci_high) == pytest.approx(
        (scipy_r.statistic, scipy_r.pvalue, interval.low, interval.high), rel=1e-9)


def test_alpha_and_welch_from_sums_match_the_textbook() -> None:
    rng = np.random.default_rng(3)
    items = rng.integers(0, 5, (60, 4)).astype(float) + rng.integers(0, 3, (60, 1))
    k = items.shape[1]
    pairs = [(i, j) for i in range(k) for j in range(i, k)]
    found = alpha_from_moments(60, list(items.sum(axis=0)),
                               [float((items[:, i] * items[:, j]).sum()) for i, j in pairs])
    # Cronbach (1951) by hand: k / (k - 1) * (1 - sum of item variances / total variance).
    alpha = k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert found.alpha == pytest.approx(alpha, rel=1e-12)
    a, b = rng.normal(60, 15, 40), rng.normal(52, 9, 55)
    welch = difference_from_moments((a.size, a.sum(), (a * a).sum(), False),
                                    (b.size, b.sum(), (b * b).sum(), False))
    test = stats.ttest_ind(a, b, equal_var=False)
    interval = test.confidence_interval()
    assert welch.p_value == pytest.approx(test.pvalue, rel=1e-9)
    assert (welch.ci_low, welch.ci_high) == pytest.approx((interval.low, interval.high),
                                                          rel=1e-9)
    assert math.isclose(welch.difference or 0.0, a.mean() - b.mean(), rel_tol=1e-12)


def test_kept_tallies_are_read_until_the_campaign_changes(
    app: Flask, runner: FlaskCliRunner, full_answers: Any
) -> None:
    assert runner.invoke(args=["demo", "--orgs", "8", "--seed", "21"]).exit_code == 0
    with app.app_context():
        session = db.session()
        first = pool_statistics(session, registry(), keep=keep_tallies)
        session.commit()
        pool = loading.pool_campaigns(session, "digiskills")
        plan = pool_plan(registry().get("digiskills"))
        kept = session.scalars(select(CampaignTally.campaign_id)
                               .where(CampaignTally.plan == plan.digest())).all()
        assert sorted(kept) == [c.id for c in pool]
        # Read again: every campaign's tallies come from the kept rows, none computed.
        assert loading.pool_tallies(session, "digiskills", plan).fresh == ()
        assert_same(pool_statistics(session, registry()), first)
        # A new response retires its campaign's row: only that campaign is computed again.
        changed = session.get(Campaign, pool[0].id)
        assert changed is not None
        submit_response(changed, registry().get("digiskills"),
                        full_answers(cu_everyone="yes", seniority="senior_leader"))
        session.commit()
        assert session.scalars(select(CampaignTally.plan)
                               .where(CampaignTally.campaign_id == changed.id)).all() == []
        again = loading.pool_tallies(session, "digiskills", plan)
        assert [campaign for campaign, *_rest in again.fresh] == [changed.id]
        found = pool_statistics(session, registry(), keep=keep_tallies)
        session.commit()
        people = loading.respondents(session, [c.id for c in pool])
        q = registry().get("digiskills")
    assert found["respondents"] == first["respondents"] + 1 == len(people)
    assert_same(found["digiskills"]["respondent"],
                respondent_findings(q, people, THRESHOLD, clustered=True))
    assert_same(found["correlations"], correlations(q, people, THRESHOLD, clustered=True))


def test_columns_read_once_give_the_figures_read_afresh(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """A campaign's figures from its loaded respondents (each column read once and
    shared by the figures) are those from a plain list of the same records."""
    from assessment.analysis.records import Respondents
    from assessment.analysis.statistics import _pool, describe_campaign

    assert runner.invoke(args=["demo", "--orgs", "12", "--seed", "3"]).exit_code == 0
    with app.app_context():
        session = db.session()
        q = registry().get("digiskills")
        _campaigns, pool = _pool(session, q)
        info = loading.pool_campaigns(session, "digiskills")[0]
        loaded = loading.respondents(session, [info.id])
        assert isinstance(loaded, Respondents) and len(loaded) >= THRESHOLD
        plain = list(loaded)
        assert not isinstance(plain, Respondents)
        shared = describe_campaign(q, info, loaded, pool)
        assert loaded.answers_read and loaded.scores_read  # the columns were shared
        assert shared == describe_campaign(q, info, plain, pool)


def test_a_first_read_computes_and_keeps_a_few_campaigns_at_a_time(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no tallies kept (after a bulk load or an upgrade), the pool's campaigns are
    computed FRESH_AT_ONCE at a time, each batch kept as soon as it is computed; the
    figures are those of one statement over the whole pool."""
    assert runner.invoke(args=["demo", "--orgs", "11", "--seed", "5"]).exit_code == 0
    with app.app_context():
        session = db.session()
        whole = pool_statistics(session, registry())  # one statement, nothing kept
        monkeypatch.setattr(loading, "FRESH_AT_ONCE", 4)
        batches: list[int] = []

        def keep(tallies: Any) -> object:
            batches.append(len(tallies.fresh))
            return keep_tallies(tallies)

        found = pool_statistics(session, registry(), keep=keep)
        session.commit()
        plan = pool_plan(registry().get("digiskills"))
        assert loading.pool_tallies(session, "digiskills", plan).fresh == ()
        kept = pool_statistics(session, registry())
    assert batches == [4, 4, 3]
    assert_same(found, whole)
    assert_same(kept, whole)
