"""`assessment report ...`: the PDF reports from the command line.

The `reports` package (matplotlib, WeasyPrint) is imported inside the commands, so other
commands do not pay for it. `report org --all` renders in worker processes started with
'spawn': each worker builds its own app and database engine, so no connection or
matplotlib state is shared across processes. When REDIS_URL is set it queues the reports
for the job queue's workers (`assessment worker`) instead, like the web pages do.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from assessment.analysis import MAX_COMPARED, MIN_COMPARED
from assessment.cli.common import check_output_file, progress
from assessment.config import LANGUAGES
from assessment.extensions import db
from assessment.io.files import write_atomically
from assessment.operations import OperationError

report_cli = AppGroup("report", help="PDF benchmark reports.")
# Latin letters that NFKD does not split into a base letter and an accent.
_ASCII = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"})
# What a worker needs to build the same app as the parent: database and instruments.
_WORKER_SETTINGS = ("SQLALCHEMY_DATABASE_URI", "QUESTIONNAIRE_DIRS")
_worker_app: Flask | None = None
QUEUE_POLL = 0.5  # seconds between looks at the queued reports
QUEUE_HINT_AFTER = 60  # seconds without a running report before asking for a worker
# --lang: the report's language (questionnaire labels and every text of the report).
language_option = click.option(
    "--lang", "language", default="en", show_default=True,
    type=click.Choice(LANGUAGES), help="The language of the report.")


def slugify(name: str) -> str:
    """An ASCII file-name part from an organisation name ('organisation' if none is left)."""
    plain = unicodedata.normalize("NFKD", name.translate(_ASCII))
    ascii_name = plain.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:60].rstrip("-")
    return slug or "organisation"


def _report_errors() -> tuple[type[Exception], ...]:
    """The errors a report can end with that are the input's fault, not the program's."""
    from assessment.analysis.statistics import UnknownCampaign
    from reports.render import ReportError

    return UnknownCampaign, ReportError, ValueError


def _render(document: Callable[..., bytes], subject: Any, language: str) -> bytes:
    """One report document as PDF bytes, or a clear CLI error."""
    try:
        return document(db.session(), current_app.extensions["questionnaires"], subject,
                        language)
    except _report_errors() as exc:
        raise click.ClickException(str(exc)) from None


def write_file(path: Path, content: bytes) -> None:
    """Write the PDF atomically, or stop with a clear error."""
    try:
        write_atomically(path, content)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


@report_cli.command("org")
@click.option("--campaign", "campaign_id", type=int, help="The campaign to report on.")
@click.option("--all", "every_organisation", is_flag=True,
              help="Every organisation's newest campaign; -o is then a folder.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="The PDF file (with --all: the folder for the PDFs).")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="With --all: how many processes render at once.")
@language_option
def org_report(campaign_id: int | None, every_organisation: bool, output: Path,
               jobs: int, language: str) -> None:
    """The organisation report for HR / L&D."""
    if (campaign_id is None) == (not every_organisation):
        raise click.UsageError("give --campaign ID or --all")
    if every_organisation:
        _render_every_organisation(output, jobs, language)
        return
    from reports.documents import organisation_document

    check_output_file(output)
    write_file(output, _render(organisation_document, campaign_id, language))
    click.echo(f"{output}")


@report_cli.command("study")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@click.option("--questionnaire", "questionnaire_key", default="digiskills", show_default=True,
              help="The instrument whose pool is reported.")
@language_option
def study_report(output: Path, questionnaire_key: str, language: str) -> None:
    """The study report over the whole benchmark pool."""
    from reports.documents import study_document

    check_output_file(output)
    try:
        pdf = _render(study_document, questionnaire_key, language)
    except KeyError:
        raise click.ClickException(f"no questionnaire '{questionnaire_key}'") from None
    write_file(output, pdf)
    click.echo(f"{output}")


@report_cli.command("compare")
@click.option("--campaign", "campaign_ids", multiple=True, type=int,
              help=f"A campaign; give {MIN_COMPARED} to {MAX_COMPARED}.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
@language_option
def compare_report(campaign_ids: tuple[int, ...], output: Path, language: str) -> None:
    """Organisations side by side against the benchmark, for consultants."""
    if not MIN_COMPARED <= len(campaign_ids) <= MAX_COMPARED:
        raise click.UsageError(f"give --campaign {MIN_COMPARED} to {MAX_COMPARED} times "
                               f"(got {len(campaign_ids)})")
    from reports.documents import comparison_document

    check_output_file(output)
    write_file(output, _render(comparison_document, list(campaign_ids), language))
    click.echo(f"{output}")


@dataclass(frozen=True)
class Job:
    """One organisation report to render into a file."""

    campaign_id: int
    organisation: str
    path: str
    language: str = "en"


@dataclass(frozen=True)
class Outcome:
    """What rendering one report gave: the file, or the reason it failed."""

    job: Job
    error: str | None = None


def _render_every_organisation(folder: Path, jobs: int, language: str) -> None:
    from reports.documents import newest_campaigns

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot create {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise click.ClickException(f"cannot write into {folder}")
    work = [Job(ref.campaign_id, ref.organisation,
                str(folder / f"{ref.campaign_id}-{slugify(ref.organisation)}.pdf"), language)
            for ref in newest_campaigns(db.session())]
    if not work:
        raise click.ClickException("there are no campaigns to report on")
    if current_app.config.get("REDIS_URL"):
        if jobs != 1:
            click.echo("--jobs is ignored: the queue's workers render the reports", err=True)
        outcomes: Iterable[Outcome] = _run_on_queue(work)
    else:
        settings = {key: current_app.config[key] for key in _WORKER_SETTINGS}
        outcomes = _run(work, jobs, settings)
    failed = 0
    with progress(len(work), "rendering reports") as advance:
        for outcome in outcomes:
            advance(1)
            if outcome.error:
                failed += 1
                click.echo(f"failed: campaign {outcome.job.campaign_id} "
                           f"({outcome.job.organisation}): {outcome.error}", err=True)
            else:
                click.echo(outcome.job.path)
    if failed:
        raise click.ClickException(f"{failed} of {len(work)} reports failed")


def _run(work: Sequence[Job], jobs: int, settings: Mapping[str, Any]) -> Iterator[Outcome]:
    """Render the jobs here (one job) or in a pool of fresh processes, in the given order."""
    if jobs == 1 or len(work) == 1:
        for job in work:
            yield _render_job(job)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=context,
                             initializer=_start_worker, initargs=(dict(settings),)) as pool:
        yield from pool.map(_render_in_worker, work)


def _run_on_queue(work: Sequence[Job]) -> Iterator[Outcome]:
    """Queue every report for the workers (`assessment worker`) and wait for them, copying
    each finished PDF into its file; yields in the given order, each as soon as it and
    those before it are finished. A report whose data have not changed since it was last
    rendered is not rendered again."""
    from assessment.operations.reports import dispatch, find_job, request_report

    try:
        job_ids = [request_report(job.campaign_id, job.language).id for job in work]
    except OperationError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    for job_id in job_ids:
        queued = find_job(job_id)
        if queued is not None and not dispatch(queued):
            raise click.ClickException("cannot reach Redis to queue the reports (see the log)")
    outcomes: dict[int, Outcome] = {}
    last_moved, hinted = time.monotonic(), False
    for index in range(len(work)):
        while index not in outcomes:
            db.session.rollback()  # a new transaction sees what the workers committed
            for later in range(index, len(work)):
                if later not in outcomes:
                    seen = _queued_outcome(work[later], job_ids[later])
                    if seen is not None:
                        outcomes[later] = seen
                        last_moved = time.monotonic()
            if index in outcomes:
                break
            if not hinted and time.monotonic() - last_moved > QUEUE_HINT_AFTER:
                click.echo("no report finished for a minute: is `assessment worker` running?",
                           err=True)
                hinted = True
            time.sleep(QUEUE_POLL)
        yield outcomes.pop(index)


def _queued_outcome(job: Job, job_id: str) -> Outcome | None:
    """What became of a queued report: None while it is queued or running."""
    from assessment.operations.reports import find_job, report_file
    found = find_job(job_id)
    if found is None:
        return Outcome(job, "the report job was deleted")
    if found.status == "failed":
        return Outcome(job, found.error or "failed")
    if found.status != "done":
        return None
    rendered = report_file(found)
    if rendered is None:
        return Outcome(job, "the rendered file is missing from REPORTS_DIR")
    try:
        write_atomically(Path(job.path), rendered.read_bytes())
    except OSError as exc:
        return Outcome(job, f"cannot write {job.path}: {exc.strerror or exc}")
    return Outcome(job)


def _render_job(job: Job) -> Outcome:
    """Render one organisation report into its file (in the current app context)."""
    from reports.documents import organisation_document
    failures: tuple[type[Exception], ...] = (*_report_errors(), OSError)
    try:
        pdf = organisation_document(db.session(), current_app.extensions["questionnaires"],
                                    job.campaign_id, job.language)
        write_atomically(Path(job.path), pdf)
    except failures as exc:
        return Outcome(job, str(exc))
    return Outcome(job)


def _start_worker(settings: dict[str, Any]) -> None:
    """Worker start-up: its own app, hence its own database engine and connections."""
    global _worker_app
    from assessment.app import create_app

    _worker_app = create_app(settings)


def _render_in_worker(job: Job) -> Outcome:
    if _worker_app is None:
        raise RuntimeError("worker not started")
    with _worker_app.app_context():
        return _render_job(job)
