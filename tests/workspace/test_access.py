"""The access matrix: every workspace route x every role, as one parametrized test, and
the 404 that does not tell "not yours" from "not there".

Expected statuses: an administrator, and the HR admin and consultant of organisation A,
may use A's pages; the HR admin and consultant of organisation B get 404 for them, the
same page as for a campaign that does not exist; without signing in, every page sends
the browser to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.extensions import db
from assessment.models import Campaign, Organisation
from tests.workspace.conftest import World, form_token

SIGN_IN = 302  # no account: to the sign-in page
OWN = ("admin", "hr", "consultant")
OTHERS = ("hr_other", "consultant_other")
ALL_ROLES = ("anonymous", *OWN, *OTHERS)
MISSING_ID = 999_999


@dataclass(frozen=True)
class Route:
    """One request of the matrix: method, URL pattern (filled from the World), form data,
    the status for the organisation's own roles and whether it is organisation-scoped."""

    endpoint: str
    method: str
    url: str
    data: dict[str, Any] | None = None
    ok: int = 200
    scoped: bool = True
    signed_in_status: int | None = None  # for pages that are not organisation-scoped
    # Statuses that differ by role (e.g. only administrators and consultants may create
    # organisations): role -> status, before the rules above.
    by_role: dict[str, int] | None = None


NEW_CAMPAIGN = {"name": "Autumn", "questionnaire": "digiskills@1", "opens_on": "2030-01-01",
                "closes_on": "", "anonymity_threshold": "5", "mode": "open", "invited": "40"}
EDIT = {"name": "Renamed", "questionnaire": "digiskills@1", "opens_on": "{opens_on}",
        "closes_on": "", "anonymity_threshold": "6", "invited": "30"}

NEW_ORGANISATION = {"name": "New Client", "sector": "Retail", "size_band": "50-249",
                    "country": "PL"}
# HR admins may not create organisations, nor invite an organisation's HR admin.
CONSULTANTS_ONLY = {"hr": 403, "hr_other": 403}

ROUTES = [
    Route("campaigns.index", "GET", "/campaigns/", scoped=False, signed_in_status=200),
    Route("portfolio.index", "GET", "/portfolio/", scoped=False, signed_in_status=200),
    Route("portfolio.create", "GET", "/portfolio/new", scoped=False, signed_in_status=200,
          by_role=CONSULTANTS_ONLY),
    Route("portfolio.create", "POST", "/portfolio/new", NEW_ORGANISATION, scoped=False,
          signed_in_status=302, by_role=CONSULTANTS_ONLY),
    Route("portfolio.organisation", "GET", "/portfolio/{organisation}"),
    Route("portfolio.benchmark", "POST", "/portfolio/{organisation}/benchmark",
          {"benchmark_consent": "y"}, ok=302),
    Route("portfolio.invite", "POST", "/portfolio/{organisation}/invite",
          {"email": "new.hr@acme.example"}, by_role={"hr": 403}),
    Route("portfolio.compare", "GET",
          "/portfolio/compare?campaign={campaign}&campaign={closed_campaign}"),
    Route("portfolio.compare", "GET", "/portfolio/compare?org={organisation}&campaign={campaign}"),
    Route("portfolio.ask_comparison", "POST", "/portfolio/compare/report",
          {"campaigns": "{campaign},{closed_campaign}", "language": "en"}, ok=302),
    Route("portfolio.comparison_job", "GET", "/portfolio/compare/reports/{comparison_job}"),
    Route("portfolio.comparison_job_status", "GET",
          "/portfolio/compare/reports/{comparison_job}/status"),
    Route("portfolio.comparison_job_file", "GET",
          "/portfolio/compare/reports/{comparison_job}/file"),
    Route("campaigns.create", "GET", "/campaigns/new/{organisation}"),
    Route("campaigns.create", "POST", "/campaigns/new/{organisation}", NEW_CAMPAIGN, ok=302),
    Route("campaigns.show", "GET", "/campaigns/{campaign}"),
    Route("campaigns.count", "GET", "/campaigns/{campaign}/count"),
    Route("campaigns.edit", "GET", "/campaigns/{campaign}/edit"),
    Route("campaigns.edit", "POST", "/campaigns/{campaign}/edit", EDIT, ok=302),
    Route("campaigns.close", "POST", "/campaigns/{campaign}/close", {}, ok=302),
    Route("campaigns.reopen", "POST", "/campaigns/{closed_campaign}/reopen",
          {"closes_on": ""}, ok=302),
    Route("campaigns.links", "POST", "/campaigns/{token_campaign}/links.csv", {"count": "3"}),
    Route("campaigns.delete", "GET", "/campaigns/{campaign}/delete"),
    Route("campaigns.delete", "POST", "/campaigns/{campaign}/delete",
          {"confirm": "Spring survey"}, ok=302),
    Route("dashboard.show", "GET", "/campaigns/{campaign}/dashboard"),
    # A finished report of the same data and language is reused: no rendering here.
    Route("downloads.ask_report", "POST", "/campaigns/{campaign}/report", {"language": "en"},
          ok=302),
    Route("downloads.job", "GET", "/campaigns/{campaign}/reports/{job}"),
    Route("downloads.job_status", "GET", "/campaigns/{campaign}/reports/{job}/status"),
    Route("downloads.job_file", "GET", "/campaigns/{campaign}/reports/{job}/file"),
    Route("downloads.export", "GET", "/campaigns/{campaign}/export.json"),
    # Responses row by row only from the threshold on: this campaign has none yet.
    Route("downloads.export", "GET", "/campaigns/{campaign}/export.csv", ok=409),
    Route("downloads.export", "GET", "/campaigns/{campaign}/export.xlsx", ok=409),
    Route("auth.account", "GET", "/account", scoped=False, signed_in_status=200),
    Route("auth.account", "POST", "/account",
          {"current": "not my password", "password": "a new long password",
           "confirm": "a new long password"}, scoped=False, signed_in_status=401),
    Route("auth.create_token", "POST", "/account/tokens", {"name": "export script"},
          scoped=False, signed_in_status=201),
    # Nobody holds token 999999: revoking another's token or a missing one is the same 404.
    Route("auth.revoke_token", "POST", "/account/tokens/999999/revoke", {}, scoped=False,
          signed_in_status=404),
    Route("auth.logout_everywhere", "POST", "/logout/everywhere", {}, scoped=False,
          signed_in_status=302),
    Route("auth.logout", "POST", "/logout", {}, scoped=False, signed_in_status=302),
    Route("auth.login", "GET", "/login", scoped=False, signed_in_status=302),
    Route("auth.login", "POST", "/login", {"email": "admin@example.org",
                                           "password": "not the password"},
          scoped=False, signed_in_status=401),
    Route("auth.reset", "GET", "/reset/" + "x" * 43, scoped=False, signed_in_status=404),
    Route("auth.reset", "POST", "/reset/" + "x" * 43,
          {"password": "a new long password", "confirm": "a new long password"},
          scoped=False, signed_in_status=404),
]


def expected(route: Route, role: str) -> int:
    """The status a role gets for a route."""
    if route.endpoint == "auth.login":
        if route.method == "POST":
            return 401  # a wrong password, whoever sends it
        return 200 if role == "anonymous" else 302
    if route.endpoint == "auth.logout":
        return 302  # signing out works signed in or not
    if route.endpoint == "auth.reset":
        return 404  # an unknown link, whoever asks
    if role == "anonymous":
        return SIGN_IN
    if route.by_role and role in route.by_role:
        return route.by_role[role]
    if not route.scoped:
        assert route.signed_in_status is not None
        return route.signed_in_status
    return route.ok if role in OWN else 404


def _url(route: Route, world: World, **override: int | str) -> str:
    ids: dict[str, int | str] = {
        "organisation": world.organisation, "campaign": world.campaign,
        "token_campaign": world.token_campaign, "closed_campaign": world.closed_campaign,
        "job": world.job, "comparison_job": world.comparison_job}
    ids.update(override)
    return route.url.format(**ids)


def _data(route: Route, world: World, **override: int | str) -> dict[str, Any]:
    """The route's form data, with ids filled in like its URL."""
    return {key: _url(Route(route.endpoint, route.method, value), world, **override)
            if isinstance(value, str) and "{" in value else value
            for key, value in (route.data or {}).items()}


def _send(client: FlaskClient, app: Flask, route: Route, url: str,
          data: dict[str, Any] | None = None) -> Any:
    if route.method == "GET":
        return client.get(url)
    return client.post(url, data=(route.data if data is None else data)
                       | {"csrf_token": form_token(client)})


def _edit_data(app: Flask, world: World, route: Route) -> Route:
    if route.data is not EDIT:
        return route
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        opens = campaign.opens_on.isoformat()
    return Route(route.endpoint, route.method, route.url,
                 {k: v.replace("{opens_on}", opens) for k, v in EDIT.items()}, route.ok)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.url}")
def test_access_matrix(app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
                       route: Route, role: str) -> None:
    client = signed_in(role)
    route = _edit_data(app, world, route)
    response = _send(client, app, route, _url(route, world), _data(route, world))
    assert response.status_code == expected(route, role), response.text[:300]
    if response.status_code == SIGN_IN and role == "anonymous" and route.endpoint not in (
            "auth.logout",):
        assert response.headers["Location"].startswith("/login")
    if route.endpoint == "campaigns.links" and response.status_code == 200:
        assert response.mimetype == "text/csv"
        assert len(response.text.strip().splitlines()) == 1 + 3


def test_the_matrix_covers_every_workspace_route(app: Flask) -> None:
    covered = {(r.endpoint, r.method) for r in ROUTES}
    workspace = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] in ("auth", "campaigns", "dashboard",
                                                    "downloads", "portfolio")
                 for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert workspace - covered == set()


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("route", [r for r in ROUTES if r.scoped],
                         ids=lambda r: f"{r.method} {r.url}")
def test_not_yours_and_not_there_look_the_same(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient], route: Route,
    role: str,
) -> None:
    client = signed_in(role)
    route = _edit_data(app, world, route)
    not_yours = _send(client, app, route, _url(route, world), _data(route, world))
    ids: dict[str, int | str] = {
        "organisation": MISSING_ID, "campaign": MISSING_ID, "token_campaign": MISSING_ID,
        "closed_campaign": MISSING_ID, "comparison_job": "N" * 24}
    not_there = _send(client, app, route, _url(route, world, **ids),
                      _data(route, world, **ids))
    if "{job}" in route.url:  # a job that is not there, of one's own campaign: the same
        own = signed_in("hr")
        missing = own.get(_url(route, world, job="N" * 24))
        assert missing.status_code == 404 and missing.text == not_there.text
    assert not_yours.status_code == not_there.status_code == 404
    assert not_yours.text == not_there.text
    assert not_yours.headers.get("Content-Length") == not_there.headers.get("Content-Length")
    # And nothing was changed by the refused request.
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        assert campaign is not None and campaign.name == "Spring survey"
        assert db.session.get(Campaign, world.closed_campaign).closes_on is not None


def test_one_person_with_roles_in_two_organisations(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
) -> None:
    from assessment.operations.accounts import grant

    with app.app_context():
        from assessment.models import User

        user = db.session.get(User, world.users["hr"])
        grant(user, "consultant", db.session.get(Organisation, world.other_organisation))
        db.session.commit()
    client = signed_in("hr")
    assert client.get(f"/campaigns/{world.campaign}").status_code == 200
    assert client.get(f"/campaigns/{world.other_campaign}").status_code == 200
    listing = client.get("/campaigns/").text
    assert "Acme" in listing and "Other Org" in listing


def test_a_revoked_role_stops_access_at_the_next_request(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
) -> None:
    from assessment.models import User
    from assessment.operations.accounts import revoke

    client = signed_in("consultant")
    assert client.get(f"/campaigns/{world.campaign}").status_code == 200
    with app.app_context():
        revoke(db.session.get(User, world.users["consultant"]), "consultant",
               db.session.get(Organisation, world.organisation))
        db.session.commit()
    assert client.get(f"/campaigns/{world.campaign}").status_code == 404
    assert "Acme" not in client.get("/campaigns/").text
