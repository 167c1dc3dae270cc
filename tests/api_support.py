"""What the API tests share: bearer tokens for every role of the workspace's World, and
import files written from answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

from assessment.extensions import db
from assessment.models import Organisation, User
from assessment.operations.accounts import revoke
from assessment.operations.api_tokens import create_api_token, revoke_api_token
from tests.workspace.conftest import World, add_user

# The roles of the API's access matrix: those of the workspace tests, plus a revoked
# token, an account whose only role was revoked after its token was made, and no token.
OWN = ("admin", "hr", "consultant")
OUTSIDERS = ("hr_other", "consultant_other", "revoked_role")
UNAUTHENTICATED = ("revoked_token", "no_token")


def make_tokens(app: Flask, world: World) -> dict[str, str]:
    """A plain API token per role of the matrix ("no_token" has none)."""
    today = dt.date.today()
    tokens: dict[str, str] = {}
    with app.app_context():
        for role, user_id in world.users.items():
            _row, tokens[role] = create_api_token(db.session.get(User, user_id), "tests", today)
        admin = db.session.get(User, world.users["admin"])
        row, tokens["revoked_token"] = create_api_token(admin, "revoked", today)
        assert revoke_api_token(admin, row.id)
        former = add_user("former@acme.example", [
            ("hr", db.session.get(Organisation, world.organisation))])
        _row, tokens["revoked_role"] = create_api_token(former, "tests", today)
        assert revoke(former, "hr", db.session.get(Organisation, world.organisation))
        db.session.commit()
    return tokens


def bearer(token: str | None) -> dict[str, str]:
    """The Authorization header for a token (none for None)."""
    return {"Authorization": f"Bearer {token}"} if token else {}


def answers_csv(rows: list[dict[str, Any]]) -> bytes:
    """An import file: one column per item key, multiple choices joined by ';'."""
    keys = list(rows[0])
    lines = [",".join(keys)]
    for row in rows:
        cells = [";".join(v) if isinstance(v, list) else str(v) for v in
                 (row[k] for k in keys)]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")
