"""Time `assessment stats` on the synthetic demo pool: one campaign, a comparison, the pool.

Run: .venv/bin/python bench/bench_stats.py [--orgs 250] [--repeat 3]
Loads the demo pool into a fresh temporary SQLite database, then prints the best and
median wall time of each engine call (pool headlines, whole pool, one campaign, a
comparison of five). Prints figures only; no target is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from results import print_result
from sqlalchemy import select

from assessment.analysis.statistics import (
    campaign_statistics,
    comparison_statistics,
    pool_headlines,
    pool_statistics,
)
from assessment.app import create_app
from assessment.cli.demo import demo_command
from assessment.extensions import db, init_migrations
from assessment.models import Campaign


def _timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    """Load the pool, then time each engine call `--repeat` times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}"})
        with app.app_context():
            init_migrations(app)
            upgrade()
        result = app.test_cli_runner().invoke(demo_command, ["--orgs", str(options.orgs)])
        if result.exit_code != 0:
            raise SystemExit(result.output)
        with app.app_context():
            registry = app.extensions["questionnaires"]
            session = db.session()
            ids = list(session.scalars(select(Campaign.id).order_by(Campaign.id)))
            calls = {
                "pool headlines (landing page)": lambda: pool_headlines(session, registry),
                "stats --pool digiskills": lambda: pool_statistics(session, registry),
                "stats --campaign (one)": lambda: campaign_statistics(session, registry, ids[0]),
                "stats --campaign x5 (comparison)": lambda: comparison_statistics(
                    session, registry, ids[:5]),
            }
            print(f"demo pool: {options.orgs} organisations, {options.repeat} runs each")
            for name, call in calls.items():
                best, median = _timed(call, options.repeat)
                print(f"  {name:<36} best {best:6.2f} s   median {median:6.2f} s")
                print_result("bench_stats", f"{name}, demo pool of {options.orgs} (median)", median,
                             unit="s", database="sqlite")
            db.engine.dispose()


if __name__ == "__main__":
    main()
