"""Respondents completing the questionnaire against gunicorn on PostgreSQL, and the floor.

Builds a fresh PostgreSQL database (its public schema is dropped and rebuilt with the
real migrations), loads the synthetic pool (so the thank-you page shows the benchmark),
opens an open-link campaign and a personal-token campaign, then starts two servers on
127.0.0.1 with the project's gunicorn.conf.py (2 gthread workers):

* the app (`wsgi:app`), through which simulated respondents make the whole journey as a
  browser does, one cookie jar each: intro, Start (the CSRF token read from the page),
  each section page read and posted with answers, the submit, the thank-you page. Half
  the respondents use the open link, half a personal link (one unspent token each);
* the floor (`bench/floor_app.py`): a bare Flask endpoint that INSERTs one
  response-sized row and commits. A floor journey makes as many requests as a real one,
  each posting a response's answers to that endpoint, so the ratio compares the same
  HTTP traffic with the least database work a request can do.

At 8 and 32 concurrent respondents (`--levels`), each round runs the app and then the
floor for at most `--journeys` journeys or `--seconds` seconds (whichever comes first);
`--rounds` rounds. Prints journeys per second (median of the rounds: the machine is
shared, timings are noisy), p50 / p95 / p99 per request kind (all rounds pooled), the
errors (any unexpected status, a missing CSRF token or a failed request), and checks
that the database holds exactly one response per completed journey. Exits 0 whatever
the figures. Only 127.0.0.1 is contacted.

Run: .venv/bin/python bench/bench_submit.py
     [--database-url postgresql://postgres@127.0.0.1:5432/bench_submit] [--port 0]
     [--levels 8 32] [--rounds 3] [--journeys 200] [--seconds 20] [--orgs 250]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessment.app import create_app  # noqa: E402
from assessment.config import sqlalchemy_url  # noqa: E402
from assessment.extensions import db  # noqa: E402
from assessment.models import Response  # noqa: E402
from bench.floor_app import create_floor_table  # noqa: E402
from bench.serving import free_port, fresh_database, start_gunicorn, stop, wait_ready  # noqa: E402

BENCH = "bench_submit"
RATIO_TARGET = 0.6
SUBMIT_P95_TARGET_MS = 100.0
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SECRET_KEY = "bench-submit-secret-key-not-for-production"


@dataclass
class Campaigns:
    open_slug: str
    token_slug: str
    token_campaign_id: int
    open_campaign_id: int
    tokens: list[str]
    pages: list[list[tuple[str, str, list[str], list[str]]]]  # per page: key, kind, codes


@dataclass
class Record:
    """What one level's run saw: request times per kind, journeys, errors."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    journeys: int = 0
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0


class JourneyFailed(Exception):
    pass


def create_database(url: str) -> None:
    """Create the bench's database on its server when it does not exist yet."""
    import psycopg

    server, name = ("postgresql://" + url.split("://", 1)[1]).rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')  # our own name, not user data


def build(url: str, organisations: int, tokens: int) -> Campaigns:
    """A fresh schema, the synthetic pool and the two campaigns respondents answer."""
    import datetime as dt

    from assessment.demo.generator import generate_pool
    from assessment.demo.loader import load_pool
    from assessment.operations.campaigns import open_campaign
    from assessment.operations.organisations import create_organisation
    from assessment.operations.tokens import issue_tokens

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        fresh_database(app)
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        if organisations:
            load_pool(generate_pool(organisations, 2015), questionnaire)
        organisation = create_organisation("Bench Org", "Retail", "5000+", "PL")
        opens = dt.date.today() - dt.timedelta(days=1)
        open_link = open_campaign(organisation, questionnaire, "Open link", opens)
        personal = open_campaign(organisation, questionnaire, "Personal links", opens,
                                 mode="token")
        issued = issue_tokens(personal, tokens)
        pages = []
        for section in questionnaire.sections:
            page = []
            for item in section.items:
                scale = questionnaire.scales[item.scale]
                page.append((item.key, scale.kind,
                             [o.code for o in scale.options],
                             [o.code for o in scale.options if not o.exclusive]))
            pages.append(page)
        db.session.commit()
        found = Campaigns(open_link.slug, personal.slug, personal.id, open_link.id, issued,
                          pages)
        db.engine.dispose()
    return found


def page_answers(page: list[tuple[str, str, list[str], list[str]]],
                 rng: np.random.Generator) -> dict[str, Any]:
    """One page's form fields as a respondent fills them (every question answered)."""
    data: dict[str, Any] = {}
    for key, kind, codes, inclusive in page:
        if kind == "multiple":
            chosen = [c for c in inclusive if rng.random() < 0.3]
            data[key] = chosen or [inclusive[0]]
        else:
            data[key] = codes[int(rng.integers(len(codes)))]
    return data


async def timed(record: Record, kind: str, request: Any, expect: int) -> httpx.Response:
    start = time.perf_counter()
    response: httpx.Response = await request
    record.times[kind].append(time.perf_counter() - start)
    if response.status_code != expect:
        raise JourneyFailed(f"{kind}: HTTP {response.status_code}, expected {expect}")
    return response


def csrf_of(kind: str, response: httpx.Response) -> str:
    found = CSRF.search(response.text)
    if not found:
        raise JourneyFailed(f"{kind}: no CSRF token on the page")
    return found.group(1)


async def app_journey(client: httpx.AsyncClient, campaigns: Campaigns, token: str | None,
                      rng: np.random.Generator, record: Record) -> None:
    """One respondent, as a browser: every page read, every form posted, redirects
    followed by the next request."""
    client.cookies.clear()  # a new respondent: a browser with no cookie yet
    start = f"/s/t/{token}" if token else f"/s/{campaigns.open_slug}"
    slug = campaigns.token_slug if token else campaigns.open_slug
    page = await timed(record, "intro (GET)", client.get(start), 200)
    answer = await timed(record, "start (POST)", client.post(
        start, data={"csrf_token": csrf_of("intro", page), "start": "1"}), 302)
    location = answer.headers["location"]
    total = len(campaigns.pages)
    for number, fields in enumerate(campaigns.pages, start=1):
        if not location.endswith(f"/s/{slug}/page/{number}"):
            raise JourneyFailed(f"page {number}: redirected to {location}")
        page = await timed(record, "page (GET)", client.get(location), 200)
        data = {"csrf_token": csrf_of("page", page), "action": "next",
                **page_answers(fields, rng)}
        kind = "submit (POST last page)" if number == total else "page (POST)"
        answer = await timed(record, kind, client.post(location, data=data), 302)
        location = answer.headers["location"]
    if not location.endswith(f"/s/{slug}/thanks"):
        raise JourneyFailed(f"submit: redirected to {location}")
    thanks = await timed(record, "thank-you (GET)", client.get(location), 200)
    if "Thank you" not in thanks.text:
        raise JourneyFailed("thank-you: page without its heading")


async def floor_journey(client: httpx.AsyncClient, campaigns: Campaigns, requests: int,
                        rng: np.random.Generator, record: Record) -> None:
    """The same number of requests as a journey, each storing a response-sized row."""
    answers: dict[str, Any] = {}
    for fields in campaigns.pages:
        answers.update(page_answers(fields, rng))
    for _ in range(requests):
        await timed(record, "floor INSERT (POST)", client.post("/insert", data=answers), 201)


async def run_level(port: int, concurrency: int, journeys: int, seconds: float,
                    campaigns: Campaigns, floor_requests: int | None) -> Record:
    """`concurrency` respondents at once until `journeys` are done or time is up."""
    record = Record()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    for number in range(journeys):
        if floor_requests is None and number % 2 == 1:
            if not campaigns.tokens:
                raise SystemExit("out of personal tokens: raise --tokens")
            queue.put_nowait(campaigns.tokens.pop())
        else:
            queue.put_nowait(None)
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    timeout = httpx.Timeout(60.0)

    async def respondent(slot: int) -> None:
        rng = np.random.default_rng(slot)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                     timeout=timeout, follow_redirects=False) as client:
            while time.perf_counter() < deadline:
                try:
                    token = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    if floor_requests is None:
                        await app_journey(client, campaigns, token, rng, record)
                    else:
                        await floor_journey(client, campaigns, floor_requests, rng, record)
                    record.journeys += 1
                except (JourneyFailed, httpx.HTTPError) as failure:
                    record.errors.append(f"{type(failure).__name__}: {failure}")

    start = time.perf_counter()
    await asyncio.gather(*(respondent(slot) for slot in range(concurrency)))
    record.elapsed = time.perf_counter() - start
    return record


def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    ms = np.array(seconds) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99], method="linear")
    return float(p50), float(p95), float(p99)


def result(figure: str, target: str, value: str, met: bool) -> None:
    print("RESULT " + json.dumps({"bench": BENCH, "figure": figure, "target": target,
                                  "value": value, "met": met}))


def stored_responses(url: str, campaign_ids: list[int]) -> int:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        count = db.session.scalar(select(func.count(Response.id))
                                  .where(Response.campaign_id.in_(campaign_ids)))
        db.engine.dispose()
    return int(count or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgresql://postgres@127.0.0.1:5432/bench_submit",
                        help="PostgreSQL database to use (its public schema is dropped)")
    parser.add_argument("--port", type=int, default=0,
                        help="the app's port (the floor's is the next); 0: free ports")
    parser.add_argument("--levels", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--journeys", type=int, default=200, help="per level and round")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level and round")
    parser.add_argument("--orgs", type=int, default=250, help="synthetic pool organisations")
    options = parser.parse_args()
    url = sqlalchemy_url(options.database_url)
    warmup = 2 * max(options.levels)
    tokens = options.rounds * len(options.levels) * options.journeys // 2 + warmup + 10
    start = time.perf_counter()
    create_database(url)
    campaigns = build(url, options.orgs, tokens)
    print(f"PostgreSQL database {url.rsplit('/', 1)[-1]}: pool of {options.orgs} synthetic "
          f"organisations, an open-link and a personal-link campaign ({tokens} tokens) built "
          f"in {time.perf_counter() - start:.0f} s")
    app_port = options.port or free_port()
    floor_port = app_port + 1 if options.port else free_port()
    requests_per_journey = 3 + 2 * len(campaigns.pages)
    plain_url = "postgresql://" + url.split("://", 1)[1]
    create_floor_table(plain_url)
    with tempfile.TemporaryDirectory() as folder:
        servers = [
            start_gunicorn(["wsgi:app"], app_port,
                           {"DATABASE_URL": plain_url, "SECRET_KEY": SECRET_KEY,
                            "PUBLIC_BASE_URL": f"http://127.0.0.1:{app_port}",
                            "REDIS_URL": ""}, Path(folder) / "app.log"),
            start_gunicorn(["--pythonpath", "bench", "floor_app:app"], floor_port,
                           {"FLOOR_DATABASE_URL": plain_url}, Path(folder) / "floor.log"),
        ]
        try:
            wait_ready(app_port, servers[0])
            wait_ready(floor_port, servers[1])
            records = measure(options, campaigns, app_port, floor_port, warmup,
                              requests_per_journey)
        finally:
            for server in servers:
                stop(server)
            log = (Path(folder) / "app.log").read_text(errors="replace")
        failures = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
    expected = sum(r.journeys for (kind, _level), rs in records.items() if kind == "app"
                   for r in rs) + records_warm(records)
    stored = stored_responses(url, [campaigns.open_campaign_id, campaigns.token_campaign_id])
    report(options, records, requests_per_journey, stored, expected, failures)


def records_warm(records: dict[tuple[str, int], list[Record]]) -> int:
    return int(records.get(("warm-up", 0), [Record()])[0].journeys)


def measure(options: Any, campaigns: Campaigns, app_port: int, floor_port: int, warmup: int,
            requests_per_journey: int) -> dict[tuple[str, int], list[Record]]:
    records: dict[tuple[str, int], list[Record]] = defaultdict(list)
    # Warm-up: every worker loads its templates, catalogues and caches.
    records[("warm-up", 0)].append(asyncio.run(run_level(
        app_port, 4, warmup, 60, campaigns, None)))
    asyncio.run(run_level(floor_port, 4, 8, 60, campaigns, requests_per_journey))
    for round_number in range(1, options.rounds + 1):
        for level in options.levels:
            for kind, port, floor in (("app", app_port, None),
                                      ("floor", floor_port, requests_per_journey)):
                found = asyncio.run(run_level(port, level, options.journeys, options.seconds,
                                              campaigns, floor))
                records[(kind, level)].append(found)
                print(f"round {round_number}, {level:>2} respondents, {kind:<5}: "
                      f"{found.journeys} journeys in {found.elapsed:.1f} s = "
                      f"{found.journeys / found.elapsed:.1f}/s, {len(found.errors)} errors",
                      flush=True)
    return records


def report(options: Any, records: dict[tuple[str, int], list[Record]],
           requests_per_journey: int, stored: int, expected: int, failures: list[str]) -> None:
    print(f"\none journey = {requests_per_journey} requests; journeys/s are medians of "
          f"{options.rounds} rounds (shared machine: noisy); percentiles pool the rounds")
    errors = [e for key, rs in records.items() for r in rs for e in r.errors]
    for level in options.levels:
        rates = {kind: statistics.median(r.journeys / r.elapsed for r in records[(kind, level)])
                 for kind in ("app", "floor")}
        ratio = rates["app"] / rates["floor"] if rates["floor"] else 0.0
        print(f"\n{level} concurrent respondents: {rates['app']:.1f} journeys/s; floor "
              f"{rates['floor']:.1f} journeys/s ({rates['floor'] * requests_per_journey:.0f} "
              f"INSERT requests/s); ratio {ratio:.2f}")
        kinds: dict[str, list[float]] = defaultdict(list)
        for kind in ("app", "floor"):
            for found in records[(kind, level)]:
                for name, seconds in found.times.items():
                    kinds[name].extend(seconds)
        for name, seconds in kinds.items():
            p50, p95, p99 = percentiles(seconds)
            print(f"  {name:<26} n={len(seconds):<6} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                  f"p99 {p99:7.1f} ms")
        result(f"journeys/s at {level} vs floor", f">= {RATIO_TARGET}x floor",
               f"{rates['app']:.1f}/s vs {rates['floor']:.1f}/s ({ratio:.2f}x)",
               ratio >= RATIO_TARGET)
        submit = kinds.get("submit (POST last page)", [])
        if submit and level == max(options.levels):
            p95 = percentiles(submit)[1]
            result(f"submit p95 at {level}", f"< {SUBMIT_P95_TARGET_MS:.0f} ms",
                   f"{p95:.0f} ms", p95 < SUBMIT_P95_TARGET_MS)
    print(f"\nerrors: {len(errors)}; server errors logged: {len(failures)}; responses stored "
          f"{stored}, completed journeys {expected}")
    for error in sorted(set(errors))[:10]:
        print(f"  {error}")
    for line in failures[:10]:
        print(f"  {line}")
    result("errors", "0", f"{len(errors) + len(failures)} errors; {stored} responses stored "
           f"for {expected} journeys", not errors and not failures and stored == expected)


if __name__ == "__main__":
    main()
