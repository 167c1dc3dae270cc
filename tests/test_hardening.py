"""Issue 9, points 7, 8 and 10: security headers on every page, a session cookie that
holds no readable secret or answer and lasts only as long as needed, and links that never
come from the request's Host header."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from assessment.models import Campaign
from tests.faults import app_at
from tests.test_survey import complete, post_page, start


def test_security_headers_on_every_kind_of_page(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
) -> None:
    campaign = make_campaign(mode="token")
    token = make_tokens(campaign, 1)[0]
    for path in ("/", f"/s/t/{token}", "/nowhere", "/healthz",
                 "/static/app.css"):
        response = client.get(path)
        response.close()  # the static file is streamed
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp and "style-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS
    assert client.get(f"/s/t/{token}").headers["Cache-Control"] == "no-store"


def test_pages_hold_no_inline_script_or_style(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # What the policy forbids must not be needed: no inline script, style or handler.
    campaign = make_campaign()
    pages = [client.get("/").text, client.get(f"/s/{campaign.slug}").text]
    start(client, f"/s/{campaign.slug}")
    pages.append(client.get(f"/s/{campaign.slug}/page/1").text)
    complete(client, campaign.slug, full_answers())
    pages.append(client.get(f"/s/{campaign.slug}/thanks").text)
    for html in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)


def test_https_gets_hsts_and_secure_cookies(
    database_url: str, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    with app_at(database_url, PUBLIC_BASE_URL="https://survey.example") as app:
        https_journey(app.test_client(), campaign)


def https_journey(client: FlaskClient, campaign: Campaign) -> None:
    result = client.get(f"/s/{campaign.slug}", base_url="https://survey.example")
    assert result.headers["Strict-Transport-Security"].startswith("max-age=")
    page = client.get(f"/s/{campaign.slug}", base_url="https://survey.example")
    from tests.conftest import csrf_token

    # No Referer: pages ask browsers not to send one, and the form still works.
    started = client.post(f"/s/{campaign.slug}", data={"csrf_token": csrf_token(page.text)},
                          base_url="https://survey.example")
    assert started.status_code == 302
    cookie = started.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _readable(value: str) -> str:
    """Whatever can be read from a cookie without the server's key."""
    text = value
    for part in value.split("."):
        padded = part + "=" * (-len(part) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded)
        except ValueError:
            continue
        for candidate in (raw, _inflate(raw)):
            text += " " + candidate.decode("latin-1")
    return text


def _inflate(raw: bytes) -> bytes:
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return b""


def test_cookie_holds_no_readable_token_key_or_answers(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign(mode="token")
    token = make_tokens(campaign, 1)[0]
    start(client, f"/s/t/{token}")
    post_page(client, campaign.slug, 1, full_answers())
    page = client.get(f"/s/{campaign.slug}/page/2").text
    key = re.search(r"/resume/([A-Za-z0-9_-]+)", page)
    assert key
    during = _cookie(client)
    # Flask's own (signed, readable) cookie format does not open it ...
    plain = SecureCookieSessionInterface().get_signing_serializer(app)
    assert plain is not None
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do
        plain.loads(during)
    # ... and nothing in it reads as the token, the key or an answer.
    readable = _readable(during)
    assert token not in readable and key.group(1) not in readable
    assert "draft" not in readable and "cap_data" not in readable
    # The server reads its own cookie: the key is there, the token never was.
    with app.test_request_context():
        session = app.session_interface.get_signing_serializer(app).loads(during)
    assert session[f"draft:{campaign.id}"] == key.group(1)
    assert token not in json.dumps(session)
    complete(client, campaign.slug, full_answers())
    after = _cookie(client)
    readable = _readable(after)
    assert "vision" not in readable and "index" not in readable and token not in readable


def test_cookie_lasts_only_while_a_draft_needs_it(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    landing = client.get("/?lang=pl")
    assert "Expires" not in landing.headers.get("Set-Cookie", "")
    page = client.get(f"/s/{campaign.slug}")
    from tests.conftest import csrf_token

    started = client.post(f"/s/{campaign.slug}", data={"csrf_token": csrf_token(page.text)})
    expires = re.search(r"Expires=([^;]+)", started.headers["Set-Cookie"])
    assert expires
    lasts = dt.datetime.strptime(expires.group(1), "%a, %d %b %Y %H:%M:%S GMT")
    assert lasts - dt.datetime.now(dt.UTC).replace(tzinfo=None) <= dt.timedelta(days=30)
    submitted = complete(client, campaign.slug, full_answers())
    # Submitted: the cookie ends with the browser session.
    assert "Expires" not in submitted.headers["Set-Cookie"]


def test_links_ignore_the_host_header(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    client = app.test_client()
    start(client, f"/s/{campaign.slug}")
    # The same browser, reached through a forged Host header.
    client.set_cookie("session", _cookie(client), domain="evil.example")
    page = client.get(f"/s/{campaign.slug}/page/1", headers={"Host": "evil.example"})
    assert page.status_code == 200
    assert "evil.example" not in page.text
    assert re.search(r'value="http://localhost/s/[^"]+/resume/', page.text)
    assert "evil.example" not in page.headers.get("Location", "")


def test_trusted_hosts_refuse_other_hosts(database_url: str) -> None:
    with app_at(database_url, TRUSTED_HOSTS=["survey.example"]) as app:
        client = app.test_client()
        assert client.get("/", headers={"Host": "survey.example"}).status_code == 200
        refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400


def test_a_cookie_that_is_not_ours_is_no_session(client: FlaskClient) -> None:
    for value in ("garbage", "\u00e9\u00e8\u00ea", "gAAAA" + "\u00ff" * 40, ""):
        client.set_cookie("session", value)
        assert client.get("/login").status_code == 200, value
