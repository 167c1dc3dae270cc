"""Error pages: every failure a user can cause gets a clear page and a 4xx, never a 500;
a database that cannot be reached or written gets a 503 that says what it means.

Database errors are logged by class and SQLSTATE only, never with their message, which
can quote stored values (and every log record is redacted as well: assessment.redaction).
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, SecurityError

from assessment.extensions import db
from assessment.instruments import InstrumentMissing
from assessment.web.api.problems import ApiError, error_response, is_api_path

READ_ONLY_SQLSTATE = "25006"  # PostgreSQL: read_only_sql_transaction (also a hot standby)


class ProblemPage(Exception):
    """Stop a request with a friendly page: status, title and what the user can do."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def release_session() -> bool:
    """End the request's database transaction; False when the database failed meanwhile.

    A connection that died cannot roll back: it is invalidated (the pool replaces it)
    instead of letting the failure escape to the WSGI server.
    """
    try:
        db.session.close()
        return True
    except SQLAlchemyError:
        try:
            db.session().invalidate()
        except SQLAlchemyError:
            pass
        return False


def _page(status: int, title: str, message: str) -> ResponseReturnValue:
    release_session()
    if is_api_path(request.path):
        # The API's own body, in English with a code (the page's words are for people).
        return error_response(ApiError(status))
    headers = {"Retry-After": "30"} if status == 503 else {}
    if _wants_json():
        return jsonify(error=title, message=message, status=status), status, headers
    return (render_template("error.html", status=status, title=title, message=message),
            status, headers)


def _describe(exc: DBAPIError) -> str:
    """Class and SQLSTATE of a database error: enough to diagnose, no stored values."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    return f"{type(orig).__module__}.{type(orig).__name__} ({sqlstate or 'no code'})"


def is_read_only(exc: DBAPIError) -> bool:
    """Whether the database refused a write because it is read-only."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == READ_ONLY_SQLSTATE:
        return True
    # SQLite's message for a read-only file or connection (no error code in sqlite3).
    return "readonly database" in str(orig)


def unavailable_page(read_only: bool = False) -> ResponseReturnValue:
    """503: the database cannot be reached, or cannot save right now."""
    if read_only:
        return _page(503, _("Answers cannot be saved right now"),
                     _("The service cannot save answers at the moment. The answers you "
                       "saved before are kept: please come back later and continue."))
    return _page(503, _("Temporarily unavailable"),
                 _("The service cannot reach its database right now. The answers you saved "
                   "before are kept: please try again in a moment."))


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

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        return _page(413, _("File too large"),
                     _("The file is larger than %(mb)s MB, the most that can be uploaded. "
                       "Split it into parts and import each.", mb=max(1, limit // 2**20)))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        return _page(status, f"{status} {exc.name}", exc.description or "")

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError) -> ResponseReturnValue:
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return Response("400 Bad Request: this host name is not served here.\n", 400,
                        mimetype="text/plain")

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

    @app.errorhandler(IntegrityError)
    def conflict(exc: IntegrityError) -> ResponseReturnValue:
        # Two requests writing the same thing at once: the other one won.
        app.logger.warning("conflicting write: %s", _describe(exc))
        return _page(409, _("Changed at the same time"),
                     _("Another window or device changed this at the same moment. Reload the "
                       "page and try again; your saved answers are kept."))

    @app.errorhandler(DataError)
    def bad_data(exc: DataError) -> ResponseReturnValue:
        # The database refused a value (e.g. a NUL byte): the input was bad, not the server.
        app.logger.warning("database refused a value: %s", _describe(exc))
        return _page(400, _("Invalid input"),
                     _("The request contained characters that cannot be stored."))

    @app.errorhandler(DBAPIError)
    def database_unavailable(exc: DBAPIError) -> ResponseReturnValue:
        read_only = is_read_only(exc)
        app.logger.warning("database %s: %s", "read-only" if read_only else "unavailable",
                           _describe(exc))
        return unavailable_page(read_only)

    @app.after_request
    def end_transaction(response: Response) -> ResponseReturnValue:
        # The transaction ends here, before the response leaves, so that a database that
        # died after the view's reads gives a 503 page rather than an error in teardown.
        if release_session():
            return response
        app.logger.warning("database connection lost before the request ended")
        return app.make_response(unavailable_page())
