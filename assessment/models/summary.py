"""Per-campaign aggregates kept up to date with the responses, so the benchmark reads one
row per campaign and dimension instead of every respondent's scores.

They hold nothing a response row does not: counts and sums over a campaign's responses,
kept in the transaction that stores or deletes them (`operations.summaries`) and rebuilt
from the responses by `assessment db rebuild-summaries`.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from assessment.models.base import Base


class CampaignSummary(Base):
    """How many responses a campaign has (the benchmark's anonymity check)."""

    __tablename__ = "campaign_summaries"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    responses: Mapped[int] = mapped_column(default=0)


class ScoreSummary(Base):
    """One dimension of one campaign: how many respondents scored it, the sum of their
    scores and the sum of the squares (mean = total / n; the variance follows too)."""

    __tablename__ = "score_summaries"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_squares: Mapped[float] = mapped_column(Float, default=0.0)
