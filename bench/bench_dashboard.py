"""Time the dashboard of a campaign with 10,000 responses, over HTTP on 127.0.0.1.

Builds a fresh database (temporary SQLite, or --database-url), loads the synthetic
benchmark pool and one organisation's campaign of --responses answers drawn from the
instrument's scales, starts the app on a free local port, signs in as the
organisation's HR admin and times requests:

* cold: the first dashboard request after the data changed (statistics and charts
  computed, then cached), measured --cold times, each after one new response;
* warm: --requests requests each of the unfiltered dashboard, a filtered one (one
  seniority group), the campaign page and its live count, in turn.

Prints p50 / p95 / max per kind and PASS or FAIL against the target (warm p95 under
200 ms); exits 0 whatever the figures.

Run: .venv/bin/python bench/bench_dashboard.py [--responses 10000] [--orgs 250]
     [--requests 100] [--cold 3] [--database-url postgresql://postgres@127.0.0.1/DB]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
from flask_migrate import upgrade
from results import print_result
from sqlalchemy import text
from werkzeug.serving import make_server

from assessment.app import create_app
from assessment.config import sqlalchemy_url
from assessment.extensions import db, init_migrations
from assessment.instrument.answers import clean_answers
from assessment.models import Campaign
from assessment.operations.accounts import create_user, grant
from assessment.operations.campaigns import open_campaign
from assessment.operations.organisations import create_organisation
from assessment.operations.responses import response_row, store_responses, submit_response

TARGET_MS = 200.0
PASSWORD = "bench password 12345"


def _answers(questionnaire: Any, rng: np.random.Generator) -> dict[str, Any]:
    """One respondent's answers: each item an option of its scale, chosen at random."""
    answers: dict[str, Any] = {}
    for item in questionnaire.items():
        scale = questionnaire.scales[item.scale]
        options = [o.code for o in scale.options]
        if scale.kind == "multiple":  # an exclusive option ("none") is chosen alone
            answers[item.key] = [o.code for o in scale.options
                                 if not o.exclusive and rng.random() < 0.3]
        else:
            answers[item.key] = options[int(rng.integers(len(options)))]
    return clean_answers(questionnaire, answers)


def build(app: Any, organisations: int, responses: int) -> tuple[int, str]:
    """The pool, the benchmarked campaign with its answers and an HR account."""
    from assessment.demo.generator import generate_pool
    from assessment.demo.loader import load_pool

    with app.app_context():
        init_migrations(app)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        if organisations:
            load_pool(generate_pool(organisations, 2015), questionnaire)
        organisation = create_organisation("Bench Org", "Retail", "5000+", "PL")
        campaign = open_campaign(organisation, questionnaire, "Large campaign",
                                 dt.date.today() - dt.timedelta(days=30),
                                 invited=int(responses * 1.2))
        rng = np.random.default_rng(2015)
        rows = [response_row(campaign.id, questionnaire, _answers(questionnaire, rng), "en",
                             dt.date.today()) for _ in range(responses)]
        store_responses(rows)
        user = create_user("hr@bench.example", password=PASSWORD)
        grant(user, "hr", organisation)
        db.session.commit()
        return campaign.id, user.email


class Browser:
    """A minimal HTTP client with a cookie jar of one cookie (the session)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: dict[str, str] | None = None
                ) -> tuple[int, str, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8")
        elapsed = time.perf_counter() - start
        found = re.search(r"session=([^;]+)", response.getheader("Set-Cookie") or "")
        if found:
            self.cookie = f"session={found.group(1)}"
        connection.close()
        return response.status, content, elapsed


def sign_in(browser: Browser, email: str) -> None:
    _status, page, _elapsed = browser.request("GET", "/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    status, _page, _elapsed = browser.request(
        "POST", "/login", {"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert status == 302, f"sign-in failed: {status}"


COLD_TARGET_MS = 1000.0  # issue 14: the dashboard on a cold cache under 1 s


def summary(label: str, seconds: list[float], target: float | None = None,
            database: str = "") -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = float(np.percentile(ms, 95, method="linear"))
    verdict = "" if target is None else ("  PASS" if p95 < target else "  FAIL")
    print_result("bench_dashboard", f"{label}, p95", round(p95, 1), unit="ms", database=database,
                 target=None if target is None else f"< {target:.0f} ms",
                 met=None if target is None else p95 < target)
    return (f"{label:<34} n={len(ms):<4} p50 {statistics.median(ms):8.1f} ms  "
            f"p95 {p95:8.1f} ms  max {ms[-1]:8.1f} ms{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=250, help="synthetic pool organisations")
    parser.add_argument("--requests", type=int, default=100, help="warm requests per page")
    parser.add_argument("--cold", type=int, default=3, help="cold requests (after new answers)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL to use (its public "
                        "schema is dropped and rebuilt); default a temporary SQLite file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = sqlalchemy_url(options.database_url) if options.database_url else (
            f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                          "LOGIN_LIMIT_ADDRESS": "1000 per minute"})
        start = time.perf_counter()
        campaign_id, email = build(app, options.orgs, options.responses)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; pool of "
              f"{options.orgs} synthetic organisations and a campaign of {options.responses:,} "
              f"responses built in {time.perf_counter() - start:.0f} s")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            run(app, Browser(server.server_port), campaign_id, email, options)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            with app.app_context():
                db.engine.dispose()


def db_name(app: Any) -> str:
    """"postgresql" or "sqlite": the database this run used."""
    return "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres") \
        else "sqlite"


def run(app: Any, browser: Browser, campaign_id: int, email: str, options: Any) -> None:
    sign_in(browser, email)
    dashboard = f"/campaigns/{campaign_id}/dashboard"
    group = f"{dashboard}?group=seniority:staff"
    cold: list[float] = []
    cold_filtered: list[float] = []
    for _ in range(options.cold):
        _new_response(app, campaign_id)
        status, page, elapsed = browser.request("GET", dashboard)
        assert status == 200 and "seniority:staff" in page, status
        cold.append(elapsed)
        status, _page, elapsed = browser.request("GET", group)
        assert status == 200, status
        cold_filtered.append(elapsed)
    pages = {"dashboard (warm)": dashboard, "dashboard, one group (warm)": group,
             "campaign page": f"/campaigns/{campaign_id}",
             "live count (JSON)": f"/campaigns/{campaign_id}/count"}
    timings: dict[str, list[float]] = {label: [] for label in pages}
    for _ in range(options.requests):
        for label, path in pages.items():
            status, _page, elapsed = browser.request("GET", path)
            assert status == 200, (path, status)
            timings[label].append(elapsed)
    database = db_name(app)
    print(summary("dashboard (cold: after an answer)", cold, COLD_TARGET_MS, database))
    print(summary("dashboard, one group (cold)", cold_filtered, COLD_TARGET_MS, database))
    for label, seconds in timings.items():
        target = TARGET_MS if label.startswith("dashboard") else None
        print(summary(label, seconds, target, database))
    print(f"target: warm dashboard p95 under {TARGET_MS:.0f} ms (aggregates cached per campaign "
          "until an answer arrives)")


def _new_response(app: Any, campaign_id: int) -> None:
    """One more answer: bumps the campaign's data version, so the next request is cold."""
    with app.app_context():
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        rng = np.random.default_rng()
        submit_response(db.session.get(Campaign, campaign_id), questionnaire,
                        _answers(questionnaire, rng))
        db.session.commit()


if __name__ == "__main__":
    main()
