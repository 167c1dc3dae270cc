"""`make bench`: run every bench/bench_*.py with a time bound, collect their RESULT lines
and rewrite the table in bench/README.md.

Each bench prints its headline figures as `RESULT {json}` lines (bench/results.py). The
figures of every run are kept in bench/results.json (one entry per bench script: its
command, its rows, the day and the machine), so running a few benches (`--only`) updates
their rows and leaves the others' last figures in the table. A bench that prints no
RESULT line (it failed, or ran past its time bound and was stopped) gets one row saying
so. Every bench talks only to 127.0.0.1 (its own server, PostgreSQL, Redis).

    .venv/bin/python bench/run_all.py [--only bench_demo ...] [--timeout 900]
        [--args bench_jobs="--redis redis://127.0.0.1:6379/7" ...]
        [--table-only]   (re-render the table from bench/results.json)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
README = BENCH / "README.md"
STORE = BENCH / "results.json"
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"
PREFIX = "RESULT "
DEFAULT_TIMEOUT = 900.0  # seconds; a bench still running then is stopped
# Time bounds of benches that need longer than DEFAULT_TIMEOUT with their default sizes.
TIMEOUTS = {"bench_benchmark": 1800.0}
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
COLUMNS = ["bench", "command", "figure", "target", "last figure", "met", "date", "machine"]


def parse_results(output: str) -> list[dict[str, Any]]:
    """The RESULT lines of a bench's output, as dicts; malformed ones are skipped."""
    rows = []
    for line in output.splitlines():
        if not line.startswith(PREFIX):
            continue
        try:
            row = json.loads(line[len(PREFIX):])
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "figure" in row and "value" in row:
            rows.append(row)
    return rows


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_table(store: dict[str, Any], scripts: Sequence[str] = ()) -> str:
    """The Markdown table of every bench's last figures, benches in name order; a bench
    of `scripts` never run yet gets a row saying so."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for script in sorted(set(store) | set(scripts)):
        if script not in store:
            cells = [script, f"`.venv/bin/python bench/{script}.py`", "–", "–",
                     "not run yet", "–", "–", "–"]
            lines.append("| " + " | ".join(cells) + " |")
            continue
        entry = store[script]
        for row in entry["rows"]:
            value = _number(row.get("value"))
            if row.get("unit"):
                value += f" {row['unit']}"
            met = {True: "yes", False: "**no**", None: "–"}[row.get("met")]
            database = row.get("database") or entry.get("database")
            machine = entry["machine"] + (f", {entry['databases'][database]}"
                                          if database in entry.get("databases", {}) else "")
            cells = [script, f"`{entry['command']}`", row["figure"], row.get("target") or "–",
                     value, met, entry["date"], machine]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def replace_table(readme: str, table: str) -> str:
    """The README with the text between the markers replaced by the table."""
    if START not in readme or END not in readme:
        raise SystemExit(f"bench/README.md lacks the markers {START} / {END}")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def machine() -> str:
    """Cores, memory and CPU model of this machine."""
    model = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GB RAM, "
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {memory}{model}"


def databases() -> dict[str, str]:
    """The versions of the databases a bench may have used."""
    found = {"sqlite": f"SQLite {sqlite3.sqlite_version}"}
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3) as connection:
            version = connection.execute("SHOW server_version").fetchone()
        if version:
            found["postgresql"] = f"PostgreSQL {str(version[0]).split()[0]}"
    except Exception:  # noqa: BLE001, S110 - no PostgreSQL here: SQLite benches only
        pass
    return found


def run_bench(script: Path, timeout: float, arguments: list[str]
              ) -> tuple[list[dict[str, Any]], str]:
    """Run one bench, echoing its output; its RESULT rows and how it ended."""
    command = [sys.executable, str(script.relative_to(ROOT)), *arguments]
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - the project's own bench scripts
        command, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True)
    lines: list[str] = []

    def echo() -> None:
        assert process.stdout is not None  # noqa: S101 - opened with PIPE above
        for line in process.stdout:
            lines.append(line)
            print(line, end="", flush=True)

    reader = threading.Thread(target=echo, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=timeout)
        ending = "" if code == 0 else f"failed (exit {code})"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)  # the bench and any server it started
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        ending = f"stopped after {timeout:.0f} s"
    reader.join(timeout=10)
    print(f"== {script.name}: {time.perf_counter() - started:.0f} s"
          + (f", {ending}" if ending else ""), flush=True)
    return parse_results("".join(lines)), ending


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None,
                        help="bench names (e.g. bench_demo); default: every bench")
    parser.add_argument("--timeout", type=float, default=None,
                        help=f"seconds per bench (default {DEFAULT_TIMEOUT:.0f}, more for "
                             "the 1,000,000-response bench)")
    parser.add_argument("--args", action="append", default=[], metavar="BENCH=ARGUMENTS",
                        help="arguments for one bench, e.g. bench_jobs='--redis URL'")
    parser.add_argument("--table-only", action="store_true",
                        help="only re-render the table from bench/results.json")
    options = parser.parse_args()
    store: dict[str, Any] = json.loads(STORE.read_text()) if STORE.exists() else {}
    extra = {name: shlex.split(value) for name, _, value in
             (given.partition("=") for given in options.args)}
    if not options.table_only:
        scripts = sorted(BENCH.glob("bench_*.py"))
        if options.only:
            scripts = [s for s in scripts if s.stem in options.only]
        host, versions = machine(), databases()
        for script in scripts:
            print(f"== {script.relative_to(ROOT)}", flush=True)
            timeout = options.timeout or TIMEOUTS.get(script.stem, DEFAULT_TIMEOUT)
            arguments = extra.get(script.stem, [])
            rows, ending = run_bench(script, timeout, arguments)
            if not rows or ending:
                rows.append({"figure": "the whole run", "target": "finishes",
                             "value": ending or "printed no RESULT line", "met": False})
            store[script.stem] = {
                "command": shlex.join([".venv/bin/python", f"bench/{script.name}", *arguments]),
                "rows": rows,
                "date": dt.date.today().isoformat(), "machine": host,
                "databases": versions}
            STORE.write_text(json.dumps(store, indent=1, ensure_ascii=False) + "\n")
    table = render_table(store, [script.stem for script in BENCH.glob("bench_*.py")])
    README.write_text(replace_table(README.read_text(), table))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
