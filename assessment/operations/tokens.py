"""Single-use personal invitation tokens, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from assessment.extensions import db
from assessment.models import Campaign, InvitationToken
from assessment.operations import OperationError


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest: tokens and resume keys are stored only this way."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_tokens(campaign: Campaign, count: int) -> list[str]:
    """Create single-use tokens; returns the plain tokens, which are stored only hashed."""
    if count < 1:
        raise OperationError("the number of tokens must be at least 1")
    tokens = [secrets.token_urlsafe(18) for _ in range(count)]
    db.session.add_all(
        InvitationToken(campaign_id=campaign.id, token_hash=hash_secret(t)) for t in tokens
    )
    campaign.invited = (campaign.invited or 0) + count
    db.session.flush()
    return tokens


def find_token(token: str) -> InvitationToken | None:
    """The invitation token row for a plain token, or None."""
    return db.session.scalar(
        select(InvitationToken).where(InvitationToken.token_hash == hash_secret(token))
    )
