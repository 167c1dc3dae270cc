"""Flask extensions, created unbound and attached in the app factory with init_app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from assessment.models.base import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
# Only the routes that say so are limited (sign-in, password reset); storage and switches
# come from the RATELIMIT_* settings (config.py).
limiter = Limiter(key_func=get_remote_address)


def init_migrations(app: Flask) -> None:
    """Attach Flask-Migrate (Alembic) to the app, for the commands that migrate.

    Not done in the factory: Alembic takes a third of a second to import, and only
    `assessment db ...`, `make run` and the tests' set-up need it.
    """
    from flask_migrate import Migrate

    if "migrate" not in app.extensions:
        Migrate(app, db, directory=str(MIGRATIONS))
