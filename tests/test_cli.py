"""The `assessment` CLI: organisations and campaigns before the admin pages exist."""

from __future__ import annotations

import csv
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from assessment.extensions import db
from assessment.models import Campaign, InvitationToken, Organisation


def make_org(runner: FlaskCliRunner, name: str = "Acme") -> None:
    result = runner.invoke(args=["org", "create", "--name", name, "--sector", "Retail",
                                 "--size", "250-999", "--country", "lv"])
    assert result.exit_code == 0, result.output


def test_org_and_open_campaign(app: Flask, runner: FlaskCliRunner) -> None:
    make_org(runner)
    result = runner.invoke(args=["campaign", "create", "--org", "Acme", "--closes",
                                 "2099-01-31", "--invited", "40"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        org = db.session.scalars(select(Organisation)).one()
        assert (org.country, org.size_band) == ("LV", "250-999")
        campaign = db.session.scalars(select(Campaign)).one()
        assert campaign.mode == "open" and campaign.anonymity_threshold == 5
        assert f"http://localhost/s/{campaign.slug}" in result.output
        status = runner.invoke(args=["campaign", "status", str(campaign.id)])
    assert "responses: 0" in status.output
    assert "invited: 40  response rate: 0.0%" in status.output


def test_token_campaign_writes_links(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    make_org(runner)
    out = tmp_path / "links.csv"
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id))
    result = runner.invoke(args=["campaign", "create", "--org", str(org_id), "--tokens", "5",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5 and all(r["link"].startswith("http://localhost/s/t/") for r in rows)
    with app.app_context():
        hashes = set(db.session.scalars(select(InvitationToken.token_hash)))
        campaign = db.session.scalars(select(Campaign)).one()
    assert len(hashes) == 5 and campaign.mode == "token" and campaign.invited == 5
    assert not any(r["link"].rsplit("/", 1)[1] in hashes for r in rows)


def test_bad_arguments_are_clear(runner: FlaskCliRunner) -> None:
    make_org(runner)
    cases = [
        (["campaign", "create", "--org", "Nobody"], "no organisation 'Nobody'"),
        (["campaign", "create", "--org", "Acme", "--closes", "soon"], "is not a date"),
        (["campaign", "create", "--org", "Acme", "--questionnaire", "other"],
         "no questionnaire 'other'"),
        (["campaign", "create", "--org", "Acme", "--opens", "2030-01-02", "--closes",
          "2030-01-01"], "cannot close before it opens"),
        (["campaign", "create", "--org", "Acme", "--threshold", "1"], "--threshold"),
        (["campaign", "create", "--org", "Acme", "--out", "x.csv"], "--out goes with --tokens"),
        (["campaign", "status", "999999"], "no campaign with id 999999"),
        (["org", "create", "--name", "Acme", "--sector", "X", "--size", "1-49",
          "--country", "PL"], "already exists"),
        (["org", "create", "--name", "B", "--sector", "X", "--size", "huge",
          "--country", "PL"], "'huge' is not one of"),
        (["org", "create", "--name", "B", "--sector", "X", "--size", "1-49",
          "--country", "Poland"], "two-letter ISO code"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)


def test_demo_campaign_is_created_once(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["demo-campaign"])
    second = runner.invoke(args=["demo-campaign"])
    assert first.exit_code == 0 and first.output == second.output
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
    assert f"http://localhost/s/{campaign.slug}" in first.output


def test_purge_old_drafts(app: Flask, runner: FlaskCliRunner) -> None:
    import datetime as dt

    from assessment.models import Draft
    from assessment.operations.drafts import start_draft

    make_org(runner)
    runner.invoke(args=["campaign", "create", "--org", "Acme"])
    today = dt.datetime.now(dt.UTC).date()
    with app.app_context():
        campaign = db.session.scalars(select(Campaign)).one()
        old, _ = start_draft(campaign)
        recent, _ = start_draft(campaign)
        old.updated_on = today - dt.timedelta(days=100)
        recent.updated_on = today - dt.timedelta(days=10)
        db.session.commit()
    result = runner.invoke(args=["campaign", "purge-drafts", "--older-than", "30"])
    assert result.output.strip() == "deleted 1 unfinished drafts older than 30 days"
    with app.app_context():
        left = db.session.scalars(select(Draft.updated_on)).all()
    assert left == [today - dt.timedelta(days=10)]
    bad = runner.invoke(args=["campaign", "purge-drafts", "--older-than", "-1"])
    assert bad.exit_code != 0 and "--older-than" in bad.output
