"""Typed SQLAlchemy 2 models, one module per area; every model is importable from here."""

from assessment.models.account import Membership, PasswordReset, User
from assessment.models.base import Base, utc_today, utcnow
from assessment.models.organisation import Campaign, Organisation
from assessment.models.report import ReportJob
from assessment.models.response import (
    CampaignTally,
    Draft,
    InvitationToken,
    Response,
    ResponseScore,
    Submission,
)

__all__ = [
    "Base", "Campaign", "CampaignTally", "Draft", "InvitationToken", "Membership", "Organisation",
    "PasswordReset", "ReportJob", "Response", "ResponseScore", "Submission", "User",
    "utc_today", "utcnow",
]
