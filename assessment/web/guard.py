"""The WSGI edge: request bodies that cannot be read, and failures after the response.

Two things no Flask error handler can see on its own:
- a body that is malformed (a bad chunk header) or stalls: the server's error surfaces
  while a view reads the form. The input stream is wrapped so such a read raises 400 Bad
  Request (408 Request Timeout when the client stops sending for BODY_READ_TIMEOUT
  seconds), which the app's error pages then show;
- an exception that escapes the app after the view (e.g. in a teardown): the WSGI server
  would answer its bare "Internal Server Error". It is logged and answered with a plain
  503 page instead.
gunicorn has no setting for a body read timeout, so the socket's timeout is set here
(gunicorn hands the socket to the app as `gunicorn.socket`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.exceptions import BadRequest, HTTPException, RequestTimeout

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

FALLBACK_PAGE = (
    b"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Temporarily "
    b"unavailable</title><h1>Temporarily unavailable</h1><p>The service could not finish "
    b"this request. Please try again in a moment; the answers you saved before are "
    b"kept.</p></html>"
)


class GuardedInput:
    """A request body stream whose read failures become 400 / 408 HTTP errors."""

    def __init__(self, stream: Any):
        self._stream = stream

    def _guard(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except HTTPException:
            raise
        except TimeoutError as exc:  # socket.timeout is TimeoutError
            raise RequestTimeout("The request body did not arrive in time.") from exc
        except Exception as exc:  # noqa: BLE001 - any unreadable body is the client's
            raise BadRequest("The request body could not be read.") from exc

    def read(self, *args: Any) -> bytes:
        return self._guard(self._stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self._guard(self._stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._guard(self._stream.readlines, *args)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class RequestGuard:
    """WSGI middleware: guarded request bodies, a body read timeout, a last-resort 503."""

    def __init__(self, app: WSGIApp, body_timeout: float | None):
        self.app, self.body_timeout = app, body_timeout

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if "wsgi.input" in environ:
            environ["wsgi.input"] = GuardedInput(environ["wsgi.input"])
        sock = environ.get("gunicorn.socket")
        if sock is not None and self.body_timeout:
            sock.settimeout(self.body_timeout)
        # The app's status and headers are held back until the app has returned, so a
        # failure after them (in a teardown) can still be answered with the 503 page.
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [(status, headers)]
            return _no_write

        try:
            body = self.app(environ, hold)
        except Exception:
            logger.exception("request failed after its response was built")
            start_response("503 Service Unavailable",
                           [("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(FALLBACK_PAGE))),
                            ("Retry-After", "5"), ("Cache-Control", "no-store")])
            return [FALLBACK_PAGE]
        if started:
            start_response(*started[0])
        return body


def _no_write(data: bytes) -> None:
    # Flask never uses the legacy write() callable of start_response.
    raise RuntimeError("write() is not supported behind RequestGuard")
