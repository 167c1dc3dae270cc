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
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
    }
