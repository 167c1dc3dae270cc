"""The declarative base every model shares, in plain SQLAlchemy (no Flask).

Models subclass this base rather than Flask-SQLAlchemy's ``db.Model``, so the engine's
loaders can import them without importing Flask; ``extensions.db`` is built on it, so
``db.session`` and ``db.metadata`` see the same tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# A naming convention gives every constraint a stable name, so Alembic migrations
# generated on SQLite and PostgreSQL agree.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


ID_MAX = 2**63 - 1  # the largest key a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """The current UTC time without a time zone (how timestamps are stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def utc_today() -> dt.date:
    """Today in UTC: the finest time the project stores about a respondent."""
    return dt.datetime.now(dt.UTC).date()
