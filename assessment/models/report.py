"""Report jobs: one PDF rendering asked for, queued, rendered by a worker and kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from assessment.models.base import Base, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
# What a job renders: one campaign's organisation report, or a comparison of campaigns.
ORGANISATION_REPORT, COMPARISON_REPORT = "organisation", "comparison"


class ReportJob(Base):
    """An organisation report of one campaign in one language, at one version of its data,
    or (kind "comparison") a comparison report of several campaigns: `compared` lists
    them as [campaign id, data version] pairs in the order asked, and `campaign_id` is
    the first of them.

    The database, not the queue, holds the truth about a job: a worker claims it with a
    conditional update, proves it is alive by moving `heartbeat_at` on, and finishes it
    only while its claim (`attempts`) still stands; see assessment/operations/reports.py.
    """

    __tablename__ = "report_jobs"
    __table_args__ = (
        Index("ix_report_jobs_campaign_language_version", "campaign_id", "language",
              "data_version"),
        Index("ix_report_jobs_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, URL-safe
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20), default=ORGANISATION_REPORT,
                                      server_default=ORGANISATION_REPORT)
    compared: Mapped[list[Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    # The campaign's data_version the file shows (when done) or was asked for (before).
    data_version: Mapped[int]
    requested_by: Mapped[int | None]  # the account that asked, if any
    attempts: Mapped[int] = mapped_column(default=0)  # claims by a worker so far
    worker: Mapped[str | None] = mapped_column(String(120))  # host:pid of the last claim
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(String(300))  # short, for the user
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    # Running: when the worker last said it is alive. Queued: when it was put on the queue.
    heartbeat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
