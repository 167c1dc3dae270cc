"""Organisations side by side against the benchmark, and the comparison PDF on the queue.

`/portfolio/compare?org=1&org=2` (each organisation's newest campaign, by the engine's
order) or `?campaign=3&campaign=7` (2 to 20 in all) shows the comparison report's table
and small multiples from the engine's `comparison_statistics`, the same figures and
suppression as `assessment stats --campaign A --campaign B --json`. Any id of an
organisation or campaign one may not open is the 404 of one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from assessment.analysis import MAX_COMPARED, MIN_COMPARED
from assessment.cache import VersionedCache
from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import Campaign, Organisation, ReportJob
from assessment.models.report import COMPARISON_REPORT
from assessment.operations import OperationError
from assessment.operations.accounts import organisation_ids
from assessment.operations.campaigns import pool_version
from assessment.operations.reports import (
    compared_campaigns,
    dispatch,
    find_job,
    report_status,
    request_comparison,
)
from assessment.web.access import campaign_or_404, not_found, organisation_or_404, signed_in
from assessment.web.dashboard.figures import heat_class
from assessment.web.downloads.forms import LANGUAGE_NAMES
from assessment.web.downloads.views import error_text, pdf_download
from assessment.web.errors import ProblemPage
from assessment.web.portfolio.forms import ComparisonReportForm
from assessment.web.portfolio.views import bp


def _language() -> str:
    return str(get_locale() or "en")


def _cache(name: str, size: int) -> VersionedCache:
    cache: VersionedCache = current_app.extensions.setdefault(name, VersionedCache(size))
    return cache


def _newest(organisation_id: int) -> Campaign | None:
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.organisation_id == organisation_id))
    return max(campaigns, key=lambda c: (c.opens_on, c.closes_on or dt.date.max, c.id),
               default=None)


def _ids(name: str) -> list[int]:
    values = request.args.getlist(name)
    if len(values) > 10 * MAX_COMPARED or not all(v.isascii() and v.isdigit() and len(v) < 10
                                                  for v in values):
        raise _refused(_("Choose organisations or campaigns from the list."))
    return [int(v) for v in values]


def _refused(message: str) -> ProblemPage:
    return ProblemPage(400, _("Not possible"), message)


def chosen_campaigns() -> list[Campaign]:
    """The campaigns the query names (organisations stand for their newest campaign),
    each once, in the order given; 404 for any the account may not open."""
    chosen: list[Campaign] = []
    for organisation_id in _ids("org"):
        organisation = organisation_or_404(organisation_id)
        newest = _newest(organisation.id)
        if newest is None:
            raise _refused(_("%(organisation)s has no campaign yet.",
                             organisation=organisation.name))
        chosen.append(newest)
    chosen.extend(campaign_or_404(campaign_id) for campaign_id in _ids("campaign"))
    return list({c.id: c for c in chosen}.values())  # each once, first place kept


def _check(campaigns: list[Campaign]) -> None:
    if not MIN_COMPARED <= len(campaigns) <= MAX_COMPARED:
        raise _refused(_("Choose from %(low)s to %(high)s organisations or campaigns.",
                         low=MIN_COMPARED, high=MAX_COMPARED))
    if len({c.questionnaire_key for c in campaigns}) != 1:
        raise _refused(_("The chosen campaigns use different questionnaires; only "
                         "campaigns of one questionnaire can be compared."))


def _version(campaigns: list[Campaign]) -> Hashable:
    return (tuple(c.data_version for c in campaigns),
            pool_version(campaigns[0].questionnaire_key))


def comparison_figures(campaigns: list[Campaign]) -> dict[str, Any]:
    """The engine's comparison of these campaigns (cached until their data or the pool
    change)."""
    from assessment.analysis.statistics import comparison_statistics

    ids = [c.id for c in campaigns]
    return _cache("comparison_statistics", 32).get(
        ("comparison", tuple(ids)), _version(campaigns),
        lambda: comparison_statistics(db.session(), registry(), ids))


def _context(campaigns: list[Campaign], language: str) -> dict[str, Any]:
    return _cache("comparison_pages", 32).get(
        ("page", tuple(c.id for c in campaigns), language), _version(campaigns),
        lambda: _build(campaigns, language))


def _build(campaigns: list[Campaign], language: str) -> dict[str, Any]:
    from reports.comparison import comparison_context
    from reports.instrument import instrument_facts
    from reports.render import language as report_language

    data = comparison_figures(campaigns)
    key, _sep, version = data["questionnaire"].partition("@")
    facts = instrument_facts(registry().get(key, int(version)), language)
    lang = report_language(language)
    context = comparison_context(data, facts, lang)
    for line in context["table"]["body"]:
        for cell in line["cells"]:
            if cell is not None:
                cell["class"] = heat_class(cell["value"])
    context["fmt"] = lang
    context["campaign_ids"] = [c.id for c in campaigns]
    # Each row's campaign id, for the page's data attributes: the rows are the engine's
    # campaigns in rank order (the stable sort of reports.comparison.organisation_rows).
    order = sorted(range(len(data["campaigns"])), key=lambda i: (
        _index_of(data["campaigns"][i]) is None, -(_index_of(data["campaigns"][i]) or 0.0)))
    for row, i in zip(context["rows"], order, strict=True):
        row["campaign_id"] = data["campaigns"][i]["campaign"]["id"]
    return context


def _index_of(stats: dict[str, Any]) -> float | None:
    if stats["suppressed"]:
        return None
    index = stats["results"]["dimensions"]["index"]
    return None if index.get("suppressed") else index.get("mean")


def _choices() -> list[dict[str, Any]]:
    """The organisations one may compare, each with its campaigns, newest first."""
    allowed = organisation_ids(signed_in())
    query = select(Organisation).order_by(Organisation.name)
    query = (query.where(Organisation.synthetic.is_(False)) if allowed is None
             else query.where(Organisation.id.in_(allowed)))
    organisations = list(db.session.scalars(query))
    campaigns = list(db.session.scalars(select(Campaign).where(
        Campaign.organisation_id.in_([o.id for o in organisations]))))
    found = []
    for organisation in organisations:
        own = sorted((c for c in campaigns if c.organisation_id == organisation.id),
                     key=lambda c: (c.opens_on, c.closes_on or dt.date.max, c.id),
                     reverse=True)
        found.append({"organisation": organisation, "campaigns": own})
    return found


@bp.get("/compare")
def compare() -> ResponseReturnValue:
    """Pick organisations or campaigns; with 2 to 20 chosen, see them side by side."""
    campaigns = chosen_campaigns()
    context: dict[str, Any] | None = None
    form = None
    if campaigns:
        _check(campaigns)
        context = _context(campaigns, _language())
        form = ComparisonReportForm(formdata=None).offer(
            list(current_app.config["LANGUAGES"]), _language())
        form.campaigns.data = ",".join(str(c.id) for c in campaigns)
    return render_template("portfolio/compare.html", choices=_choices(),
                           chosen={c.id for c in campaigns}, comparison=context,
                           report_form=form, low=MIN_COMPARED, high=MAX_COMPARED)


@bp.post("/compare/report")
def ask_comparison() -> ResponseReturnValue:
    """Ask for the comparison PDF of the campaigns on the page; go to its job's page."""
    form = ComparisonReportForm().offer(list(current_app.config["LANGUAGES"]), _language())
    if not form.validate_on_submit():
        raise ProblemPage(422, _("Not possible"), _("The request could not be understood."))
    parts = (form.campaigns.data or "").split(",")
    if len(parts) > MAX_COMPARED or not all(p.isascii() and p.isdigit() and len(p) < 10
                                            for p in parts):
        raise ProblemPage(422, _("Not possible"), _("The request could not be understood."))
    campaigns = [campaign_or_404(int(p)) for p in parts]
    _check(campaigns)
    try:
        job = request_comparison([c.id for c in campaigns], form.language.data or "en",
                                 requested_by=signed_in().id)
    except OperationError:
        raise ProblemPage(422, _("Not possible"),
                          _("The report cannot be made in that language.")) from None
    db.session.commit()
    dispatch(job)
    return redirect(url_for("portfolio.comparison_job", job_id=job.id))


def _job_or_404(job_id: str) -> tuple[ReportJob, list[Campaign]]:
    job = find_job(job_id)
    if job is None or job.kind != COMPARISON_REPORT:
        raise not_found()
    return job, [campaign_or_404(i) for i in compared_campaigns(job)]


@bp.get("/compare/reports/<job_id>")
def comparison_job(job_id: str) -> ResponseReturnValue:
    """A comparison report job: its progress, its error, or its file when ready."""
    job, campaigns = _job_or_404(job_id)
    status = report_status(job)
    return render_template(
        "portfolio/job.html", job=status, campaigns=campaigns,
        language_name=LANGUAGE_NAMES.get(job.language, job.language),
        error=error_text(status["error_code"]) if status["status"] == "failed" else None,
        again=url_for("portfolio.compare", campaign=[c.id for c in campaigns]))


@bp.get("/compare/reports/<job_id>/status")
def comparison_job_status(job_id: str) -> ResponseReturnValue:
    """A comparison job's progress as JSON, for the job page's periodic check."""
    job, _campaigns = _job_or_404(job_id)
    status = report_status(job)
    return {"status": status["status"], "ready": status["ready"],
            "error": error_text(status["error_code"]) if status["status"] == "failed"
            else None}


@bp.get("/compare/reports/<job_id>/file")
def comparison_job_file(job_id: str) -> ResponseReturnValue:
    """The finished comparison PDF (409 while it is not ready)."""
    job, _campaigns = _job_or_404(job_id)
    return pdf_download(job, f"comparison-{job.id[:8]}-{job.language}.pdf")
