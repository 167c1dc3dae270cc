"""Who may see what in the workspace: the signed-in account, and the organisations and
campaigns it may work on.

A campaign or organisation that does not exist and one that belongs to someone else get
the same 404 page, so no response tells whether another organisation's campaign exists.
"""

from __future__ import annotations

from typing import cast

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user

from assessment.extensions import db, login_manager
from assessment.models import Campaign, Organisation, User
from assessment.operations.accounts import can_access, user_by_session_id
from assessment.web.errors import ProblemPage


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account a session refers to; None when it has been signed out everywhere."""
    return user_by_session_id(session_id)


def signed_in() -> User:
    """The signed-in account (views that call this are behind login_required)."""
    return cast(User, current_user._get_current_object())


def not_found() -> ProblemPage:
    """The one answer for 'not there' and 'not yours'."""
    return ProblemPage(404, _("Page not found"),
                       _("There is no such page, or it is not one you can open. Check the "
                         "address, or go back to your campaigns."))


def organisation_or_404(organisation_id: int) -> Organisation:
    """An organisation the signed-in account may work on, or the 404 page."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_access(signed_in(), organisation.id):
        raise not_found()
    return organisation


def campaign_or_404(campaign_id: int) -> Campaign:
    """A campaign of an organisation the signed-in account may work on, or the 404 page."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not can_access(signed_in(), campaign.organisation_id):
        raise not_found()
    return campaign


def public_link(path: str) -> str:
    """An absolute link for respondents, from PUBLIC_BASE_URL (never the request's Host)."""
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/") + path
