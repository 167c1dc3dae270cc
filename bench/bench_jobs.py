"""The report queue and the exports, timed (a script, never a test).

What it does, in one run:

1. creates a temporary SQLite database, migrates it, loads a small synthetic demo pool
   (`assessment demo --orgs N`) and adds one campaign of 10,000 responses (the pool's
   answers, repeated);
2. times the three exports of that campaign (JSON results, CSV and XLSX responses);
3. with Redis (`--redis`, default database 1 of the local server), queues the
   organisation report of every pool campaign and times `assessment worker --burst`
   rendering them with one worker, then again (new jobs) with two workers at once: the
   queue spreads the work over as many workers as run;
4. prints the figures and exits 0: a measurement, not a test.

Run:  .venv/bin/python bench/bench_jobs.py [--orgs 12] [--responses 10000]
          [--redis redis://127.0.0.1:6379/1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
ASSESSMENT = str(Path(sys.executable).with_name("assessment"))

from results import print_result  # noqa: E402 - bench/ is on the path of a script run from it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=12)
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite"
        env = os.environ | {"DATABASE_URL": f"sqlite:///{database}",
                            "REPORTS_DIR": str(Path(folder) / "reports"),
                            "REDIS_URL": options.redis,
                            "REPORT_QUEUE": f"bench-{uuid.uuid4().hex}"}
        for args in (["db", "upgrade"], ["demo", "--orgs", str(options.orgs)]):
            subprocess.run([ASSESSMENT, *args], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        from assessment.app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                          "REPORTS_DIR": env["REPORTS_DIR"], "REDIS_URL": options.redis,
                          "REPORT_QUEUE": env["REPORT_QUEUE"]})
        big = add_big_campaign(app, options.responses)
        time_exports(app, big, options.responses)
        if queue_reachable(app, env):
            try:
                time_queue(app, env)
            finally:
                forget_queue(app)


def add_big_campaign(app: Flask, responses: int) -> int:
    """One more organisation whose campaign holds `responses` answers of the pool."""
    import datetime as dt

    from sqlalchemy import select

    from assessment.extensions import db
    from assessment.models import Response
    from assessment.operations.campaigns import open_campaign
    from assessment.operations.organisations import create_organisation
    from assessment.operations.responses import response_row, store_responses

    with app.app_context():
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        pool = list(db.session.scalars(select(Response.answers)))
        organisation = create_organisation("Bench Big Ltd", "Retail", "5000+", "PL")
        campaign = open_campaign(organisation, questionnaire, "Everyone",
                                 dt.date(2026, 1, 1))
        rows = [response_row(campaign.id, questionnaire, pool[i % len(pool)], "en",
                             dt.date(2026, 1, 2)) for i in range(responses)]
        store_responses(rows)
        db.session.commit()
        return campaign.id


def time_exports(app: Flask, campaign_id: int, responses: int) -> None:
    from assessment.extensions import db
    from assessment.io.exports import export_campaign

    with app.app_context():
        registry = app.extensions["questionnaires"]
        for fmt in ("json", "csv", "xlsx"):
            start = time.perf_counter()
            exported = export_campaign(db.session(), registry, campaign_id, fmt)
            took = time.perf_counter() - start
            print(f"export {fmt:<4} of {responses:,} responses: {took:5.2f} s, "
                  f"{len(exported.content) / 2**10:,.0f} KB")
            print_result("bench_jobs", f"export {fmt} of {responses:,} responses", took, unit="s",
                         database="sqlite")
            if fmt == "csv":
                print(f"  rule: {exported.rule.describe()}")


def queue_reachable(app: Flask, env: dict[str, str]) -> bool:
    from redis.exceptions import RedisError

    from assessment import jobqueue

    try:
        jobqueue.redis_connection(app).ping()
    except RedisError as exc:
        print(f"queue: skipped, no Redis at {jobqueue.redacted(env['REDIS_URL'])}: {exc}")
        return False
    return True


def time_queue(app: Flask, env: dict[str, str]) -> None:
    """Render every pool campaign's report with one burst worker, then with two."""
    from sqlalchemy import select

    from assessment.extensions import db
    from assessment.models import Campaign, Organisation
    from assessment.operations.reports import dispatch, request_report
    with app.app_context():
        campaigns = list(db.session.scalars(
            select(Campaign.id).join(Organisation).where(Organisation.synthetic.is_(True))))
    for workers, language in ((1, "en"), (2, "pl")):
        with app.app_context():
            jobs = [request_report(campaign_id, language) for campaign_id in campaigns]
            db.session.commit()
            for job in jobs:
                dispatch(job)
        start = time.perf_counter()
        running = [subprocess.Popen([ASSESSMENT, "worker", "--burst"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for _ in range(workers)]
        for process in running:
            process.wait()
        took = time.perf_counter() - start
        print(f"queue: {len(campaigns)} organisation reports ({language}), {workers} "
              f"worker(s) started with --burst: {took:5.1f} s wall time, including "
              "each worker's start-up")
        print_result("bench_jobs", f"{len(campaigns)} queued reports, {workers} worker(s)", took,
                     unit="s", database="sqlite")


def forget_queue(app: Flask) -> None:
    from assessment import jobqueue

    connection = jobqueue.redis_connection(app)
    name = app.config["REPORT_QUEUE"]
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)
    connection.srem("rq:queues", f"rq:queue:{name}")


if __name__ == "__main__":
    main()
