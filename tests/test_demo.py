"""The synthetic demo pool: loaded by `assessment demo`, it reproduces the published
Digiskills figures when the engine computes them from the stored answers."""

from __future__ import annotations

from collections.abc import Callable
from statistics import fmean
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from assessment.analysis.digiskills import respondent_findings
from assessment.analysis.loading import respondents
from assessment.analysis.records import Respondent
from assessment.demo.generator import generate_pool
from assessment.extensions import db
from assessment.instrument.attributes import SIZE_BANDS
from assessment.models import Campaign, Organisation, Response, ResponseScore
from assessment.operations.responses import submit_response

# The published figures (BRIEF.md, seed 000 and the AVADO posts on the same report),
# each as a path into the engine's respondent-level findings.
PUBLISHED: dict[tuple[str, ...], float] = {
    ("understands_customers",): 0.44,
    ("by_representative", "groups", "all", "says_yes"): 0.83,
    ("by_representative", "groups", "none", "says_yes"): 0.18,
    ("by_representative", "groups", "none", "says_no"): 0.47,
    ("by_vision", "groups", "yes", "says_yes"): 0.63,
    ("by_vision", "groups", "no", "says_yes"): 0.20,
    ("by_learning", "groups", "yes", "says_yes"): 0.65,
    ("by_learning", "groups", "no", "says_yes"): 0.18,
    ("everyone_can", "cap_data"): 0.578,
    ("everyone_can", "cap_coding"): 0.122,
    ("vision_clear",): 0.38,
    ("priorities_everyone",): 0.25,
}
TOLERANCE = 0.03


def _loaded_respondents() -> list[Respondent]:
    ids = db.session.scalars(select(Campaign.id)).all()
    return respondents(db.session(), ids)


def _capability_mean(records: list[Respondent], seniority: str, capabilities: list[str]) -> float:
    """Mean over respondents of one level of their mean capability score."""
    return fmean(
        fmean(s for key in capabilities if (s := r.scores.get(key)) is not None)
        for r in records if r.seniority == seniority
    )


def _counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Organisation, Campaign, Response, ResponseScore)}


def _stored_pool() -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(
        select(Organisation.name, Organisation.sector, Campaign.invited, Response.answers,
               Response.submitted_on, Response.locale)
        .join(Campaign, Campaign.organisation_id == Organisation.id)
        .join(Response, Response.campaign_id == Campaign.id)
        .order_by(Organisation.name, Response.id)
    )]


def test_default_pool_reproduces_published_findings(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        questionnaire = app.extensions["questionnaires"].get("digiskills", 1)
        records = _loaded_respondents()
        findings = respondent_findings(questionnaire, records)
        counts = _counts()
        organisations = db.session.scalars(select(Organisation)).all()
        campaigns = db.session.scalars(select(Campaign)).all()
        outside_window = db.session.scalar(
            select(func.count(Response.id))
            .join(Campaign, Response.campaign_id == Campaign.id)
            .where((Response.submitted_on < Campaign.opens_on)
                   | (Response.submitted_on > Campaign.closes_on)))
        capabilities = [d.key for d in questionnaire.dimensions_in("capability")]

    assert counts["organisations"] == counts["campaigns"] == 250
    assert findings["n"] == counts["responses"] > 250 * 10
    assert all(o.synthetic and o.name.startswith("Synthetic ") for o in organisations)
    assert {o.country for o in organisations} == {"GB", "PL", "RU", "CN", "LV"}
    assert {o.size_band for o in organisations} == set(SIZE_BANDS)
    assert all(c.anonymity_threshold == 5 and c.mode == "open" and c.invited for c in campaigns)
    assert all(c.opens_on.year == c.closes_on.year == 2026 for c in campaigns if c.closes_on)
    assert outside_window == 0

    missed = {}
    for path, published in PUBLISHED.items():
        found: Any = findings
        for key in path:
            found = found[key]
        if abs(found["share"] - published) > TOLERANCE:
            missed["/".join(path)] = (round(found["share"], 3), published)
    assert missed == {}

    senior = _capability_mean(records, "senior_leader", capabilities)
    staff = _capability_mean(records, "staff", capabilities)
    assert senior - staff > 5, (senior, staff)


def test_same_seed_gives_the_same_pool_and_reruns_replace_it(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign]
) -> None:
    real = make_campaign(org_name="A real organisation")
    assert runner.invoke(args=["demo", "--orgs", "5", "--seed", "7"]).exit_code == 0
    with app.app_context():
        first, first_counts = _stored_pool(), _counts()
    assert runner.invoke(args=["demo", "--orgs", "5", "--seed", "7"]).exit_code == 0
    with app.app_context():
        second, second_counts = _stored_pool(), _counts()
        kept = db.session.get(Organisation, real.organisation_id)
    assert first == second
    assert first_counts == second_counts
    assert first_counts["organisations"] == 5 + 1 and kept is not None
    assert len(first) == sum(len(o.responses) for o in generate_pool(5, 7))

    assert runner.invoke(args=["demo", "--orgs", "5", "--seed", "8"]).exit_code == 0
    with app.app_context():
        assert _stored_pool() != first
        assert _counts()["organisations"] == 5 + 1


def test_stored_like_a_submitted_response(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign]
) -> None:
    synthetic = generate_pool(1, 11)[0]
    assert runner.invoke(args=["demo", "--orgs", "1", "--seed", "11"]).exit_code == 0
    campaign = make_campaign()
    with app.app_context():
        questionnaire = app.extensions["questionnaires"].get("digiskills", 1)
        loaded = db.session.scalars(
            select(Response).join(Campaign).join(Organisation)
            .where(Organisation.name == synthetic.name).order_by(Response.id)).first()
        assert loaded is not None
        assert loaded.locale in questionnaire.languages
        submitted = submit_response(
            db.session.get_one(Campaign, campaign.id), questionnaire,
            synthetic.responses[0].answers, locale=loaded.locale,
            submitted_on=synthetic.responses[0].submitted_on)
        columns = ("answers", "scores", "index_score", "seniority", "function", "generation",
                   "country", "locale", "submitted_on")
        assert {c: getattr(loaded, c) for c in columns} == \
            {c: getattr(submitted, c) for c in columns}

        def score_rows(response_id: int) -> dict[str, float]:
            rows = db.session.execute(select(ResponseScore.dimension, ResponseScore.score)
                                      .where(ResponseScore.response_id == response_id))
            return {dimension: score for dimension, score in rows}

        assert score_rows(loaded.id) == score_rows(submitted.id)


def test_a_real_organisation_with_a_demo_name_is_never_replaced(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign]
) -> None:
    name = generate_pool(1, 3)[0].name
    make_campaign(org_name=name)
    result = runner.invoke(args=["demo", "--orgs", "1", "--seed", "3"])
    assert result.exit_code != 0
    assert "already exists" in result.output
    with app.app_context():
        assert _counts()["organisations"] == 1


@pytest.mark.parametrize("orgs", ["0", "1000"])
def test_pool_size_is_bounded(runner: FlaskCliRunner, orgs: str) -> None:
    result = runner.invoke(args=["demo", "--orgs", orgs])
    assert result.exit_code != 0
    assert "--orgs" in result.output
