"""Campaign summaries (issue 14, point 2): kept in the transaction of every submit,
import and delete, equal to a rebuild from the responses, never losing a concurrent
submit; and the benchmark read from them gives the figures the score rows give."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from assessment.analysis import loading
from assessment.analysis.benchmark import build_pool, summarise
from assessment.analysis.records import campaign_order
from assessment.analysis.statistics import _dimension_keys, _pool, benchmark_pool
from assessment.cli import add_database_commands
from assessment.extensions import db
from assessment.instrument.scoring import score_response
from assessment.models import Campaign, CampaignSummary, Response, ResponseScore, ScoreSummary
from assessment.operations.campaigns import delete_campaign, open_campaign
from assessment.operations.responses import response_row, submit_response
from assessment.operations.summaries import add_to_summaries
from tests.test_import import answers_csv, run_import

THREADS = 8
Summaries = tuple[dict[int, int], dict[tuple[int, str], tuple[int, float, float]]]


def stored_summaries() -> Summaries:
    """Every summary row, as plain values."""
    campaigns = {c: n for c, n in db.session.execute(
        select(CampaignSummary.campaign_id, CampaignSummary.responses))}
    scores = {(c, d): (n, total, squares) for c, d, n, total, squares in db.session.execute(
        select(ScoreSummary.campaign_id, ScoreSummary.dimension, ScoreSummary.n,
               ScoreSummary.total, ScoreSummary.total_squares))}
    return campaigns, scores


def rebuild(app: Flask, runner: FlaskCliRunner) -> Any:
    """`assessment db rebuild-summaries` (the `db` group is attached as the command
    line attaches it)."""
    add_database_commands(app)
    return runner.invoke(args=["db", "rebuild-summaries"])


def assert_same_summaries(found: Summaries, expected: Summaries) -> None:
    assert found[0] == expected[0]
    assert found[1].keys() == expected[1].keys()
    for key, (n, total, squares) in expected[1].items():
        # The same scores summed in another order: equal to the last bits.
        assert found[1][key] == (n, pytest.approx(total, rel=1e-12),
                                 pytest.approx(squares, rel=1e-12)), key


def test_rebuild_equals_incremental_after_submits_import_and_delete(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]], tmp_path: Path,
) -> None:
    kept, other, deleted = make_campaign(), make_campaign(), make_campaign()
    codes = ["nobody", "few", "some", "most", "everyone", "dont_know"]
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        for i, code in enumerate(codes):
            submit_response(db.session.get(Campaign, kept.id), q,
                            full_answers(cap_data=code, cap_cyber=codes[-1 - i]))
            submit_response(db.session.get(Campaign, deleted.id), q, full_answers(cap_data=code))
        db.session.commit()
    imported = [full_answers(cap_data=code, vision_clear="no") for code in codes[:4]]
    assert run_import(runner, answers_csv(tmp_path / "a.csv", imported), other.id).exit_code == 0
    assert run_import(runner, answers_csv(tmp_path / "b.csv", imported[:2]), kept.id
                      ).exit_code == 0
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        submit_response(db.session.get(Campaign, other.id), q, full_answers())
        delete_campaign(db.session.get(Campaign, deleted.id))
        db.session.commit()
        incremental = stored_summaries()

        # By hand: cap_data of `kept` is scored by five of its six submits (don't know is
        # left out) and both imported rows.
        points = {"nobody": 0.0, "few": 25.0, "some": 50.0, "most": 75.0, "everyone": 100.0}
        cap_data = [points[c] for c in codes if c in points] + [0.0, 25.0]
        assert incremental[0] == {kept.id: 8, other.id: 5}
        n, total, squares = incremental[1][(kept.id, "cap_data")]
        assert (n, total, squares) == (7, pytest.approx(sum(cap_data)),
                                       pytest.approx(sum(v * v for v in cap_data)))
        assert not any(c == deleted.id for c, _d in incremental[1])

    result = rebuild(app, runner)
    assert result.exit_code == 0, result.output
    # Eleven dimensions each: nobody answered cap_mobile other than "don't know".
    assert "rebuilt the summaries of 2 campaigns (22 dimension rows)" in result.output
    with app.app_context():
        assert_same_summaries(stored_summaries(), incremental)
        # And both agree with the score rows themselves.
        rows = db.session.execute(
            select(ResponseScore.campaign_id, ResponseScore.dimension, func.count(),
                   func.sum(ResponseScore.score))
            .group_by(ResponseScore.campaign_id, ResponseScore.dimension)).all()
        assert {(c, d): (n, pytest.approx(t)) for c, d, n, t in rows} == {
            key: (n, t) for key, (n, t, _s) in incremental[1].items()}


def test_rebuild_replaces_wrong_summaries(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        for _ in range(3):
            submit_response(db.session.get(Campaign, campaign.id), q, full_answers())
        db.session.commit()
        right = stored_summaries()
        # A database restored from a dump without the summaries, or edited by hand.
        db.session.execute(ScoreSummary.__table__.update().values(n=1, total=0.0))
        db.session.execute(CampaignSummary.__table__.delete())
        db.session.commit()
    assert rebuild(app, runner).exit_code == 0
    with app.app_context():
        assert_same_summaries(stored_summaries(), right)


def _run_together(app: Flask, work: Callable[[], None]) -> None:
    """Run `work` in THREADS threads at once, each in its own app context (own session
    and connection) and transaction, committed at the end."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with app.app_context():
                barrier.wait()
                work()
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_simultaneous_additions_to_one_summary_all_count(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # The summary rows alone, added to by several transactions that all start at once:
    # a read-then-write would keep one of them.
    campaign = make_campaign()
    q = app.extensions["questionnaires"].get("digiskills")
    answers = full_answers(cap_data="most")
    row = response_row(campaign.id, q, answers, "en", dt.date.today())
    _run_together(app, lambda: add_to_summaries([row]))
    with app.app_context():
        campaigns, scores = stored_summaries()
    assert campaigns == {campaign.id: THREADS}
    assert scores[(campaign.id, "cap_data")] == (THREADS, 75.0 * THREADS, 75.0 ** 2 * THREADS)


def test_simultaneous_submits_to_one_campaign_all_count(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    q = app.extensions["questionnaires"].get("digiskills")
    answers = full_answers(cap_data="few")
    _run_together(app, lambda: submit_response(db.session.get(Campaign, campaign.id), q, answers))
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == THREADS
        campaigns, scores = stored_summaries()
    assert campaigns == {campaign.id: THREADS}
    expected = score_response(q, answers)
    for dimension, score in expected.items():
        if score is not None:
            n, total, _squares = scores[(campaign.id, dimension)]
            assert (n, total) == (THREADS, pytest.approx(score * THREADS)), dimension


def _pool_from_score_rows(session: Any, key: str) -> tuple[list[Any], Any]:
    """The benchmark pool as it was computed before the summaries, from every response
    and score row: each organisation's newest campaign (records.campaign_order) of
    those with at least their threshold of responses, means by AVG over the scores."""
    counts = loading.response_counts(session)
    infos = [loading.campaign_info(session, c) for c in session.scalars(
        select(Campaign.id).where(Campaign.questionnaire_key == key))]
    newest: dict[int, Any] = {}
    for info in infos:
        if counts.get(info.id, 0) >= info.anonymity_threshold:
            best = newest.get(info.organisation_id)
            if best is None or campaign_order(info) > campaign_order(best):
                newest[info.organisation_id] = info
    campaigns = sorted(newest.values(), key=lambda c: c.id)
    return campaigns, build_pool(campaigns, loading.dimension_means(session), counts)


def test_benchmark_from_summaries_equals_benchmark_from_score_rows(
    app: Flask, runner: FlaskCliRunner, full_answers: Callable[..., dict[str, Any]],
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        first_three = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()[:3]
        # A newer campaign under its threshold leaves its organisation's older one in the
        # pool; one that reached it takes the older one's place.
        for campaign, answered in zip(first_three, (2, 6, 0), strict=True):
            newer = open_campaign(campaign.organisation, q, "Next round",
                                  campaign.opens_on + dt.timedelta(days=30))
            for code in ["nobody", "everyone", "few", "most", "some", "few"][:answered]:
                submit_response(newer, q, full_answers(cap_data=code))
        db.session.commit()

        session = db.session()
        keys = _dimension_keys(q)
        raw_campaigns, raw_pool = _pool_from_score_rows(session, q.key)
        campaigns, pool = _pool(session, q)
        assert [c.id for c in campaigns] == [c.id for c in raw_campaigns]
        assert len(pool) == len(raw_pool) == 250
        for member, raw in zip(pool, raw_pool, strict=True):
            assert (member.campaign_id, member.respondents, member.sector, member.size_band) \
                == (raw.campaign_id, raw.respondents, raw.sector, raw.size_band)
            assert member.means.keys() == raw.means.keys()
            for key, mean in raw.means.items():
                assert member.means[key] == pytest.approx(mean, abs=1e-9)

        expected = summarise(raw_pool, keys)
        found = benchmark_pool(session, q)
        assert found["organisations"] == 250
        for key in keys:
            for figure in ("n", "median", "top25", "top10"):
                assert found["dimensions"][key][figure] == pytest.approx(
                    expected[key][figure], abs=1e-9), (key, figure)
                # numpy on the score rows' means, independently of the engine.
        index = [m.means["index"] for m in raw_pool if "index" in m.means]
        assert found["dimensions"]["index"]["median"] == pytest.approx(
            float(np.percentile(index, 50)), abs=1e-9)


def test_benchmark_from_summaries_leaves_out_dimensions_too_few_scored(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # Five organisations of five respondents; in the first only three scored cap_data
    # (two said "don't know"), so it enters the benchmark without cap_data: four
    # organisations are left for cap_data, under the five any figure needs.
    campaigns = [make_campaign() for _ in range(5)]
    codes = ["few", "some", "most", "everyone", "nobody"]
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        for number, campaign in enumerate(campaigns):
            stored = db.session.get(Campaign, campaign.id)
            for i in range(5):
                cap_data = "dont_know" if number == 0 and i < 2 else codes[(number + i) % 5]
                submit_response(stored, q, full_answers(cap_data=cap_data,
                                                        cap_cyber=codes[number]))
        db.session.commit()
        found = benchmark_pool(db.session(), q)
    assert found["organisations"] == 5
    assert found["dimensions"]["cap_data"] == {"suppressed": True, "reason": "below_threshold",
                                               "n": None}
    # cap_cyber: each organisation's respondents agree, so its means are 25, 50, 75, 100
    # and 0; by hand (R type 7), the 90th percentile is 75 + 0.6 * (100 - 75).
    assert found["dimensions"]["cap_cyber"] == {"n": 5, "median": 50.0,
                                                "top25": 75.0, "top10": 90.0}
