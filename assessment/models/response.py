"""What respondents leave behind: invitation tokens, drafts, responses and their scores.

Privacy by construction: a Response row holds answers, the respondent's coarse profile,
the locale and the day of submission - never a name, e-mail, IP address, token or a
timestamp finer than the day. A personal token is deleted when it is spent, and the draft
it starts has a fresh random key, so nothing stored ties a token to answers (README,
Privacy).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assessment.models.base import Base, utc_today


class InvitationToken(Base):
    """An unspent personal token (SHA-256 hash only); spending it deletes the row."""

    __tablename__ = "invitation_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Draft(Base):
    """Answers saved so far, found again by a resume key (kept only as a hash).

    The key is random, never derived from a personal token. Deleted when the
    questionnaire is submitted, so nothing links it to the response.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    section: Mapped[int] = mapped_column(default=0)
    updated_on: Mapped[dt.date] = mapped_column(default=utc_today, onupdate=utc_today)


class Submission(Base):
    """A spent resume key: the draft it named was submitted.

    Its only use is idempotency: a retried submit (after a lost reply, or from a second
    window) finds its key here and lands on the thank-you page instead of storing the
    answers twice. It holds the key's hash and the day, nothing about the respondent.
    """

    __tablename__ = "submissions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    submitted_on: Mapped[dt.date] = mapped_column(default=utc_today)


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_campaign_seniority", "campaign_id", "seniority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    seniority: Mapped[str | None] = mapped_column(String(40))
    function: Mapped[str | None] = mapped_column(String(40))
    generation: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(10))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    submitted_on: Mapped[dt.date] = mapped_column(default=utc_today)
    index_score: Mapped[float | None]
    scores: Mapped[dict[str, float | None]] = mapped_column(JSON)


class ResponseScore(Base):
    """One dimension score of one response, long format so benchmarks aggregate in SQL."""

    __tablename__ = "response_scores"
    __table_args__ = (
        UniqueConstraint("response_id", "dimension", name="uq_response_scores_response_dimension"),
        Index("ix_response_scores_campaign_dimension", "campaign_id", "dimension", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    dimension: Mapped[str] = mapped_column(String(40))
    score: Mapped[float]


class CampaignTally(Base):
    """A campaign's tallies for the pool's figures (`analysis.loading.pool_tallies`):
    counts and sums over its responses, kept with the plan they follow and the campaign's
    data version they were computed at, so the pool's figures read one row per
    organisation instead of its responses while that version stands.

    `tallies` holds the plan's tallies as float64 in the plan's order; `cells` the
    correlation pairs' (pair, x, y, count) cells as float64 rows. Counts and sums only:
    nothing here is finer than what the campaign's own figures show.
    """

    __tablename__ = "campaign_tallies"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    plan: Mapped[str] = mapped_column(String(64), primary_key=True)
    data_version: Mapped[int]
    tallies: Mapped[bytes] = mapped_column(LargeBinary)
    cells: Mapped[bytes] = mapped_column(LargeBinary)
