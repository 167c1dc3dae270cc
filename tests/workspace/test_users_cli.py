"""`assessment user ...` and `assessment demo-accounts`."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from assessment.extensions import db
from assessment.models import Membership, Organisation, User
from assessment.operations.campaigns import ensure_demo_campaign
from assessment.operations.organisations import create_organisation
from tests.conftest import csrf_token

LINK = re.compile(r"http://localhost/reset/([A-Za-z0-9_-]+)")


def test_create_an_hr_account_and_set_its_password(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        create_organisation("Acme", "Retail", "50-249", "PL")
        db.session.commit()
    result = runner.invoke(args=["user", "create", "--email", "Ada@Acme.example",
                                 "--role", "hr", "--org", "Acme"])
    assert result.exit_code == 0, result.output
    assert "account ada@acme.example created (hr of Acme)" in result.output
    found = LINK.search(result.output)
    assert found and "valid 24 hours" in result.output
    client = app.test_client()
    page = client.get(f"/reset/{found.group(1)}")
    client.post(f"/reset/{found.group(1)}", data={
        "csrf_token": csrf_token(page.text), "password": "ada's own password",
        "confirm": "ada's own password"})
    login = client.get("/login")
    signed = client.post("/login", data={"csrf_token": csrf_token(login.text),
                                         "email": "ada@acme.example",
                                         "password": "ada's own password"})
    assert signed.status_code == 302
    assert "Acme" in client.get("/campaigns/").text


def test_grant_revoke_and_list(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        create_organisation("Acme", "Retail", "50-249", "PL")
        create_organisation("Beta", "Finance", "250-999", "LV")
        db.session.commit()
    assert runner.invoke(args=["user", "create", "--email", "c@example.org",
                               "--role", "consultant", "--org", "Acme"]).exit_code == 0
    result = runner.invoke(args=["user", "grant", "--email", "c@example.org",
                                 "--role", "consultant", "--org", "Beta"])
    assert result.output.strip() == "c@example.org: consultant of Beta granted"
    again = runner.invoke(args=["user", "grant", "--email", "c@example.org",
                                "--role", "consultant", "--org", "Beta"])
    assert again.output.strip() == "c@example.org: consultant of Beta already held"
    assert runner.invoke(args=["user", "grant", "--email", "c@example.org",
                               "--role", "admin"]).exit_code == 0
    listing = runner.invoke(args=["user", "list"]).output
    assert listing.strip() == ("c@example.org\tadmin, consultant of Acme, consultant of Beta"
                               "  (no password set yet)")
    revoked = runner.invoke(args=["user", "revoke", "--email", "c@example.org",
                                  "--role", "consultant", "--org", "Acme"])
    assert revoked.output.strip() == "c@example.org: consultant of Acme revoked"
    assert runner.invoke(args=["user", "revoke", "--email", "c@example.org",
                               "--role", "admin"]).exit_code == 0
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "c@example.org"))
        assert user is not None and not user.is_admin
        beta = db.session.scalar(select(Organisation.id).where(Organisation.name == "Beta"))
        assert [m.organisation_id for m in db.session.scalars(
            select(Membership).where(Membership.user_id == user.id))] == [beta]


def test_bad_arguments_get_clear_messages(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        create_organisation("Acme", "Retail", "50-249", "PL")
        db.session.commit()
    cases = [
        (["user", "create", "--email", "x@example.org", "--role", "hr"],
         "the hr role needs --org"),
        (["user", "create", "--email", "x@example.org", "--role", "admin", "--org", "Acme"],
         "leave out --org"),
        (["user", "create", "--email", "not-an-address", "--role", "hr", "--org", "Acme"],
         "give a valid e-mail address"),
        (["user", "create", "--email", "x@example.org", "--role", "hr", "--org", "Nope"],
         "no organisation 'Nope'"),
        (["user", "create", "--email", "x@example.org", "--role", "boss"],
         "'boss' is not one of"),
        (["user", "grant", "--email", "nobody@example.org", "--role", "admin"],
         "no account for nobody@example.org"),
        (["user", "reset-link", "--email", "nobody@example.org"],
         "no account for nobody@example.org"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    runner.invoke(args=["user", "create", "--email", "x@example.org", "--role", "admin"])
    duplicate = runner.invoke(args=["user", "create", "--email", "X@example.org",
                                    "--role", "admin"])
    assert duplicate.exit_code == 1
    assert "an account for x@example.org already exists" in duplicate.output


def test_reset_link_replaces_the_earlier_one(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["user", "create", "--email", "a@example.org",
                                "--role", "admin"]).output
    second = runner.invoke(args=["user", "reset-link", "--email", "a@example.org"]).output
    old, new = LINK.search(first), LINK.search(second)
    assert old and new and old.group(1) != new.group(1)
    client = app.test_client()
    assert client.get(f"/reset/{old.group(1)}").status_code == 404
    assert client.get(f"/reset/{new.group(1)}").status_code == 200


def test_demo_accounts(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["demo-accounts"]).exit_code == 1  # no demo organisation yet
    with app.app_context():
        ensure_demo_campaign(app.extensions["questionnaires"].get("digiskills"),
                             __import__("datetime").date.today())
        create_organisation("Synthetic One", "Retail", "50-249", "PL", synthetic=True)
        db.session.commit()
    result = runner.invoke(args=["demo-accounts"])
    assert result.exit_code == 0, result.output
    assert "sign in at http://localhost/login" in result.output
    passwords = dict(re.findall(r"^\s+\w+\s+(\S+@demo\.example)\s+(\S+)$", result.output,
                                re.M))
    assert sorted(passwords) == ["admin@demo.example", "consultant@demo.example",
                                 "hr@demo.example"]
    client = app.test_client()
    page = client.get("/login")
    assert client.post("/login", data={
        "csrf_token": csrf_token(page.text), "email": "consultant@demo.example",
        "password": passwords["consultant@demo.example"]}).status_code == 302
    listing = client.get("/campaigns/").text
    assert "Demo organisation" in listing and "Synthetic One" in listing
    # Run again: the same accounts, new passwords, the old ones stop working.
    rerun = runner.invoke(args=["demo-accounts"])
    new = dict(re.findall(r"^\s+\w+\s+(\S+@demo\.example)\s+(\S+)$", rerun.output, re.M))
    assert new["hr@demo.example"] != passwords["hr@demo.example"]
    assert client.get("/campaigns/").status_code == 302  # new password: signed out
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 3


def test_removing_the_synthetic_pool_removes_its_roles(app: Flask, runner: FlaskCliRunner) \
        -> None:
    from assessment.demo.loader import remove_demo_pool

    with app.app_context():
        ensure_demo_campaign(app.extensions["questionnaires"].get("digiskills"),
                             __import__("datetime").date.today())
        create_organisation("Synthetic One", "Retail", "50-249", "PL", synthetic=True)
        db.session.commit()
    runner.invoke(args=["demo-accounts"])
    with app.app_context():
        assert remove_demo_pool() == 1
        db.session.commit()
        assert db.session.scalar(select(db.func.count(Membership.id))) == 2  # demo org only
