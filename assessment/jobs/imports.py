"""The import tasks: check a big uploaded file, and store it once the user confirmed its
preview. Each runs in an application context of its own (an RQ worker's, or the app's
runner thread) and commits its own work; the store is one transaction, so a failure or
a killed worker stores nothing."""

from __future__ import annotations

import logging

from assessment.extensions import db
from assessment.instruments import InstrumentMissing
from assessment.jobs.reports import worker_name
from assessment.models.imports import CHECKING, STORING, ImportJob
from assessment.operations.imports import (
    ProgressFile,
    UploadRefused,
    check_upload,
    claim_background,
    fail_upload,
    find_upload,
    finish_files,
    store_upload,
)

log = logging.getLogger(__name__)


def _claim(job_id: str, status: str, doing: str) -> ImportJob | None:
    """Take up a job waiting in `status` for this worker (committed), or None when it is
    not waiting (done, failed, or held by another worker): then there is nothing to do."""
    job = claim_background(job_id, status, worker_name())
    if job is None:
        db.session.rollback()
        log.info("import %s is not waiting to be %s: nothing to do", job_id, doing)
        return None
    db.session.commit()
    return job


def check_in_background(job_id: str) -> None:
    """Check an uploaded file, writing the rows checked to its progress file."""
    job = _claim(job_id, CHECKING, "checked")
    if job is None:
        return
    try:
        check_upload(job, ProgressFile(job_id).checked)
    except Exception as exc:
        _failed(job_id, exc)
        return
    db.session.commit()
    finish_files(job)
    log.info("import %s checked: %s", job_id, job.status)


def store_in_background(job_id: str) -> None:
    """Store a confirmed upload in one transaction (the job marked done in the same)."""
    job = _claim(job_id, STORING, "stored")
    if job is None:
        return
    progress = ProgressFile(job_id)
    try:
        count = store_upload(job, progress.checked, progress.stored)
    except UploadRefused as exc:
        if exc.code != "changed":
            _failed(job_id, exc)
            return
        db.session.commit()  # the job, refused with the file's new problems
    except Exception as exc:
        _failed(job_id, exc)
        return
    else:
        db.session.commit()
        log.info("import %s stored %s responses into campaign %s", job_id, count,
                 job.campaign_id)
    finish_files(job)


def _failed(job_id: str, exc: Exception) -> None:
    db.session.rollback()
    code = exc.code if isinstance(exc, UploadRefused) else (
        "instrument_missing" if isinstance(exc, InstrumentMissing) else "failed")
    # The class only: messages of database errors can quote the answers being stored.
    log.error("import %s failed: %s (%s)", job_id, code, type(exc).__name__)
    fail_upload(job_id, code)
    db.session.commit()
    job = find_upload(job_id)
    if job is not None:
        finish_files(job)
