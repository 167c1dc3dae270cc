"""Typed SQLAlchemy 2 models, one module per area; every model is importable from here."""

from assessment.models.base import Base, utc_today, utcnow
from assessment.models.organisation import Campaign, Organisation
from assessment.models.report import ReportJob
from assessment.models.response import (
    Draft,
    InvitationToken,
    Response,
    ResponseScore,
    Submission,
)

__all__ = [
    "Base", "Campaign", "Draft", "InvitationToken", "Organisation", "Response",
    "ReportJob", "ResponseScore", "Submission", "utc_today", "utcnow",
]
