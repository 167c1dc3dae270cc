"""Public pages that are not part of a questionnaire."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("web", __name__)


@bp.route("/")
def index() -> ResponseReturnValue:
    """The landing page."""
    return render_template("web/index.html")


@bp.route("/healthz")
def health() -> ResponseReturnValue:
    """Liveness probe for deployments."""
    return {"status": "ok"}
