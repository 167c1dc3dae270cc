"""The access matrix of the JSON API: every endpoint x a token of every role.

Expected: an administrator and the HR admin and consultant of organisation A may use A's
resources; the HR admin and consultant of organisation B, and an account whose role in A
was revoked after its token was made, get 404 for them, the very answer of a resource
that does not exist; a revoked token and no token get 401 everywhere but the OpenAPI
document. Creating an organisation is for administrators and consultants (HR: 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.extensions import db
from assessment.models import Campaign
from tests.api_support import OUTSIDERS, OWN, UNAUTHENTICATED, answers_csv, bearer
from tests.workspace.conftest import World

ALL_ROLES = (*OWN, *OUTSIDERS, *UNAUTHENTICATED)
MISSING_ID = 999_999


@dataclass(frozen=True)
class Call:
    """One request of the matrix; `ok` is the status for the organisation's own roles."""

    endpoint: str
    method: str
    url: str
    json: dict[str, Any] | None = None
    csv: bool = False
    ok: int = 200
    scoped: bool = True  # about organisation A (others get 404)


NEW_ORGANISATION = {"name": "Client Ltd", "sector": "Retail", "size_band": "1-49",
                    "country": "GB"}
NEW_CAMPAIGN = {"name": "Autumn", "opens_on": "2030-01-01"}
CALLS = [
    Call("api.openapi", "GET", "/api/v1/openapi.json", scoped=False),
    Call("api.list_organisations", "GET", "/api/v1/organisations", scoped=False),
    Call("api.create_organisation_view", "POST", "/api/v1/organisations", NEW_ORGANISATION,
         ok=201, scoped=False),
    Call("api.get_organisation", "GET", "/api/v1/organisations/{organisation}"),
    Call("api.list_campaigns", "GET", "/api/v1/organisations/{organisation}/campaigns"),
    Call("api.create_campaign", "POST", "/api/v1/organisations/{organisation}/campaigns",
         NEW_CAMPAIGN, ok=201),
    Call("api.get_campaign", "GET", "/api/v1/campaigns/{campaign}"),
    Call("api.close_campaign_view", "POST", "/api/v1/campaigns/{campaign}/close"),
    Call("api.issue_links", "POST", "/api/v1/campaigns/{token_campaign}/links", {"count": 3},
         ok=201),
    Call("api.results", "GET", "/api/v1/campaigns/{campaign}/results"),
    Call("api.comparison", "GET",
         "/api/v1/comparison?campaign={campaign}&campaign={closed_campaign}"),
    Call("api.export", "GET", "/api/v1/campaigns/{campaign}/exports/json"),
    # Responses row by row only from the threshold on: this campaign has none yet.
    Call("api.export", "GET", "/api/v1/campaigns/{campaign}/exports/csv", ok=409),
    Call("api.export", "GET", "/api/v1/campaigns/{campaign}/exports/xlsx", ok=409),
    Call("api.validate_import", "POST", "/api/v1/campaigns/{campaign}/imports/validate",
         csv=True),
    Call("api.commit_import", "POST", "/api/v1/campaigns/{campaign}/imports", csv=True,
         ok=201),
    # A finished report of the same data and language is reused: no rendering here.
    Call("api.request_report_job", "POST", "/api/v1/report-jobs",
         {"kind": "organisation", "campaign_id": "{campaign}", "language": "en"}, ok=202),
    Call("api.report_job", "GET", "/api/v1/report-jobs/{job}"),
    Call("api.report_job_file", "GET", "/api/v1/report-jobs/{job}/file"),
]


def expected(call: Call, role: str) -> int:
    """The status a role gets for a call."""
    if call.endpoint == "api.openapi":
        return 200  # the description of the API is public
    if role in UNAUTHENTICATED:
        return 401
    if call.endpoint == "api.create_organisation_view":
        return 201 if role in ("admin", "consultant", "consultant_other") else 403
    if not call.scoped:
        return call.ok
    return call.ok if role in OWN else 404


def _ids(world: World, **override: int | str) -> dict[str, int | str]:
    ids: dict[str, int | str] = {
        "organisation": world.organisation, "campaign": world.campaign,
        "token_campaign": world.token_campaign, "closed_campaign": world.closed_campaign,
        "job": world.job}
    return ids | override


def send(client: FlaskClient, call: Call, token: str | None, ids: dict[str, int | str],
         csv_body: bytes) -> Any:
    """Make the call with the ids filled in."""
    url = call.url.format(**ids)
    headers = bearer(token)
    if call.csv:
        return client.open(url, method=call.method, data=csv_body, headers=headers,
                           content_type="text/csv")
    body = None
    if call.json is not None:
        body = {k: int(str(v).format(**ids)) if isinstance(v, str) and v.startswith("{")
                else v for k, v in call.json.items()}
    return client.open(url, method=call.method, json=body, headers=headers)


@pytest.fixture
def csv_body(full_answers: Any) -> bytes:
    """A valid import file of one response."""
    return answers_csv([full_answers()])


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.url}")
def test_api_access_matrix(app: Flask, client: FlaskClient, api_world: World,
                           api_tokens: dict[str, str], csv_body: bytes, call: Call,
                           role: str) -> None:
    response = send(client, call, api_tokens.get(role), _ids(api_world), csv_body)
    assert response.status_code == expected(call, role), response.text[:300]
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "details"}
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if call.endpoint == "api.list_organisations" and response.status_code == 200:
        names = {o["name"] for o in response.get_json()["items"]}
        seen = {"admin": {"Acme", "Other Org"}, "hr": {"Acme"}, "consultant": {"Acme"},
                "hr_other": {"Other Org"}, "consultant_other": {"Other Org"},
                "revoked_role": set()}
        assert names == seen[role]


def test_the_matrix_covers_every_api_route(app: Flask) -> None:
    covered = {(c.endpoint, c.method) for c in CALLS}
    api = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
           if rule.endpoint.startswith("api.")
           for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert api - covered == set()


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("call", [c for c in CALLS if c.scoped],
                         ids=lambda c: f"{c.method} {c.url}")
def test_not_yours_and_not_there_look_the_same(
    app: Flask, client: FlaskClient, api_world: World, api_tokens: dict[str, str],
    csv_body: bytes, call: Call, role: str,
) -> None:
    token = api_tokens[role]
    not_yours = send(client, call, token, _ids(api_world), csv_body)
    missing = {"organisation": MISSING_ID, "campaign": MISSING_ID,
               "token_campaign": MISSING_ID, "closed_campaign": MISSING_ID + 1, "job": "N" * 24}
    not_there = send(client, call, token, _ids(api_world, **missing), csv_body)
    assert not_yours.status_code == not_there.status_code == 404
    assert not_yours.data == not_there.data
    # And nothing was changed by the refused request.
    with app.app_context():
        campaign = db.session.get(Campaign, api_world.campaign)
        assert campaign.closed_on is None and campaign.data_version == 0
        assert db.session.get(Campaign, api_world.token_campaign).tokens_issued == 0
