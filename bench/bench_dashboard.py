"""Time the dashboard of a campaign with 10,000 responses, over HTTP on 127.0.0.1.

Builds a fresh database (temporary SQLite, or --database-url), loads the synthetic
benchmark pool and one organisation's campaign of --responses answers drawn from the
instrument's scales, and times over HTTP on 127.0.0.1, signed in as the organisation's
HR admin:

* cold, fresh process: --cold-processes times, the project's gunicorn (gunicorn.conf.py,
  one worker) is started afresh, the admin signs in, the worker is left to finish
  starting (it imports the engine in the background, wsgi.py: until its CPU time stops
  growing), and the first dashboard request is timed: nothing cached, nothing computed
  before (median of the starts), with the worker's CPU time for it;
* cold, after an answer: in a server that has served the dashboard before (gunicorn
  again, one worker, started once for this and the warm requests), the first dashboard
  request after one new response (stored by the bench, as another worker would store
  it; statistics and charts computed again), measured --cold times;
* warm: --requests requests each of the unfiltered dashboard, a filtered one (one
  seniority group), the campaign page and its live count, in turn.

Prints p50 / p95 / max per kind, PASS or FAIL against the targets (warm p95 under 200 ms,
cold under 1 s) and one RESULT line per headline figure; exits 0 whatever the figures.

Run: .venv/bin/python bench/bench_dashboard.py [--responses 10000] [--orgs 250]
     [--requests 100] [--cold 3] [--cold-processes 3]
     [--database-url postgresql://postgres@127.0.0.1/DB]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

from assessment.app import create_app
from assessment.config import sqlalchemy_url
from assessment.extensions import db
from assessment.instrument.answers import clean_answers
from assessment.models import Campaign
from assessment.operations.accounts import create_user, grant
from assessment.operations.campaigns import open_campaign
from assessment.operations.organisations import create_organisation
from assessment.operations.responses import response_row, store_responses, submit_response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.serving import free_port, fresh_database, start_gunicorn, stop, wait_ready  # noqa: E402

TARGET_MS = 200.0
COLD_TARGET_MS = 1000.0
PASSWORD = "bench password 12345"
SECRET_KEY = "bench-dashboard-secret-key-not-for-production"
BENCH = "bench_dashboard"


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
        fresh_database(app)
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


def percentile(seconds: list[float], q: float) -> float:
    return float(np.percentile([1000 * s for s in seconds], q, method="linear"))


def summary(label: str, seconds: list[float], target: float | None = None) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = percentile(seconds, 95)
    verdict = "" if target is None else ("  PASS" if p95 < target else "  FAIL")
    return (f"{label:<38} n={len(ms):<4} p50 {statistics.median(ms):8.1f} ms  "
            f"p95 {p95:8.1f} ms  max {ms[-1]:8.1f} ms{verdict}")


def result(figure: str, target: str, value: str, met: bool) -> None:
    print("RESULT " + json.dumps({"bench": BENCH, "figure": figure, "target": target,
                                  "value": value, "met": met}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=250, help="synthetic pool organisations")
    parser.add_argument("--requests", type=int, default=100, help="warm requests per page")
    parser.add_argument("--cold", type=int, default=3, help="cold requests (after new answers)")
    parser.add_argument("--cold-processes", type=int, default=3,
                        help="fresh server processes, each timed on its first dashboard")
    parser.add_argument("--database-url", default=None, help="PostgreSQL to use (its public "
                        "schema is dropped and rebuilt); default a temporary SQLite file")
    options = parser.parse_args()
    # The timings are the figures: no line per request, no font warning per chart.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        url = sqlalchemy_url(options.database_url) if options.database_url else (
            f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                          "LOGIN_LIMIT_ADDRESS": "1000 per minute"})
        start = time.perf_counter()
        campaign_id, email = build(app, options.orgs, options.responses)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; pool of "
              f"{options.orgs} synthetic organisations and a campaign of {options.responses:,} "
              f"responses built in {time.perf_counter() - start:.0f} s", flush=True)
        with app.app_context():
            db.engine.dispose()
        fresh = cold_processes(url, campaign_id, email, options.cold_processes, Path(folder))
        # The other figures on the same production server (gunicorn, one worker, so each
        # request meets the worker that served the one before); the new answers are
        # stored by this process, as another worker's submit would store them.
        port = free_port()
        server = _gunicorn(url, port, Path(folder) / "server.log")
        try:
            wait_ready(port, server)
            settle(server.pid)
            run(app, Browser(port), campaign_id, email, options, fresh)
        finally:
            stop(server)
            with app.app_context():
                db.engine.dispose()


def _gunicorn(url: str, port: int, log: Path) -> Any:
    """The project's gunicorn with one worker on the bench's database."""
    return start_gunicorn(["wsgi:app"], port, {
        "DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"),
        "SECRET_KEY": SECRET_KEY, "REDIS_URL": "",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}, log, workers=1)


def cold_processes(url: str, campaign_id: int, email: str, count: int, folder: Path
                   ) -> list[float]:
    """The first dashboard request of `count` freshly started servers (gunicorn, one
    worker): nothing imported on demand yet, nothing cached."""
    seconds = []
    for number in range(count):
        port = free_port()
        server = _gunicorn(url, port, folder / f"cold{number}.log")
        try:
            wait_ready(port, server)
            browser = Browser(port)
            sign_in(browser, email)
            settle(server.pid)
            cpu = worker_cpu_seconds(server.pid)
            status, page, elapsed = browser.request("GET", f"/campaigns/{campaign_id}/dashboard")
            assert status == 200 and "seniority:staff" in page, status
            cpu = worker_cpu_seconds(server.pid) - cpu
            seconds.append(elapsed)
            print(f"fresh process {number + 1}: first dashboard request {1000 * elapsed:.0f} ms "
                  f"(the worker's CPU time: {1000 * cpu:.0f} ms)", flush=True)
        finally:
            stop(server)
    return seconds


def settle(master: int, seconds: float = 120) -> None:
    """Wait until the workers are idle (they import the engine in the background as they
    start, wsgi.py): the first request then meets an empty cache, not a half-started
    process."""
    deadline = time.monotonic() + seconds
    before = worker_cpu_seconds(master)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = worker_cpu_seconds(master)
        if now - before < 0.05:
            return
        before = now


def worker_cpu_seconds(master: int) -> float:
    """CPU time (user + system) of the gunicorn master's worker processes so far, from
    /proc: on a shared machine the wall time also counts other programs' turns."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # the parent pid; utime and stime follow later
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run(app: Any, browser: Browser, campaign_id: int, email: str, options: Any,
        fresh: list[float]) -> None:
    sign_in(browser, email)
    dashboard = f"/campaigns/{campaign_id}/dashboard"
    group = f"{dashboard}?group=seniority:staff"
    status, _page, _elapsed = browser.request("GET", dashboard)  # this server's first
    assert status == 200, status
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
    if fresh:
        print(summary("dashboard (cold: fresh process)", fresh, COLD_TARGET_MS))
    print(summary("dashboard (cold: after an answer)", cold, COLD_TARGET_MS))
    print(summary("dashboard, one group (cold)", cold_filtered))
    for label, seconds in timings.items():
        target = TARGET_MS if label.startswith("dashboard") else None
        print(summary(label, seconds, target))
    print(f"targets: warm dashboard p95 under {TARGET_MS:.0f} ms (aggregates cached per "
          f"campaign until an answer arrives), cold under {COLD_TARGET_MS:.0f} ms; the "
          "machine may be shared: compare medians of several runs")
    size = f"{options.responses:,} responses"
    warm = percentile(timings["dashboard (warm)"], 95)
    result(f"dashboard warm p95 ({size})", f"< {TARGET_MS:.0f} ms", f"{warm:.0f} ms",
           warm < TARGET_MS)
    if fresh:
        first = statistics.median(fresh) * 1000
        result(f"dashboard cold, fresh process, first request ({size})",
               f"< {COLD_TARGET_MS / 1000:.0f} s",
               f"{first / 1000:.2f} s (median of {len(fresh)})", first < COLD_TARGET_MS)
    after = statistics.median(cold) * 1000
    result(f"dashboard cold after an answer ({size})", f"< {COLD_TARGET_MS / 1000:.0f} s",
           f"{after / 1000:.2f} s (median of {len(cold)})", after < COLD_TARGET_MS)


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
