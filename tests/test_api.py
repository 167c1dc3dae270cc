"""The JSON API's behaviour: tokens (shown once, stored hashed, revoked at once, never a
cookie), its figures against the CLI's (the oracle), import against the CLI import,
exports against the campaign page's, pagination and the error bodies."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, text

from assessment.extensions import db
from assessment.models import ApiToken, Response
from tests.api_support import answers_csv, bearer
from tests.workspace.conftest import World, add_responses, form_token, sign_in_as

TOKEN = re.compile(r'id="new-token"[^>]*value="(dma_[A-Za-z0-9_-]+)"')
LEVELS = ["nobody", "few", "some", "most", "everyone"]


def varied(full_answers: Callable[..., dict[str, Any]], n: int, shift: int = 0
           ) -> list[dict[str, Any]]:
    """n complete responses whose capability answers differ."""
    return [full_answers(cap_data=LEVELS[(i + shift) % 5], cap_cyber=LEVELS[(2 * i) % 5],
                         cap_coding=LEVELS[(i + 2 + shift) % 5],
                         vision_clear=("yes", "no")[i % 2]) for i in range(n)]


def _responses(app: Flask, campaign_id: int) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(Response.id)).where(
            Response.campaign_id == campaign_id)) or 0)


# --- tokens ------------------------------------------------------------------------------

def test_a_token_is_shown_once_stored_hashed_and_revoked_at_once(
    app: Flask, client: FlaskClient, api_world: World,
) -> None:
    sign_in_as(app, client, api_world.users["hr"])
    created = client.post("/account/tokens", data={"name": "monthly export",
                                                   "csrf_token": form_token(client)})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    plain = TOKEN.search(created.text).group(1)  # type: ignore[union-attr]
    assert len(plain) == len("dma_") + 43  # 32 random bytes, URL-safe base64
    page = client.get("/account")
    assert "monthly export" in page.text and plain not in page.text
    # Only the SHA-256 hash is stored: the plain token is in no column of any table.
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert row.token_hash == hashlib.sha256(plain.encode()).hexdigest()
        assert row.last_used_on is None
        for table in db.metadata.sorted_tables:
            for values in db.session.execute(text(f"SELECT * FROM {table.name}")):
                assert plain not in repr(tuple(values)), table.name
        token_id = row.id
    other = app.test_client()
    assert other.get("/api/v1/organisations", headers=bearer(plain)).status_code == 200
    with app.app_context():
        assert db.session.get(ApiToken, token_id).last_used_on is not None
    revoked = client.post(f"/account/tokens/{token_id}/revoke",
                          data={"csrf_token": form_token(client)})
    assert revoked.status_code == 302
    gone = other.get("/api/v1/organisations", headers=bearer(plain))
    assert gone.status_code == 401
    assert gone.get_json()["error"]["code"] == "invalid_token"


def test_one_cannot_revoke_anothers_token(app: Flask, api_world: World,
                                          api_tokens: dict[str, str]) -> None:
    with app.app_context():
        admins = db.session.scalar(select(ApiToken.id).where(
            ApiToken.user_id == api_world.users["admin"]))
    client = app.test_client()
    sign_in_as(app, client, api_world.users["hr"])
    answer = client.post(f"/account/tokens/{admins}/revoke",
                         data={"csrf_token": form_token(client)})
    assert answer.status_code == 404
    assert app.test_client().get("/api/v1/organisations",
                                 headers=bearer(api_tokens["admin"])).status_code == 200


def test_a_token_needs_a_name(app: Flask, client: FlaskClient, api_world: World) -> None:
    sign_in_as(app, client, api_world.users["hr"])
    answer = client.post("/account/tokens", data={"name": "   ",
                                                  "csrf_token": form_token(client)})
    assert answer.status_code == 422 and 'id="new-token"' not in answer.text
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_a_browser_session_does_not_authenticate_the_api(
    app: Flask, client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    sign_in_as(app, client, api_world.users["admin"])
    assert client.get("/campaigns/").status_code == 200
    answer = client.get("/api/v1/organisations")
    assert answer.status_code == 401
    # Nor does a cookie come back from the API, and a forged cross-site form gets 401.
    with_token = app.test_client().get("/api/v1/organisations",
                                       headers=bearer(api_tokens["admin"]))
    assert "Set-Cookie" not in with_token.headers
    assert with_token.headers["Cache-Control"] == "private, no-store"
    forged = client.post(f"/api/v1/campaigns/{api_world.campaign}/close")
    assert forged.status_code == 401
    with app.app_context():
        from assessment.models import Campaign

        assert db.session.get(Campaign, api_world.campaign).closed_on is None


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dma_abc", "dma_abc",
                                    "Bearer dma_" + "x" * 43, "Bearer " + "x" * 500])
def test_malformed_or_unknown_tokens_get_401(client: FlaskClient, api_world: World,
                                             header: str) -> None:
    answer = client.get("/api/v1/organisations", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] in ("unauthorized", "invalid_token")


# --- figures: the CLI is the oracle ---------------------------------------------------------

def test_results_and_comparison_equal_the_cli(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, api_world: World,
    api_tokens: dict[str, str], full_answers: Callable[..., dict[str, Any]],
) -> None:
    add_responses(app, api_world.campaign, varied(full_answers, 7))
    add_responses(app, api_world.closed_campaign, varied(full_answers, 6, shift=2))
    a, b = api_world.campaign, api_world.closed_campaign
    headers = bearer(api_tokens["consultant"])

    cli = runner.invoke(args=["stats", "--campaign", str(a), "--campaign", str(b), "--json"])
    assert cli.exit_code == 0, cli.output
    answer = client.get(f"/api/v1/comparison?campaign={a}&campaign={b}", headers=headers)
    assert answer.status_code == 200
    assert answer.get_json() == json.loads(cli.stdout)
    assert [c["responses"]["n"] for c in answer.get_json()["campaigns"]] == [7, 6]

    one = runner.invoke(args=["stats", "--campaign", str(a), "--json"])
    results = client.get(f"/api/v1/campaigns/{a}/results", headers=headers)
    assert results.get_json() == json.loads(one.stdout)
    assert results.get_json()["suppressed"] is False


def test_comparison_refuses_what_the_cli_refuses(
    client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    headers = bearer(api_tokens["admin"])
    c = api_world.campaign
    for query, status in ((f"campaign={c}", 422), (f"campaign={c}&campaign={c}", 422),
                          ("&".join(f"campaign={i}" for i in range(1, 22)), 422),
                          (f"campaign={c}&campaign=x", 422), ("", 422),
                          (f"campaign={c}&campaign={api_world.other_campaign}", 200)):
        answer = client.get(f"/api/v1/comparison?{query}", headers=headers)
        assert answer.status_code == status, (query, answer.text[:200])
    # An HR admin of A cannot bring B's campaign into a comparison.
    hr = client.get(f"/api/v1/comparison?campaign={c}&campaign={api_world.other_campaign}",
                    headers=bearer(api_tokens["hr"]))
    assert hr.status_code == 404


def test_exports_are_the_campaign_pages(
    app: Flask, client: FlaskClient, api_world: World, api_tokens: dict[str, str],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    add_responses(app, api_world.campaign, varied(full_answers, 6))
    page = app.test_client()
    sign_in_as(app, page, api_world.users["hr"])
    for fmt in ("csv", "xlsx"):
        api = client.get(f"/api/v1/campaigns/{api_world.campaign}/exports/{fmt}",
                         headers=bearer(api_tokens["hr"]))
        shown = page.get(f"/campaigns/{api_world.campaign}/export.{fmt}")
        assert api.status_code == shown.status_code == 200
        assert api.mimetype == shown.mimetype
        if fmt == "csv":
            assert api.data == shown.data
            rows = list(csv.reader(io.StringIO(api.text)))
            assert rows[0][0].startswith("#") and len(rows) == 2 + 6
    results = client.get(f"/api/v1/campaigns/{api_world.campaign}/exports/json",
                         headers=bearer(api_tokens["hr"]))
    assert results.get_json()["export"]["rule"] == "engine_suppression"
    unknown = client.get(f"/api/v1/campaigns/{api_world.campaign}/exports/pdf",
                         headers=bearer(api_tokens["hr"]))
    assert unknown.status_code == 404


# --- import: the CLI import is the oracle ----------------------------------------------------

BAD_ROWS = [
    {},
    {"cap_data": "lots"},
    {"seniority": "", "voc_methods": "surveys;telepathy"},
    {"vision_clear": "yes;no"},
]


def _bad_file(full_answers: Callable[..., dict[str, Any]]) -> bytes:
    return answers_csv([full_answers(**overrides) for overrides in BAD_ROWS])


def test_import_validate_lists_the_cli_imports_problems(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path,
    api_world: World, api_tokens: dict[str, str],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    content = _bad_file(full_answers)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    cli = runner.invoke(args=["import", str(path), "--campaign", str(api_world.campaign)])
    assert cli.exit_code == 1
    cli_problems = [line.removeprefix(f"{path}: ") for line in cli.stderr.splitlines()[:-1]]
    assert len(cli_problems) >= 3

    url = f"/api/v1/campaigns/{api_world.campaign}/imports"
    headers = bearer(api_tokens["consultant"])
    checked = client.post(url + "/validate", data=content, content_type="text/csv",
                          headers=headers)
    assert checked.status_code == 200
    body = checked.get_json()
    assert body["valid"] is False and body["responses"] == 0 and body["preview"] == []
    listed = [f"row {p['row']}, column {p['column']}: {p['message']}" for p in body["problems"]]
    assert listed == cli_problems
    # Committing the same file stores nothing and lists the same problems.
    refused = client.post(url, data=content, content_type="text/csv", headers=headers)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "import_rejected"
    assert error["details"]["problems"] == body["problems"]
    assert _responses(app, api_world.campaign) == 0


def test_import_validate_then_commit_all_or_nothing(
    app: Flask, client: FlaskClient, api_world: World, api_tokens: dict[str, str],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    rows = varied(full_answers, 7)
    content = answers_csv(rows)
    url = f"/api/v1/campaigns/{api_world.campaign}/imports"
    headers = bearer(api_tokens["hr"])
    checked = client.post(url + "/validate", data=content, content_type="text/csv",
                          headers=headers).get_json()
    assert checked["valid"] is True and checked["problems"] == []
    assert checked["responses"] == 7 and len(checked["preview"]) == 5
    first = checked["preview"][0]
    assert first["row"] == 2 and first["locale"] == "en" and first["submitted_on"] is None
    assert first["answers"]["cap_data"] == rows[0]["cap_data"]
    assert first["answers"]["voc_methods"] == ["surveys", "reviews"]
    assert _responses(app, api_world.campaign) == 0  # validating stores nothing

    stored = client.post(url, data=content, content_type="text/csv", headers=headers)
    assert stored.status_code == 201
    assert stored.get_json() == {"campaign_id": api_world.campaign, "imported": 7}
    assert _responses(app, api_world.campaign) == 7


@pytest.mark.parametrize("content_type, status", [("application/json", 415),
                                                  ("text/plain", 415),
                                                  ("text/csv", 200)])
def test_import_takes_csv_or_xlsx_bodies(client: FlaskClient, api_world: World,
                                         api_tokens: dict[str, str], content_type: str,
                                         status: int) -> None:
    answer = client.post(f"/api/v1/campaigns/{api_world.campaign}/imports/validate",
                         data=b"\xff\xfe garbage", content_type=content_type,
                         headers=bearer(api_tokens["hr"]))
    assert answer.status_code == status
    if status == 200:
        assert answer.get_json()["valid"] is False


def test_import_xlsx(client: FlaskClient, api_world: World, api_tokens: dict[str, str],
                     full_answers: Callable[..., dict[str, Any]]) -> None:
    import openpyxl

    rows = varied(full_answers, 5)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([";".join(v) if isinstance(v, list) else v for v in row.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    answer = client.post(
        f"/api/v1/campaigns/{api_world.campaign}/imports/validate", data=buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=bearer(api_tokens["hr"]))
    assert answer.get_json()["valid"] is True and answer.get_json()["responses"] == 5


# --- campaigns, links, reports --------------------------------------------------------------

def test_create_campaign_issue_links_and_close(
    app: Flask, client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    headers = bearer(api_tokens["consultant"])
    created = client.post(f"/api/v1/organisations/{api_world.organisation}/campaigns",
                          json={"name": "Autumn", "opens_on": "2026-01-05", "mode": "token",
                                "anonymity_threshold": 6}, headers=headers)
    assert created.status_code == 201
    campaign = created.get_json()
    assert campaign["questionnaire"] == "digiskills@1" and campaign["open_link"] is None
    links = client.post(f"/api/v1/campaigns/{campaign['id']}/links", json={"count": 4},
                        headers=headers)
    assert links.status_code == 201
    issued = links.get_json()["links"]
    assert len(set(issued)) == 4
    assert all(link.startswith("http://localhost/s/t/") for link in issued)
    # Stored only as hashes: the links' tokens are nowhere in the database.
    with app.app_context():
        stored = [row for table in db.metadata.sorted_tables
                  for row in db.session.execute(text(f"SELECT * FROM {table.name}"))]
        for link in issued:
            assert not any(link.rsplit("/", 1)[1] in repr(tuple(row)) for row in stored)
    shown = client.get(f"/api/v1/campaigns/{campaign['id']}", headers=headers).get_json()
    assert shown["invited"] == 4 and shown["state"] in ("open", "closed")
    closed = client.post(f"/api/v1/campaigns/{campaign['id']}/close", headers=headers)
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    again = client.post(f"/api/v1/campaigns/{campaign['id']}/close", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    open_link = client.post(f"/api/v1/campaigns/{api_world.campaign}/links",
                            json={"count": 1}, headers=headers)
    assert open_link.status_code == 409


def test_a_consultant_creates_a_client_organisation_and_works_on_it(
    client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    headers = bearer(api_tokens["consultant"])
    body = {"name": "Client Ltd", "sector": "Retail", "size_band": "1-49", "country": "gb"}
    created = client.post("/api/v1/organisations", json=body, headers=headers)
    assert created.status_code == 201 and created.get_json()["country"] == "GB"
    new_id = created.get_json()["id"]
    assert client.get(f"/api/v1/organisations/{new_id}", headers=headers).status_code == 200
    twice = client.post("/api/v1/organisations", json=body, headers=headers)
    assert twice.status_code == 409
    # Another organisation's HR admin does not see it.
    assert client.get(f"/api/v1/organisations/{new_id}",
                      headers=bearer(api_tokens["hr_other"])).status_code == 404


def test_report_job_is_followed_to_its_file(
    client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    headers = bearer(api_tokens["hr"])
    asked = client.post("/api/v1/report-jobs", json={"kind": "organisation",
                                                     "campaign_id": api_world.campaign},
                        headers=headers)
    assert asked.status_code == 202
    job = asked.get_json()
    assert job["id"] == api_world.job  # the finished report of the same data is reused
    assert job["status"] == "done" and job["ready"] is True
    assert job["file"] == f"/api/v1/report-jobs/{job['id']}/file"
    polled = client.get(f"/api/v1/report-jobs/{job['id']}", headers=headers).get_json()
    assert polled == job
    pdf = client.get(job["file"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    for body in ({"kind": "comparison", "campaign_id": api_world.campaign},
                 {"kind": "organisation", "campaign_id": api_world.campaign, "language": "de"},
                 {"campaign_id": api_world.campaign}):
        refused = client.post("/api/v1/report-jobs", json=body, headers=headers)
        assert refused.status_code == 422, body


def test_comparison_report_job_covers_only_campaigns_one_may_open(
    client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    headers = bearer(api_tokens["hr"])
    pair = [api_world.campaign, api_world.closed_campaign]
    asked = client.post("/api/v1/report-jobs", json={"kind": "comparison", "campaign_ids": pair},
                        headers=headers)
    assert asked.status_code == 202
    job = asked.get_json()
    # The finished comparison of the same campaigns and data (the world's) is reused.
    assert job["id"] == api_world.comparison_job
    assert job["kind"] == "comparison" and job["campaign_ids"] == pair
    assert job["campaign_id"] == api_world.campaign and job["ready"] is True
    pdf = client.get(job["file"], headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "comparison-" in pdf.headers["Content-Disposition"]
    # Another organisation's admin cannot see the job, nor ask for a comparison that
    # includes a campaign of ours.
    other = bearer(api_tokens["hr_other"])
    assert client.get(f"/api/v1/report-jobs/{job['id']}", headers=other).status_code == 404
    mixed = client.post("/api/v1/report-jobs", headers=other, json={
        "kind": "comparison", "campaign_ids": [api_world.other_campaign, api_world.campaign]})
    assert mixed.status_code == 404
    for body in ({"kind": "comparison", "campaign_ids": [api_world.campaign]},
                 {"kind": "comparison", "campaign_ids": [api_world.campaign] * 2},
                 {"kind": "comparison", "campaign_ids": pair, "campaign_id": pair[0]},
                 {"kind": "organisation", "campaign_ids": pair}):
        refused = client.post("/api/v1/report-jobs", json=body, headers=headers)
        assert refused.status_code == 422, body
        assert refused.get_json()["error"]["code"] == "invalid"


# --- lists and errors -----------------------------------------------------------------------

def test_lists_are_paginated(app: Flask, client: FlaskClient, api_world: World,
                             api_tokens: dict[str, str]) -> None:
    headers = bearer(api_tokens["admin"])
    for n in range(3):
        client.post("/api/v1/organisations", headers=headers, json={
            "name": f"Client {n}", "sector": "Retail", "size_band": "1-49", "country": "PL"})
    first = client.get("/api/v1/organisations?limit=2", headers=headers).get_json()
    second = client.get("/api/v1/organisations?limit=2&offset=2", headers=headers).get_json()
    last = client.get("/api/v1/organisations?limit=2&offset=4", headers=headers).get_json()
    assert first["total"] == second["total"] == last["total"] == 5
    assert (first["limit"], first["offset"], second["offset"]) == (2, 0, 2)
    assert len(last["items"]) == 1
    names = [o["name"] for o in first["items"] + second["items"] + last["items"]]
    assert names == ["Acme", "Client 0", "Client 1", "Client 2", "Other Org"]
    campaigns = client.get(f"/api/v1/organisations/{api_world.organisation}/campaigns"
                           "?limit=1&offset=1", headers=headers).get_json()
    assert campaigns["total"] == 3 and len(campaigns["items"]) == 1
    for query in ("limit=0", "limit=101", "offset=-1", "limit=x", "colour=blue"):
        answer = client.get(f"/api/v1/organisations?{query}", headers=headers)
        assert answer.status_code == 422, query


@pytest.mark.parametrize("method, url, kwargs, status, code", [
    ("GET", "/api/v1/nowhere", {}, 404, "not_found"),
    ("GET", "/api/v1", {}, 404, "not_found"),
    ("DELETE", "/api/v1/organisations", {}, 405, "method_not_allowed"),
    ("GET", "/api/v1/campaigns/99999999999999999999", {}, 404, "not_found"),
    ("GET", "/api/v1/campaigns/-1", {}, 404, "not_found"),
    ("POST", "/api/v1/organisations", {"data": "{", "content_type": "application/json"},
     400, "malformed_json"),
    ("POST", "/api/v1/organisations", {"data": "name=x"}, 415, "unsupported_media_type"),
    ("POST", "/api/v1/organisations", {"json": [1, 2]}, 422, "invalid"),
    ("POST", "/api/v1/organisations", {"json": {"name": 5, "sector": "x", "size_band": "1-49",
                                                "country": "PL"}}, 422, "invalid"),
    ("POST", "/api/v1/organisations", {"json": {"name": "x", "sector": "x",
                                                "size_band": "huge", "country": "PL"}},
     422, "invalid"),
    ("POST", "/api/v1/organisations", {"json": {"name": "x", "sector": "x",
                                                "size_band": "1-49", "country": "PL",
                                                "owner": "me"}}, 422, "invalid"),
    ("POST", "/api/v1/organisations", {"data": b"{\"name\": \"" + b"x" * 70_000 + b"\"}",
                                       "content_type": "application/json"},
     413, "payload_too_large"),
    ("POST", "/api/v1/report-jobs", {"json": {"kind": "organisation", "campaign_id": "1"}},
     422, "invalid"),
    ("GET", "/api/v1/report-jobs/not-a-job", {}, 404, "not_found"),
])
def test_every_error_has_the_same_body(client: FlaskClient, api_world: World,
                                       api_tokens: dict[str, str], method: str, url: str,
                                       kwargs: dict[str, Any], status: int, code: str) -> None:
    answer = client.open(url, method=method, headers=bearer(api_tokens["admin"]), **kwargs)
    assert answer.status_code == status, answer.text[:300]
    assert answer.mimetype == "application/json"
    body = answer.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)


def test_field_errors_name_the_field_without_echoing_the_value(
    client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    answer = client.post(f"/api/v1/organisations/{api_world.organisation}/campaigns",
                         json={"name": "x", "opens_on": "secret-value", "mode": "paper"},
                         headers=bearer(api_tokens["hr"]))
    assert answer.status_code == 422
    fields = answer.get_json()["error"]["details"]["fields"]
    assert sorted(f["location"][0] for f in fields) == ["mode", "opens_on"]
    assert "secret-value" not in answer.text


def test_api_messages_are_english_whatever_the_browser_asks(
    client: FlaskClient, api_world: World,
) -> None:
    answer = client.get("/api/v1/nowhere?lang=pl", headers={"Accept-Language": "pl"})
    assert answer.get_json()["error"]["message"] == (
        "There is no such resource, or it is not one you can see.")


def test_the_api_upload_limit_is_the_imports() -> None:
    from assessment.io.importing import MAX_BYTES
    from assessment.web.api.figures import UPLOAD_LIMIT

    assert UPLOAD_LIMIT == MAX_BYTES


def test_a_deactivated_accounts_tokens_stop_working(
    app: Flask, client: FlaskClient, api_world: World, api_tokens: dict[str, str],
) -> None:
    from assessment.models import User

    headers = bearer(api_tokens["hr"])
    assert client.get("/api/v1/organisations", headers=headers).status_code == 200
    with app.app_context():
        db.session.get(User, api_world.users["hr"]).active = False
        db.session.commit()
    assert client.get("/api/v1/organisations", headers=headers).status_code == 401
