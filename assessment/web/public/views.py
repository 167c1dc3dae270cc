"""Public pages that are not part of a questionnaire: landing page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from assessment.instrument.questionnaire import translate
from assessment.instruments import registry
from assessment.models import utc_today
from assessment.operations.campaigns import demo_campaign_slug
from assessment.operations.health import database_problem
from assessment.web.benchmark import pool_overview

bp = Blueprint("public", __name__)


@bp.route("/")
def index() -> ResponseReturnValue:
    """The landing page, with the benchmark's headline findings when there is a pool."""
    overview = None
    if current_app.config["PUBLIC_BENCHMARK"]:
        try:
            overview = pool_overview()
        except KeyError:
            overview = None
    language = str(get_locale() or "en")
    labels: dict[str, str] = {}
    # Figures written as the reader's language writes them, as in the reports (the
    # formatting module loads with the figures, not when the app starts).
    from reports.formatting import Language

    if overview is not None:
        questionnaire = registry().get("digiskills")
        labels = {d.key: translate(d.label, language) for d in questionnaire.dimensions}
        labels["index"] = _("Digital maturity index")
    return render_template("public/index.html", overview=overview, labels=labels,
                           fmt=Language(language),
                           demo_slug=demo_campaign_slug(utc_today()))


@bp.route("/healthz")
def health() -> ResponseReturnValue:
    """Health probe for deployments: 200 when the database answers and takes writes,
    503 naming the part that failed otherwise."""
    problem = database_problem()
    if problem is None:
        return {"status": "ok"}
    return {"status": "unavailable", "failed": "database", "database": problem}, 503
