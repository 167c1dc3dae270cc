"""Signing in and out: passwords, the rate limit, the session, reset links, CSRF."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.extensions import db
from assessment.models import PasswordReset, User, utcnow
from assessment.operations.accounts import (
    authenticate,
    create_user,
    issue_password_reset,
)
from tests.conftest import csrf_token
from tests.workspace.conftest import PASSWORD, World, form_token

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD,
            address: str = "127.0.0.1") -> int:
    """Sign in through the form, as a browser does; returns the status."""
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(client.get("/login", environ_base=environ).text)
    response = client.post("/login", environ_base=environ, data={
        "csrf_token": token, "email": email, "password": password})
    return response.status_code


def test_sign_in_and_out(app: Flask, client: FlaskClient, world: World) -> None:
    assert client.get("/campaigns/").headers["Location"].startswith("/login?next=")
    assert sign_in(client, "HR@Acme.example ") == 302  # any case, spaces trimmed
    assert client.get("/campaigns/").status_code == 200
    client.post("/logout", data={"csrf_token": form_token(client)})
    assert client.get("/campaigns/").status_code == 302
    with app.app_context():
        user = db.session.get(User, world.users["hr"])
        assert user.last_sign_in_at is not None


def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: FlaskClient, world: World,
) -> None:
    token = csrf_token(client.get("/login").text)
    wrong = client.post("/login", data={"csrf_token": token, "email": "hr@acme.example",
                                        "password": "not the password"})
    unknown = client.post("/login", data={"csrf_token": token, "email": "nobody@acme.example",
                                          "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    message = "Wrong e-mail address or password."
    assert message in wrong.text and message in unknown.text
    assert client.get("/campaigns/").status_code == 302


def test_next_page_stays_on_this_site(client: FlaskClient, world: World) -> None:
    for target, lands in [("/campaigns/1", "/campaigns/1"), ("//evil.example/x", "/campaigns/"),
                          ("https://evil.example/", "/campaigns/"),
                          ("/\\evil.example", "/campaigns/")]:
        token = csrf_token(client.get("/login").text)
        response = client.post(f"/login?next={target}", data={
            "csrf_token": token, "email": "hr@acme.example", "password": PASSWORD})
        assert response.headers["Location"] == lands, target
        client.post("/logout", data={"csrf_token": form_token(client)})


def test_password_hash_is_argon2id_with_rfc9106_parameters(app: Flask) -> None:
    with app.app_context():
        user = create_user("new@example.org", password="a long enough password")
        stored = user.password_hash
    assert stored is not None and "a long enough password" not in stored
    # RFC 9106, section 4, the second recommended option: Argon2id, t = 3 passes,
    # p = 4 lanes, m = 2^16 KiB (64 MiB), a 128-bit salt and a 256-bit tag.
    parameters = extract_parameters(stored)
    assert parameters.type is Type.ID
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        3, 2**16, 4)
    assert (parameters.salt_len, parameters.hash_len) == (128 // 8, 256 // 8)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # An independent verifier (argon2-cffi's defaults, not our hasher) accepts it.
    assert PasswordHasher().verify(stored, "a long enough password")


def test_a_weaker_hash_is_replaced_at_sign_in(app: Flask) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with app.app_context():
        user = create_user("old@example.org")
        user.password_hash = weak
        db.session.commit()
        assert authenticate("old@example.org", PASSWORD, utcnow()) is not None
        db.session.commit()
        renewed = db.session.get(User, user.id).password_hash
    assert renewed != weak
    assert extract_parameters(renewed).memory_cost == 2**16


def test_short_password_is_refused(app: Flask, world: World,
                                   signed_in: Callable[[str], FlaskClient]) -> None:
    client = signed_in("hr")
    token = form_token(client)
    response = client.post("/account", data={"csrf_token": token, "current": PASSWORD,
                                             "password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "Use between 12 and 256 characters." in response.text


def test_sign_in_is_limited_per_account(app: Flask, world: World) -> None:
    # 5 failed attempts a minute per account (LOGIN_LIMIT_ACCOUNT), from any address.
    for attempt in range(5):
        client = app.test_client()
        address = {"REMOTE_ADDR": f"10.0.0.{attempt + 1}"}
        token = csrf_token(client.get("/login", environ_base=address).text)
        response = client.post("/login", environ_base=address, data={
            "csrf_token": token, "email": "hr@acme.example", "password": "guess"})
        assert response.status_code == 401
    client = app.test_client()
    address = {"REMOTE_ADDR": "10.0.0.99"}
    token = csrf_token(client.get("/login", environ_base=address).text)
    blocked = client.post("/login", environ_base=address, data={
        "csrf_token": token, "email": "hr@acme.example", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    # Another account is not affected.
    other = client.post("/login", environ_base=address, data={
        "csrf_token": token, "email": "consultant@example.org", "password": PASSWORD})
    assert other.status_code == 302


def test_sign_in_is_limited_per_address(app: Flask, world: World) -> None:
    app.config["LOGIN_LIMIT_ADDRESS"] = "3 per minute"
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    for n in range(3):
        response = client.post("/login", data={"csrf_token": token,
                                               "email": f"guess{n}@example.org",
                                               "password": "guess"})
        assert response.status_code == 401
    blocked = client.post("/login", data={"csrf_token": token, "email": "hr@acme.example",
                                          "password": PASSWORD})
    assert blocked.status_code == 429
    # A successful sign-in does not count: from another address, four in a row work.
    for _ in range(4):
        assert sign_in(app.test_client(), "hr@acme.example", address="10.1.1.1") == 302


def test_the_limit_is_kept_in_redis_when_configured(world: World, app: Flask) -> None:
    import redis

    from assessment.app import create_app
    from assessment.extensions import limiter

    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()  # CI runs Redis on 127.0.0.1:6379; without it this test fails
    for key in connection.scan_iter("LIMITS:*"):
        connection.delete(key)
    config = dict(app.config) | {"RATELIMIT_STORAGE_URI": REDIS_URL,
                                 "LOGIN_LIMIT_ACCOUNT": "2 per minute"}
    apps = []
    try:
        first = create_app(config)
        apps.append(first)
        for _ in range(2):
            assert sign_in(first.test_client(), "hr@acme.example", "guess") == 401
        assert any(b"account:hr@acme.example" in key
                   for key in connection.scan_iter("LIMITS:*"))
        # A second app (another worker or machine) sees the same count.
        second = create_app(config)
        apps.append(second)
        assert sign_in(second.test_client(), "hr@acme.example") == 429
    finally:
        for key in connection.scan_iter("LIMITS:*"):
            connection.delete(key)
        connection.close()
        for each in apps:  # close their database connections now, not at garbage collection
            with each.app_context():
                db.engine.dispose()
        create_app(dict(app.config))  # the limiter back on this test's memory storage
        assert limiter.enabled


def test_session_is_new_at_sign_in(app: Flask, client: FlaskClient, world: World) -> None:
    client.get("/login?lang=pl")
    planted = client.get_cookie("session")
    assert planted is not None
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
        assert "sid" not in before
    planted = client.get_cookie("session")
    assert sign_in(client, "hr@acme.example") == 302
    with client.session_transaction() as after:
        assert "planted" not in after  # nothing from before signing in is kept ...
        assert after["lang"] == "pl"  # ... but the chosen language
        first_id = after["sid"]
    assert client.get_cookie("session").value != planted.value
    # The cookie from before signing in does not give access.
    attacker = app.test_client()
    attacker.set_cookie("session", planted.value)
    assert attacker.get("/campaigns/").status_code == 302
    # Every sign-in gets a new id.
    client.post("/logout", data={"csrf_token": form_token(client)})
    sign_in(client, "hr@acme.example")
    with client.session_transaction() as again:
        assert again["sid"] != first_id


def test_session_cookie_flags(app: Flask, client: FlaskClient, world: World,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "email": "hr@acme.example",
                                           "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    from assessment.app import create_app

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://assess.example.org")
    secure = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI":
                         app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret"})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    https = secure.test_client()
    page = https.get("/login", base_url="https://assess.example.org")
    assert "Secure" in page.headers["Set-Cookie"]
    with secure.app_context():
        db.engine.dispose()


def test_sign_out_everywhere_ends_every_session(app: Flask, world: World) -> None:
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "hr@acme.example")
    sign_in(phone, "hr@acme.example")
    assert phone.get("/campaigns/").status_code == 200
    response = laptop.post("/logout/everywhere", data={"csrf_token": form_token(laptop)})
    assert response.headers["Location"] == "/login"
    assert phone.get("/campaigns/").status_code == 302
    assert laptop.get("/campaigns/").status_code == 302
    assert sign_in(phone, "hr@acme.example") == 302  # signing in again works


def test_new_password_signs_out_other_devices_but_not_this_one(
    app: Flask, world: World,
) -> None:
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "hr@acme.example")
    sign_in(phone, "hr@acme.example")
    response = laptop.post("/account", data={
        "csrf_token": form_token(laptop), "current": PASSWORD,
        "password": "a brand new password", "confirm": "a brand new password"})
    assert response.status_code == 302
    assert laptop.get("/campaigns/").status_code == 200
    assert phone.get("/campaigns/").status_code == 302
    assert sign_in(phone, "hr@acme.example") == 401
    assert sign_in(phone, "hr@acme.example", "a brand new password") == 302


def test_reset_link_works_once_and_expires(app: Flask, client: FlaskClient,
                                           world: World) -> None:
    with app.app_context():
        user = db.session.get(User, world.users["consultant"])
        token = issue_password_reset(user, utcnow(), 24)
        expired = issue_password_reset(user, utcnow() - dt.timedelta(hours=25), 24)
        db.session.commit()
    # Issuing a new link stops the earlier one: `token` was replaced by `expired`.
    assert client.get(f"/reset/{token}").status_code == 404
    assert client.get(f"/reset/{expired}").status_code == 404
    with app.app_context():
        token = issue_password_reset(db.session.get(User, world.users["consultant"]),
                                     utcnow(), 24)
        db.session.commit()
        stored = db.session.scalars(select(PasswordReset.token_hash)).all()
    assert token not in stored  # only the hash is kept
    page = client.get(f"/reset/{token}")
    assert page.status_code == 200
    response = client.post(f"/reset/{token}", data={
        "csrf_token": csrf_token(page.text), "password": "my chosen password",
        "confirm": "my chosen password"})
    assert response.headers["Location"] == "/login"
    assert client.get(f"/reset/{token}").status_code == 404
    assert sign_in(client, "consultant@example.org", "my chosen password") == 302


def test_reset_link_refuses_mismatched_passwords(app: Flask, client: FlaskClient,
                                                 world: World) -> None:
    with app.app_context():
        token = issue_password_reset(db.session.get(User, world.users["hr"]), utcnow(), 24)
        db.session.commit()
    page = client.get(f"/reset/{token}")
    response = client.post(f"/reset/{token}", data={
        "csrf_token": csrf_token(page.text), "password": "my chosen password",
        "confirm": "my chosen passwort"})
    assert response.status_code == 422
    assert "The two passwords differ." in response.text
    assert client.get(f"/reset/{token}").status_code == 200  # not spent


def test_a_deactivated_account_cannot_sign_in(app: Flask, client: FlaskClient,
                                              world: World) -> None:
    other = app.test_client()
    sign_in(other, "hr@acme.example")
    with app.app_context():
        db.session.get(User, world.users["hr"]).active = False
        db.session.commit()
    assert sign_in(client, "hr@acme.example") == 401
    assert other.get("/campaigns/").status_code == 302


def _post_routes(app: Flask) -> list[str]:
    # The JSON API takes no cookies and so no CSRF token: it needs a bearer token
    # (tests/test_api_access.py checks that a signed-in browser gets 401 there).
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "POST" in (rule.methods or set()) and not rule.rule.startswith("/api/")})


def test_every_form_needs_its_csrf_token(app: Flask, world: World,
                                         signed_in: Callable[[str], FlaskClient]) -> None:
    values = {"organisation_id": world.organisation, "campaign_id": world.campaign,
              "slug": world.slug, "token": "x" * 24, "number": 1, "job_id": "x" * 24,
              "token_id": 1}
    client = signed_in("admin")
    posted = []
    for rule in _post_routes(app):
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)
        response = client.post(url, data={"name": "x", "confirm": "Spring survey"})
        posted.append(url)
        assert response.status_code == 400, url
        assert "Form expired" in response.text, url
        wrong = client.post(url, data={"csrf_token": "forged", "confirm": "Spring survey"})
        assert wrong.status_code == 400, url
    # Every workspace form is among them, and nothing changed.
    assert f"/campaigns/{world.campaign}/delete" in posted
    assert "/logout" in posted and "/login" in posted
    assert client.get(f"/campaigns/{world.campaign}").status_code == 200
    with app.app_context():
        assert db.session.get(User, world.users["admin"]).session_token
