"""Keep secrets and answers out of every log line.

Installed as the logging module's record factory, so it covers every logger in the
process: the app's, werkzeug's, SQLAlchemy's and gunicorn's access and error logs,
whatever handlers are configured. A record's message (and its traceback text) is
redacted when the record is made: personal tokens, resume keys and password-reset
tokens in URLs (and, while a
request is served, wherever its own token or key appears), SHA-256 hashes, SQL parameter
dumps, the engine's debug dumps of result rows and the DETAIL / CONTEXT lines in which
PostgreSQL quotes stored values.
The engine also hides statement parameters (`hide_parameters`), so this is the second
line of defence, not the only one.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
_URL_SECRET = re.compile(r"(/t/|/resume/|/reset/)[^\s/?#\"']+")
_HASH = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
SECRET_ARGUMENTS = ("token", "key")  # URL arguments that are personal secrets
_PARAMETERS = re.compile(r"\[parameters: .*")
_QUOTED_VALUES = re.compile(r"\b(DETAIL|CONTEXT|HINT|LINE \d+):.*")
_KEY_VALUE = re.compile(r"(Key \([^)]*\))=\(.*?\)")


def _request_secrets() -> list[str]:
    """The personal token or resume key of the request being served, if any."""
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - Flask is always installed with the app
        return []
    if not has_request_context() or not request.view_args:
        return []
    return [str(request.view_args[name]) for name in SECRET_ARGUMENTS
            if request.view_args.get(name)]


def redact(text: str) -> str:
    """The text with tokens, resume keys, hashes and quoted stored values removed."""
    for secret in _request_secrets():
        text = text.replace(secret, REDACTED)
    text = _URL_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    text = _PARAMETERS.sub("[parameters: " + REDACTED + "]", text)
    text = _QUOTED_VALUES.sub(lambda m: m.group(1) + ": " + REDACTED, text)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + "=(" + REDACTED + ")", text)
    return _HASH.sub(REDACTED, text)


def _redacted_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not lose the record
        message = str(record.msg)
    if record.name.startswith("sqlalchemy.engine") and message.startswith("Row "):
        # The engine's debug log prints result rows: stored answers.
        message = "Row " + REDACTED
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install() -> None:
    """Redact every log record made in this process from now on (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacting", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _redacted_record(factory(*args, **kwargs))

    make_record.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
