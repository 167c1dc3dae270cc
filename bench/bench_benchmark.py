"""Speed and memory bench of the benchmark engine on PostgreSQL (a script, never a test).

The requirement (issue 14, point 2): for 10,000 organisations and 1,000,000 responses,
computing the benchmark (``assessment.analysis.statistics.benchmark_pool``, the call the
app makes, which reads the campaign summaries) takes under 100 ms and at least 10x less
time than a bare SQL ``GROUP BY`` over the raw score rows (the reference: what the
benchmark read before the summaries), measured in the same run; peak memory stays under
1 GB.

What it does, in one run:

1. creates its own database (``bench_benchmark`` by default, or $BENCH_DATABASE; never
   ``test`` or ``postgres``) and builds the schema with the real Alembic migrations;
2. loads a small pool (a tenth of the big one: 1,000 organisations, 100,000 responses)
   with PostgreSQL ``COPY``: organisations, one ``digiskills@1`` campaign each (anonymity
   threshold 5), responses and their ``response_scores`` rows; rebuilds the campaign
   summaries (``COPY`` goes around the code that keeps them), then VACUUM ANALYZE;
3. measures, in a fresh subprocess (so that its peak RSS is the engine's, not the
   loader's), the engine call (a) and the bare SQL baseline (b), each after one warm-up,
   interleaved, several times, and (c) the benchmark from every score row once;
4. adds the other nine tenths to the same database (10,000 organisations, 1,000,000
   responses in all), rebuilds the summaries, VACUUM ANALYZE, measures again;
5. prints the figures with PASS/FAIL per target and one ``RESULT {json}`` line per
   headline figure, drops the database (unless ``--keep``) and exits 0 either way: this
   is a measurement, not a test.

``--reuse`` skips 1-2 and 4: it measures a database a ``--keep`` run left.

Respondents' answers are drawn with numpy from the instrument's own scales and scored
with the real ``assessment.instrument.scoring.score_response``; to keep loading fast a cache of
distinct answer patterns (5,000 by default) is scored once and reused, each organisation
drawing patterns around its own maturity level so organisations differ.

Run:  .venv/bin/python bench/bench_benchmark.py [--orgs 10000] [--responses 1000000]
      [--repeat 7] [--keep] [--reuse] [--database NAME] [--explain]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

SERVER = "postgresql://postgres@127.0.0.1:5432"
QUESTIONNAIRE = ("digiskills", 1)
THRESHOLD = 5
MIN_RESPONDENTS, MAX_RESPONDENTS = 10, 400
BASELINE_SQL = (
    "SELECT campaign_id, dimension, avg(score), count(score) "
    "FROM response_scores GROUP BY campaign_id, dimension"
)
SECTORS = ["Retail", "Financial services", "Technology", "Manufacturing", "Public sector",
           "Healthcare", "Education", "Professional services", "Logistics", "Media"]
SIZE_BANDS = ["1-49", "50-249", "250-999", "1000-4999", "5000+"]
COUNTRIES = ["GB", "PL", "RU", "CN", "LV", "DE", "FR", "US"]
PROFILE_COLUMNS = ("seniority", "function", "generation", "country")

# Targets from the issue (14, point 2).
SUMMARY_TARGET_MS = 100.0
SPEEDUP_TARGET = 10.0
MEMORY_TARGET_MB = 1024.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------------------

@dataclass
class Patterns:
    """Distinct scored answer patterns, sorted by index score (lowest first)."""

    answers_json: list[str]
    scores_json: list[str]
    index: list[float | None]
    profile: list[tuple[str | None, ...]]
    scores: list[list[tuple[str, float]]]  # the non-None scores, as response_scores rows


def make_patterns(questionnaire: Any, count: int, rng: np.random.Generator) -> Patterns:
    """`count` realistic, valid answer sets drawn from the instrument's scales, scored
    with the real scorer (one call per pattern)."""
    from assessment.instrument.answers import answer_problems, clean_answers
    from assessment.instrument.scoring import INDEX, score_response

    level = rng.beta(2.0, 2.0, size=count)  # each pattern's latent maturity, 0-1
    columns: dict[str, list[Any]] = {}
    for item in questionnaire.items():
        scale = questionnaire.scales[item.scale]
        codes = [o.code for o in scale.options]
        if scale.kind == "multiple":
            real = [c for c in codes if c != "none"]
            chosen = rng.random((count, len(real))) < (0.15 + 0.5 * level)[:, None]
            columns[item.key] = [
                [c for c, keep in zip(real, row, strict=True) if keep] or ["none"]
                for row in chosen
            ]
        elif scale.scored:
            valued = sorted((o for o in scale.options if o.value is not None),
                            key=lambda o: o.value)
            unvalued = [o.code for o in scale.options if o.value is None]
            top = len(valued) - 1
            position = np.clip(np.rint(level * top + rng.normal(0.0, 0.7, count)), 0, top)
            picked = [valued[int(p)].code for p in position]
            if unvalued:
                dont_know = rng.random(count) < 0.03
                picked = [unvalued[0] if dk else c
                          for c, dk in zip(picked, dont_know, strict=True)]
            columns[item.key] = picked
        else:  # profile items
            weights = np.ones(len(codes))
            if item.key == "seniority":
                weights = np.array([1.0, 3.0, 6.0])[: len(codes)]
            picked = list(np.array(codes)[rng.choice(len(codes), count, p=weights / weights.sum())])
            if not item.required:
                skipped = rng.random(count) < 0.05
                picked = [None if s else str(c) for c, s in zip(picked, skipped, strict=True)]
            columns[item.key] = [None if c is None else str(c) for c in picked]

    rows = []
    for i in range(count):
        raw = {key: values[i] for key, values in columns.items() if values[i] not in (None, [])}
        problems = answer_problems(questionnaire, raw)
        if problems:
            raise AssertionError(f"generated answers are invalid: {problems}")
        answers = clean_answers(questionnaire, raw)
        scores = score_response(questionnaire, answers)
        rows.append((scores[INDEX], answers, scores))
    rows.sort(key=lambda r: -1.0 if r[0] is None else r[0])
    profile_keys = {i.key for i in questionnaire.profile_items()}
    return Patterns(
        answers_json=[json.dumps(a) for _, a, _ in rows],
        scores_json=[json.dumps(s) for _, _, s in rows],
        index=[ix for ix, _, _ in rows],
        profile=[tuple(a.get(c) if c in profile_keys else None for c in PROFILE_COLUMNS)
                 for _, a, _ in rows],
        scores=[[(d, float(v)) for d, v in s.items() if v is not None] for _, _, s in rows],
    )


def respondent_counts(orgs: int, total: int, rng: np.random.Generator) -> np.ndarray:
    """Respondents per organisation: skewed (log-normal), within 10-400, summing to total."""
    if not MIN_RESPONDENTS * orgs <= total <= MAX_RESPONDENTS * orgs:
        raise SystemExit(f"{total} responses cannot be spread over {orgs} organisations "
                         f"with {MIN_RESPONDENTS}-{MAX_RESPONDENTS} each")
    weights = rng.lognormal(mean=0.0, sigma=0.9, size=orgs)
    counts = np.clip(np.rint(weights * total / weights.sum()), MIN_RESPONDENTS,
                     MAX_RESPONDENTS).astype(np.int64)
    while (diff := total - int(counts.sum())) != 0:
        step = 1 if diff > 0 else -1
        room = np.flatnonzero(counts < MAX_RESPONDENTS if step > 0 else counts > MIN_RESPONDENTS)
        chosen = rng.choice(room, size=min(abs(diff), room.size), replace=False)
        counts[chosen] += step
    return counts


def set_sequences(conn: psycopg.Connection) -> None:
    for table in ("organisations", "campaigns", "responses", "response_scores"):
        conn.execute(sql.SQL(
            "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM {ti}), false)"
        ).format(t=sql.Literal(table), ti=sql.Identifier(table)))


def load(conn: psycopg.Connection, patterns: Patterns, first_org: int, orgs: int,
         responses: int, rng: np.random.Generator) -> dict[str, Any]:
    """Append `orgs` organisations (ids from first_org), one campaign each, and
    `responses` responses with their scores, with COPY. Returns rows and seconds."""
    started = time.perf_counter()
    counts = respondent_counts(orgs, responses, rng)
    org_ids = np.arange(first_org, first_org + orgs)
    now = dt.datetime(2026, 11, 1, 9, 0)
    opens = dt.date(2026, 9, 1)
    sector = rng.integers(len(SECTORS), size=orgs)
    size = rng.integers(len(SIZE_BANDS), size=orgs)
    country = rng.integers(len(COUNTRIES), size=orgs)
    # Row ids continue after what is already there (the small pool, when growing).
    next_response = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM responses").fetchone()
    next_score = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM response_scores").fetchone()
    assert next_response is not None and next_score is not None
    response_id, score_id = int(next_response[0]), int(next_score[0])

    # The data are consistent by construction (every id referenced is written in this
    # load), so foreign-key triggers are skipped while loading, as pg_restore does.
    conn.execute("SET session_replication_role = replica")
    with conn.cursor() as cur:
        # Synthetic organisations, in the shared pool (benchmark_consent) as the demo's are.
        with cur.copy("COPY organisations (id, name, sector, size_band, country, synthetic, "
                      "benchmark_consent, created_at) FROM STDIN") as copy:
            for k, oid in enumerate(org_ids):
                copy.write_row((int(oid), f"Bench organisation {oid:06d}", SECTORS[sector[k]],
                                SIZE_BANDS[size[k]], COUNTRIES[country[k]], True, True, now))
        with cur.copy("COPY campaigns (id, organisation_id, name, slug, questionnaire_key, "
                      "questionnaire_version, opens_on, closes_on, anonymity_threshold, mode, "
                      "invited, created_at) FROM STDIN") as copy:
            for k, oid in enumerate(org_ids):
                copy.write_row((int(oid), int(oid), "Digital maturity 2026", f"bench-{oid:06d}",
                                QUESTIONNAIRE[0], QUESTIONNAIRE[1], opens, None, THRESHOLD,
                                "open", int(counts[k] * 1.6), now))

        # Each organisation draws answer patterns around its own maturity level.
        n_patterns = len(patterns.index)
        centre = rng.beta(2.0, 2.0, size=orgs) * (n_patterns - 1)
        campaign_of = np.repeat(org_ids, counts)
        drawn = np.clip(np.rint(np.repeat(centre, counts)
                                + rng.normal(0.0, 0.18 * n_patterns, responses)),
                        0, n_patterns - 1).astype(np.int64)
        days = rng.integers(0, 60, size=responses)
        day_list = [opens + dt.timedelta(days=int(d)) for d in range(60)]
        score_rows = 0
        with cur.copy("COPY responses (id, campaign_id, answers, seniority, function, "
                      "generation, country, locale, submitted_on, index_score, scores) "
                      "FROM STDIN") as copy:
            for r in range(responses):
                p = int(drawn[r])
                copy.write_row((response_id + r, int(campaign_of[r]), patterns.answers_json[p],
                                *patterns.profile[p], "en", day_list[days[r]],
                                patterns.index[p], patterns.scores_json[p]))
        with cur.copy("COPY response_scores (id, response_id, campaign_id, dimension, score) "
                      "FROM STDIN") as copy:
            sid = score_id
            for r in range(responses):
                rid, cid = response_id + r, int(campaign_of[r])
                for dimension, value in patterns.scores[int(drawn[r])]:
                    copy.write_row((sid, rid, cid, dimension, value))
                    sid += 1
            score_rows = sid - score_id
    conn.execute("SET session_replication_role = DEFAULT")
    set_sequences(conn)
    conn.commit()
    return {"organisations": orgs, "responses": responses, "response_scores": score_rows,
            "min_respondents": int(counts.min()), "median_respondents": float(np.median(counts)),
            "max_respondents": int(counts.max()), "seconds": time.perf_counter() - started}


def vacuum_analyze(url: str) -> float:
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def table_sizes(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname IN ('responses', 'response_scores') ORDER BY relname").fetchall()
    return dict(rows)


# --------------------------------------------------------------------------------------
# Measuring (in a fresh subprocess)
# --------------------------------------------------------------------------------------

# Memory figures come from /proc/self/status: VmRSS (now) and VmHWM (the peak RSS of this
# process's own address space). Not getrusage's ru_maxrss: Linux carries the parent's
# peak over into a child started by fork/vfork + exec, so in this subprocess ru_maxrss
# would still show the loader's peak.
def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _hwm_mb() -> float:
    return _status_mb("VmHWM")


def _reset_hwm() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) another process of this machine has used so far: the
    database server's backend, from /proc (0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(sa_url: str, repeat: int, explain: bool, pg_options: str) -> dict[str, Any]:
    """Time (a) the engine call and (b) the bare GROUP BY in this (fresh) process."""
    import tracemalloc

    from assessment.analysis import loading
    from assessment.analysis.benchmark import build_pool, summarise, values_cell
    from assessment.analysis.statistics import _dimension_keys, benchmark_pool
    from assessment.app import create_app
    from assessment.extensions import db

    config: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": sa_url}
    if pg_options:  # e.g. "-c jit=off", for both the engine's and the baseline's sessions
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": pg_options}}
    app = create_app(config)
    libpq_url = "postgresql://" + sa_url.split("://", 1)[1]
    out: dict[str, Any] = {}
    with app.app_context(), psycopg.connect(libpq_url, autocommit=True,
                                            options=pg_options) as raw:
        questionnaire = app.extensions["questionnaires"].get(*QUESTIONNAIRE)
        db.session.execute(db.text("SELECT 1"))  # open the pool's connection
        db.session.remove()
        out["hwm_setup_mb"] = _hwm_mb()  # interpreter, app, libraries
        out["rss_before_mb"] = _rss_mb()
        out["hwm_reset"] = _reset_hwm()

        backends: set[int] = set()

        def engine() -> dict[str, Any]:
            # A fresh session each time, as a web request or CLI command gets.
            db.session.remove()
            try:
                session = db.session()
                driver = session.connection().connection.driver_connection
                backends.add(driver.info.backend_pid)  # type: ignore[union-attr]
                return benchmark_pool(session, questionnaire)
            finally:
                db.session.remove()

        def baseline() -> list[tuple[Any, ...]]:
            with raw.cursor() as cur:
                cur.execute(BASELINE_SQL)
                return cur.fetchall()

        # Warm-up: the engine first, so the peak RSS right after it is that of (a) alone
        # (over the RSS of the process at rest, when VmHWM could be reset).
        result = engine()
        out["hwm_engine_mb"] = _hwm_mb()
        rows = baseline()

        # The CPU time (a) costs, this process's and its PostgreSQL backend's: on a busy
        # machine the wall time also counts waiting for a core, this does not.
        with db.engine.connect() as connection:
            backend = connection.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        cpu_a = 0.0
        times_a: list[float] = []
        times_b: list[float] = []
        for _ in range(repeat):  # interleaved, so drifts hit both alike
            cpu_started = time.process_time() + _process_cpu(backend)
            started = time.perf_counter()
            engine()
            times_a.append(time.perf_counter() - started)
            cpu_a += time.process_time() + _process_cpu(backend) - cpu_started
            started = time.perf_counter()
            baseline()
            times_b.append(time.perf_counter() - started)
        out["a"], out["b"] = times_a, times_b
        # The backend's CPU counts only if every call ran on the backend watched.
        out["cpu_a"] = cpu_a / repeat if backends == {backend} else None
        out["hwm_timed_mb"] = _hwm_mb()

        # Where (a)'s time goes: the steps of benchmark_pool, timed one by one.
        steps: dict[str, list[float]] = {}
        keys = _dimension_keys(questionnaire)
        for _ in range(repeat):
            db.session.remove()
            t0 = time.perf_counter()
            _organisations, values = loading.pool_dimension_values(db.session(),
                                                                   questionnaire.key)
            t1 = time.perf_counter()
            for key in keys:
                values_cell(values.get(key, ()))
            t2 = time.perf_counter()
            db.session.remove()
            for name, seconds in (("pool_dimension_values (SQL)", t1 - t0),
                                  ("quantiles (numpy)", t2 - t1)):
                steps.setdefault(name, []).append(seconds)
        out["steps"] = {name: statistics.median(s) for name, s in steps.items()}

        # (c) once: the benchmark as it was computed before the summaries, from every
        # score row (AVG per campaign and dimension, a member per organisation).
        db.session.remove()
        started = time.perf_counter()
        row_pool = build_pool(loading.pool_campaigns(db.session(), questionnaire.key),
                              loading.dimension_means(db.session()),
                              loading.response_counts(db.session()))
        from_rows = summarise(row_pool, keys)
        out["c"] = time.perf_counter() - started
        db.session.remove()
        out["same_as_rows"] = all(
            from_rows[k].get(f) == result["dimensions"][k].get(f) or abs(
                from_rows[k][f] - result["dimensions"][k][f]) <= 1e-9
            for k in keys for f in ("n", "median", "top25", "top10"))

        # Python-heap peak of one engine call (tracemalloc slows it, so not timed).
        tracemalloc.start()
        engine()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["tracemalloc_peak_mb"] = peak / 2**20
        # tracemalloc's own bookkeeping adds to the RSS: not part of the verdict.
        out["hwm_end_mb"] = _hwm_mb()

        # Sanity: the engine and the baseline read the same rows.
        out["organisations"] = result["organisations"]
        out["baseline_rows"] = len(rows)
        index_means = [float(mean) for _cid, dim, mean, _n in rows if dim == "index"]
        out["index_median_engine"] = result["dimensions"]["index"]["median"]
        out["index_median_baseline"] = float(np.median(index_means)) if index_means else None

        if explain:
            plans = {}
            from sqlalchemy import event

            # The statements benchmark_pool sends, as sent, with their parameters.
            sent: list[tuple[str, Any]] = []

            def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any,
                     _context: Any, _many: bool) -> None:
                sent.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", keep)
            engine()
            event.remove(db.engine, "before_cursor_execute", keep)
            with db.engine.connect() as connection:
                for number, (statement, parameters) in enumerate(sent, 1):
                    plan = connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plans[f"benchmark_pool, statement {number}"] = "\n".join(
                        r[0] for r in plan)
            with raw.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + BASELINE_SQL)
                plans["bare GROUP BY"] = "\n".join(r[0] for r in cur.fetchall())
            out["plans"] = plans
        db.session.remove()
        db.engine.dispose()
    return out


def run_measurement(sa_url: str, repeat: int, explain: bool, pg_options: str
                    ) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", sa_url,
               "--repeat", str(repeat), "--pg-options", pg_options]
    command += ["--explain"] if explain else []
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measuring failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def describe(label: str, load_info: dict[str, Any], m: dict[str, Any]) -> None:
    a_best, a_med = min(m["a"]), statistics.median(m["a"])
    b_best, b_med = min(m["b"]), statistics.median(m["b"])
    print(f"\n== {label}: {load_info['organisations_total']:,} organisations, "
          f"{load_info['responses_total']:,} responses, "
          f"{load_info['scores_total']:,} response_scores rows")
    if "min_respondents" in load_info:
        print(f"   respondents per organisation (this load): min {load_info['min_respondents']}, "
              f"median {load_info['median_respondents']:.0f}, "
              f"max {load_info['max_respondents']}")
    print(f"   assessment db rebuild-summaries (every campaign)   "
          f"{load_info['rebuild_seconds']:.1f} s")
    print(f"   (a) benchmark_pool from summaries  best {a_best * 1000:8.1f} ms   "
          f"median {a_med * 1000:8.1f} ms   runs {', '.join(f'{t * 1000:.1f}' for t in m['a'])}")
    print(f"   (b) bare SQL GROUP BY (reference)  best {b_best * 1000:8.1f} ms   "
          f"median {b_med * 1000:8.1f} ms   runs {', '.join(f'{t * 1000:.1f}' for t in m['b'])}")
    print(f"   b/a                                best {b_best / a_best:8.1f}x     "
          f"median {b_med / a_med:8.1f}x")
    if m["cpu_a"] is not None:
        print(f"   (a) CPU time per call (this process + its PostgreSQL backend, mean): "
              f"{m['cpu_a'] * 1000:.1f} ms (what (a) takes on an idle core; /proc, 10 ms "
              "ticks)")
    print(f"   (c) the benchmark from every score row, as before the summaries (one run): "
          f"{m['c']:.3f} s; same figures as (a) to 1e-9: {'yes' if m['same_as_rows'] else 'NO'}")
    steps = m["steps"]
    print("   (a) step by step (median): " + ", ".join(
        f"{name} {seconds * 1000:.1f} ms" for name, seconds in steps.items()))
    reset = "" if m["hwm_reset"] else " (VmHWM could not be reset: includes start-up)"
    print(f"   memory of the measuring process (VmHWM = peak RSS): {m['hwm_setup_mb']:.0f} MB "
          f"while starting (interpreter, app, libraries; RSS at rest "
          f"{m['rss_before_mb']:.0f} MB); {m['hwm_engine_mb']:.0f} MB during the first (a)"
          f"{reset}; {m['hwm_timed_mb']:.0f} MB over all timed (a) and (b) calls")
    print(f"   Python-heap peak of one (a) call (tracemalloc): "
          f"{m['tracemalloc_peak_mb']:.1f} MB; peak RSS with tracemalloc on "
          f"{m['hwm_end_mb']:.0f} MB (its bookkeeping included)")
    same = (m["index_median_engine"] is not None and m["index_median_baseline"] is not None
            and abs(m["index_median_engine"] - m["index_median_baseline"]) < 1e-6)
    print(f"   check: pool of {m['organisations']:,} organisations; baseline rows "
          f"{m['baseline_rows']:,}; index median engine {m['index_median_engine']:.4f} vs "
          f"baseline {m['index_median_baseline']:.4f} ({'same' if same else 'DIFFERENT'})")
    for name, plan in m.get("plans", {}).items():
        print(f"\n   EXPLAIN ANALYZE {name}:")
        print("\n".join("     " + line for line in plan.splitlines()))


def result_line(figure: str, target: str, value: str, met: bool) -> None:
    """One headline figure as a machine-readable line (`make bench` collects them)."""
    print("RESULT " + json.dumps({"bench": "bench_benchmark", "figure": figure,
                                  "target": target, "value": value, "met": met}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000, help="organisations, big size")
    parser.add_argument("--responses", type=int, default=1_000_000,
                        help="responses, big size (the small size is a tenth of both)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--patterns", type=int, default=5_000,
                        help="distinct answer patterns scored and reused")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE",
                                                             "bench_benchmark"),
                        help="database to build (default $BENCH_DATABASE or bench_benchmark)")
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server, libpq URL")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a --keep run left (migrated and its "
                             "summaries rebuilt first) instead of building one; implies --keep")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) of the queries at each size")
    parser.add_argument("--pg-options", default="",
                        help='libpq options for the measured sessions, e.g. "-c jit=off"')
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the subprocess
    args = parser.parse_args(argv)

    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat, args.explain, args.pg_options)))
        return 0
    if args.database in {"test", "postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to use the database {args.database!r}")
    if args.orgs % 10 or args.responses % 10:
        raise SystemExit("--orgs and --responses must be multiples of 10 (small size = 1/10)")

    admin_url = f"{args.server}/postgres"
    url = f"{args.server}/{args.database}"
    from assessment.config import sqlalchemy_url

    sa_url = sqlalchemy_url(url)
    ident = sql.Identifier(args.database)
    keep = args.keep or args.reuse
    if not args.reuse:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    started = time.perf_counter()
    try:
        return run(args, url, sa_url)
    finally:
        if keep:
            print(f"\nkept the database {args.database} ({url})")
        else:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        print(f"whole run: {time.perf_counter() - started:.0f} s")


def rebuild_summaries(app: Any) -> float:
    """`assessment db rebuild-summaries` on the bench database (COPY bypasses the
    operations that keep the summaries); returns its seconds."""
    from assessment.extensions import db
    from assessment.operations.summaries import rebuild_summaries as rebuild

    started = time.perf_counter()
    with app.app_context():
        rebuild()
        db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - started


def database_totals(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT (SELECT count(*) FROM organisations), "
                           "(SELECT count(*) FROM responses), "
                           "(SELECT count(*) FROM response_scores)").fetchone()
    assert row is not None
    return dict(zip(("organisations_total", "responses_total", "scores_total"),
                    map(int, row), strict=True))


def run(args: argparse.Namespace, url: str, sa_url: str) -> int:
    from flask_migrate import upgrade

    from assessment.app import create_app
    from assessment.extensions import db, init_migrations

    app = create_app({"SQLALCHEMY_DATABASE_URI": sa_url})
    with app.app_context():
        init_migrations(app)
        upgrade()
        db.engine.dispose()
        questionnaire = app.extensions["questionnaires"].get(*QUESTIONNAIRE)

    results: dict[str, dict[str, Any]] = {}
    if args.reuse:
        info: dict[str, Any] = database_totals(url)
        info["rebuild_seconds"] = rebuild_summaries(app)
        log(f"[kept] rebuilt the summaries in {info['rebuild_seconds']:.1f} s")
        vacuum_analyze(url)
        results["big"] = {"load": info, "measure": run_measurement(
            sa_url, args.repeat, args.explain, args.pg_options)}
    else:
        rng = np.random.default_rng(args.seed)
        t0 = time.perf_counter()
        patterns = make_patterns(questionnaire, args.patterns, rng)
        log(f"scored {args.patterns:,} distinct answer patterns in "
            f"{time.perf_counter() - t0:.1f} s")
        small_orgs, small_responses = args.orgs // 10, args.responses // 10
        stages = [("small", 1, small_orgs, small_responses),
                  ("big", small_orgs + 1, args.orgs - small_orgs,
                   args.responses - small_responses)]
        totals = {"organisations_total": 0, "responses_total": 0, "scores_total": 0}
        with psycopg.connect(url) as conn:
            for name, first, orgs, responses in stages:
                info = load(conn, patterns, first, orgs, responses, rng)
                totals["organisations_total"] += info["organisations"]
                totals["responses_total"] += info["responses"]
                totals["scores_total"] += info["response_scores"]
                info |= totals
                log(f"[{name}] loaded {orgs:,} organisations, {responses:,} responses, "
                    f"{info['response_scores']:,} score rows in {info['seconds']:.1f} s")
                info["rebuild_seconds"] = rebuild_summaries(app)
                log(f"[{name}] rebuilt the summaries in {info['rebuild_seconds']:.1f} s")
                seconds = vacuum_analyze(url)
                log(f"[{name}] VACUUM ANALYZE {seconds:.1f} s; sizes {table_sizes(url)}")
                t0 = time.perf_counter()
                measured = run_measurement(sa_url, args.repeat, args.explain, args.pg_options)
                log(f"[{name}] measured in {time.perf_counter() - t0:.1f} s")
                results[name] = {"load": info, "measure": measured}

    print("\nBenchmark engine bench: assessment.analysis.statistics.benchmark_pool (from the "
          f"campaign summaries) on PostgreSQL, {args.repeat} timed runs of each after one "
          "warm-up, interleaved, in a fresh process per size"
          + (f"; session options {args.pg_options!r}" if args.pg_options else ""))
    print(f"(b) = {BASELINE_SQL}  (psycopg 3, fetchall)")
    for name in ("small", "big"):
        if name in results:
            describe(name if not args.reuse else "kept database", results[name]["load"],
                     results[name]["measure"])

    big = results["big"]["measure"]
    responses = results["big"]["load"]["responses_total"]
    a_big, b_big = statistics.median(big["a"]), statistics.median(big["b"])
    speedup = b_big / a_big
    peak = max(big["hwm_setup_mb"], big["hwm_timed_mb"])
    print("\n== Summary (medians; big size)")
    print(f"   time (a) benchmark from summaries   {a_big * 1000:8.1f} ms   target < "
          f"{SUMMARY_TARGET_MS:g} ms   {verdict(a_big * 1000 < SUMMARY_TARGET_MS)}")
    if big["cpu_a"] is not None:
        print(f"   CPU time (a), client + server       {big['cpu_a'] * 1000:8.1f} ms   "
              "(the time on idle cores; the verdict uses the wall time)")
    print(f"   time (b) bare SQL GROUP BY          {b_big * 1000:8.1f} ms   (the reference)")
    print(f"   ratio b/a                           {speedup:8.1f}x   target >= "
          f"{SPEEDUP_TARGET:g}x   {verdict(speedup >= SPEEDUP_TARGET)}")
    if "small" in results:
        scaling = a_big / statistics.median(results["small"]["measure"]["a"])
        print(f"   scaling (a) big/small (10x data)    {scaling:8.2f}   (no target)")
    print(f"   peak RSS of the process running (a) {peak:6.0f} MB   target < "
          f"{MEMORY_TARGET_MB:.0f} MB   {verdict(peak < MEMORY_TARGET_MB)}")
    print("     (VmHWM of the whole measuring process: interpreter, Flask app, SQLAlchemy,"
          " numpy/scipy and every timed (a) and (b) call; a fresh subprocess, so the loading"
          " is not counted; the PostgreSQL server's memory is not included)")
    result_line(f"benchmark from summaries, {responses:,} responses",
                f"< {SUMMARY_TARGET_MS:g} ms", f"{a_big * 1000:.0f} ms",
                a_big * 1000 < SUMMARY_TARGET_MS)
    if big["cpu_a"] is not None:
        result_line(f"benchmark from summaries, CPU time of client + server (its time on "
                    f"idle cores), {responses:,} responses", f"< {SUMMARY_TARGET_MS:g} ms",
                    f"{big['cpu_a'] * 1000:.0f} ms", big["cpu_a"] * 1000 < SUMMARY_TARGET_MS)
    result_line(f"speed-up over the bare GROUP BY of score rows, {responses:,} responses",
                f">= {SPEEDUP_TARGET:g}x", f"{speedup:.1f}x (GROUP BY {b_big:.2f} s)",
                speedup >= SPEEDUP_TARGET)
    result_line(f"peak RSS of the benchmark process, {responses:,} responses",
                f"< {MEMORY_TARGET_MB:.0f} MB", f"{peak:.0f} MB", peak < MEMORY_TARGET_MB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
