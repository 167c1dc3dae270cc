"""Speed of the PDF reports (a script, never a test).

The requirement: the organisation report (engine dict -> charts -> HTML -> PDF) takes at
most 1.3x the time WeasyPrint alone takes to lay out the same final HTML, measured in
the same run, so data and charts add at most 30%; and `assessment report org --all`
with two processes is faster than with one.

What it does, in one run:

1. creates a temporary SQLite database, migrates it and loads the synthetic demo pool
   (`assessment db upgrade`, `assessment demo --orgs N`);
2. builds one campaign's engine dict once (`campaign_statistics`, not timed), then times,
   interleaved, after a warm-up: (a) the full pipeline `organisation_pdf(stats, facts)`;
   (b) `weasyprint.HTML(string=final_html).write_pdf()` on the HTML (a) produced, once
   with the reports' own options (asset fetcher, tagged PDF/UA-1: the like-for-like
   layout cost, used for the ratio) and once with WeasyPrint's defaults;
3. loads a smaller pool (20 organisations) and times `assessment report org --all`
   with `--jobs 1` and `--jobs 2` (each a fresh process, as a user runs it);
4. prints the figures with PASS/FAIL and exits 0 either way: a measurement, not a test.

Run:  .venv/bin/python bench/bench_report.py [--orgs 60] [--all-orgs 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
ASSESSMENT = str(Path(sys.executable).with_name("assessment"))

from results import print_result  # noqa: E402 - bench/ is on the path of a script run from it

RATIO_TARGET = 1.3


def cli(database: Path, *args: str) -> float:
    """Run the `assessment` command on this database; its wall-clock seconds."""
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}"}
    start = time.perf_counter()
    subprocess.run([ASSESSMENT, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def load_pool(database: Path, organisations: int) -> None:
    """A migrated database holding the synthetic demo pool."""
    cli(database, "db", "upgrade")
    cli(database, "demo", "--orgs", str(organisations))


def engine_dict(database: Path) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The engine's figures of the campaign with the median number of responses."""
    from sqlalchemy import func, select

    from assessment.analysis.statistics import campaign_statistics
    from assessment.app import create_app
    from assessment.extensions import db
    from assessment.models import Response
    from reports.instrument import instrument_facts

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        counts = db.session.execute(
            select(Response.campaign_id, func.count()).group_by(Response.campaign_id)
            .order_by(func.count())).all()
        campaign_id, responses = counts[len(counts) // 2]
        registry = app.extensions["questionnaires"]
        stats = campaign_statistics(db.session(), registry, campaign_id)
        facts = instrument_facts(registry.get("digiskills", 1))
        db.engine.dispose()
    return stats, facts, responses


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_pipeline(database: Path, repeat: int) -> float:
    """Time (a) the whole report and (b) WeasyPrint alone on its HTML; the ratio."""
    import weasyprint

    from reports.organisation import organisation_html, organisation_pdf
    from reports.render import write_pdf

    stats, facts, responses = engine_dict(database)
    final_html = organisation_html(stats, facts)
    organisation_pdf(stats, facts)  # warm-up: fonts, templates, matplotlib caches
    weasyprint.HTML(string=final_html).write_pdf()
    full, layout, plain = [], [], []
    for _ in range(repeat):
        full.append(timed(lambda: organisation_pdf(stats, facts)))
        layout.append(timed(lambda: write_pdf(final_html)))
        plain.append(timed(lambda: weasyprint.HTML(string=final_html).write_pdf()))
    a, b, c = (statistics.median(times) for times in (full, layout, plain))
    ratio = a / b
    print(f"organisation report of campaign '{stats['campaign']['organisation']}' "
          f"({responses} responses), median of {repeat}:")
    print(f"  (a) engine dict -> charts -> HTML -> PDF      {a:6.2f} s")
    print(f"  (b) WeasyPrint alone, same HTML and options   {b:6.2f} s   (tagged PDF/UA-1)")
    print(f"      WeasyPrint alone, default options         {c:6.2f} s   (untagged)")
    verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
    print(f"  ratio a/b = {ratio:.2f} (target <= {RATIO_TARGET}): {verdict};  "
          f"a/untagged = {a / c:.2f}")
    print_result("bench_report", "organisation report: whole pipeline / WeasyPrint alone (median)",
                 round(ratio, 2), target=f"<= {RATIO_TARGET}", met=ratio <= RATIO_TARGET,
                 database="sqlite")
    print_result("bench_report", "organisation report, whole pipeline (median)", a, unit="s",
                 database="sqlite")
    return ratio


def bench_all(database: Path, organisations: int) -> None:
    """`report org --all` with one and with two processes."""
    times = {}
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory(prefix="reports-all-") as folder:
            times[jobs] = cli(database, "report", "org", "--all", "-o", folder,
                              "--jobs", str(jobs))
            written = len(list(Path(folder).glob("*.pdf")))
        print(f"  report org --all --jobs {jobs}: {times[jobs]:6.1f} s for {written} PDFs")
    speedup = times[1] / times[2]
    verdict = "PASS" if speedup > 1.3 else "FAIL"
    print(f"  speed-up with two processes: {speedup:.2f}x on {os.cpu_count()} CPUs: {verdict}")
    print_result("bench_report", f"report org --all ({organisations} organisations): --jobs 1 / "
                 "--jobs 2", round(speedup, 2), target="> 1.3", met=speedup > 1.3, unit="x",
                 database="sqlite")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=60, help="demo pool for the ratio")
    parser.add_argument("--all-orgs", type=int, default=20, help="demo pool for --all")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        pool = Path(folder) / "pool.sqlite"
        load_pool(pool, options.orgs)
        bench_pipeline(pool, options.repeat)
        small = Path(folder) / "small.sqlite"
        load_pool(small, options.all_orgs)
        print(f"all organisations of a {options.all_orgs}-organisation demo pool:")
        bench_all(small, options.all_orgs)


if __name__ == "__main__":
    main()
