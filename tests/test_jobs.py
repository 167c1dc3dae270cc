"""The report job queue: enqueue -> worker -> file on a real Redis with real RQ workers
(subprocesses running `assessment worker`) and in the app's thread without Redis; a
worker killed mid-render; a finished file kept until the data change; failures shown.

Redis comes from TEST_REDIS_URL (default: database 1 of the machine's Redis). If it
cannot be reached these tests fail: the queue is part of the product, not an option.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from pypdf import PdfReader
from redis import Redis

from assessment import jobqueue
from assessment.cli.reports import report_cli
from assessment.extensions import db
from assessment.io.files import PARTIAL_PREFIX
from assessment.models import Campaign, ReportJob, utcnow
from assessment.operations import OperationError
from assessment.operations.reports import (
    MAX_ATTEMPTS,
    REQUEUE_AFTER,
    claim_job,
    dispatch,
    find_job,
    report_file,
    report_path,
    report_status,
    request_report,
    requeue_abandoned,
)
from assessment.operations.responses import submit_response
from tests.conftest import PROJECT_ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
WAIT = 120  # seconds a worker may take to start and render, on a busy machine
Answers = dict[str, Any]


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


@pytest.fixture
def redis_app(app: Flask) -> Iterator[Flask]:
    """The app with the report queue on the test Redis, in a queue of this test's own."""
    connection = Redis.from_url(REDIS_URL)
    connection.ping()  # no Redis is a failure, never a skip
    queue = f"test-reports-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=REDIS_URL, REPORT_QUEUE=queue)
    yield app
    forget_queue(connection, queue)


def forget_queue(connection: Redis, queue: str) -> None:
    """Delete what RQ keeps of a queue: its jobs, workers and registries."""
    for key in connection.scan_iter("rq:job:*"):
        if connection.type(key) == b"hash" and connection.hget(key, "origin") == queue.encode():
            job_id = key.decode().removeprefix("rq:job:")
            connection.delete(key, f"rq:executions:{job_id}", f"rq:results:{job_id}",
                              *connection.scan_iter(f"rq:execution:{job_id}:*"))
    for key in connection.scan_iter("rq:worker:*"):
        if connection.type(key) == b"hash" and connection.hget(key, "queues") == queue.encode():
            connection.srem("rq:workers", key)
            connection.delete(key, f"{key.decode()}:executions")
    connection.srem("rq:queues", f"rq:queue:{queue}")
    for key in connection.scan_iter(f"rq:*{queue}*"):
        connection.delete(key)


def worker_env(app: Flask) -> dict[str, str]:
    """What a worker process needs to serve the same database, queue and folder."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=app.config["REDIS_URL"], REPORT_QUEUE=app.config["REPORT_QUEUE"],
               REPORTS_DIR=app.config["REPORTS_DIR"],
               REPORT_LEASE_SECONDS=str(app.config["REPORT_LEASE_SECONDS"]))
    return env


WORKER = [sys.executable, "-c", "from assessment.cli import main; main()", "worker"]


def run_burst_worker(app: Flask) -> None:
    """`assessment worker --burst`: render what is queued, then quit."""
    result = subprocess.run([*WORKER, "--burst"], env=worker_env(app), cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 0, result.stdout + result.stderr


def job_now(app: Flask, job_id: str) -> dict[str, Any]:
    """The job as the database holds it now, with its worker and file."""
    with app.app_context():
        job = find_job(job_id)
        assert job is not None
        file = report_file(job)
        return {**report_status(job), "worker": job.worker, "file": file}


def wait_for(app: Flask, job_id: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        seen = job_now(app, job_id)
        if seen["status"] in statuses:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {seen['status']} after {WAIT} s")


def ask(app: Flask, campaign_id: int, language: str = "en") -> str:
    """What a view does: request, commit, dispatch; the job's id."""
    with app.app_context():
        job = request_report(campaign_id, language, requested_by=7)
        db.session.commit()
        dispatch(job)
        return job.id


def answer(app: Flask, campaign: Campaign, answers: Answers) -> None:
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        assert stored is not None
        submit_response(stored, app.extensions["questionnaires"].get("digiskills"), answers)
        db.session.commit()


def visible_files(app: Flask) -> list[Path]:
    """The files a reader of REPORTS_DIR could take for reports (not hidden partials)."""
    folder = Path(app.config["REPORTS_DIR"])
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) \
        if folder.is_dir() else []


def test_report_renders_on_redis_and_is_kept_until_the_data_change(
    redis_app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers],
) -> None:
    app = redis_app
    campaign = make_campaign(org_name="Queue Works Ltd")
    answer(app, campaign, full_answers())
    first = ask(app, campaign.id, "pl")
    assert jobqueue.rq_queue(app).count == 1
    assert job_now(app, first)["status"] == "queued"

    run_burst_worker(app)
    done = job_now(app, first)
    assert done["status"] == "done" and done["attempts"] == 1 and done["ready"]
    assert done["file"] == Path(app.config["REPORTS_DIR"]) / f"{first}-1.pdf"
    assert done["worker"].split(":")[1] != str(os.getpid())  # another process rendered it
    text = pdf_text(done["file"])
    assert "Queue Works Ltd" in text and "RAPORT" in text  # in the language asked for

    # The same data: the finished file is handed out again, nothing is queued.
    assert ask(app, campaign.id, "pl") == first
    assert jobqueue.rq_queue(app).count == 0
    # Another language is another report.
    with app.app_context():
        other = request_report(campaign.id, "en")
        assert other.id != first and other.status == "queued"
        db.session.rollback()

    # A new response changes the data: a new job renders, and replaces the old file.
    answer(app, campaign, full_answers(cap_data="nobody"))
    second = ask(app, campaign.id, "pl")
    assert second != first
    assert job_now(app, first)["ready"]  # still served until the new one is done
    run_burst_worker(app)
    renewed = job_now(app, second)
    assert renewed["status"] == "done" and renewed["ready"]
    assert not job_now(app, first)["ready"]
    assert visible_files(app) == [renewed["file"]]
    with app.app_context():
        assert db.session.get(ReportJob, second).data_version == 2  # type: ignore[union-attr]


def test_worker_killed_mid_render_leaves_a_job_that_is_taken_up_again(
    redis_app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers],
) -> None:
    app = redis_app
    app.config["REPORT_LEASE_SECONDS"] = 4
    campaign = make_campaign(org_name="Killed Worker Ltd")
    for seniority in ("staff", "manager", "staff", "manager", "senior_leader", "staff"):
        answer(app, campaign, full_answers(seniority=seniority))

    def horse_of(job_id: str) -> int:
        """The process rendering the job (RQ renders in a forked work horse)."""
        running = wait_for(app, job_id, ("running", "done", "failed"))
        assert running["status"] == "running", running
        return int(running["worker"].rsplit(":", 1)[1])

    worker = subprocess.Popen(WORKER, env=worker_env(app), cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        # The rendering process alone is killed (say, by the kernel's OOM killer): the
        # worker lives on, and once the lease runs out its own sweep queues the job again.
        first = ask(app, campaign.id, "en")
        horse = horse_of(first)
        assert horse != worker.pid
        os.kill(horse, signal.SIGKILL)
        recovered = wait_for(app, first, ("done", "failed"))
        assert recovered["status"] == "done" and recovered["attempts"] == 2, recovered

        # The machine dies mid-render: the work horse and its worker go at once.
        second = ask(app, campaign.id, "lv")
        horse = horse_of(second)
        os.kill(horse, signal.SIGKILL)
        worker.kill()
    finally:
        worker.kill()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    killed = job_now(app, second)
    assert killed["status"] == "running", output  # killed before it could finish
    assert killed["file"] is None  # and no partial file in sight:
    assert visible_files(app) == [recovered["file"]]

    time.sleep(app.config["REPORT_LEASE_SECONDS"] + 1)  # the lease runs out
    run_burst_worker(app)  # a new worker's sweep queues the job again, then renders it
    retried = job_now(app, second)
    assert retried["status"] == "done" and retried["attempts"] == 2, retried
    assert retried["file"].name == f"{second}-2.pdf"
    assert visible_files(app) == sorted([recovered["file"], retried["file"]])
    for done in (recovered, retried):  # whole, readable PDFs
        assert "Killed Worker Ltd" in pdf_text(done["file"])


def test_report_org_all_uses_the_queue(
    redis_app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    tmp_path: Path,
) -> None:
    app = redis_app
    first = make_campaign(org_name="Alpha Łódź")
    second = make_campaign(org_name="Beta")
    out = tmp_path / "all"
    worker = subprocess.Popen(WORKER, env=worker_env(app), cwd=PROJECT_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        result = runner.invoke(report_cli, ["org", "--all", "-o", str(out)])
        assert result.exit_code == 0, result.output
        expected = [out / f"{first.id}-alpha-lodz.pdf", out / f"{second.id}-beta.pdf"]
        assert result.output.split() == [str(path) for path in expected]
        assert "Alpha Łódź" in pdf_text(expected[0]) and "Beta" in pdf_text(expected[1])
        # Unchanged data: the second run copies the kept files, rendering nothing.
        for path in expected:
            path.unlink()
        again = runner.invoke(report_cli, ["org", "--all", "-o", str(out)])
        assert again.exit_code == 0, again.output
        assert sorted(out.iterdir()) == sorted(expected)
        with app.app_context():
            assert db.session.query(ReportJob).count() == 2
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_report_renders_in_a_thread_without_redis(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers],
) -> None:
    assert app.config["REDIS_URL"] is None
    campaign = make_campaign(org_name="Thread Works Ltd")
    answer(app, campaign, full_answers())
    job_id = ask(app, campaign.id)
    done = wait_for(app, job_id, ("done", "failed"))
    assert done["status"] == "done", done
    assert done["worker"].endswith(f":{os.getpid()}")  # this process rendered it
    assert "Thread Works Ltd" in pdf_text(done["file"])
    assert ask(app, campaign.id) == job_id  # kept while the data stay the same


def test_abandoned_job_is_taken_up_again_without_redis(
    app: Flask, make_campaign: Callable[..., Campaign],
) -> None:
    app.config["REPORT_LEASE_SECONDS"] = 4
    campaign = make_campaign(org_name="Restarted App Ltd")
    folder = Path(app.config["REPORTS_DIR"])
    folder.mkdir()
    # What an app process killed mid-render leaves: a job running on a silent worker and
    # a hidden temporary file.
    partial = folder / f"{PARTIAL_PREFIX}abcd1234.pdf"
    partial.write_bytes(b"%PDF-1.7 half")
    two_hours_ago = time.time() - 7200
    os.utime(partial, (two_hours_ago, two_hours_ago))
    job_id = "A" * 24
    with app.app_context():
        db.session.add(ReportJob(
            id=job_id, campaign_id=campaign.id, language="en", status="running",
            data_version=0, attempts=1, worker="gone:1",
            started_at=utcnow() - dt.timedelta(minutes=1),
            heartbeat_at=utcnow() - dt.timedelta(seconds=10)))
        db.session.commit()
    # Looking at the job is enough to start the sweep of a freshly started app.
    done = wait_for(app, job_id, ("done", "failed"))
    assert done["status"] == "done" and done["attempts"] == 2, done
    assert done["file"].name == f"{job_id}-2.pdf"
    assert not partial.exists()


def test_a_job_is_claimed_once_and_given_up_after_its_attempts(
    app: Flask, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    lease = dt.timedelta(seconds=app.config["REPORT_LEASE_SECONDS"])
    now = utcnow()

    def job(job_id: str, status: str, attempts: int, heard: dt.datetime) -> None:
        db.session.add(ReportJob(id=job_id, campaign_id=campaign.id, language="en",
                                 status=status, data_version=0, attempts=attempts,
                                 heartbeat_at=heard))

    with app.app_context():
        job("q" * 24, "queued", 0, now)
        job("exhausted" + "x" * 15, "running", MAX_ATTEMPTS, now - 2 * lease)
        job("stale" + "s" * 19, "running", 1, now - 2 * lease)
        job("alive" + "a" * 19, "running", 1, now - lease / 2)
        job("lost" + "l" * 20, "queued", 0, now - (REQUEUE_AFTER + 1) * lease)
        db.session.commit()
        assert claim_job("q" * 24, "one:1") is not None
        assert claim_job("q" * 24, "two:2") is None  # already taken
        db.session.commit()
        again = requeue_abandoned(now)
        db.session.commit()
        assert sorted(again) == sorted(["stale" + "s" * 19, "lost" + "l" * 20])
        states = {j.id[:4]: (j.status, j.attempts, j.error_code)
                  for j in db.session.query(ReportJob)}
        assert states == {
            "qqqq": ("running", 1, None), "exha": ("failed", MAX_ATTEMPTS, "worker_stopped"),
            "stal": ("queued", 1, None), "aliv": ("running", 1, None),
            "lost": ("queued", 0, None),
        }
        # A second sweep at the same moment finds nothing more to do.
        assert requeue_abandoned(now) == []
        db.session.rollback()


def test_failing_job_shows_its_error_and_is_logged(
    app: Flask, make_campaign: Callable[..., Campaign], caplog: pytest.LogCaptureFixture,
) -> None:
    campaign = make_campaign()
    with app.app_context():  # its questionnaire version was removed from the server
        stored = db.session.get(Campaign, campaign.id)
        assert stored is not None
        stored.questionnaire_version = 99
        db.session.commit()
    with caplog.at_level(logging.ERROR, logger="assessment.jobs.reports"):
        job_id = ask(app, campaign.id)
        failed = wait_for(app, job_id, ("done", "failed"))
    assert failed["status"] == "failed" and failed["error_code"] == "instrument_missing"
    assert failed["error"] == ("The campaign's questionnaire digiskills@99 is not loaded "
                               "on the server.")
    assert not failed["ready"] and failed["file"] is None
    logged = [r for r in caplog.records if job_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the full error, for the operator
    # Asking again tries again (a failed job is never handed out as the report).
    with app.app_context():
        assert request_report(campaign.id).id != job_id
        db.session.rollback()


def test_bad_requests_get_clear_errors(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    with app.app_context():
        with pytest.raises(OperationError, match="no report language 'xx'"):
            request_report(campaign.id, "xx")
        with pytest.raises(OperationError, match="no campaign with id 999999"):
            request_report(999999)
        for job_id in ("../../etc/passwd", "", "A" * 24, "A" * 300, "é" * 24):
            assert find_job(job_id) is None
        assert report_path("A" * 24, 1).parent == Path(app.config["REPORTS_DIR"])
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1 and "REDIS_URL is not set" in result.output
    app.config["REDIS_URL"] = "redis://:secret@127.0.0.1:1/0"  # nothing listens there
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1 and "cannot reach Redis at redis://:***@127.0.0.1:1/0" \
        in result.output
    assert "secret" not in result.output
