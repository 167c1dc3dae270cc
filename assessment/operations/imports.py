"""Importing answers collected elsewhere: check a CSV or XLSX file against a campaign, and
store its responses all or nothing. The CLI (`assessment import`), the campaign pages
(upload, preview, confirm) and the queue's import tasks share these.

The pages keep an upload between its preview and its confirmation as an `ImportJob` row
and a file under REPORTS_DIR/imports/, named by the job's random id; the row binds it to
the account and the campaign, and records the file's SHA-256 digest. What a view calls:

    job = start_upload(campaign, user.id, data, filename)   # saves the file; flush only
    if not job.background:
        check_upload(job)                                    # problems or preview
    db.session.commit()                                      # else dispatch_check(job)
    ...
    job = find_upload(job_id)                                # None for a malformed id
    store_upload(job, digest) / claim_store(job, digest)     # the confirmation

Small files are checked and stored in the request; bigger ones (over IMPORT_INLINE_BYTES)
by the queue's tasks (assessment/jobs/imports.py), named by their dotted paths. Progress
(rows checked, rows stored) is written to a small file beside the upload rather than to
the database, because the store runs in one transaction that no other connection can
see into (and, on SQLite, write beside).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import delete, select, update

from assessment import jobqueue
from assessment.config import LANGUAGES
from assessment.extensions import db
from assessment.instrument.questionnaire import Questionnaire
from assessment.io.files import write_atomically
from assessment.models import Campaign, ImportJob, utc_today, utcnow
from assessment.models.imports import CHECKING, DONE, FAILED, READY, REJECTED, STORING
from assessment.operations import OperationError
from assessment.operations.responses import import_responses

if TYPE_CHECKING:  # the reader (and openpyxl) is loaded only where files are imported
    from assessment.io.importing import ImportedResponse, ImportProblem

CHECK_TASK = "assessment.jobs.imports.check_in_background"
STORE_TASK = "assessment.jobs.imports.store_in_background"
PREVIEW_ROWS = 10  # rows of a good file shown before it is stored
KEEP = dt.timedelta(hours=24)  # an upload not confirmed by then is deleted
STALLED_LEASES = 10  # leases without progress after which a background job is given up
_JOB_ID = re.compile(r"[A-Za-z0-9_-]{24}")
_KNOWN_SUFFIXES = (".csv", ".xlsx", ".xlsm")


class UploadRefused(OperationError):
    """An upload that cannot be stored; `code` says why, for the pages (and the API) to
    word: expired, digest, not_ready, file_missing, file_changed, changed (the file no
    longer gives the previewed responses), failed. A failed job's `error_code` is one of
    these or queue_unavailable, worker_stopped, instrument_missing."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def import_locales(questionnaire: Questionnaire) -> list[str]:
    """Languages an imported response may be marked with."""
    # Every language the project supports, not only those the web pages are translated
    # into yet: these answers were collected elsewhere, perhaps on paper.
    return [*LANGUAGES, *(code for code in questionnaire.languages if code not in LANGUAGES)]


def check_import(
    campaign: Campaign, questionnaire: Questionnaire, data: bytes | Path, filename: str = "",
    progress: Callable[[int], None] | None = None,
) -> list[ImportedResponse]:
    """The campaign's valid responses in a file (its bytes, or its path on disk); raises
    `ImportRejected` listing every problem (by row and column)."""
    from assessment.io.importing import CampaignWindow, read_path, read_upload

    options: dict[str, Any] = {
        "locales": import_locales(questionnaire), "today": utc_today(), "progress": progress,
        "window": CampaignWindow(campaign.opens_on, campaign.closes_on)}
    if isinstance(data, Path):
        return read_path(questionnaire, data, **options)
    return read_upload(questionnaire, data, filename, **options)


def store_import(
    campaign: Campaign, questionnaire: Questionnaire, imported: Sequence[ImportedResponse],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store checked responses with their scores and move the campaign's data version on
    (so cached figures are rebuilt); flush only. Returns the responses stored."""
    return import_responses(campaign, questionnaire, imported, progress=progress)


# Uploads from the pages: kept between preview and confirmation.


def uploads_dir() -> Path:
    """Where uploaded files wait (beside the reports, which every worker shares)."""
    return Path(current_app.config["REPORTS_DIR"]) / "imports"


def upload_path(job: ImportJob) -> Path:
    """The uploaded file of a job (its name is the job's random id, never the user's)."""
    return uploads_dir() / f"{job.id}{job.suffix}"


def progress_path(job_id: str) -> Path:
    """The small JSON file a running check or store writes its progress to."""
    return uploads_dir() / f"{job_id}.progress.json"


def digest_of(data: bytes) -> str:
    """The SHA-256 of a file, as the preview shows it and the confirmation checks it."""
    return hashlib.sha256(data).hexdigest()


def start_upload(campaign: Campaign, uploaded_by: int, data: bytes, filename: str
                 ) -> ImportJob:
    """Keep an uploaded file for checking; flush only. Big files are marked `background`
    (checked on the queue: call `dispatch_check` after the commit), small ones are
    checked by `check_upload` in the request. Raises OSError if it cannot be saved."""
    expire_uploads()
    suffix = PurePath(filename).suffix.lower()
    job = ImportJob(
        id=secrets.token_urlsafe(18), campaign_id=campaign.id, uploaded_by=uploaded_by,
        filename=_display_name(filename),
        suffix=suffix if suffix in _KNOWN_SUFFIXES else ".bin", size=len(data),
        digest=digest_of(data), status=CHECKING,
        background=len(data) > current_app.config["IMPORT_INLINE_BYTES"],
        expires_at=utcnow() + KEEP)
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(upload_path(job), data)
    db.session.add(job)
    db.session.flush()
    return job


def _display_name(filename: str) -> str:
    """The uploaded file's name as the page shows it: no folders, no control characters
    (which the database may refuse), at most 200 characters."""
    name = "".join(ch for ch in PurePath(filename.replace("\\", "/")).name if ch.isprintable())
    return name[:200] or "upload"


def find_upload(job_id: str) -> ImportJob | None:
    """The upload with this id, or None (also for an id that could not be one of ours)."""
    if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        return None
    return db.session.get(ImportJob, job_id)


def is_expired(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """Whether an upload's preview is too old to be confirmed (or looked at)."""
    return job.expires_at <= (now or utcnow())


def _read_checked(job: ImportJob) -> bytes:
    """The upload's bytes, only if they still have the digest the preview showed."""
    try:
        data = upload_path(job).read_bytes()
    except FileNotFoundError:
        raise UploadRefused("file_missing") from None
    if digest_of(data) != job.digest:
        raise UploadRefused("file_changed")
    return data


def check_upload(job: ImportJob, progress: Callable[[int], None] | None = None) -> None:
    """Check an upload: record its problems (and drop the file) or its preview; flush."""
    from assessment.io.importing import ImportRejected

    campaign, questionnaire = _campaign_of(job)
    data = _read_checked(job)
    try:
        imported = check_import(campaign, questionnaire, data, job.filename, progress)
    except ImportRejected as exc:
        job.status, job.problems = REJECTED, problem_rows(exc.problems)
        job.preview, job.responses = None, None
        upload_path(job).unlink(missing_ok=True)
    else:
        job.status, job.problems = READY, None
        job.rows = job.responses = len(imported)
        job.preview = [_preview_row(response) for response in imported[:PREVIEW_ROWS]]
    job.worker, job.updated_at = None, utcnow()
    db.session.flush()


def problem_rows(problems: Collection[ImportProblem]) -> list[list[Any]]:
    """Problems as JSON-ready [row, column, message] triples, in the reader's order."""
    return [[p.row, p.column, p.message] for p in problems]


def _preview_row(response: ImportedResponse) -> dict[str, Any]:
    return {"row": response.row, "answers": response.answers, "locale": response.locale,
            "submitted_on": response.submitted_on.isoformat() if response.submitted_on
            else None}


def _campaign_of(job: ImportJob) -> tuple[Campaign, Questionnaire]:
    from assessment.instruments import questionnaire_of

    campaign = db.session.get(Campaign, job.campaign_id)
    if campaign is None:
        raise UploadRefused("failed")
    return campaign, questionnaire_of(campaign)


def claim_store(job: ImportJob, digest: str) -> None:
    """Take a previewed upload for storing (ready -> storing, one conditional UPDATE);
    flush only. Raises UploadRefused: `expired`, `not_ready` (stored already, refused or
    still being checked) or `digest` (the confirmation is not of this preview)."""
    if is_expired(job):
        raise UploadRefused("expired")
    if not secrets.compare_digest(str(digest), job.digest):
        raise UploadRefused("digest")
    claimed = db.session.execute(
        update(ImportJob).where(ImportJob.id == job.id, ImportJob.status == READY)
        .values(status=STORING, updated_at=utcnow(), worker=None)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise UploadRefused("not_ready")
    db.session.refresh(job)


def store_upload(job: ImportJob, checked: Callable[[int], None] | None = None,
                 stored: Callable[[int], None] | None = None) -> int:
    """Store a claimed upload's responses, exactly those previewed; flush only (the
    caller commits, once, with the job marked done). Raises UploadRefused when the file
    changed or no longer gives the previewed responses (e.g. the campaign closed), with
    the job marked `rejected` and its new problems recorded."""
    from assessment.io.importing import ImportRejected

    campaign, questionnaire = _campaign_of(job)
    data = _read_checked(job)
    try:
        imported = check_import(campaign, questionnaire, data, job.filename, checked)
    except ImportRejected as exc:
        _reject_changed(job, problem_rows(exc.problems))
        raise UploadRefused("changed") from None
    if len(imported) != job.responses or [_preview_row(r) for r in imported[:PREVIEW_ROWS]] \
            != job.preview:
        _reject_changed(job, [])
        raise UploadRefused("changed")
    count = store_import(campaign, questionnaire, imported, stored)
    job.status, job.preview, job.worker, job.updated_at = DONE, None, None, utcnow()
    db.session.flush()
    return count


def _reject_changed(job: ImportJob, problems: list[list[Any]]) -> None:
    job.status, job.problems, job.preview = REJECTED, problems, None
    job.error_code, job.updated_at, job.worker = "changed", utcnow(), None
    db.session.flush()


def fail_upload(job_id: str, code: str) -> None:
    """Mark an upload failed (after a rollback); nothing of it was stored. Flush only."""
    db.session.execute(
        update(ImportJob).where(ImportJob.id == job_id, ImportJob.status.in_(
            (CHECKING, READY, STORING)))
        .values(status=FAILED, error_code=code, preview=None, worker=None,
                updated_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.flush()


def finish_files(job: ImportJob) -> None:
    """Remove an upload's file and progress once it is stored, refused or failed."""
    if job.status in (DONE, REJECTED, FAILED):
        upload_path(job).unlink(missing_ok=True)
    progress_path(job.id).unlink(missing_ok=True)


def dispatch_check(job: ImportJob) -> bool:
    """Queue a background upload's check; call it after the commit that stored the job.
    False (the job marked failed and committed) when the queue cannot be reached."""
    return _dispatch(job, CHECK_TASK, "check")


def dispatch_store(job: ImportJob) -> bool:
    """Queue a claimed background upload's store; call it after the claim's commit."""
    return _dispatch(job, STORE_TASK, "store")


def _dispatch(job: ImportJob, task: str, what: str) -> bool:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if jobqueue.enqueue(app, task, job.id,
                        description=f"import {job.id}: {what}, campaign {job.campaign_id}"):
        return True
    fail_upload(job.id, "queue_unavailable")
    db.session.commit()
    finish_files(job)
    return False


def claim_background(job_id: str, status: str, worker: str) -> ImportJob | None:
    """Take a background job in `status` (checking or storing) for this worker; None if
    another worker has it or it is no longer in that state. Flush only."""
    claimed = db.session.execute(
        update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == status,
                                ImportJob.worker.is_(None))
        .values(worker=worker[:120], updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(ImportJob, job_id, populate_existing=True)


class ProgressFile:
    """Counts of rows checked and stored, written now and then to the job's progress file
    (read by the status page)."""

    def __init__(self, job_id: str):
        self.path = progress_path(job_id)
        self.counts = {"checked": 0, "stored": 0}

    def checked(self, rows: int) -> None:
        self._add("checked", rows)

    def stored(self, rows: int) -> None:
        self._add("stored", rows)

    def _add(self, key: str, rows: int) -> None:
        self.counts[key] += rows
        try:
            write_atomically(self.path, json.dumps(self.counts).encode())
        except OSError:
            pass  # progress is a courtesy: the job goes on without it


def read_progress(job_id: str) -> tuple[dict[str, int], float | None]:
    """The counts a running job last wrote, and when (a Unix time; None: none yet)."""
    path = progress_path(job_id)
    try:
        counts = json.loads(path.read_text())
        return ({"checked": int(counts.get("checked", 0)),
                 "stored": int(counts.get("stored", 0))}, path.stat().st_mtime)
    except (OSError, ValueError, AttributeError):
        return {"checked": 0, "stored": 0}, None


def upload_status(job: ImportJob) -> dict[str, Any]:
    """What the upload's page shows, JSON-ready; a background job that has stopped making
    progress for STALLED_LEASES leases is marked failed (and committed) here."""
    counts, written = read_progress(job.id)
    if job.status in (CHECKING, STORING) and job.background:
        lease = current_app.config["REPORT_LEASE_SECONDS"] * STALLED_LEASES
        heard = max(written or 0.0, job.updated_at.replace(tzinfo=dt.UTC).timestamp())
        if time.time() - heard > lease:
            fail_upload(job.id, "worker_stopped")
            db.session.commit()
            db.session.refresh(job)
            finish_files(job)
    return {
        "id": job.id, "status": job.status, "background": job.background,
        "rows": job.rows, "responses": job.responses,
        "checked": job.rows if job.status not in (CHECKING,) and job.rows is not None
        else counts["checked"],
        "stored": job.responses if job.status == DONE else counts["stored"],
        "problems": len(job.problems or []), "error_code": job.error_code,
    }


def expire_uploads(now: dt.datetime | None = None) -> int:
    """Delete uploads past their expiry, with their files; flush only."""
    now = now or utcnow()
    expired = list(db.session.scalars(select(ImportJob).where(ImportJob.expires_at <= now)))
    for job in expired:
        upload_path(job).unlink(missing_ok=True)
        progress_path(job.id).unlink(missing_ok=True)
    if expired:
        db.session.execute(delete(ImportJob).where(ImportJob.id.in_([j.id for j in expired])),
                           execution_options={"synchronize_session": False})
        db.session.flush()
    return len(expired)


def forget_uploads(campaign_ids: Collection[int]) -> int:
    """Delete campaigns' uploads and their files (before the campaigns themselves)."""
    owned = ImportJob.campaign_id.in_(list(campaign_ids))
    jobs = list(db.session.scalars(select(ImportJob).where(owned)))
    for job in jobs:
        upload_path(job).unlink(missing_ok=True)
        progress_path(job.id).unlink(missing_ok=True)
    db.session.execute(delete(ImportJob).where(owned),
                       execution_options={"synchronize_session": False})
    return len(jobs)
