"""Campaigns: opening one, counting its responses, and the version of its data."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select, update

from assessment.extensions import db
from assessment.instrument.questionnaire import Questionnaire
from assessment.models import Campaign, Draft, Organisation, Response
from assessment.operations import OperationError
from assessment.operations.organisations import create_organisation
from assessment.operations.tokens import tokens_used

DEMO_ORGANISATION = "Demo organisation"  # where `make run` opens a campaign to try
MIN_THRESHOLD = 2


def open_campaign(
    organisation: Organisation,
    questionnaire: Questionnaire,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date | None = None,
    mode: str = "open",
    anonymity_threshold: int = 5,
    invited: int | None = None,
) -> Campaign:
    """Create a campaign of one organisation for one instrument version."""
    if mode not in ("open", "token"):
        raise OperationError("mode must be 'open' or 'token'")
    if closes_on is not None and closes_on < opens_on:
        raise OperationError("the campaign cannot close before it opens")
    if anonymity_threshold < MIN_THRESHOLD:
        raise OperationError(f"the anonymity threshold must be at least {MIN_THRESHOLD}")
    campaign = Campaign(
        organisation=organisation, name=name.strip() or "Assessment",
        slug=secrets.token_urlsafe(9), questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version, opens_on=opens_on, closes_on=closes_on,
        mode=mode, anonymity_threshold=anonymity_threshold, invited=invited,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def record_data_change(campaign_ids: int | list[int]) -> None:
    """Mark a campaign's answers as changed, so cached figures built on them are rebuilt.

    Every operation that adds or removes responses calls this in its own transaction, so
    every process (and every web worker) sees the new version when the change commits.
    """
    ids = [campaign_ids] if isinstance(campaign_ids, int) else list(campaign_ids)
    if ids:
        db.session.execute(
            update(Campaign).where(Campaign.id.in_(ids))
            .values(data_version=Campaign.data_version + 1)
            .execution_options(synchronize_session=False)
        )


def data_version(campaign_id: int) -> int:
    """The version of one campaign's answers (changes whenever they change)."""
    return int(db.session.scalar(
        select(Campaign.data_version).where(Campaign.id == campaign_id)) or 0)


def pool_version(questionnaire_key: str) -> tuple[int, int, int]:
    """A stamp of every campaign of an instrument: it changes whenever any of them does
    (a campaign added, removed, or its answers changed)."""
    count, newest, total = db.session.execute(
        select(func.count(Campaign.id), func.coalesce(func.max(Campaign.id), 0),
               func.coalesce(func.sum(Campaign.data_version), 0))
        .where(Campaign.questionnaire_key == questionnaire_key)
    ).one()
    return int(count), int(newest), int(total)


def demo_campaign_slug(today: dt.date) -> str | None:
    """The slug of the demo organisation's open campaign, if there is one."""
    campaigns = db.session.scalars(
        select(Campaign).join(Organisation)
        .where(Organisation.name == DEMO_ORGANISATION, Campaign.mode == "open")
        .order_by(Campaign.id.desc())
    )
    return next((c.slug for c in campaigns if c.state_on(today) == "open"), None)


def ensure_demo_campaign(questionnaire: Questionnaire, today: dt.date) -> Campaign:
    """The demo organisation's open campaign, created (with the organisation) if missing."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name == DEMO_ORGANISATION))
    if organisation is None:
        organisation = create_organisation(
            DEMO_ORGANISATION, "Professional services", "250-999", "GB")
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.organisation_id == organisation.id,
                               Campaign.mode == "open").order_by(Campaign.id.desc()))
    if campaign is None or campaign.state_on(today) != "open":
        campaign = open_campaign(organisation, questionnaire, "Try it yourself", today,
                                 invited=250)
    return campaign


def response_counts(campaign: Campaign) -> dict[str, int | None]:
    """Responses, invitations, tokens used and drafts in progress for one campaign."""
    responses = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    )
    used = tokens_used(campaign)
    drafts = db.session.scalar(
        select(func.count(Draft.id)).where(Draft.campaign_id == campaign.id)
    )
    return {"responses": responses or 0, "invited": campaign.invited,
            "tokens_used": used or 0, "in_progress": drafts or 0}
