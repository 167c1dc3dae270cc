"""Public pages that are not part of a questionnaire: landing page and benchmark overview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from assessment import operations
from assessment.analysis.statistics import benchmark_pool, pool_headlines
from assessment.cache import TimedCache
from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import utc_today
from assessment.questionnaire import translate

bp = Blueprint("web", __name__)


def _cache() -> TimedCache:
    cache: TimedCache = current_app.extensions.setdefault("pool_cache", TimedCache(ttl=300))
    return cache


def pool_overview(questionnaire_key: str = "digiskills") -> dict[str, Any]:
    """The pool's headline figures, cached for a few minutes."""
    return _cache().get(
        ("overview", questionnaire_key),
        lambda: pool_headlines(db.session(), registry(), questionnaire_key),
    )


def pool_medians(questionnaire_key: str) -> dict[str, Any]:
    """Benchmark median, top 25% and top 10% per dimension, cached."""
    questionnaire = registry().get(questionnaire_key)
    return _cache().get(
        ("medians", questionnaire_key),
        lambda: benchmark_pool(db.session(), questionnaire),
    )


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
    if overview is not None:
        questionnaire = registry().get("digiskills")
        labels = {d.key: translate(d.label, language) for d in questionnaire.dimensions}
        labels["index"] = "Digital maturity index"
    demo_slug = operations.demo_campaign_slug(utc_today())
    return render_template("web/index.html", overview=overview, labels=labels,
                           demo_slug=demo_slug)


@bp.route("/healthz")
def health() -> ResponseReturnValue:
    """Liveness probe for deployments."""
    return {"status": "ok"}
