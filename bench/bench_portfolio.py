"""Time the portfolio table and the comparison page for a consultant of many organisations.

Builds a fresh database (temporary SQLite, or --database-url), loads the synthetic pool
(--orgs organisations, each with one campaign and 10-400 responses), assigns a consultant
to every one of them and times, in process with Flask's test client:

* the portfolio page (`/portfolio/`, sorted by index), --requests times: its figures are
  three SQL aggregates, so its time grows with the number of organisations, not of
  responses; beside it, the bare `GROUP BY` of the index scores it reads, for scale;
* the comparison page of the first --compare organisations: cold (statistics and charts
  computed) once, then warm --requests times (served from the cache).

Prints p50 / p95 / max per kind; exits 0 whatever the figures.

Run: .venv/bin/python bench/bench_portfolio.py [--orgs 250] [--requests 20] [--compare 5]
     [--database-url postgresql://postgres@127.0.0.1/DB]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from assessment.app import create_app
from assessment.config import sqlalchemy_url
from assessment.extensions import db, init_migrations
from assessment.models import Campaign, Organisation, ResponseScore, User
from assessment.operations.accounts import create_user, grant


def summary(label: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p95 = float(np.percentile(ms, 95, method="linear"))
    return (f"{label:<40} n={len(ms):<4} p50 {statistics.median(ms):8.1f} ms  "
            f"p95 {p95:8.1f} ms  max {ms[-1]:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=250)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--compare", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from assessment.demo.generator import generate_pool
    from assessment.demo.loader import load_pool

    with tempfile.TemporaryDirectory() as folder:
        url = (sqlalchemy_url(args.database_url) if args.database_url
               else f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "REDIS_URL": None})
        with app.app_context():
            init_migrations(app)
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            upgrade()
            start = time.perf_counter()
            load_pool(generate_pool(args.orgs, 2015),
                      app.extensions["questionnaires"].get("digiskills"))
            user = create_user("consultant@bench.example")
            for organisation in db.session.scalars(select(Organisation)):
                grant(user, "consultant", organisation)
            db.session.commit()
            user_id, session_id = user.id, user.get_id()
            organisation_ids = list(db.session.scalars(
                select(Organisation.id).order_by(Organisation.id).limit(args.compare)))
            responses = db.session.scalar(text("SELECT count(*) FROM responses"))
            print(f"loaded {args.orgs} organisations, {responses} responses in "
                  f"{time.perf_counter() - start:.1f} s ({db.engine.dialect.name})")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
        del user_id
        timings: dict[str, list[float]] = {"portfolio": [], "bare": [], "warm": []}
        for _ in range(args.requests):
            start = time.perf_counter()
            page = client.get("/portfolio/?sort=index&dir=desc")
            timings["portfolio"].append(time.perf_counter() - start)
            assert page.status_code == 200, page.status_code
            with app.app_context():
                start = time.perf_counter()
                db.session.execute(
                    select(ResponseScore.campaign_id, func.avg(ResponseScore.score))
                    .where(ResponseScore.dimension == "index")
                    .group_by(ResponseScore.campaign_id)).all()
                timings["bare"].append(time.perf_counter() - start)
                db.session.remove()
        compare_url = "/portfolio/compare?" + "&".join(f"org={i}" for i in organisation_ids)
        start = time.perf_counter()
        assert client.get(compare_url).status_code == 200
        cold = time.perf_counter() - start
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(compare_url)
            timings["warm"].append(time.perf_counter() - start)
        with app.app_context():
            campaigns = db.session.scalar(select(func.count(Campaign.id)))
            accounts = db.session.scalar(select(func.count(User.id)))
        print(f"{campaigns} campaigns, {accounts} account(s)")
        print(summary(f"portfolio page ({args.orgs} organisations)", timings["portfolio"]))
        print(summary("bare GROUP BY of the index scores", timings["bare"]))
        print(f"{'comparison page, cold (' + str(args.compare) + ' organisations)':<40} "
              f"{1000 * cold:8.1f} ms")
        print(summary("comparison page, warm (cached)", timings["warm"]))


if __name__ == "__main__":
    main()
