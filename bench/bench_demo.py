"""Time `assessment demo` loading the synthetic pool into a fresh temporary SQLite database.

Run: .venv/bin/python bench/bench_demo.py [--orgs 250] [--seed 2015]   (target: under 60 s)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from results import print_result
from sqlalchemy import func, select

from assessment.app import create_app
from assessment.cli.demo import demo_command
from assessment.demo import DEFAULT_ORGANISATIONS, DEFAULT_SEED
from assessment.demo.generator import generate_pool
from assessment.extensions import db, init_migrations
from assessment.models import Organisation, Response, ResponseScore

TARGET_S = 60.0


def main() -> None:
    """Migrate an empty database, run the command once and print the time and row counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=DEFAULT_ORGANISATIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}"})
        with app.app_context():
            init_migrations(app)
            upgrade()
        start = time.perf_counter()
        generate_pool(options.orgs, options.seed)
        generation = time.perf_counter() - start

        start = time.perf_counter()
        result = app.test_cli_runner().invoke(
            demo_command, ["--orgs", str(options.orgs), "--seed", str(options.seed)])
        total = time.perf_counter() - start
        if result.exit_code != 0:
            raise SystemExit(result.output)
        with app.app_context():
            counts = {model.__tablename__: db.session.scalar(
                select(func.count()).select_from(model)) for model in
                (Organisation, Response, ResponseScore)}
            db.engine.dispose()
    print(f"assessment demo --orgs {options.orgs} --seed {options.seed}: {total:.1f} s wall time "
          f"(generation alone {generation:.1f} s)")
    print(f"{counts['organisations']} organisations, {counts['responses']} responses, "
          f"{counts['response_scores']} score rows")
    print_result("bench_demo", f"assessment demo ({options.orgs} organisations), wall time", total,
                 target=f"< {TARGET_S:.0f} s", met=total < TARGET_S, unit="s", database="sqlite")


if __name__ == "__main__":
    main()
