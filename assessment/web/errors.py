"""Error pages: every failure a user can cause gets a clear page and a 4xx, never a 500."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from assessment.extensions import db
from assessment.instruments import InstrumentMissing


class ProblemPage(Exception):
    """Stop a request with a friendly page: status, title and what the user can do."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def _page(status: int, title: str, message: str) -> ResponseReturnValue:
    db.session.rollback()
    if _wants_json():
        return jsonify(error=title, message=message, status=status), status
    return render_template("error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    """Attach the error handlers to the app."""

    @app.errorhandler(ProblemPage)
    def problem(exc: ProblemPage) -> ResponseReturnValue:
        return _page(exc.status, exc.title, exc.message)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> ResponseReturnValue:
        return _page(400, _("Form expired"),
                     _("The form was open too long or came from elsewhere. Go back, reload the "
                       "page and try again; your saved answers are kept."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        return _page(status, f"{status} {exc.name}", exc.description or "")

    @app.errorhandler(InstrumentMissing)
    def instrument_missing(exc: InstrumentMissing) -> ResponseReturnValue:
        app.logger.error("%s", exc)
        return _page(503, _("Temporarily unavailable"),
                     _("This assessment cannot be shown right now. Please try again later."))

    @app.errorhandler(StaleDataError)
    def changed_elsewhere(exc: StaleDataError) -> ResponseReturnValue:
        # Two windows submitting the same draft: the other one got there first.
        return _page(409, _("Already submitted"),
                     _("These answers were submitted from another window or device."))

    @app.errorhandler(DataError)
    def bad_data(exc: DataError) -> ResponseReturnValue:
        # The database refused a value (e.g. a NUL byte): the input was bad, not the server.
        app.logger.warning("database refused a value: %s", exc.orig)
        return _page(400, _("Invalid input"),
                     _("The request contained characters that cannot be stored."))

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError) -> ResponseReturnValue:
        app.logger.warning("database operational error: %s", exc)
        return _page(503, _("Busy"), _("The service is busy. Please try again in a moment."))
