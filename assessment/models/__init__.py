"""Typed SQLAlchemy 2 models, one module per area; every model is importable from here."""

from assessment.models.account import ApiToken, Membership, PasswordReset, User
from assessment.models.base import ID_MAX, Base, utc_today, utcnow
from assessment.models.imports import ImportJob
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
from assessment.models.summary import CampaignSummary, ScoreSummary

__all__ = [
    "ApiToken", "Base", "Campaign", "CampaignSummary", "CampaignTally", "Draft", "ImportJob",
    "InvitationToken", "Membership", "Organisation", "PasswordReset", "ReportJob", "Response",
    "ResponseScore", "ScoreSummary", "Submission", "User", "utc_today", "utcnow", "ID_MAX",
]
