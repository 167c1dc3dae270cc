"""Fixtures of the workspace tests: two organisations, each with campaigns, and an
account for every role (administrator; HR and consultant of each organisation).

Accounts get one argon2 hash computed once per run (hashing takes about 0.1 s), and
tests that are not about signing in sign in by putting the account in the session, as
Flask-Login does after a successful sign-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.extensions import db
from assessment.models import Campaign, Organisation, User
from assessment.operations.accounts import create_user, grant, hash_password
from assessment.operations.campaigns import open_campaign
from assessment.operations.organisations import create_organisation
from assessment.operations.responses import submit_response
from tests.conftest import csrf_token

PASSWORD = "correct horse battery staple"
ROLES = ("admin", "hr", "consultant", "hr_other", "consultant_other")


@cache
def password_hash() -> str:
    """The argon2id hash of PASSWORD, computed once."""
    return hash_password(PASSWORD)


@dataclass
class World:
    """Ids of what the workspace tests act on."""

    organisation: int = 0
    other_organisation: int = 0
    campaign: int = 0  # open link, organisation A
    token_campaign: int = 0  # personal links, organisation A
    closed_campaign: int = 0  # closed last year, organisation A
    other_campaign: int = 0  # organisation B
    slug: str = ""
    job: str = ""  # a finished report of `campaign`, in English
    comparison_job: str = ""  # a finished comparison of `campaign` and `closed_campaign`
    users: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


def add_user(email: str, roles: list[tuple[str, Organisation | None]]) -> User:
    """An account with the test password and these roles (inside an app context)."""
    user = create_user(email)
    user.password_hash = password_hash()
    for role, organisation in roles:
        grant(user, role, organisation)
    return user


@pytest.fixture
def world(app: Flask) -> World:
    """Organisation A (three campaigns) and B (one), and an account per role."""
    return build_world(app)


def build_world(app: Flask) -> World:
    """Organisation A (three campaigns) and B (one), and an account per role."""
    found = World()
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        yesterday = dt.date.today() - dt.timedelta(days=1)
        a = create_organisation("Acme", "Retail", "50-249", "PL")
        b = create_organisation("Other Org", "Finance", "250-999", "LV")
        campaign = open_campaign(a, q, "Spring survey", yesterday, invited=20)
        tokens = open_campaign(a, q, "Personal links", yesterday, mode="token")
        closed = open_campaign(a, q, "Last year", yesterday - dt.timedelta(days=400),
                               yesterday - dt.timedelta(days=300))
        other = open_campaign(b, q, "Their survey", yesterday)
        users = {
            "admin": add_user("admin@example.org", [("admin", None)]),
            "hr": add_user("hr@acme.example", [("hr", a)]),
            "consultant": add_user("consultant@example.org", [("consultant", a)]),
            "hr_other": add_user("hr@other.example", [("hr", b)]),
            "consultant_other": add_user("consultant@other.example", [("consultant", b)]),
        }
        db.session.commit()
        found.job = finished_report(campaign.id)
        found.comparison_job = finished_report(campaign.id, closed.id)
        found.organisation, found.other_organisation = a.id, b.id
        found.campaign, found.token_campaign = campaign.id, tokens.id
        found.closed_campaign, found.other_campaign = closed.id, other.id
        found.slug = campaign.slug
        found.users = {role: user.id for role, user in users.items()}
        found.emails = {role: user.email for role, user in users.items()}
    return found


def finished_report(campaign_id: int, *compared: int) -> str:
    """A report job of the campaign (a comparison with the `compared` ones, if any), done,
    with a (stand-in) PDF file; its id."""
    from assessment.models import utcnow
    from assessment.operations.reports import report_path, request_comparison, request_report

    job = (request_comparison([campaign_id, *compared], "en") if compared
           else request_report(campaign_id, "en"))
    job.status, job.attempts, job.finished_at = "done", 1, utcnow()
    path = report_path(job.id, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 stand-in")
    db.session.commit()
    return job.id


def sign_in_as(app: Flask, client: FlaskClient, user_id: int) -> None:
    """Put the account in the client's session, as a successful sign-in does."""
    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True


@pytest.fixture
def signed_in(app: Flask, world: World) -> Callable[[str], FlaskClient]:
    """Factory: a new client signed in with the account of a role ('anonymous': none)."""

    def factory(role: str) -> FlaskClient:
        client = app.test_client()
        if role != "anonymous":
            sign_in_as(app, client, world.users[role])
        return client

    return factory


def form_token(client: FlaskClient) -> str:
    """A CSRF token for this client's session (from a page with a form)."""
    page = client.get("/login")
    if page.status_code == 302:
        page = client.get("/account")
    return csrf_token(page.text)


def add_responses(app: Flask, campaign_id: int, answers: list[dict[str, Any]]) -> None:
    """Store complete responses for a campaign."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        q = app.extensions["questionnaires"].get("digiskills")
        for each in answers:
            submit_response(campaign, q, each)
        db.session.commit()
