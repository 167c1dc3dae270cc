"""Issue 9, point 9: no log line holds a personal token, a resume key, a hash of either,
or an answer, even when requests fail. The test submits through failures (a lost COMMIT
reply, a read-only database, an unexpected exception on a personal link) with every
logger at DEBUG, SQLAlchemy's statement log included, and reads what was logged."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from assessment.models import Campaign
from assessment.redaction import redact
from tests.conftest import csrf_token
from tests.faults import faulty_app
from tests.test_failures import last_page_form, read_only_app
from tests.test_survey import post_page, start

# Answers of full_answers() that appear nowhere else in a log line.
ANSWER_MARKS = ["cap_data", "strongly_agree", "dont_know", "millennial", "marketing",
                "surveys", "everyone"]


class Captured(logging.Handler):
    """Every record of every logger, formatted as a log file would have it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level
              for name in ("", "sqlalchemy.engine", "werkzeug", "assessment")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def test_failures_leave_no_secret_or_answer_in_the_log(
    app: Flask, database_url: str, tmp_path: Any, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]], captured: Captured,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign = make_campaign(mode="token")
    tokens = make_tokens(campaign, 2)
    answers = full_answers()
    secrets = list(tokens)
    with faulty_app(database_url) as faults:
        client = faults.app.test_client()
        start(client, f"/s/t/{tokens[0]}")
        for number in range(1, 5):
            post_page(client, campaign.slug, number, answers)
        page = client.get(f"/s/{campaign.slug}/page/5").text
        key = re.search(r"/resume/([A-Za-z0-9_-]+)", page)
        assert key
        secrets.append(key.group(1))
        # A read-only database refuses the last page's save.
        read_only = read_only_app(database_url, tmp_path)
        browser = read_only.test_client()
        cookie = client.get_cookie("session")
        assert cookie is not None
        browser.set_cookie("session", cookie.value)
        assert post_page(browser, campaign.slug, 5, answers).status_code == 503
        with read_only.app_context():
            from assessment.extensions import db

            db.engine.dispose()
        # The submit's COMMIT reply is lost, then the retry lands on the thank-you page.
        form = last_page_form(client, campaign.slug, answers)
        faults.lose_next_commit_reply()
        assert client.post(f"/s/{campaign.slug}/page/5", data=form).status_code == 503
        assert client.post(f"/s/{campaign.slug}/page/5", data=form).status_code == 302
        # An unexpected exception on a personal link, its message quoting the token (the
        # code never puts answers in exception messages; their channels are the SQL
        # parameters, the engine's row dumps and the database's DETAIL lines).
        from assessment.operations import drafts

        def broken(campaign: Campaign, token: str) -> Any:
            raise RuntimeError(f"cannot start {token} {sha256(token)}")

        monkeypatch.setattr(drafts, "start_with_token", broken)
        faults.app.config["PROPAGATE_EXCEPTIONS"] = False
        other = faults.app.test_client()
        intro = other.get(f"/s/t/{tokens[1]}")
        failed = other.post(f"/s/t/{tokens[1]}", data={"csrf_token": csrf_token(intro.text)})
        assert failed.status_code == 500
    log = "\n".join(captured.lines)
    assert "Exception on /s/t/[redacted] [POST]" in log  # the failure itself is logged
    assert "database unavailable" in log and "read-only" in log
    assert "SELECT" in log  # the statement log was on
    for secret in secrets:
        assert secret not in log
        assert sha256(secret) not in log
    for mark in ANSWER_MARKS:
        assert mark not in log, mark
    assert not re.search(r"\[parameters: (?!\[redacted\])", log)


def test_redaction_patterns(app: Flask) -> None:
    token = "Ab3_kL9-xYz0Qw8ErT5uIo1P"
    digest = sha256(token)
    assert redact(f"GET /s/t/{token} HTTP/1.1") == "GET /s/t/[redacted] HTTP/1.1"
    assert redact(f"GET /s/x1/resume/{token}?lang=pl") == "GET /s/x1/resume/[redacted]?lang=pl"
    assert digest not in redact(f"h={digest}")
    # Password-reset links, as werkzeug's and gunicorn's access logs write them (after the
    # request context is gone, so only the URL pattern can catch them).
    assert redact(f'127.0.0.1 - - "POST /reset/{token} HTTP/1.1" 302 -') == (
        '127.0.0.1 - - "POST /reset/[redacted] HTTP/1.1" 302 -')
    # While a request for a personal link is served, its token is redacted anywhere.
    with app.test_request_context(f"/s/t/{token}"):
        from flask import request

        assert request.view_args == {"token": token}
        assert redact(f"cannot start {token}.") == "cannot start [redacted]."
    assert redact('DETAIL:  Key (key_hash)=(abc) already exists.') == "DETAIL: [redacted]"
    assert redact("[parameters: {'answers': '{\"cap_data\": 1}'}]") == (
        "[parameters: [redacted]]")
    # Ordinary words and identifiers are left alone.
    kept = "uq_response_scores_response_dimension ix_drafts_campaign_id 2026-05-01 12:00:01"
    assert redact(kept) == kept
