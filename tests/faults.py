"""Breaking the database connection on purpose, the same way on both databases.

On PostgreSQL the app connects through a TCP relay (tests/relay.py) that drops replies
and cuts connections for real. SQLite has no connection to cut, so the nearest real
thing is done: the DBAPI connection is closed underneath SQLAlchemy (what a vanished
database looks like to it), and a lost COMMIT reply is an error raised right after the
commit has been written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from assessment.app import create_app
from assessment.extensions import db
from tests.relay import Relay, relay_to

POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


def app_on(url: str, **config: Any) -> Flask:
    """An app like the `app` fixture's, on the given database URL."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": "test-secret", "PUBLIC_BASE_URL": "http://localhost",
                       **config})


@contextlib.contextmanager
def app_at(url: str, **config: Any) -> Iterator[Flask]:
    """`app_on`, with its connections closed afterwards."""
    app = app_on(url, **config)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _close_pooled(app: Flask) -> None:
    """Close the DBAPI connections resting in the pool, behind SQLAlchemy's back."""
    with app.app_context():
        queue = getattr(db.engine.pool, "_pool", None)
        for record in list(getattr(queue, "queue", [])):
            if record.dbapi_connection is not None:
                record.dbapi_connection.close()


class Faults:
    """What a test can do to the database connection of `app`."""

    def __init__(self, app: Flask, relay: Relay | None):
        self.app, self.relay = app, relay

    def lose_next_commit_reply(self) -> None:
        """The next COMMIT is carried out, but the app hears an error instead of OK."""
        if self.relay is not None:
            self.relay.drop_next_commit = True
            return

        def lost(session: Session) -> None:
            event.remove(Session, "after_commit", lost)
            raise OperationalError("COMMIT", None, sqlite3.OperationalError("disk I/O error"))

        event.listen(Session, "after_commit", lost)

    def cut_connections(self) -> None:
        """Every connection dies, as on a database restart (inside a request too)."""
        if self.relay is not None:
            self.relay.cut_all()
            return
        from flask import has_app_context

        if has_app_context() and db.session().in_transaction():
            db.session.connection().connection.dbapi_connection.close()  # type: ignore[union-attr]
        _close_pooled(self.app)

    def refuse_connections(self, refuse: bool) -> None:
        """The database is down (True) or back (False). PostgreSQL only."""
        assert self.relay is not None
        self.relay.refusing = refuse
        if refuse:
            self.relay.cut_all()


@contextlib.contextmanager
def faulty_app(database_url: str, **config: Any) -> Iterator[Faults]:
    """An app on the test database whose connection the test can break."""
    if POSTGRES:
        with relay_to(database_url) as relay:
            app = app_on(relay.url_for(database_url), **config)
            try:
                yield Faults(app, relay)
            finally:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
        return
    app = app_on(database_url, **config)
    try:
        yield Faults(app, None)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
