"""API tokens: a person's named bearer tokens for the JSON API (/api/v1).

A token is 256 random bits, shown once when it is made; only its SHA-256 hash is
stored. A fast unsalted hash suffices here (unlike passwords, which get argon2id)
because the secret is high-entropy random data: no dictionary or brute-force search
can reach it, so a stolen table of hashes gives no token back. A token acts with its
account's roles and organisations as they are at each request, so a revoked role or a
revoked (deleted) token stops working at the next call.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from assessment.extensions import db
from assessment.models import ApiToken, User
from assessment.operations import OperationError
from assessment.operations.tokens import hash_secret

TOKEN_PREFIX = "dma_"  # noqa: S105 - a public prefix that makes a leaked token recognisable
TOKEN_BYTES = 32  # 256 random bits
NAME_MAX_LENGTH = 100
MAX_TOKENS = 20  # per account: enough for a few scripts, few enough to review


def create_api_token(user: User, name: str, today: dt.date) -> tuple[ApiToken, str]:
    """A new token for the account; returns its row and the plain token (shown once)."""
    name = " ".join(name.split())
    if not name:
        raise OperationError("give the token a name, e.g. the script that will use it")
    if len(name) > NAME_MAX_LENGTH:
        raise OperationError(f"the name can have at most {NAME_MAX_LENGTH} characters")
    if len(api_tokens_of(user)) >= MAX_TOKENS:
        raise OperationError(f"an account can have at most {MAX_TOKENS} API tokens")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(plain),
                     created_on=today)
    db.session.add(token)
    db.session.flush()
    return token, plain


def api_tokens_of(user: User) -> list[ApiToken]:
    """The account's tokens, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_api_token(user: User, token_id: int) -> bool:
    """Delete one of the account's tokens; False if it has no such token."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return False
    db.session.delete(token)
    db.session.flush()
    return True


def user_by_api_token(plain: str, today: dt.date) -> User | None:
    """The active account a plain token belongs to, or None; notes the day of use."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(plain)))
    if token is None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    if token.last_used_on != today:  # one write a day at most, not one per request
        token.last_used_on = today
        db.session.flush()
    return user
