"""Import uploads: a file of answers collected elsewhere, checked and previewed in the
browser, then stored on the user's confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from assessment.models.base import Base, utcnow

CHECKING, REJECTED, READY, STORING, DONE, FAILED = (
    "checking", "rejected", "ready", "storing", "done", "failed")
STATUSES = (CHECKING, REJECTED, READY, STORING, DONE, FAILED)


class ImportJob(Base):
    """One uploaded file for one campaign, bound to the account that uploaded it.

    The file itself is kept on disk (REPORTS_DIR/imports/<id>.<suffix>) from the upload
    until it is stored, refused or expires; `digest` (SHA-256) is what the preview showed,
    and the confirmation stores the file only while it still has that digest.
    See assessment/operations/imports.py.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (Index("ix_import_jobs_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, URL-safe
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, for the page only
    suffix: Mapped[str] = mapped_column(String(8))  # .csv, .xlsx, .xlsm or .bin
    size: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=CHECKING)
    background: Mapped[bool] = mapped_column(default=False)  # checked and stored on the queue
    worker: Mapped[str | None] = mapped_column(String(120))  # host:pid holding the job
    rows: Mapped[int | None]  # respondent rows in the file, once checked
    responses: Mapped[int | None]  # the responses it would store (or stored)
    problems: Mapped[list[Any] | None] = mapped_column(JSON)  # [[row, column, message]]
    preview: Mapped[list[Any] | None] = mapped_column(JSON)  # first rows, stored form
    error_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
