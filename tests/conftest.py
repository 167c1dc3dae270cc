"""Shared fixtures: the app on a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), a client, a CLI runner, and factories for test data.

The schema is built once per run with the real Alembic migrations; each test starts
from empty tables (rows are deleted after every test), so tests never see each other.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from assessment.app import create_app
from assessment.config import sqlalchemy_url
from assessment.extensions import db, init_migrations
from assessment.jobqueue import stop_thread_runner
from assessment.models import Campaign
from assessment.operations.campaigns import open_campaign
from assessment.operations.organisations import create_organisation
from assessment.operations.tokens import issue_tokens

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return sqlalchemy_url(url)
    return f"sqlite:///{tmp_dir / 'test.sqlite'}"


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return f"database: {'postgresql' if url.startswith('postgres') else 'sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to the newest schema, once per test run."""
    url = _database_url(tmp_path_factory.mktemp("db"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        init_migrations(app)
        upgrade()
        db.engine.dispose()
    return url


def _empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on the test database, with tables emptied afterwards."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "PUBLIC_BASE_URL": "http://localhost",
        # Reports render in a thread of the app unless a test gives a Redis.
        "REDIS_URL": None,
        "REPORTS_DIR": str(tmp_path / "reports"),
        # Sign-in attempts counted afresh for each test's app, whatever REDIS_URL says.
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    yield app
    stop_thread_runner(app)
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (CSRF stays on: tests post the token like a browser does)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs `assessment` CLI commands in the app."""
    return app.test_cli_runner()


@pytest.fixture
def make_campaign(app: Flask) -> Callable[..., Campaign]:
    """Factory: an organisation with a campaign; keyword arguments go to open_campaign.

    Its organisation has agreed to enter the benchmark pool unless
    `benchmark_consent=False` is given (a real organisation starts outside it)."""
    counter = {"n": 0}

    def factory(**options: Any) -> Campaign:
        counter["n"] += 1
        with app.app_context():
            organisation = create_organisation(
                options.pop("org_name", f"Organisation {counter['n']}"),
                options.pop("sector", "Retail"), options.pop("size_band", "50-249"),
                options.pop("country", "PL"),
                benchmark_consent=options.pop("benchmark_consent", True),
            )
            questionnaire = app.extensions["questionnaires"].get("digiskills")
            options.setdefault("opens_on", dt.date.today() - dt.timedelta(days=1))
            campaign = open_campaign(
                organisation, questionnaire, options.pop("name", "Test campaign"), **options
            )
            db.session.commit()
            db.session.refresh(campaign)
            db.session.expunge(campaign)
            return campaign

    return factory


@pytest.fixture
def make_tokens(app: Flask) -> Callable[[Campaign, int], list[str]]:
    """Factory: issue single-use personal tokens for a campaign; returns the plain tokens."""

    def factory(campaign: Campaign, count: int) -> list[str]:
        with app.app_context():
            tokens = issue_tokens(db.session.get(Campaign, campaign.id), count)
            db.session.commit()
            return tokens

    return factory


@pytest.fixture
def full_answers() -> Callable[..., dict[str, Any]]:
    """Factory: a complete, valid set of answers, with overrides."""

    def factory(**overrides: Any) -> dict[str, Any]:
        answers: dict[str, Any] = {
            "cap_data": "everyone", "cap_cyber": "most", "cap_coding": "few",
            "cap_social": "some", "cap_analytics": "nobody", "cap_mobile": "dont_know",
            "cap_ecommerce": "most", "cap_collaboration": "everyone",
            "vision_clear": "yes", "vision_priorities": "some", "vision_communicated": "agree",
            "ld_understands": "no", "ld_benchmarks": "disagree", "ld_funded": "neutral",
            "cu_everyone": "partly", "cu_feedback_loop": "agree", "cu_leader_insight": "agree",
            "cu_leader_guide": "neutral", "cu_leader_exceed": "disagree",
            "cu_leader_own": "strongly_agree", "voc_methods": ["surveys", "reviews"],
            "metrics_tracked": ["nps"], "metrics_acted": [],
            "seniority": "manager", "function": "marketing", "generation": "millennial",
            "country": "PL",
        }
        answers.update(overrides)
        return answers

    return factory


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the form on a page."""
    found = CSRF_PATTERN.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)




@pytest.fixture
def api_world(app: Flask) -> Any:
    """The workspace's World (organisations A and B, an account per role) for API tests."""
    from tests.workspace.conftest import build_world

    return build_world(app)


@pytest.fixture
def api_tokens(app: Flask, api_world: Any) -> dict[str, str]:
    """A plain API token per role of the API's access matrix (tests/api_support.py)."""
    from tests.api_support import make_tokens

    return make_tokens(app, api_world)
