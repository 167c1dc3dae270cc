"""The report tasks: render one organisation or comparison report into its file, and the sweep that
takes up jobs whose worker went away. Each runs in an application context of its own
(an RQ worker's, or the app's runner thread) and commits its own work."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from assessment.extensions import db
from assessment.instruments import registry
from assessment.io.files import write_atomically
from assessment.models import Campaign
from assessment.models.report import COMPARISON_REPORT
from assessment.operations.reports import (
    ERROR_MESSAGES,
    claim_job,
    compared_campaigns,
    dispatch,
    fail_job,
    find_job,
    finish_job,
    record_heartbeat,
    remove_partial_files,
    report_path,
    requeue_abandoned,
)

log = logging.getLogger(__name__)


class JobFailed(Exception):
    """A report that cannot be rendered, with the error code the user is shown."""

    def __init__(self, code: str, message: str | None = None):
        super().__init__(message or ERROR_MESSAGES[code])
        self.code = code


def worker_name() -> str:
    """This process, as a job records who holds it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def render_report(job_id: str) -> None:
    """Render a queued job's PDF into its file and mark the job done (or failed).

    A job that is not queued (finished, failed, or held by another worker) is left alone,
    so a job queued twice is rendered once.
    """
    job = claim_job(job_id, worker_name())
    if job is None:
        db.session.rollback()
        log.info("report job %s is not waiting to be rendered: nothing to do", job_id)
        return
    attempt, campaign_id, language = job.attempts, job.campaign_id, job.language
    kind, compared = job.kind, compared_campaigns(job)
    db.session.commit()
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    path = report_path(job_id, attempt)
    try:
        with heartbeat(app, job_id, attempt):
            if kind == COMPARISON_REPORT:
                version = _render_comparison(compared, language, path)
            else:
                version = _render(campaign_id, language, path)
    except Exception as exc:
        db.session.rollback()
        code = exc.code if isinstance(exc, JobFailed) else (
            "storage_failed" if isinstance(exc, OSError) else "render_failed")
        log.exception("report job %s (%s, campaign %s, %s, attempt %s) failed: %s", job_id,
                      kind, ",".join(map(str, compared)), language, attempt, code)
        fail_job(job_id, attempt, code, str(exc) if isinstance(exc, JobFailed) else None)
        db.session.commit()
        return
    if finish_job(job_id, attempt, version):
        db.session.commit()
        log.info("report job %s done: %s", job_id, path)
    else:
        # Presumed dead and taken over meanwhile: the other attempt's file counts.
        db.session.rollback()
        path.unlink(missing_ok=True)
        log.warning("report job %s attempt %s was taken over; its file is dropped", job_id,
                    attempt)


def _render(campaign_id: int, language: str, path: Path) -> int:
    """Render the campaign's report into `path` atomically; the data version it shows."""
    from reports.documents import organisation_document
    from reports.render import ReportError

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise JobFailed("unknown_campaign")
    # Read before the figures: a response arriving meanwhile makes the file look older
    # than it is (rendered again on the next request), never newer.
    version = campaign.data_version
    ident = f"{campaign.questionnaire_key}@{campaign.questionnaire_version}"
    try:
        registry().get(campaign.questionnaire_key, campaign.questionnaire_version)
    except KeyError:
        raise JobFailed("instrument_missing",
                        f"The campaign's questionnaire {ident} is not loaded on the server."
                        ) from None
    try:
        pdf = organisation_document(db.session(), registry(), campaign_id, language)
    except (ReportError, ValueError) as exc:  # the input's fault; the message says what
        raise JobFailed("render_failed", f"The report could not be rendered: {exc}") from exc
    db.session.rollback()  # the figures are read; hold no transaction while writing
    target = current_app.config["REPORTS_DIR"]
    os.makedirs(target, exist_ok=True)
    write_atomically(path, pdf)
    return version


def _render_comparison(campaign_ids: list[int], language: str, path: Path) -> int:
    """Render the comparison report of these campaigns into `path` atomically; the sum of
    their data versions when read (as the job records it)."""
    from assessment.analysis.statistics import UnknownCampaign
    from reports.documents import comparison_document
    from reports.render import ReportError

    versions = dict(db.session.execute(
        select(Campaign.id, Campaign.data_version).where(Campaign.id.in_(campaign_ids))).all())
    if len(versions) != len(campaign_ids):
        raise JobFailed("unknown_campaign")
    try:
        pdf = comparison_document(db.session(), registry(), campaign_ids, language)
    except UnknownCampaign:
        raise JobFailed("unknown_campaign") from None
    except KeyError as exc:
        raise JobFailed("instrument_missing",
                        f"A campaign's questionnaire is not loaded on the server: {exc}"
                        ) from None
    except (ReportError, ValueError) as exc:
        raise JobFailed("render_failed", f"The report could not be rendered: {exc}") from exc
    db.session.rollback()
    os.makedirs(current_app.config["REPORTS_DIR"], exist_ok=True)
    write_atomically(path, pdf)
    return sum(int(v) for v in versions.values())


@contextlib.contextmanager
def heartbeat(app: Flask, job_id: str, attempt: int) -> Iterator[None]:
    """While the block runs, tell the database every quarter lease that this attempt is
    alive (from a thread of its own: rendering is one long call)."""
    interval = app.config["REPORT_LEASE_SECONDS"] / 4
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                with app.app_context():
                    record_heartbeat(job_id, attempt)
                    db.session.commit()
            except Exception:
                log.exception("heartbeat of report job %s failed", job_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def sweep() -> None:
    """Queue again the jobs whose worker went away (or that the queue lost); clear the
    temporary files of killed workers, and the import uploads past their expiry."""
    from assessment.operations.imports import expire_uploads

    expire_uploads()
    job_ids = requeue_abandoned()
    db.session.commit()
    for job_id in job_ids:
        job = find_job(job_id)
        if job is not None:
            log.warning("report job %s queued again (attempt %s was abandoned)", job_id,
                        job.attempts)
            dispatch(job)
    remove_partial_files()
