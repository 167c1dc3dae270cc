"""The organisation report as a PDF, rendered on the job queue, and the exports.

"Download the report" asks the queue for the report (a finished file of the same data
and language is reused) and leads to the job's page, which shows its progress: a static
script (static/workspace.js) asks the job's status every few seconds and offers the
file when it is ready; without script a "Check again" link does the same. A job or an
export of an organisation one may not open is the same 404 as one that does not exist.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import Campaign, ReportJob
from assessment.operations import OperationError
from assessment.operations.reports import (
    dispatch,
    find_job,
    report_file,
    report_status,
    request_report,
)
from assessment.web.access import campaign_or_404, not_found, signed_in
from assessment.web.downloads.forms import LANGUAGE_NAMES, ReportForm
from assessment.web.errors import ProblemPage

bp = Blueprint("downloads", __name__, url_prefix="/campaigns")
EXPORT_FORMATS = ("json", "csv", "xlsx")


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every download needs an account."""


def _language() -> str:
    return str(get_locale() or "en")


def report_form() -> ReportForm:
    """The "Download the report" form, in the reader's language by default."""
    return ReportForm().offer(list(current_app.config["LANGUAGES"]), _language())


def error_text(code: str | None) -> str:
    """A failed job's error in the reader's language."""
    known = {
        "unknown_campaign": _("The campaign no longer exists."),
        "instrument_missing": _("The campaign's questionnaire is not loaded on the server."),
        "render_failed": _("The report could not be rendered."),
        "storage_failed": _("The report could not be stored on the server."),
        "worker_stopped": _("The report was interrupted too often; ask for it again."),
    }
    return known.get(code or "", _("The report could not be made."))


@bp.post("/<int:campaign_id>/report")
def ask_report(campaign_id: int) -> ResponseReturnValue:
    """Ask for the organisation report; go to the page that follows its job."""
    campaign = campaign_or_404(campaign_id)
    form = report_form()
    if not form.validate_on_submit():
        message = next(iter(form.language.errors), _("The request could not be understood."))
        raise ProblemPage(422, _("Not possible"), str(message))
    try:
        job = request_report(campaign.id, form.language.data or "en",
                             requested_by=signed_in().id)
    except OperationError:
        raise ProblemPage(422, _("Not possible"),
                          _("The report cannot be made in that language.")) from None
    db.session.commit()
    dispatch(job)
    return redirect(url_for("downloads.job", campaign_id=campaign.id, job_id=job.id))


def _job_or_404(campaign: Campaign, job_id: str) -> ReportJob:
    job = find_job(job_id)
    if job is None or job.campaign_id != campaign.id:
        raise not_found()
    return job


@bp.get("/<int:campaign_id>/reports/<job_id>")
def job(campaign_id: int, job_id: str) -> ResponseReturnValue:
    """A report job: its progress, its error, or its file when ready."""
    campaign = campaign_or_404(campaign_id)
    found = _job_or_404(campaign, job_id)
    status = report_status(found)
    return render_template("downloads/job.html", campaign=campaign, job=status,
                           language_name=LANGUAGE_NAMES.get(found.language, found.language),
                           error=error_text(status["error_code"])
                           if status["status"] == "failed" else None,
                           form=report_form())


@bp.get("/<int:campaign_id>/reports/<job_id>/status")
def job_status(campaign_id: int, job_id: str) -> ResponseReturnValue:
    """A job's progress as JSON, for the job page's periodic check."""
    campaign = campaign_or_404(campaign_id)
    status = report_status(_job_or_404(campaign, job_id))
    return {"status": status["status"], "ready": status["ready"],
            "error": error_text(status["error_code"]) if status["status"] == "failed"
            else None}


@bp.get("/<int:campaign_id>/reports/<job_id>/file")
def job_file(campaign_id: int, job_id: str) -> ResponseReturnValue:
    """The finished PDF (409 while it is not ready)."""
    campaign = campaign_or_404(campaign_id)
    found = _job_or_404(campaign, job_id)
    return pdf_download(found, f"campaign-{campaign.id}-report-{found.language}.pdf")


def pdf_download(job: ReportJob, name: str) -> ResponseReturnValue:
    """A finished report job's PDF as a download named `name` (409 while it is not ready);
    the organisation report's page and the comparison's share it."""
    path = report_file(job)
    if path is None:
        raise ProblemPage(409, _("Not ready yet"),
                          _("The report is not ready yet. Go back to its page and wait until "
                            "it says the file is ready."))
    # Read whole (a report is a few hundred kB): no file stays open if the download stops.
    return Response(path.read_bytes(), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


@bp.get("/<int:campaign_id>/export.<fmt>")
def export(campaign_id: int, fmt: str) -> ResponseReturnValue:
    """The campaign's own data: results as JSON, responses as CSV or XLSX."""
    from assessment.io.exports import ExportRefused, export_campaign

    campaign = campaign_or_404(campaign_id)
    if fmt not in EXPORT_FORMATS:
        raise not_found()
    try:
        found = export_campaign(db.session(), registry(), campaign.id, fmt)
    except ExportRefused:
        raise ProblemPage(409, _("Not possible"),
                          _("This campaign cannot be exported yet: it has fewer responses "
                            "than its anonymity threshold, or its questionnaire is not "
                            "loaded on the server.")) from None
    return Response(found.content, mimetype=found.media_type, headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "Cache-Control": "private, no-store"})
