"""The portfolio table: sorting and filtering by query parameters (expected orders worked
out by hand from the answers stored), the anonymity threshold, who sees which
organisations, a new client organisation with its HR admin, and bad parameters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.extensions import db
from assessment.models import Membership, Organisation, User
from assessment.operations.campaigns import open_campaign
from assessment.operations.organisations import create_organisation
from tests.workspace.conftest import World, add_responses, add_user, form_token, sign_in_as

CAPABILITIES = ("cap_data", "cap_cyber", "cap_coding", "cap_social", "cap_analytics",
                "cap_mobile", "cap_ecommerce", "cap_collaboration")


def high(full_answers: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Answers that score 100 on every capability, vision and L&D: index 100."""
    return full_answers(**dict.fromkeys(CAPABILITIES, "everyone"), vision_clear="yes",
                        vision_priorities="everyone", vision_communicated="strongly_agree",
                        ld_understands="yes", ld_benchmarks="strongly_agree",
                        ld_funded="strongly_agree")


def low(full_answers: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Answers that score 0 on every capability, vision and L&D: index 0."""
    return full_answers(**dict.fromkeys(CAPABILITIES, "nobody"), vision_clear="no",
                        vision_priorities="nobody", vision_communicated="strongly_disagree",
                        ld_understands="no", ld_benchmarks="strongly_disagree",
                        ld_funded="strongly_disagree")


def rows_of(page: str) -> list[str]:
    """The organisation names in the table, in the order shown."""
    return re.findall(r'<th scope="row"><a href="/portfolio/\d+">([^<]+)</a></th>', page)


def attribute(page: str, name: str, organisation: str, attr: str) -> str | None:
    """The data attribute of one organisation's row ('' when empty, None when absent)."""
    row = re.search(r'<tr data-organisation="\d+">\s*<th scope="row"><a href="/portfolio/\d+">'
                    + re.escape(organisation) + r"</a></th>(.*?)</tr>", page, re.S)
    assert row, f"no row for {organisation}"
    found = re.search(rf'data-{attr}="([^"]*)"', row.group(1))
    return found.group(1) if found else None


@pytest.fixture
def clients(app: Flask, full_answers: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Four organisations of a consultant (and one of someone else), with campaigns whose
    index is known by hand: Alpha 60 (6 at 100, 4 at 0), 50 before (5 and 5): change +10;
    Beta 3 responses (under its threshold of 5); Gamma 100 (10 at 100); Delta none."""
    today = dt.date.today()
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        alpha = create_organisation("Alpha", "Retail", "50-249", "PL")
        beta = create_organisation("Beta", "Finance", "250-999", "LV")
        gamma = create_organisation("Gamma", "Retail", "1-49", "GB")
        delta = create_organisation("Delta", "Health", "5000+", "PL")
        other = create_organisation("Zeta", "Retail", "50-249", "PL")
        before = open_campaign(alpha, q, "Alpha 2025", today - dt.timedelta(days=400),
                               today - dt.timedelta(days=380))
        now = open_campaign(alpha, q, "Alpha 2026", today - dt.timedelta(days=3))
        # Created later but opened earlier: not Alpha's newest (the engine's order).
        open_campaign(alpha, q, "Alpha back-dated", today - dt.timedelta(days=500),
                      today - dt.timedelta(days=490))
        b = open_campaign(beta, q, "Beta 2026", today - dt.timedelta(days=2))
        g = open_campaign(gamma, q, "Gamma 2026", today - dt.timedelta(days=1))
        z = open_campaign(other, q, "Zeta 2026", today - dt.timedelta(days=1))
        consultant = add_user("consultant@portfolio.example",
                              [("consultant", o) for o in (alpha, beta, gamma, delta)])
        admin = add_user("admin@portfolio.example", [("admin", None)])
        hr = add_user("hr@gamma.example", [("hr", gamma)])
        db.session.commit()
        ids = {"alpha": alpha.id, "beta": beta.id, "gamma": gamma.id, "delta": delta.id,
               "zeta": other.id, "zeta_campaign": z.id, "alpha_campaign": now.id,
               "consultant": consultant.id, "admin": admin.id, "hr": hr.id}
        campaigns = {"before": before.id, "now": now.id, "beta": b.id, "gamma": g.id}
    add_responses(app, campaigns["before"], [high(full_answers)] * 5 + [low(full_answers)] * 5)
    add_responses(app, campaigns["now"], [high(full_answers)] * 6 + [low(full_answers)] * 4)
    add_responses(app, campaigns["beta"], [high(full_answers)] * 3)
    add_responses(app, campaigns["gamma"], [high(full_answers)] * 10)
    add_responses(app, ids["zeta_campaign"], [high(full_answers)] * 5)
    return ids


def client_of(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    sign_in_as(app, client, user_id)
    return client


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["Alpha", "Beta", "Delta", "Gamma"]),
    ("?sort=name&dir=desc", ["Gamma", "Delta", "Beta", "Alpha"]),
    # Rows without the value (Beta under its threshold, Delta without a campaign) come
    # last in either direction, by name.
    ("?sort=index&dir=desc", ["Gamma", "Alpha", "Beta", "Delta"]),
    ("?sort=index&dir=asc", ["Alpha", "Gamma", "Beta", "Delta"]),
    ("?sort=size", ["Gamma", "Alpha", "Beta", "Delta"]),  # 1-49 < 50-249 < 250-999 < 5000+
    ("?sort=size&dir=desc", ["Delta", "Beta", "Alpha", "Gamma"]),
    ("?sort=responses&dir=desc", ["Alpha", "Gamma", "Beta", "Delta"]),  # 10, 10, 3, -
    ("?sort=opens", ["Alpha", "Beta", "Gamma", "Delta"]),  # 3, 2, 1 days ago
    ("?sort=change&dir=desc", ["Alpha", "Beta", "Delta", "Gamma"]),
    ("?sector=Retail", ["Alpha", "Gamma"]),
    ("?sector=Retail&sort=index&dir=desc", ["Gamma", "Alpha"]),
    ("?q=TA", ["Beta", "Delta"]),  # case-insensitive, anywhere in the name
    ("?country=lv", ["Beta"]),
    ("?size=5000%2B", ["Delta"]),
    ("?sector=Nowhere", []),
])
def test_sorting_and_filtering(app: Flask, clients: dict[str, Any], query: str,
                               expected: list[str]) -> None:
    page = client_of(app, clients["consultant"]).get("/portfolio/" + query)
    assert page.status_code == 200
    assert rows_of(page.text) == expected


def test_figures_by_hand_and_the_threshold(app: Flask, clients: dict[str, Any]) -> None:
    page = client_of(app, clients["consultant"]).get("/portfolio/").text
    assert float(attribute(page, "", "Alpha", "index") or "nan") == pytest.approx(60.0)
    assert float(attribute(page, "", "Alpha", "change") or "nan") == pytest.approx(10.0)
    assert float(attribute(page, "", "Gamma", "index") or "nan") == pytest.approx(100.0)
    assert attribute(page, "", "Gamma", "change") == ""  # no previous campaign
    # Beta: 3 responses under a threshold of 5: no index, no band, no change at all.
    assert attribute(page, "", "Beta", "index") is None
    beta = page[page.index(">Beta<"):page.index(">Delta<")]
    assert "fewer than 5 responses" in beta and "Beta 2026" in beta
    assert "Alpha 2026" in page and "Alpha back-dated" not in page
    assert "Leading" in page and "Established" in page  # Gamma 100, Alpha 60


def test_who_sees_which_organisations(app: Flask, clients: dict[str, Any],
                                      world: World) -> None:
    admin = rows_of(client_of(app, clients["admin"]).get("/portfolio/").text)
    assert admin == ["Acme", "Alpha", "Beta", "Delta", "Gamma", "Other Org", "Zeta"]
    assert rows_of(client_of(app, clients["hr"]).get("/portfolio/").text) == ["Gamma"]
    consultant = client_of(app, clients["consultant"])
    assert "Zeta" not in consultant.get("/portfolio/").text
    assert consultant.get(f"/portfolio/{clients['zeta']}").status_code == 404
    assert consultant.get(f"/portfolio/compare?org={clients['alpha']}&org={clients['zeta']}"
                          ).status_code == 404
    assert consultant.get(f"/portfolio/compare?campaign={clients['zeta_campaign']}"
                          f"&org={clients['alpha']}").status_code == 404


def test_synthetic_pool_left_out_for_the_administrator(app: Flask,
                                                       clients: dict[str, Any]) -> None:
    with app.app_context():
        create_organisation("Synthetic Example 001", "Retail", "50-249", "PL", synthetic=True)
        db.session.commit()
    assert "Synthetic Example 001" not in client_of(app, clients["admin"]).get(
        "/portfolio/").text


@pytest.mark.parametrize("query", [
    "?sort=bogus", "?dir=up", "?size=huge", "?q=a&q=b", "?q=" + "x" * 201,
    "?sort=name&sort=index",
])
def test_bad_parameters_are_a_400(app: Flask, clients: dict[str, Any], query: str) -> None:
    page = client_of(app, clients["consultant"]).get("/portfolio/" + query)
    assert page.status_code == 400
    assert "cannot be sorted or filtered that way" in page.text


def test_consultant_creates_a_client_and_invites_its_hr_admin(
        app: Flask, clients: dict[str, Any]) -> None:
    client = client_of(app, clients["consultant"])
    token = form_token(client)
    refused = client.post("/portfolio/new", data={
        "csrf_token": token, "name": "New Client", "sector": "Retail", "size_band": "huge",
        "country": "P1"})
    assert refused.status_code == 422
    created = client.post("/portfolio/new", data={
        "csrf_token": token, "name": "New Client", "sector": "Retail",
        "size_band": "250-999", "country": "lv"})
    assert created.status_code == 302
    with app.app_context():
        organisation = db.session.query(Organisation).filter_by(name="New Client").one()
        assert (organisation.sector, organisation.size_band, organisation.country) == (
            "Retail", "250-999", "LV")
        assert organisation.benchmark_consent is False  # not asked: out until agreed
        assert db.session.query(Membership).filter_by(
            user_id=clients["consultant"], organisation_id=organisation.id,
            role="consultant").count() == 1
        organisation_id = organisation.id
    assert created.headers["Location"] == f"/portfolio/{organisation_id}"
    again = client.post("/portfolio/new", data={
        "csrf_token": token, "name": "New Client", "sector": "Retail",
        "size_band": "250-999", "country": "LV"})
    assert again.status_code == 422 and "already exists" in again.text
    invited = client.post(f"/portfolio/{organisation_id}/invite",
                          data={"csrf_token": token, "email": "HR@NewClient.example"})
    assert invited.status_code == 200
    assert invited.headers["Cache-Control"] == "no-store"
    link = re.search(r"<code data-invite-link>http://localhost/reset/([\w-]+)</code>",
                     invited.text)
    assert link, invited.text
    with app.app_context():
        user = db.session.query(User).filter_by(email="hr@newclient.example").one()
        assert [(m.organisation_id, m.role) for m in user.memberships] == [
            (organisation_id, "hr")]
    # The link sets the password once; the new account sees its organisation only.
    page = app.test_client().get(f"/reset/{link.group(1)}")
    assert page.status_code == 200
    shown = client.get(f"/portfolio/{organisation_id}")
    assert "data-invite-link" not in shown.text  # shown once, never stored
    assert "hr@newclient.example" in shown.text
    bad = client.post(f"/portfolio/{organisation_id}/invite",
                      data={"csrf_token": token, "email": "not an address"})
    assert bad.status_code == 422


def test_hr_admin_may_not_create_organisations_or_invite(app: Flask,
                                                         clients: dict[str, Any]) -> None:
    client = client_of(app, clients["hr"])
    token = form_token(client)
    assert client.get("/portfolio/new").status_code == 403
    assert client.post(f"/portfolio/{clients['gamma']}/invite",
                       data={"csrf_token": token, "email": "x@gamma.example"}
                       ).status_code == 403
    assert "New client organisation" not in client.get("/portfolio/").text
