"""The API's error bodies: `{"error": {"code", "message", "details"}}`, in English, with a
machine-readable code, for every 4xx and 5xx under /api/v1 (the app's error handlers
call `error_response` for those paths, so unknown routes, 405 and 413 get it too)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

PREFIX = "/api/v1"

# status -> (code, message) when nothing more specific is known
STANDARD = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Send a valid API token: Authorization: Bearer <token>."),
    403: ("forbidden", "Your roles do not allow this."),
    404: ("not_found", "There is no such resource, or it is not one you can see."),
    405: ("method_not_allowed", "This method is not allowed here."),
    408: ("request_timeout", "The request body did not arrive in time."),
    409: ("conflict", "Not possible in the resource's current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "The request body is not of a type this endpoint takes."),
    422: ("invalid", "The request is not valid."),
    429: ("too_many_requests", "Too many requests; wait a moment."),
    500: ("server_error", "The request could not be completed."),
    503: ("unavailable", "The service is temporarily unavailable; try again in a moment."),
}


class ApiError(Exception):
    """Stop an API request with a status, a code, an English message and details."""

    def __init__(self, status: int, code: str | None = None, message: str | None = None,
                 details: dict[str, Any] | None = None):
        default_code, default_message = STANDARD.get(status, STANDARD[500 if status >= 500
                                                                       else 400])
        super().__init__(message or default_message)
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.details = details or {}


def is_api_path(path: str) -> bool:
    """Whether a request path is under the API (its errors get the API's bodies)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_response(exc: ApiError) -> Response:
    """The JSON answer for an API error."""
    response = jsonify(error={"code": exc.code, "message": exc.message,
                              "details": exc.details})
    response.status_code = exc.status
    response.headers["Cache-Control"] = "no-store"
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if exc.status == 503:
        response.headers["Retry-After"] = "30"
    return response
