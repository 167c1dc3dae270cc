"""Import answers from the browser: upload a CSV or XLSX file for a campaign, see every
problem by row and column (or the responses it would store, with its first rows), then
confirm to store them, all or nothing.

The upload waits on the server (operations.imports) under a random id bound to the
account and the campaign: anyone else, and any other campaign, gets the 404 page. The
confirmation names the file's digest, so it stores exactly the previewed file. Big files
are checked and stored on the job queue; their page shows the rows checked and stored,
refreshed by static/workspace.js (without script, "Check again").
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required

from assessment.extensions import db
from assessment.instrument.questionnaire import Item, Questionnaire, translate
from assessment.instruments import questionnaire_of
from assessment.models import Campaign, ImportJob
from assessment.operations.imports import (
    UploadRefused,
    check_upload,
    claim_store,
    dispatch_check,
    dispatch_store,
    fail_upload,
    find_upload,
    finish_files,
    is_expired,
    start_upload,
    store_upload,
    upload_status,
)
from assessment.web.access import campaign_or_404, not_found, signed_in
from assessment.web.errors import ProblemPage
from assessment.web.imports.forms import ConfirmForm, UploadForm

bp = Blueprint("imports", __name__, url_prefix="/campaigns")
PROBLEMS_PER_PAGE = 100
TEMPLATE_FORMATS = {"csv": "text/csv",
                    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every import page needs an account."""


def _language() -> str:
    return str(get_locale() or "en")


def upload_form() -> UploadForm:
    """The "Import answers" form of the campaign page."""
    return UploadForm()


@bp.get("/<int:campaign_id>/import-template.<fmt>")
def template(campaign_id: int, fmt: str) -> ResponseReturnValue:
    """An empty import file for the campaign's questionnaire (as `import-template`)."""
    from assessment.io.templates import csv_template, xlsx_template

    campaign = campaign_or_404(campaign_id)
    if fmt not in TEMPLATE_FORMATS:
        raise not_found()
    questionnaire = questionnaire_of(campaign)
    content = csv_template(questionnaire) if fmt == "csv" else xlsx_template(questionnaire)
    return Response(content, mimetype=TEMPLATE_FORMATS[fmt], headers={
        "Content-Disposition":
            f'attachment; filename="campaign-{campaign.id}-import-template.{fmt}"',
        "Cache-Control": "private, no-store"})


@bp.post("/<int:campaign_id>/imports")
def upload(campaign_id: int) -> ResponseReturnValue:
    """Keep an uploaded file and check it (big files on the queue); show its page."""
    campaign = campaign_or_404(campaign_id)
    questionnaire_of(campaign)  # a campaign whose questionnaire is missing: the 503 page
    form = upload_form()
    if not form.validate_on_submit():
        message = next(iter(form.file.errors), _("The request could not be understood."))
        raise ProblemPage(422, _("Not possible"), str(message))
    data = form.file.data.read()
    try:
        job = start_upload(campaign, signed_in().id, data, form.file.data.filename or "")
    except OSError:
        raise ProblemPage(503, _("Temporarily unavailable"),
                          _("The file could not be kept on the server. Please try again "
                            "later.")) from None
    if job.background:
        db.session.commit()
        dispatch_check(job)
    else:
        check_upload(job)
        db.session.commit()
        finish_files(job)
    return redirect(url_for("imports.job", campaign_id=campaign.id, job_id=job.id))


def _upload_or_404(campaign: Campaign, job_id: str) -> ImportJob:
    """The signed-in account's own upload for this campaign (404 otherwise; 410 when too
    old to be confirmed)."""
    job = find_upload(job_id)
    if job is None or job.campaign_id != campaign.id or job.uploaded_by != signed_in().id:
        raise not_found()
    if is_expired(job):
        raise ProblemPage(410, _("The preview has expired"),
                          _("Files wait at most a day to be confirmed. Upload the file again "
                            "from the campaign's page."))
    return job


@bp.get("/<int:campaign_id>/imports/<job_id>")
def job(campaign_id: int, job_id: str) -> ResponseReturnValue:
    """An upload: being checked, its problems, its preview and confirmation, or stored."""
    campaign = campaign_or_404(campaign_id)
    found = _upload_or_404(campaign, job_id)
    status = upload_status(found)
    problems = found.problems or []
    pages = max(1, math.ceil(len(problems) / PROBLEMS_PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    shown = problems[(page - 1) * PROBLEMS_PER_PAGE:page * PROBLEMS_PER_PAGE]
    questionnaire = questionnaire_of(campaign)
    return render_template(
        "imports/job.html", campaign=campaign, job=found, status=status,
        figures=_figures(status),
        problems=shown, problem_page=page, problem_pages=pages,
        first_problem=(page - 1) * PROBLEMS_PER_PAGE + 1,
        preview=_preview(questionnaire, found.preview or []),
        error=_error_text(found.error_code), upload=upload_form(),
        confirm=ConfirmForm(digest=found.digest))


@bp.get("/<int:campaign_id>/imports/<job_id>/status")
def job_status(campaign_id: int, job_id: str) -> ResponseReturnValue:
    """An upload's progress as JSON, for its page's periodic check."""
    campaign = campaign_or_404(campaign_id)
    status = upload_status(_upload_or_404(campaign, job_id))
    return {key: status[key] for key in ("status", "checked", "stored", "rows", "responses")
            } | {f"{key}_text": text for key, text in _figures(status).items()}


def _figures(status: dict[str, Any]) -> dict[str, str]:
    """The counts as the reader's language writes numbers (20,000; 20 000; 20 000)."""
    return {key: format_decimal(status[key] or 0)
            for key in ("checked", "stored", "responses", "problems")}


@bp.post("/<int:campaign_id>/imports/<job_id>/confirm")
def confirm(campaign_id: int, job_id: str) -> ResponseReturnValue:
    """Store the previewed file's responses, all or nothing."""
    campaign = campaign_or_404(campaign_id)
    found = _upload_or_404(campaign, job_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise ProblemPage(422, _("Not possible"), _("The request could not be understood."))
    try:
        claim_store(found, form.digest.data or "")
    except UploadRefused as exc:
        db.session.rollback()
        raise _refusal(exc.code) from None
    if found.background:
        db.session.commit()
        dispatch_store(found)
        return redirect(url_for("imports.job", campaign_id=campaign.id, job_id=found.id))
    try:
        count = store_upload(found)
    except UploadRefused as exc:
        if exc.code != "changed":
            db.session.rollback()
            fail_upload(found.id, exc.code)
            db.session.commit()
            finish_files(found)
            raise _refusal(exc.code) from None
        db.session.commit()  # the upload, refused with the file's new problems
        finish_files(found)
        flash(_("The file no longer gives the responses its preview showed; nothing was "
                "stored."), "error")
        return redirect(url_for("imports.job", campaign_id=campaign.id, job_id=found.id))
    db.session.commit()
    finish_files(found)
    flash(ngettext("%(num)s response imported.", "%(num)s responses imported.", count), "info")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


def _refusal(code: str) -> ProblemPage:
    """Why a confirmation is refused, as a 4xx page in the reader's language."""
    if code == "expired":
        return ProblemPage(410, _("The preview has expired"),
                           _("Files wait at most a day to be confirmed. Upload the file "
                             "again from the campaign's page."))
    if code == "digest":
        return ProblemPage(409, _("Not the previewed file"),
                           _("This confirmation does not belong to the file that was "
                             "previewed. Nothing was stored; open the preview again."))
    if code == "not_ready":
        return ProblemPage(409, _("Nothing to confirm"),
                           _("This file has already been stored, was refused, or is still "
                             "being checked. Nothing more was stored."))
    return ProblemPage(409, _("Not possible"), _error_text(code) or "")


def _error_text(code: str | None) -> str | None:
    """A failed upload's error in the reader's language."""
    if code is None:
        return None
    known = {
        "file_missing": _("The uploaded file is no longer on the server; upload it again."),
        "file_changed": _("The uploaded file changed on the server after it was checked; "
                          "nothing was stored. Upload it again."),
        "changed": _("The file no longer gives the responses its preview showed (for "
                     "example, the campaign closed meanwhile); nothing was stored."),
        "queue_unavailable": _("The job queue cannot be reached; upload the file again "
                               "later."),
        "worker_stopped": _("The import was interrupted; nothing was stored. Upload the file "
                            "again."),
        "instrument_missing": _("The campaign's questionnaire is not loaded on the server."),
    }
    return known.get(code, _("The import failed; nothing was stored."))


def _preview(questionnaire: Questionnaire, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The previewed rows with every answer as its label in the reader's language."""
    language = _language()
    items = questionnaire.profile_items() + [
        item for item in questionnaire.items() if not item.profile]
    return {
        "columns": [{"key": item.key, "text": translate(item.text, language)}
                    for item in items],
        "rows": [{"row": row["row"], "locale": row["locale"],
                  "submitted_on": row["submitted_on"],
                  "cells": [_label(questionnaire, item, row["answers"].get(item.key),
                                   language) for item in items]}
                 for row in rows],
    }


def _label(questionnaire: Questionnaire, item: Item, answer: Any, language: str) -> str:
    scale = questionnaire.scales[item.scale]
    codes = answer if isinstance(answer, list) else [] if answer is None else [answer]
    labels = []
    for code in codes:
        option = scale.option(code)
        labels.append(translate(option.label, language) if option else str(code))
    return "; ".join(labels) if labels else "–"

