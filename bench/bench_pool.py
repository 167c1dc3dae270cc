"""Speed and memory of the pool's statistics on PostgreSQL (a script, never a test).

Targets (issue 14, point 1), at 10,000 organisations and 1,000,000 responses:
`assessment stats --pool digiskills --json` under 5 s and 500 MB peak RSS; the public
landing page (the pool's headlines) under 1 s on a cold cache and never more than
300 MB in a web worker.

It reads the database `bench/bench_benchmark.py --keep` builds (`--database`, default
`bench_benchmark`), whose responses were loaded with COPY, past the application: so it
first runs each measured call once, which computes every campaign's tallies and keeps
them (`campaign_tallies`, as the first `stats --pool` or landing page after an upgrade
does; printed as "first run"). Then it measures, each run in a fresh process:

1. the `stats --pool` command, through Flask's CLI runner in that process: wall time
   and the process's peak RSS (`VmHWM`: interpreter, app, libraries and the command);
2. the landing page `/`, first request of a fresh app (so every cache is cold) through
   the Flask test client, with `PUBLIC_BENCHMARK` on, in a process prepared as a web
   worker is (`assessment.preload`: single-threaded maths, the engine and report
   modules imported, templates compiled and the collector tuned before the first
   request): wall time and peak RSS likewise;
3. where the time of `stats --pool` goes: the benchmark pool, the tallies the database
   computes (one statement, then the pairs' cells), the figures in Python.

Each figure is the median of `--repeat` runs (the machine may be shared: medians, not
best runs), printed with PASS/FAIL and as a machine-readable `RESULT {json}` line. It
exits 0 whatever the figures: this is a measurement, not a test.

Run:  .venv/bin/python bench/bench_pool.py [--database bench_benchmark] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

SERVER = "postgresql://postgres@127.0.0.1:5432"
STATS_TARGET_S, STATS_TARGET_MB = 5.0, 500.0
PAGE_TARGET_S, PAGE_TARGET_MB = 1.0, 300.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _hwm_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _app(url: str, **config: Any) -> Any:
    from assessment.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, **config})


def measure(kind: str, url: str) -> dict[str, Any]:
    """One run of `kind` in this (fresh) process."""
    if kind == "stats":
        app = _app(url)
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["stats", "--pool", "digiskills", "--json"])
        seconds = time.perf_counter() - started
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        data = json.loads(result.output)
        return {"seconds": seconds, "peak_mb": _hwm_mb(), "respondents": data["respondents"],
                "organisations": data["organisations"]}
    if kind == "page":
        from assessment.preload import prepare_worker, worker_environment

        worker_environment()  # as wsgi.py: before numpy is imported
        app = _app(url, PUBLIC_BENCHMARK=True, SECRET_KEY="bench")  # noqa: S106 - a bench
        prepare_worker(app)  # what a worker has done by its first request
        client = app.test_client()
        started = time.perf_counter()
        response = client.get("/")
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"the landing page answered {response.status_code}")
        return {"seconds": seconds, "peak_mb": _hwm_mb(),
                "shows_benchmark": b'class="card benchmark"' in response.data}
    if kind == "steps":
        return _steps(url)
    raise ValueError(kind)


def _steps(url: str) -> dict[str, Any]:
    """Where the time of `pool_statistics` goes, step by step."""
    from assessment.analysis import digiskills, groups, loading, relations, statistics
    from assessment.extensions import db
    from assessment.instruments import registry
    from assessment.stats.clustered import shared_resamples

    app = _app(url)
    out: dict[str, Any] = {}
    with app.app_context():
        q = registry().get("digiskills")
        session = db.session()
        plan = statistics.pool_plan(q)
        t0 = time.perf_counter()
        _campaigns, pool = statistics._pool(session, q)
        t1 = time.perf_counter()
        tallies = loading.pool_tallies(session, q.key, plan)
        t2 = time.perf_counter()
        shared_resamples(lambda: (
            digiskills.respondent_findings_from_tallies(q, tallies),
            relations.correlations_from_tallies(q, tallies, 5),
            relations.reliability_from_tallies(q, tallies, 5),
            groups.seniority_gaps_from_tallies(q, tallies, 5)))
        t3 = time.perf_counter()
        digiskills.organisation_findings_from_tallies(q, tallies, 5, 5)
        t4 = time.perf_counter()
        out = {"benchmark pool (dimension means, counts)": t1 - t0,
               "tallies (database)": t2 - t1,
               "clustered figures (bootstrap)": t3 - t2,
               "organisation-level findings": t4 - t3,
               "organisations": len(pool), "tallied campaigns": int(tallies.campaign_ids.size)}
    return out


def run(kind: str, url: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", kind, url]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def result_line(figure: str, target: str, value: str, met: bool) -> None:
    print("RESULT " + json.dumps({"bench": "bench_pool", "figure": figure, "target": target,
                                  "value": value, "met": met}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="bench_benchmark")
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server, libpq URL")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)  # the subprocess
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return 0
    if args.database in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to use the database {args.database!r}")
    url = f"{args.server}/{args.database}".replace("postgresql://", "postgresql+psycopg://")

    import psycopg

    try:
        with psycopg.connect(f"{args.server}/{args.database}") as conn:
            row = conn.execute("SELECT count(*) FROM responses").fetchone()
    except psycopg.Error as error:
        raise SystemExit(f"cannot read {args.database}: {error}\nbuild it first with "
                         f".venv/bin/python bench/bench_benchmark.py --keep") from error
    responses = int(row[0]) if row else 0
    log(f"{args.database}: {responses:,} responses; {args.repeat} runs of each")

    first = {kind: run(kind, url) for kind in ("stats", "page")}
    log(f"  first runs (every campaign's tallies computed and kept): {first}")
    figures: dict[str, list[dict[str, Any]]] = {"stats": [], "page": []}
    for _ in range(args.repeat):  # interleaved, so drifts hit both alike
        for kind in figures:
            figures[kind].append(run(kind, url))
            log(f"  {kind}: {figures[kind][-1]}")
    steps = run("steps", url)

    def median(kind: str, field: str) -> float:
        return statistics.median(r[field] for r in figures[kind])

    size = f"{responses:,} responses"
    print(f"\nbench_pool on {args.database} ({size}), medians of {args.repeat} runs")
    for kind, label, target_s, target_mb in (
        ("stats", "stats --pool", STATS_TARGET_S, STATS_TARGET_MB),
        ("page", "landing page, cold cache", PAGE_TARGET_S, PAGE_TARGET_MB),
    ):
        seconds, peak = median(kind, "seconds"), median(kind, "peak_mb")
        met = seconds < target_s and peak < target_mb
        value = f"{seconds:.1f} s, {peak:.0f} MB"
        target = f"< {target_s:g} s, < {target_mb:.0f} MB"
        print(f"  {label:28} {value:>18}   target {target:18} {'PASS' if met else 'FAIL'}")
        result_line(f"{label}, {size}", target, value, met)
    for kind, label in (("stats", "stats --pool"), ("page", "landing page")):
        print(f"  first {label} after loading (tallies computed and kept): "
              f"{first[kind]['seconds']:.1f} s, {first[kind]['peak_mb']:.0f} MB")
    print("  where the time of stats --pool goes (one run):")
    for step, value in steps.items():
        shown = f"{value:.2f} s" if isinstance(value, float) else f"{value:,}"
        print(f"    {step:42} {shown:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
