"""Configuration read from the environment, with safe defaults for a local run."""

from __future__ import annotations

import os
from pathlib import Path

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


def from_environment(instance_path: str) -> dict[str, object]:
    """Settings for `create_app` taken from environment variables."""
    folders = os.environ.get("QUESTIONNAIRE_DIRS")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "QUESTIONNAIRE_DIRS": folders.split(os.pathsep) if folders
        else [str(PROJECT_ROOT / "questionnaires")],
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "PUBLIC_BENCHMARK": os.environ.get("PUBLIC_BENCHMARK", "1").lower()
        not in ("0", "false", "no", "off"),
        "LANGUAGES": LANGUAGES,
        # The report job queue: RQ on this Redis when set, else a thread of the app.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "REPORT_QUEUE": os.environ.get("REPORT_QUEUE") or "reports",
        # Rendered PDFs; with workers on several machines, a folder they all share.
        "REPORTS_DIR": os.environ.get("REPORTS_DIR") or str(Path(instance_path) / "reports"),
        # A job whose worker has not been heard of for this long is taken up again.
        "REPORT_LEASE_SECONDS": _seconds("REPORT_LEASE_SECONDS", 60),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
    }
