"""`make bench`'s table: RESULT lines parsed and rendered (canned output, no timings)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT_ROOT


def run_all() -> ModuleType:
    path = Path(PROJECT_ROOT) / "bench" / "run_all.py"
    spec = importlib.util.spec_from_file_location("run_all", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OUTPUT = "\n".join([
    "loading the pool ...",
    'RESULT {"bench": "bench_x", "figure": "load", "target": "< 60 s", "value": 41.26, '
    '"met": true, "unit": "s", "database": "sqlite"}',
    "RESULT {not json",
    'RESULT {"bench": "bench_x", "figure": "p95 | warm", "target": null, "value": 12345, '
    '"met": null, "unit": "ms", "database": "postgresql"}',
    'RESULT {"bench": "bench_x", "figure": "ratio", "target": "<= 2", "value": 2.5, '
    '"met": false}',
    "  RESULT lines only count at the start of a line",
    'RESULT ["a list"]',
])


def test_result_lines_are_parsed() -> None:
    rows = run_all().parse_results(OUTPUT)
    assert [row["figure"] for row in rows] == ["load", "p95 | warm", "ratio"]
    assert rows[0] == {"bench": "bench_x", "figure": "load", "target": "< 60 s",
                       "value": 41.26, "met": True, "unit": "s", "database": "sqlite"}


def test_the_table_shows_every_row_with_its_machine() -> None:
    module = run_all()
    store = {
        "bench_x": {"command": ".venv/bin/python bench/bench_x.py",
                    "rows": module.parse_results(OUTPUT), "date": "2026-12-01",
                    "machine": "2 cores, 7.8 GB RAM, Example CPU",
                    "databases": {"sqlite": "SQLite 3.40.1", "postgresql": "PostgreSQL 15.8"}},
        "bench_a": {"command": ".venv/bin/python bench/bench_a.py",
                    "rows": [{"figure": "the whole run", "target": "finishes",
                              "value": "stopped after 900 s", "met": False}],
                    "date": "2026-11-30", "machine": "2 cores", "databases": {}},
    }
    assert module.render_table(store, ["bench_x", "bench_new"]).splitlines() == [
        "| bench | command | figure | target | last figure | met | date | machine |",
        "|---|---|---|---|---|---|---|---|",
        "| bench_a | `.venv/bin/python bench/bench_a.py` | the whole run | finishes | "
        "stopped after 900 s | **no** | 2026-11-30 | 2 cores |",
        "| bench_new | `.venv/bin/python bench/bench_new.py` | – | – | not run yet | – | – | – |",
        "| bench_x | `.venv/bin/python bench/bench_x.py` | load | < 60 s | 41.3 s | yes | "
        "2026-12-01 | 2 cores, 7.8 GB RAM, Example CPU, SQLite 3.40.1 |",
        "| bench_x | `.venv/bin/python bench/bench_x.py` | p95 \\| warm | – | 12,345 ms | – | "
        "2026-12-01 | 2 cores, 7.8 GB RAM, Example CPU, PostgreSQL 15.8 |",
        "| bench_x | `.venv/bin/python bench/bench_x.py` | ratio | <= 2 | 2.5 | **no** | "
        "2026-12-01 | 2 cores, 7.8 GB RAM, Example CPU |",
    ]


def test_the_table_replaces_only_what_is_between_the_markers() -> None:
    module = run_all()
    readme = f"# Benches\n\nintro\n\n{module.START}\nold table\n{module.END}\n\n## more\n"
    assert module.replace_table(readme, "| new |") == (
        f"# Benches\n\nintro\n\n{module.START}\n| new |\n{module.END}\n\n## more\n")
    with pytest.raises(SystemExit, match="markers"):
        module.replace_table("# no markers\n", "| new |")


def test_the_result_helper_prints_what_run_all_reads(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    path = Path(PROJECT_ROOT) / "bench" / "results.py"
    spec = importlib.util.spec_from_file_location("bench_results", path)
    assert spec and spec.loader
    results = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(results)
    results.print_result("bench_y", "export csv", 1.5, unit="s", database="sqlite")
    line = capsys.readouterr().out
    assert json.loads(line.removeprefix("RESULT ")) == {
        "bench": "bench_y", "figure": "export csv", "target": None, "value": 1.5,
        "met": None, "unit": "s", "database": "sqlite"}
    assert run_all().parse_results(line)[0]["figure"] == "export csv"
