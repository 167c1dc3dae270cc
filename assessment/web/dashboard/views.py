"""The dashboard of one campaign, optionally for one group of respondents."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from assessment.web.access import campaign_or_404
from assessment.web.dashboard.figures import Only, dashboard_context
from assessment.web.downloads.views import report_form
from assessment.web.errors import ProblemPage

bp = Blueprint("dashboard", __name__, url_prefix="/campaigns")


def _only() -> Only:
    """The ?group=field:value filter, or None for every respondent."""
    chosen = request.args.get("group", "")
    if not chosen:
        return None
    field, sep, value = chosen.partition(":")
    if not sep or not field or not value or len(chosen) > 100:
        raise _unavailable()
    return field, value


def _unavailable() -> ProblemPage:
    return ProblemPage(400, _("Group not available"),
                       _("This group cannot be shown on its own: it is too small, or "
                         "showing it would let a smaller group be worked out. Choose one of "
                         "the groups the dashboard offers."))


@bp.get("/<int:campaign_id>/dashboard")
@login_required
def show(campaign_id: int) -> ResponseReturnValue:
    """The campaign's figures with charts; ?group=field:value for one group only."""
    from assessment.analysis.filters import FilterUnavailable

    campaign = campaign_or_404(campaign_id)
    only = _only()
    language = str(get_locale() or "en")
    try:
        context = dashboard_context(campaign, only, language)
    except FilterUnavailable:
        raise _unavailable() from None
    if only is not None and not any(
            field["field"] == only[0] and only[1] in dict(field["values"])
            for field in context["filters"]):
        raise _unavailable()
    return render_template("dashboard/campaign.html", campaign_id=campaign.id,
                           campaign_name=campaign.name, report_form=report_form(), **context)
