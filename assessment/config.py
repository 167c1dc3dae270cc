"""Configuration read from the environment, with safe defaults for a local run."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["en", "pl", "ru", "zh", "lv"]


def sqlalchemy_url(url: str) -> str:
    """A database URL as SQLAlchemy takes it: psycopg 3 is the PostgreSQL driver, and the
    plain postgres:// and postgresql:// spellings are accepted too."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return sqlalchemy_url(url)
    return f"sqlite:///{Path(instance_path) / 'assessment.sqlite'}"


def _seconds(name: str, default: int) -> int:
    """A whole number of seconds (at least 2) from the environment, or a clear error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 2:
        raise ValueError(f"{name} must be a whole number of seconds, at least 2 (got {raw!r})")
    return int(raw)


def _megabytes(name: str, default: int) -> int:
    """A whole number of megabytes (at least 1) from the environment, or a clear error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of megabytes, at least 1 (got {raw!r})")
    return int(raw)


def engine_options(url: str) -> dict[str, Any]:
    """SQLAlchemy engine settings for a database URL.

    pool_pre_ping replaces a pooled connection that died (a database restart, a cut
    network) before a request uses it; hide_parameters keeps the values of a failed
    statement (answers, key hashes) out of exception messages and so out of the logs.
    """
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if url.startswith("postgresql"):
        # Fail in seconds, not minutes, when the database cannot be reached, so that
        # /healthz and the error page answer promptly.
        options["connect_args"] = {"connect_timeout": 5}
    return options


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).lower() not in ("0", "false", "no", "off")


def _trusted_hosts() -> list[str] | None:
    hosts = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    return hosts or None


def from_environment(instance_path: str) -> dict[str, object]:
    """Settings for `create_app` taken from environment variables."""
    folders = os.environ.get("QUESTIONNAIRE_DIRS")
    redis_url = os.environ.get("REDIS_URL") or None
    public_base_url = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "QUESTIONNAIRE_DIRS": folders.split(os.pathsep) if folders
        else [str(PROJECT_ROOT / "questionnaires")],
        "PUBLIC_BASE_URL": public_base_url,
        "PUBLIC_BENCHMARK": _flag("PUBLIC_BENCHMARK", "1"),
        # Requests naming any other Host are refused (400); unset: any host is served,
        # and links never use the request's Host anyway (they use PUBLIC_BASE_URL).
        "TRUSTED_HOSTS": _trusted_hosts(),
        "LANGUAGES": LANGUAGES,
        # The report job queue: RQ on this Redis when set, else a thread of the app.
        "REDIS_URL": redis_url,
        "REPORT_QUEUE": os.environ.get("REPORT_QUEUE") or "reports",
        # Rendered PDFs; with workers on several machines, a folder they all share.
        "REPORTS_DIR": os.environ.get("REPORTS_DIR") or str(Path(instance_path) / "reports"),
        # A job whose worker has not been heard of for this long is taken up again.
        "REPORT_LEASE_SECONDS": _seconds("REPORT_LEASE_SECONDS", 60),
        # Uploads (the import's files): a bigger request body is refused with a 413 page.
        # Files over IMPORT_INLINE_BYTES are checked and stored on the job queue.
        "MAX_CONTENT_LENGTH": _megabytes("UPLOAD_MAX_MB", 100) * 2**20,
        "IMPORT_INLINE_BYTES": 256 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # A draft in progress keeps the (encrypted) cookie this long, so the respondent
        # can come back in the same browser; otherwise it ends with the browser session.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(days=int(os.environ.get("SESSION_DAYS", "30"))),
        "WTF_CSRF_TIME_LIMIT": None,
        # Pages send Referrer-Policy: no-referrer (survey URLs hold tokens), so browsers
        # send no Referer and Flask-WTF's HTTPS referrer check would refuse every form.
        # The CSRF token, the SameSite=Lax Secure cookie and HSTS protect the forms.
        "WTF_CSRF_SSL_STRICT": False,
        # Seconds a request body may stall before the request is refused (408).
        "BODY_READ_TIMEOUT": float(os.environ.get("BODY_READ_TIMEOUT", "30")),
        # Sign-in attempts are counted in Redis when there is one (shared by every worker
        # and machine), otherwise in this process's memory.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_LIMIT_ACCOUNT": "5 per minute;20 per hour",
        "LOGIN_LIMIT_ADDRESS": "20 per minute;100 per hour",
        "PASSWORD_RESET_HOURS": 24,
    }
