"""Organisation and comparison reports on the job queue: ask for one, follow it, fetch
its file.

What a view calls (the web layer never imports assessment.jobs: the task that renders is
named by its dotted path, which RQ stores and the thread runner imports):

    job = request_report(campaign.id, language, requested_by=user.id)
    # or: job = request_comparison([3, 7, 9], language, requested_by=user.id)
    db.session.commit()
    dispatch(job)                 # after the commit, so the worker finds the job's row
    ...
    job = find_job(job_id)        # None for an unknown or malformed id
    report_status(job)            # JSON-ready: status, error code and message, ready
    path = report_file(job)       # the finished PDF, or None

The database holds the truth about a job; the queue only carries its id. A worker claims
a queued job with one conditional UPDATE (so two workers never render the same job),
moves `heartbeat_at` on while it renders, and finishes the job only while its claim
(the attempt number) still stands. A worker that dies stops the heartbeat: after
REPORT_LEASE_SECONDS the sweep (run by every worker, and by the app's thread when there
is no Redis) puts the job back on the queue, at most MAX_ATTEMPTS times in all. A job
that the queue lost (Redis restarted) is queued again the same way. Hand-written rather
than RQ's own abandoned-job handling: that one notices a dead worker only after its
heartbeat TTL plus a maintenance interval (minutes), knows nothing of our job rows, and
does not exist for the thread runner.

Error codes of a failed job (the pages word them in the reader's language; `error`
holds a short English message): unknown_campaign, instrument_missing, render_failed,
storage_failed, worker_stopped.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update

from assessment import jobqueue
from assessment.analysis import MAX_COMPARED, MIN_COMPARED
from assessment.config import LANGUAGES
from assessment.extensions import db
from assessment.io.files import PARTIAL_PREFIX
from assessment.models import Campaign, ReportJob, utcnow
from assessment.models.report import (
    COMPARISON_REPORT,
    DONE,
    FAILED,
    ORGANISATION_REPORT,
    QUEUED,
    RUNNING,
)
from assessment.operations import OperationError

RENDER_TASK = "assessment.jobs.reports.render_report"
SWEEP_TASK = "assessment.jobs.reports.sweep"
MAX_ATTEMPTS = 3  # claims of one job, the first included, before it is given up
REQUEUE_AFTER = 10  # leases a queued job may wait before it is queued again
_JOB_ID = re.compile(r"[A-Za-z0-9_-]{24}")
ERROR_MESSAGES = {
    "unknown_campaign": "The campaign no longer exists.",
    "instrument_missing": "The campaign's questionnaire is not loaded on the server.",
    "render_failed": "The report could not be rendered.",
    "storage_failed": "The report could not be stored on the server.",
    "worker_stopped": "The report was interrupted too often (its worker stopped); "
                      "ask for it again.",
}


def request_report(campaign_id: int, language: str = "en",
                   requested_by: int | None = None) -> ReportJob:
    """The job for this campaign's organisation report in `language`; flush only.

    Returns the finished job when its file shows the campaign's current data (a new
    response or import changes `Campaign.data_version`), else the job already queued or
    running for that data, else a new queued job. The caller commits, then calls
    `dispatch(job)` (a finished job is not dispatched again).
    """
    if language not in LANGUAGES:
        raise OperationError(f"no report language '{language}' "
                             f"(choose from {', '.join(LANGUAGES)})")
    version = db.session.scalar(select(Campaign.data_version).where(Campaign.id == campaign_id))
    if version is None:
        raise OperationError(f"no campaign with id {campaign_id}")
    for job in db.session.scalars(
        select(ReportJob)
        .where(ReportJob.campaign_id == campaign_id, ReportJob.language == language,
               ReportJob.kind == ORGANISATION_REPORT,
               ReportJob.data_version == version, ReportJob.status != FAILED)
        .order_by(ReportJob.created_at.desc())
    ):
        if job.status in (QUEUED, RUNNING) or report_file(job) is not None:
            return job
    job = ReportJob(id=secrets.token_urlsafe(18), campaign_id=campaign_id, language=language,
                    kind=ORGANISATION_REPORT, status=QUEUED, data_version=version,
                    requested_by=requested_by, attempts=0, heartbeat_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def request_comparison(campaign_ids: list[int], language: str = "en",
                       requested_by: int | None = None) -> ReportJob:
    """The job for the comparison report of these campaigns (2 to 20, in this order) in
    `language`; flush only. Reused like `request_report`: a finished or waiting job of the
    same campaigns, language and versions of their data. Checking that the person asking
    may open every campaign is the caller's job."""
    if language not in LANGUAGES:
        raise OperationError(f"no report language '{language}' "
                             f"(choose from {', '.join(LANGUAGES)})")
    if not MIN_COMPARED <= len(campaign_ids) <= MAX_COMPARED:
        raise OperationError(f"compare between {MIN_COMPARED} and {MAX_COMPARED} campaigns")
    if len(set(campaign_ids)) != len(campaign_ids):
        raise OperationError("each campaign can be compared once")
    versions = dict(db.session.execute(
        select(Campaign.id, Campaign.data_version).where(Campaign.id.in_(campaign_ids))).all())
    missing = [i for i in campaign_ids if i not in versions]
    if missing:
        raise OperationError(f"no campaign with id {missing[0]}")
    compared = [[i, int(versions[i])] for i in campaign_ids]
    for job in db.session.scalars(
        select(ReportJob)
        .where(ReportJob.campaign_id == campaign_ids[0], ReportJob.language == language,
               ReportJob.kind == COMPARISON_REPORT, ReportJob.status != FAILED)
        .order_by(ReportJob.created_at.desc())
    ):
        if job.compared == compared and (
                job.status in (QUEUED, RUNNING) or report_file(job) is not None):
            return job
    job = ReportJob(id=secrets.token_urlsafe(18), campaign_id=campaign_ids[0],
                    language=language, kind=COMPARISON_REPORT, compared=compared,
                    status=QUEUED, data_version=sum(v for _i, v in compared),
                    requested_by=requested_by, attempts=0, heartbeat_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def compared_campaigns(job: ReportJob) -> list[int]:
    """The campaigns a job reports on: the comparison's, or the one campaign."""
    if job.kind == COMPARISON_REPORT and job.compared:
        return [int(pair[0]) for pair in job.compared]
    return [job.campaign_id]


def dispatch(job: ReportJob) -> bool:
    """Put a queued job on the queue; call it after the commit that stored the job.

    Does nothing for a job that is no longer queued. False when Redis cannot be reached
    (logged): the job stays queued and the sweep queues it again later.
    """
    if job.status != QUEUED:
        return True
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        _start_thread_sweep(app)
    return jobqueue.enqueue(app, RENDER_TASK, job.id,
                            description=f"report {job.id}: {job.kind}, campaign "
                                        f"{','.join(map(str, compared_campaigns(job)))}, "
                                        f"{job.language}")


def find_job(job_id: str) -> ReportJob | None:
    """The job with this id, or None (also for an id that could not be one of ours)."""
    if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        # Without Redis the app itself takes up abandoned jobs, e.g. after a restart.
        _start_thread_sweep(app)
    return db.session.get(ReportJob, job_id)


def report_file(job: ReportJob) -> Path | None:
    """The finished PDF of a job, or None while it is not done (or its file is gone)."""
    if job.status != DONE:
        return None
    path = report_path(job.id, job.attempts)
    return path if path.is_file() else None


def report_status(job: ReportJob) -> dict[str, Any]:
    """What a progress page shows of a job, JSON-ready."""
    return {
        "id": job.id, "kind": job.kind, "campaign_id": job.campaign_id,
        "campaigns": compared_campaigns(job), "language": job.language,
        "status": job.status, "attempts": job.attempts,
        "error_code": job.error_code, "error": job.error,
        "created_at": job.created_at.isoformat() + "Z",
        "finished_at": job.finished_at.isoformat() + "Z" if job.finished_at else None,
        "ready": report_file(job) is not None,
    }


def forget_reports(campaign_ids: Collection[int]) -> int:
    """Delete campaigns' report jobs and their files (before the campaigns themselves),
    comparisons that include any of them too."""
    ids = set(campaign_ids)
    jobs = list(db.session.scalars(select(ReportJob).where(ReportJob.campaign_id.in_(ids))))
    # Comparison jobs are few (a consultant asks for them by hand): read in Python.
    jobs += [job for job in db.session.scalars(
        select(ReportJob).where(ReportJob.kind == COMPARISON_REPORT,
                                ReportJob.campaign_id.not_in(ids)))
        if ids.intersection(compared_campaigns(job))]
    for job in jobs:
        report_path(job.id, job.attempts).unlink(missing_ok=True)
    if jobs:
        db.session.execute(delete(ReportJob).where(ReportJob.id.in_([j.id for j in jobs])))
    return len(jobs)


def reports_dir() -> Path:
    """The folder of the rendered PDFs (REPORTS_DIR)."""
    return Path(current_app.config["REPORTS_DIR"])


def report_path(job_id: str, attempt: int) -> Path:
    """Where one attempt of a job writes its PDF (an attempt taken over writes no other's)."""
    return reports_dir() / f"{job_id}-{attempt}.pdf"


# The worker's side: called by the task in assessment.jobs.reports.


def claim_job(job_id: str, worker: str) -> ReportJob | None:
    """Take a queued job for this worker (one conditional UPDATE); None if it is not
    queued (finished, failed, or another worker has it). Flush only."""
    now = utcnow()
    claimed = db.session.execute(
        update(ReportJob)
        .where(ReportJob.id == job_id, ReportJob.status == QUEUED)
        .values(status=RUNNING, attempts=ReportJob.attempts + 1, worker=worker[:120],
                started_at=now, heartbeat_at=now, error_code=None, error=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = db.session.get(ReportJob, job_id, populate_existing=True)
    return job


def record_heartbeat(job_id: str, attempt: int) -> bool:
    """The worker holding `attempt` of a job is alive; False if the job is no longer its."""
    return _update_own(job_id, attempt, heartbeat_at=utcnow())


def finish_job(job_id: str, attempt: int, data_version: int) -> bool:
    """Mark a job done, its file showing this data version; remove the files it replaces.
    False (nothing changed) if the job is no longer this attempt's."""
    if not _update_own(job_id, attempt, status=DONE, data_version=data_version,
                       finished_at=utcnow()):
        return False
    job = db.session.get(ReportJob, job_id, populate_existing=True)
    if job is None:  # claimed just above, in this transaction
        raise RuntimeError(f"report job {job_id} vanished")
    if job.kind != ORGANISATION_REPORT:
        return True  # a comparison's file is kept until its campaigns are deleted
    replaced = db.session.scalars(
        select(ReportJob).where(ReportJob.campaign_id == job.campaign_id,
                                ReportJob.kind == ORGANISATION_REPORT,
                                ReportJob.language == job.language, ReportJob.status == DONE,
                                ReportJob.data_version < data_version))
    for old in replaced:
        report_path(old.id, old.attempts).unlink(missing_ok=True)
    return True


def fail_job(job_id: str, attempt: int, code: str, message: str | None = None) -> bool:
    """Mark a job failed with an error code and a short message for the user."""
    return _update_own(job_id, attempt, status=FAILED, error_code=code,
                       error=(message or ERROR_MESSAGES.get(code, code))[:300],
                       finished_at=utcnow())


def requeue_abandoned(now: dt.datetime | None = None) -> list[str]:
    """Put back on the queue the running jobs whose worker has not been heard of for a
    lease (giving up after MAX_ATTEMPTS), and the queued jobs the queue may have lost;
    returns the ids to dispatch after the commit. Flush only.

    Every change is conditional on what was read, so sweeps running at once in several
    processes take up each job once.
    """
    now = now or utcnow()
    lease = dt.timedelta(seconds=current_app.config["REPORT_LEASE_SECONDS"])
    stale = now - lease
    to_dispatch = []
    abandoned = db.session.execute(
        select(ReportJob.id, ReportJob.attempts)
        .where(ReportJob.status == RUNNING, ReportJob.heartbeat_at < stale)).all()
    for job_id, attempts in abandoned:
        if attempts >= MAX_ATTEMPTS:
            _update_own(job_id, attempts, before=stale, status=FAILED,
                        error_code="worker_stopped", error=ERROR_MESSAGES["worker_stopped"],
                        finished_at=now)
        elif _update_own(job_id, attempts, before=stale, status=QUEUED, worker=None,
                         heartbeat_at=now):
            to_dispatch.append(job_id)
    waiting = db.session.scalars(
        select(ReportJob.id)
        .where(ReportJob.status == QUEUED, ReportJob.heartbeat_at < now - REQUEUE_AFTER * lease)
    ).all()
    for job_id in waiting:
        touched = db.session.execute(
            update(ReportJob)
            .where(ReportJob.id == job_id, ReportJob.status == QUEUED,
                   ReportJob.heartbeat_at < now - REQUEUE_AFTER * lease)
            .values(heartbeat_at=now).execution_options(synchronize_session=False))
        if touched.rowcount == 1:  # type: ignore[attr-defined]
            to_dispatch.append(job_id)
    db.session.flush()
    return to_dispatch


def remove_partial_files(older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Delete temporary files that a killed worker left behind (never a finished PDF)."""
    folder = reports_dir()
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in folder.glob(f"{PARTIAL_PREFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another sweep was quicker
    return removed


def _update_own(job_id: str, attempt: int, before: dt.datetime | None = None,
                **values: Any) -> bool:
    """Change a running job only while `attempt` still holds it (and, with `before`, only
    if it has not been heard of since)."""
    query = update(ReportJob).where(ReportJob.id == job_id, ReportJob.status == RUNNING,
                                    ReportJob.attempts == attempt)
    if before is not None:
        query = query.where(ReportJob.heartbeat_at < before)
    changed = db.session.execute(query.values(**values)
                                 .execution_options(synchronize_session=False))
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


def _start_thread_sweep(app: Any) -> None:
    """Without Redis: make sure this process's runner thread sweeps now and then."""
    seconds = max(1.0, app.config["REPORT_LEASE_SECONDS"] / 2)
    jobqueue.thread_runner(app).every(seconds, SWEEP_TASK)
