"""The application factory: settings, extensions, blueprints, error pages, commands."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine

from assessment import config as app_config
from assessment import redaction
from assessment.cli import register_commands
from assessment.extensions import babel, csrf, db, limiter, login_manager
from assessment.instrument.questionnaire import Registry
from assessment.web import (
    auth,
    campaigns,
    dashboard,
    downloads,
    errors,
    imports,
    portfolio,
    public,
    security,
    survey,
)
from assessment.web.api.routes import bp as api_blueprint
from assessment.web.guard import RequestGuard
from assessment.web.routing import IdConverter
from assessment.web.sessions import EncryptedSessionInterface


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, commands."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(app_config.from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)

    app.config["LANGUAGES"] = available_languages(app)
    if "SESSION_COOKIE_SECURE" not in (config or {}):
        # Served over HTTPS: the cookie travels only over HTTPS (and HSTS is sent).
        app.config["SESSION_COOKIE_SECURE"] = app.config["PUBLIC_BASE_URL"].startswith("https:")
    redaction.install()
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          app_config.engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    registry = Registry.from_folders(app.config["QUESTIONNAIRE_DIRS"])
    for problem in registry.problems:
        app.logger.warning("questionnaire skipped: %s", problem)
    app.extensions["questionnaires"] = registry

    app.session_interface = EncryptedSessionInterface()
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.register_blueprint(public.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(campaigns.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(portfolio.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(api_blueprint)
    security.register(app)
    errors.register(app)  # after security: its 503 replacement still gets the headers
    app.wsgi_app = RequestGuard(app.wsgi_app, app.config["BODY_READ_TIMEOUT"])  # type: ignore[method-assign]
    register_commands(app)
    app.jinja_env.globals.update(LANGUAGES=app.config["LANGUAGES"], get_locale=get_locale)
    return app


def available_languages(app: Flask) -> list[str]:
    """English plus every configured language that has a compiled catalogue."""
    folder = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    return [
        code for code in app.config["LANGUAGES"]
        if code == "en" or os.path.exists(os.path.join(folder, code, "LC_MESSAGES", "messages.mo"))
    ]


def select_locale() -> str | None:
    """?lang= first (remembered in the session), then the browser's preference."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return str(session["lang"])
    return request.accept_languages.best_match(languages)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # SQLite: enforce foreign keys and wait for a lock instead of failing at once
    # when two requests write together.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
