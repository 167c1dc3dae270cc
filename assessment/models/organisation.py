"""Organisations and their assessment campaigns."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.models.base import Base, utcnow


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(80))
    size_band: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    synthetic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Whether the organisation's results enter the shared benchmark pool (see
    # analysis.loading.pool_organisations_clause), and who changed it last and when:
    # an account id (None: the command line or the migration), kept without a foreign
    # key so the record outlives the account, like ReportJob.requested_by.
    benchmark_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
    benchmark_consent_at: Mapped[dt.datetime | None]
    benchmark_consent_by: Mapped[int | None]

    campaigns: Mapped[list[Campaign]] = relationship(back_populates="organisation")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    questionnaire_key: Mapped[str] = mapped_column(String(80))
    questionnaire_version: Mapped[int]
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date | None]
    # Set when someone closed the campaign early (from that day on it takes no answers).
    closed_on: Mapped[dt.date | None]
    anonymity_threshold: Mapped[int] = mapped_column(default=5)
    mode: Mapped[str] = mapped_column(String(10), default="open")  # "open" or "token"
    invited: Mapped[int | None]  # how many were asked, for the response rate
    # Personal tokens issued; spent ones are deleted, so used = issued - remaining.
    tokens_issued: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped whenever the campaign's answers change, so cached figures are rebuilt.
    data_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="campaigns")

    def state_on(self, day: dt.date) -> str:
        """'scheduled', 'open' or 'closed' on the given day."""
        if self.closed_on is not None and day >= self.closed_on:
            return "closed"
        if day < self.opens_on:
            return "scheduled"
        if self.closes_on is not None and day > self.closes_on:
            return "closed"
        return "open"
