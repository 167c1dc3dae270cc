"""Single-use personal invitation tokens, stored only as hashes and deleted when spent.

Spending a token deletes its row, so a used token leaves nothing behind that could be
joined to what its holder answered (README, Privacy); the campaign counts how many it
issued, and the tokens used are the issued ones no longer stored.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, func, select

from assessment.extensions import db
from assessment.models import Campaign, InvitationToken
from assessment.operations import OperationError, TokenUnavailable

TOKEN_BYTES = 18  # token_urlsafe(18): 24 URL-safe characters, 144 random bits
TOKEN_LENGTH = 24


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest: tokens and resume keys are stored only this way."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A fresh random secret (personal token or resume key), 24 URL-safe characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def issue_tokens(campaign: Campaign, count: int) -> list[str]:
    """Create single-use tokens; returns the plain tokens, which are stored only hashed."""
    if count < 1:
        raise OperationError("the number of tokens must be at least 1")
    tokens = [new_secret() for _ in range(count)]
    db.session.add_all(
        InvitationToken(campaign_id=campaign.id, token_hash=hash_secret(t)) for t in tokens
    )
    campaign.invited = (campaign.invited or 0) + count
    campaign.tokens_issued = (campaign.tokens_issued or 0) + count
    db.session.flush()
    return tokens


def find_token(token: str) -> InvitationToken | None:
    """The unspent invitation token row for a plain token, or None."""
    return db.session.scalar(
        select(InvitationToken).where(InvitationToken.token_hash == hash_secret(token))
    )


def spend_token(token: str, campaign: Campaign) -> None:
    """Delete an unspent token of the campaign; TokenUnavailable if it is gone already.

    One DELETE: of many requests spending the same token at once, exactly one sees the
    row, and the others get TokenUnavailable, with no select-then-write race.
    """
    result = db.session.execute(
        delete(InvitationToken).where(InvitationToken.token_hash == hash_secret(token),
                                      InvitationToken.campaign_id == campaign.id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise TokenUnavailable("this invitation link is not valid or has been used")


def tokens_used(campaign: Campaign) -> int:
    """Tokens spent so far: issued minus those still stored."""
    remaining = db.session.scalar(
        select(func.count(InvitationToken.id)).where(InvitationToken.campaign_id == campaign.id)
    )
    return max((campaign.tokens_issued or 0) - int(remaining or 0), 0)
