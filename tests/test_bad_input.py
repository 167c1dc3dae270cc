"""Bad input of any kind gets a 4xx and a clear page, never a 500, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Campaign, Response
from tests.conftest import csrf_token
from tests.test_survey import start

ITEM_KEYS = ["cap_data", "cap_cyber", "voc_methods", "seniority", "action", "csrf_token", "x"]
junk = st.text(max_size=30) | st.sampled_from(["everyone", "None", "", "back", "next"])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.dictionaries(st.sampled_from(ITEM_KEYS), st.lists(junk, max_size=3)),
       number=st.integers(min_value=-2, max_value=7))
def test_random_form_posts_never_fail(
    app: Flask, make_campaign: Callable[..., Campaign], fields: dict[str, list[str]],
    number: int,
) -> None:
    campaign = make_campaign()
    client = app.test_client()
    start(client, f"/s/{campaign.slug}")
    page = client.get(f"/s/{campaign.slug}/page/1")
    data: dict[str, Any] = {"csrf_token": csrf_token(page.text)} | fields
    result = client.post(f"/s/{campaign.slug}/page/{number}", data=data)
    assert result.status_code < 500
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_random_urls_never_fail(client: FlaskClient, path: str) -> None:
    for prefix in ("/s/", "/s/t/", "/"):
        result = client.get(prefix + path.lstrip("/").replace("?", "").replace("#", ""))
        assert result.status_code < 500


def test_unknown_language_falls_back(client: FlaskClient) -> None:
    result = client.get("/?lang=xx")
    assert result.status_code == 200 and '<html lang="en">' in result.text


def test_missing_questionnaire_is_a_clear_503(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        stored.questionnaire_version = 99
        db.session.commit()
    result = client.get(f"/s/{campaign.slug}")
    assert result.status_code == 503
    assert "cannot be shown right now" in result.text


def test_wrong_method(client: FlaskClient) -> None:
    assert client.post("/healthz").status_code == 405


def test_nul_bytes_are_refused(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    assert client.get("/s/\x00").status_code == 404
    assert client.get("/s/t/a\x00b").status_code == 404
    campaign = make_campaign()
    assert client.get(f"/s/{campaign.slug}/resume/\x00").status_code == 404
    start(client, f"/s/{campaign.slug}")
    page = client.get(f"/s/{campaign.slug}/page/1")
    result = client.post(f"/s/{campaign.slug}/page/1",
                         data={"csrf_token": csrf_token(page.text), "cap_data": "a\x00",
                               "action": "back"})
    assert result.status_code < 500


def test_file_fields_and_json_bodies_are_not_read_as_text(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    import io

    token = csrf_token(client.get("/login").text)
    upload = client.post("/login", content_type="multipart/form-data", data={
        "csrf_token": token, "email": (io.BytesIO(b"x"), "a.txt"), "password": "x"})
    assert upload.status_code == 422 and "Enter your e-mail address." in upload.text
    as_json = client.post("/login", json={"csrf_token": token, "email": ["a", 1],
                                          "password": {"a": 1}},
                          headers={"X-CSRFToken": token})
    assert as_json.status_code == 422 and "Enter your e-mail address." in as_json.text
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    page = client.get(f"/s/{campaign.slug}/page/1")
    result = client.post(f"/s/{campaign.slug}/page/1", content_type="multipart/form-data",
                         data={"csrf_token": csrf_token(page.text),
                               "cap_data": (io.BytesIO(b"x"), "a.txt")})
    assert result.status_code == 422


def test_ids_past_what_the_database_holds_are_not_found(client: FlaskClient) -> None:
    assert client.get("/campaigns/9223372036854775808").status_code == 404
    assert client.get("/campaigns/9223372036854775807").status_code == 302  # to sign in
    assert client.get("/s/x/page/99999999999999999999999").status_code == 404
