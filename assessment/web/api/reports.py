"""Report jobs: ask for a report, follow its job, download the PDF.

`POST /report-jobs` takes a `kind`: the organisation report of one campaign, or the
comparison report of 2 to 20 campaigns (assessment/operations/reports.py, the same queue
and reuse of a finished file as the pages). A job is visible only to those who may open
every campaign it covers.
"""

from __future__ import annotations

from flask import Response, url_for

from assessment.extensions import db
from assessment.models import ReportJob
from assessment.operations import OperationError
from assessment.operations.reports import (
    COMPARISON_REPORT,
    compared_campaigns,
    dispatch,
    find_job,
    report_file,
    report_status,
    request_comparison,
    request_report,
)
from assessment.web.api.endpoints import api_user, campaign_or_404, endpoint
from assessment.web.api.problems import ApiError
from assessment.web.api.schemas import ReportIn, ReportJobOut

JOB_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{24}$"}


def job_out(job: ReportJob) -> ReportJobOut:
    """A job as the API shows it."""
    status = report_status(job)
    return ReportJobOut(
        id=job.id, kind="comparison" if job.kind == COMPARISON_REPORT else "organisation",
        campaign_id=job.campaign_id, campaign_ids=compared_campaigns(job),
        language=job.language,
        status=status["status"], ready=status["ready"], error_code=status["error_code"],
        error=status["error"], created_at=status["created_at"],
        finished_at=status["finished_at"],
        file=url_for("api.report_job_file", job_id=job.id) if status["ready"] else None)


def _job_or_404(job_id: str) -> ReportJob:
    """A job of a campaign the account may work on; 404 otherwise, as for a missing one."""
    job = find_job(job_id)
    if job is None:
        raise ApiError(404)
    for campaign_id in compared_campaigns(job):
        campaign_or_404(campaign_id)
    return job


@endpoint("/report-jobs", "POST", summary="Ask for a report", tag="reports", body=ReportIn,
          response=ReportJobOut, status=202, errors=(422,))
def request_report_job(body: ReportIn) -> ReportJobOut:
    """Queues the report (a finished one of the same data and language is reused at
    once: its status is then `done`). Poll GET /report-jobs/{id} until `ready`."""
    requested_by = api_user().id
    try:
        if body.campaign_ids is not None:
            campaigns = [campaign_or_404(i) for i in body.campaign_ids]
            if len({c.questionnaire_key for c in campaigns}) != 1:
                raise ApiError(422, "invalid", "Only campaigns of one questionnaire can be "
                                               "compared.")
            job = request_comparison([c.id for c in campaigns], body.language,
                                     requested_by=requested_by)
        else:
            campaign = campaign_or_404(body.campaign_id or 0)
            job = request_report(campaign.id, body.language, requested_by=requested_by)
    except OperationError as exc:
        raise ApiError(422, "invalid", str(exc).capitalize() + ".") from None
    db.session.commit()
    dispatch(job)
    return job_out(job)


@endpoint("/report-jobs/<job_id>", "GET", summary="A report job's status", tag="reports",
          response=ReportJobOut)
def report_job(job_id: str) -> ReportJobOut:
    """queued, running, done (then `ready` and `file`) or failed (`error_code`)."""
    return job_out(_job_or_404(job_id))


@endpoint("/report-jobs/<job_id>/file", "GET", summary="Download a finished report",
          tag="reports", files={"application/pdf": {"type": "string",
                                                     "contentMediaType": "application/pdf"}},
          errors=(409,))
def report_job_file(job_id: str) -> Response:
    """The PDF; 409 while the job is not done."""
    job = _job_or_404(job_id)
    path = report_file(job)
    if path is None:
        raise ApiError(409, "not_ready", "The report is not ready yet.")
    name = (f"comparison-{'-'.join(map(str, compared_campaigns(job)))}-{job.language}.pdf"
            if job.kind == COMPARISON_REPORT
            else f"campaign-{job.campaign_id}-report-{job.language}.pdf")
    return Response(path.read_bytes(), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
