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


def test_links_that_cannot_be_written_leave_no_campaign(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path,
) -> None:
    make_org(runner)
    locked = tmp_path / "locked"
    locked.mkdir()
    (tmp_path / "link.csv").symlink_to(tmp_path / "elsewhere.csv")
    for out, message in ((tmp_path / "missing" / "links.csv", "does not exist"),
                         (tmp_path / "link.csv", "symbolic link")):
        result = runner.invoke(args=["campaign", "create", "--org", "Acme", "--tokens", "3",
                                     "--out", str(out)])
        assert result.exit_code == 1 and message in result.output, result.output
    # A write that fails after the check (here: the folder made read-only meanwhile, as a
    # full disk would fail it) stores nothing either.
    from assessment.cli import campaigns as cli_campaigns

    def failing(path: Path, content: bytes) -> None:
        raise OSError(28, "No space left on device", str(path))

    original = cli_campaigns.write_atomically
    cli_campaigns.write_atomically = failing  # type: ignore[assignment]
    try:
        result = runner.invoke(args=["campaign", "create", "--org", "Acme", "--tokens", "3",
                                     "--out", str(locked / "links.csv")])
    finally:
        cli_campaigns.write_atomically = original
    assert result.exit_code == 1
    assert "No space left on device; no campaign was created" in result.output
    with app.app_context():
        assert db.session.scalars(select(Campaign)).all() == []
        assert db.session.scalars(select(InvitationToken)).all() == []


def test_numbers_past_any_sensible_size_are_refused_clearly(runner: FlaskCliRunner) -> None:
    make_org(runner)
    huge = "9" * 30
    for args, option in (
        (["campaign", "purge-drafts", "--older-than", huge], "--older-than"),
        (["campaign", "create", "--org", "Acme", "--tokens", huge], "--tokens"),
        (["campaign", "create", "--org", "Acme", "--invited", huge], "--invited"),
        (["campaign", "create", "--org", "Acme", "--threshold", huge], "--threshold"),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)
        assert option in result.output and "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    for ref in (huge, "\u00b2"):  # too large an id; a digit that is not 0-9
        result = runner.invoke(args=["campaign", "create", "--org", ref])
        assert result.exit_code == 1 and f"no organisation '{ref}'" in result.output


def test_names_are_stored_in_one_spelling(app: Flask, runner: FlaskCliRunner) -> None:
    decomposed = "Lo\u0301dz\u0301  Works\t"  # "Łódź"-like letters as base + accent
    result = runner.invoke(args=["org", "create", "--name", decomposed, "--sector",
                                 " Retail\n trade ", "--size", "1-49", "--country", "PL"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["campaign", "create", "--org", "Lo\u0301dz\u0301 Works",
                                 "--name", "  Spring\u00a0 2026 "])
    assert result.exit_code == 0, result.output
    with app.app_context():
        org = db.session.scalars(select(Organisation)).one()
        campaign = db.session.scalars(select(Campaign)).one()
    assert (org.name, org.sector) == ("Lód\u017a Works", "Retail trade")
    assert campaign.name == "Spring 2026"
    for args, message in (
        (["org", "create", "--name", "A\x1b[31mB", "--sector", "X", "--size", "1-49",
          "--country", "PL"], "the organisation's name holds control characters"),
        (["org", "create", "--name", "x" * 201, "--sector", "X", "--size", "1-49",
          "--country", "PL"], "longer than 200 characters"),
        (["org", "create", "--name", " \t ", "--sector", "X", "--size", "1-49",
          "--country", "PL"], "the organisation needs a name"),
        (["campaign", "create", "--org", "Lódź Works", "--name", "evil\u202egnp.exe"],
         "the campaign's name holds control characters"),
        (["campaign", "create", "--org", "Lódź Works", "--name", "a\x00b"],
         "the campaign's name holds control characters"),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
