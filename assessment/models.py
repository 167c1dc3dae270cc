"""Typed SQLAlchemy 2 models.

Privacy by construction: a Response row holds answers, the respondent's coarse profile,
the locale and the day of submission - never a name, e-mail, IP address, token or a
timestamp finer than the day. A used invitation token keeps only its hash and a flag,
so it cannot be linked to the response it produced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.extensions import db


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def utc_today() -> dt.date:
    """Today in UTC: the finest time the project stores about a respondent."""
    return dt.datetime.now(dt.UTC).date()


class Organisation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(80))
    size_band: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)

    campaigns: Mapped[list[Campaign]] = relationship(back_populates="organisation")


class Campaign(db.Model):  # type: ignore[name-defined]
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    questionnaire_key: Mapped[str] = mapped_column(String(80))
    questionnaire_version: Mapped[int]
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date | None]
    anonymity_threshold: Mapped[int] = mapped_column(default=5)
    mode: Mapped[str] = mapped_column(String(10), default="open")  # "open" or "token"
    invited: Mapped[int | None]  # how many were asked, for the response rate
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="campaigns")

    def state_on(self, day: dt.date) -> str:
        """'scheduled', 'open' or 'closed' on the given day."""
        if day < self.opens_on:
            return "scheduled"
        if self.closes_on is not None and day > self.closes_on:
            return "closed"
        return "open"


class InvitationToken(db.Model):  # type: ignore[name-defined]
    __tablename__ = "invitation_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(default=False)


class Draft(db.Model):  # type: ignore[name-defined]
    """Answers saved so far, found again by a resume key (kept only as a hash).

    Deleted when the questionnaire is submitted, so nothing links it to the response.
    """

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    section: Mapped[int] = mapped_column(default=0)
    updated_on: Mapped[dt.date] = mapped_column(default=utc_today, onupdate=utc_today)


class Response(db.Model):  # type: ignore[name-defined]
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


class ResponseScore(db.Model):  # type: ignore[name-defined]
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
