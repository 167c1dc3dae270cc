"""What a health probe needs to know: can the database be reached, and written?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from assessment.extensions import db


def database_problem() -> str | None:
    """None when the database answers and takes writes; else what is wrong with it:
    'unreachable' or 'read-only'."""
    try:
        db.session.execute(text("SELECT 1"))
        if db.session.get_bind().dialect.name == "postgresql":
            read_only = db.session.scalar(text("SELECT current_setting('transaction_read_only')"))
            if read_only == "on":
                return "read-only"
        return None
    except SQLAlchemyError:
        return "unreachable"
    finally:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session().invalidate()
