"""A respondent who meets a failure lands on the thank-you page exactly once, or gets a
clear page and can go on (issue 9, points 3-6). On PostgreSQL the connection is cut for
real through a relay the test controls; on SQLite the nearest real failure is used
(tests/faults.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url
from werkzeug.test import EnvironBuilder, run_wsgi_app

from assessment.extensions import db
from assessment.models import Campaign, Draft, Response, Submission
from tests.conftest import csrf_token
from tests.faults import POSTGRES, app_at, app_on, faulty_app
from tests.test_survey import SECTION_ITEMS, count, post_page, start


def last_page_form(client: FlaskClient, slug: str, answers: dict[str, Any]) -> dict[str, Any]:
    page = client.get(f"/s/{slug}/page/5")
    data: dict[str, Any] = {"csrf_token": csrf_token(page.text), "action": "next"}
    data.update({key: answers[key] for key in SECTION_ITEMS[5]})
    return data


def begin(client: FlaskClient, campaign: Campaign, token: str | None) -> None:
    start(client, f"/s/t/{token}" if token else f"/s/{campaign.slug}")


@pytest.mark.parametrize("mode", ["open", "token"])
def test_submit_whose_reply_is_lost_is_stored_once_and_lands_on_thanks(
    app: Flask, database_url: str, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]], mode: str,
) -> None:
    campaign = make_campaign(mode=mode)
    token = make_tokens(campaign, 1)[0] if mode == "token" else None
    answers = full_answers()
    with faulty_app(database_url) as faults:
        client = faults.app.test_client()
        begin(client, campaign, token)
        for number in range(1, 5):
            post_page(client, campaign.slug, number, answers)
        form = last_page_form(client, campaign.slug, answers)
        faults.lose_next_commit_reply()
        lost = client.post(f"/s/{campaign.slug}/page/5", data=form)
        # The commit happened, the app could not know: a clear page, not "Busy".
        assert lost.status_code == 503
        assert "saved before are kept" in lost.text
        if faults.relay is not None:
            assert faults.relay.commit_dropped.is_set()
        assert count(app, Response) == 1
        # Pressing reload re-sends the same form: the thank-you page, no second response.
        retried = client.post(f"/s/{campaign.slug}/page/5", data=form)
        assert retried.status_code == 302 and retried.headers["Location"].endswith("/thanks")
        thanks = client.get(retried.headers["Location"])
        assert thanks.status_code == 200 and "Your answers have been submitted." in thanks.text
        # Going back to the page (or the intro's Start, on an open link) stores nothing new.
        again = client.get(f"/s/{campaign.slug}/page/5")
        assert again.status_code == 409
        assert count(app, Response) == 1 and count(app, Draft) == 0
    with app.app_context():
        # The idempotency record holds a hash of the random resume key and the day only.
        marker = db.session.scalars(select(Submission)).one()
        assert set(Submission.__table__.columns.keys()) == {
            "key_hash", "campaign_id", "submitted_on"}
        if token is not None:
            from assessment.operations.tokens import hash_secret

            assert marker.key_hash != hash_secret(token)


def test_a_lost_reply_then_the_page_itself_lands_on_thanks(
    app: Flask, database_url: str, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # The respondent does not reload the POST but opens the page again: the browser's
    # spent key says the answers are in, so it is not sent back to the intro.
    campaign = make_campaign()
    answers = full_answers()
    with faulty_app(database_url) as faults:
        client = faults.app.test_client()
        begin(client, campaign, None)
        for number in range(1, 5):
            post_page(client, campaign.slug, number, answers)
        form = last_page_form(client, campaign.slug, answers)
        faults.lose_next_commit_reply()
        assert client.post(f"/s/{campaign.slug}/page/5", data=form).status_code == 503
        page = client.get(f"/s/{campaign.slug}/page/5")
        assert page.status_code == 302 and page.headers["Location"].endswith("/thanks")
        assert count(app, Response) == 1


def test_database_restart_replaces_stale_connections(
    app: Flask, database_url: str, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    with faulty_app(database_url) as faults:
        client = faults.app.test_client()
        begin(client, campaign, None)
        post_page(client, campaign.slug, 1, full_answers())
        faults.cut_connections()
        # pool_pre_ping notices the dead pooled connection and opens a new one.
        page = client.get(f"/s/{campaign.slug}/page/2")
        assert page.status_code == 200 and "Part 2 of 5" in page.text
        assert post_page(client, campaign.slug, 2, full_answers()).status_code == 302
    # Without pre-ping the first request after the restart fails: the setting matters.
    with faulty_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False}) as faults:
        client = faults.app.test_client()
        assert client.get(f"/s/{campaign.slug}").status_code == 200
        faults.cut_connections()
        failed = client.get(f"/s/{campaign.slug}")
        assert failed.status_code == 503 and "Temporarily unavailable" in failed.text


def test_database_dying_after_the_reads_gives_a_503_page(
    app: Flask, database_url: str, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    with faulty_app(database_url) as faults:
        armed = {"cut": False}

        @faults.app.after_request
        def cut_before_the_transaction_ends(response: Any) -> Any:
            # Runs after the view's reads, before the app ends the transaction.
            if armed["cut"]:
                armed["cut"] = False
                faults.cut_connections()
            return response

        client = faults.app.test_client()
        assert client.get(f"/s/{campaign.slug}").status_code == 200
        armed["cut"] = True
        result = client.get(f"/s/{campaign.slug}")
        assert result.status_code == 503
        assert "Temporarily unavailable" in result.text and "<html" in result.text
        assert result.headers["Content-Security-Policy"]
        # The next request is served again.
        assert client.get(f"/s/{campaign.slug}").status_code == 200


def test_failure_escaping_the_app_is_a_503_page_not_a_bare_500(
    database_url: str, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    broken = app_on(database_url)
    armed = {"fail": True}

    @broken.teardown_appcontext
    def broken_teardown(exc: BaseException | None) -> None:
        if armed["fail"]:
            raise RuntimeError("teardown failed")

    result = broken.test_client().get(f"/s/{campaign.slug}")
    armed["fail"] = False
    assert result.status_code == 503
    assert "Temporarily unavailable" in result.text and "try again" in result.text
    with broken.app_context():
        db.engine.dispose()


def test_healthz_says_which_part_failed(
    app: Flask, database_url: str, tmp_path: Path,
) -> None:
    assert app.test_client().get("/healthz").json == {"status": "ok"}
    if POSTGRES:
        with faulty_app(database_url) as faults:
            client = faults.app.test_client()
            assert client.get("/healthz").status_code == 200
            faults.refuse_connections(True)
            down = client.get("/healthz")
            faults.refuse_connections(False)
            back = client.get("/healthz")
    else:
        with app_at(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite'}") as missing:
            down = missing.test_client().get("/healthz")
        back = app.test_client().get("/healthz")
    assert down.status_code == 503
    assert down.json == {"status": "unavailable", "failed": "database",
                         "database": "unreachable"}
    assert back.status_code == 200 and back.json == {"status": "ok"}


def read_only_app(database_url: str, tmp_path: Path) -> Flask:
    """The test database, opened so that every write is refused."""
    if POSTGRES:
        app = app_on(database_url)
        with app.app_context():
            @event.listens_for(db.engine, "connect")
            def read_only(dbapi_connection: Any, record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("SET default_transaction_read_only = on")
                cursor.close()
                dbapi_connection.commit()
        return app
    path = make_url(database_url).database
    return app_on(f"sqlite:///file:{path}?mode=ro&uri=true")


def test_read_only_database_says_answers_are_kept(
    app: Flask, client: FlaskClient, database_url: str, tmp_path: Path,
    make_campaign: Callable[..., Campaign], full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    post_page(client, campaign.slug, 1, full_answers())
    read_only = read_only_app(database_url, tmp_path)
    try:
        browser = read_only.test_client()
        cookie = client.get_cookie("session")
        assert cookie is not None
        browser.set_cookie("session", cookie.value)
        # Reading still works: the saved answers are there.
        page2 = browser.get(f"/s/{campaign.slug}/page/2")
        assert page2.status_code == 200
        refused = post_page(browser, campaign.slug, 2, full_answers())
        assert refused.status_code == 503
        assert "cannot save answers at the moment" in refused.text
        assert "saved before are kept" in refused.text
        if POSTGRES:
            health = browser.get("/healthz")
            assert health.status_code == 503 and health.json["database"] == "read-only"
    finally:
        with read_only.app_context():
            db.session.remove()
            db.engine.dispose()
    # Back to normal, the respondent goes on from page 2 with page 1 kept.
    assert post_page(client, campaign.slug, 2, full_answers()).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Draft.answers)).one()["cap_data"] == "everyone"


def test_forged_back_on_page_one_stays_on_page_one(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    page = client.get(f"/s/{campaign.slug}/page/1")
    back = client.post(f"/s/{campaign.slug}/page/1",
                       data={"csrf_token": csrf_token(page.text), "action": "back"})
    assert back.status_code == 302 and back.headers["Location"].endswith("/page/1")
    with app.app_context():
        assert db.session.scalars(select(Draft.section)).one() == 0
        # A draft stored out of range (before the bound existed) still resumes in range.
        db.session.execute(text("UPDATE drafts SET section = -1"))
        db.session.commit()
    assert client.post(f"/s/{campaign.slug}",
                       data={"csrf_token": csrf_token(client.get(f"/s/{campaign.slug}").text)}
                       ).headers["Location"].endswith("/page/1")


def test_body_that_cannot_be_read_is_a_400(
    app: Flask, make_campaign: Callable[..., Campaign],
) -> None:
    # What the WSGI server's stream does with a malformed chunked body: reading raises.
    campaign = make_campaign()

    class BrokenBody:
        def read(self, *args: Any) -> bytes:
            raise ValueError("Invalid chunk size")

        readline = read

    environ = EnvironBuilder(path=f"/s/{campaign.slug}", method="POST", data=b"x" * 100,
                             content_type="application/x-www-form-urlencoded").get_environ()
    environ["wsgi.input"] = BrokenBody()
    body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("400")
    assert "could not be read" in b"".join(body).decode("utf-8")


def test_conflicting_write_is_a_409_page(app: Flask) -> None:
    from sqlalchemy.exc import IntegrityError

    @app.route("/conflict")
    def conflict() -> str:
        raise IntegrityError("INSERT", None, sqlite3.IntegrityError("UNIQUE constraint failed"))

    result = app.test_client().get("/conflict")
    assert result.status_code == 409 and "Changed at the same time" in result.text
