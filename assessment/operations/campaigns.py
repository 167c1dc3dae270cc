"""Campaigns: opening, editing, closing, reopening and deleting one, counting its
responses, and the version of its data."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update

from assessment.extensions import db
from assessment.instrument.questionnaire import Questionnaire
from assessment.models import (
    Campaign,
    CampaignSummary,
    CampaignTally,
    Draft,
    InvitationToken,
    Organisation,
    Response,
    ResponseScore,
    ScoreSummary,
    Submission,
)
from assessment.operations import OperationError
from assessment.operations.names import clean_name
from assessment.operations.organisations import create_organisation
from assessment.operations.tokens import tokens_used

DEMO_ORGANISATION = "Demo organisation"  # where `make run` opens a campaign to try
MIN_THRESHOLD = 2
MAX_THRESHOLD = 100  # a group larger than this is not a small group any more
MAX_INVITED = 1_000_000


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
    if anonymity_threshold > MAX_THRESHOLD:
        raise OperationError(f"the anonymity threshold must be at most {MAX_THRESHOLD}")
    if invited is not None and not 1 <= invited <= MAX_INVITED:
        raise OperationError(f"the number invited must be from 1 to {MAX_INVITED}")
    campaign = Campaign(
        organisation=organisation, name=clean_name(name, "campaign"),
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
        bump, forget_tallies = _data_change_statements()
        # The pool's kept tallies of the old answers go too (they would no longer be
        # read): no count of answers since removed outlives them. Deleted first: the
        # UPDATE locks the campaign's row, which every submit of the campaign waits for,
        # so it comes as late as it can (the summaries' upserts follow it).
        db.session.execute(forget_tallies, {"ids": ids})
        db.session.execute(bump, {"ids": ids})


@functools.cache
def _data_change_statements() -> tuple[Any, Any]:
    """`record_data_change`'s UPDATE and DELETE, built once per process (the campaigns
    are a parameter): each submit runs them, and building them cost about as much."""
    ids: Any = bindparam("ids", expanding=True)
    return (
        update(Campaign).where(Campaign.id.in_(ids))
        .values(data_version=Campaign.data_version + 1)
        .execution_options(synchronize_session=False),
        delete(CampaignTally).where(CampaignTally.campaign_id.in_(ids))
        .execution_options(synchronize_session=False),
    )


def data_version(campaign_id: int) -> int:
    """The version of one campaign's answers (changes whenever they change)."""
    return int(db.session.scalar(
        select(Campaign.data_version).where(Campaign.id == campaign_id)) or 0)


def pool_version(questionnaire_key: str) -> tuple[int, int, int, int, str]:
    """A stamp of every campaign of an instrument and of the pool's membership: it
    changes whenever any campaign does (added, removed, or its answers changed) and
    whenever an organisation's benchmark consent changes (the count of consenting
    organisations and the time of the newest change)."""
    count, newest, total = db.session.execute(
        select(func.count(Campaign.id), func.coalesce(func.max(Campaign.id), 0),
               func.coalesce(func.sum(Campaign.data_version), 0))
        .where(Campaign.questionnaire_key == questionnaire_key)
    ).one()
    consenting, changed = db.session.execute(
        select(func.count(Organisation.id).filter(Organisation.benchmark_consent.is_(True)),
               func.max(Organisation.benchmark_consent_at))
    ).one()
    return int(count), int(newest), int(total), int(consenting or 0), str(changed)


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
        # A demonstration: in the benchmark pool, like the synthetic organisations.
        organisation = create_organisation(
            DEMO_ORGANISATION, "Professional services", "250-999", "GB",
            benchmark_consent=True)
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


# --- running a campaign from the workspace ------------------------------------------------

def has_answers(campaign: Campaign) -> bool:
    """Whether anyone has answered (submitted, started, or spent a personal link)."""
    return tokens_used(campaign) > 0 or any(
        db.session.scalar(select(model.id).where(model.campaign_id == campaign.id).limit(1))
        is not None for model in (Response, Draft))


def update_campaign(
    campaign: Campaign, *, name: str, closes_on: dt.date | None, invited: int | None,
    opens_on: dt.date, anonymity_threshold: int, questionnaire: Questionnaire,
) -> None:
    """Change a campaign's settings, refusing what is unsafe once answers exist.

    Always: the name, the closing day, the number invited, a higher threshold. Only
    before the first answer: the opening day, the instrument and a lower threshold
    (answers given under a higher one were promised that one).
    """
    answered = has_answers(campaign)
    if answered:
        if opens_on != campaign.opens_on:
            raise OperationError("the opening day cannot change once answers exist")
        if (questionnaire.key, questionnaire.version) != (
                campaign.questionnaire_key, campaign.questionnaire_version):
            raise OperationError("the questionnaire cannot change once answers exist")
        if anonymity_threshold < campaign.anonymity_threshold:
            raise OperationError("the anonymity threshold cannot be lowered once answers exist")
    if not MIN_THRESHOLD <= anonymity_threshold <= MAX_THRESHOLD:
        raise OperationError(f"the anonymity threshold must be from {MIN_THRESHOLD} to "
                             f"{MAX_THRESHOLD}")
    if closes_on is not None and closes_on < opens_on:
        raise OperationError("the campaign cannot close before it opens")
    if invited is not None and not 1 <= invited <= MAX_INVITED:
        raise OperationError(f"the number invited must be from 1 to {MAX_INVITED}")
    campaign.name = clean_name(name, "campaign")
    campaign.opens_on, campaign.closes_on = opens_on, closes_on
    campaign.questionnaire_key = questionnaire.key
    campaign.questionnaire_version = questionnaire.version
    campaign.anonymity_threshold = anonymity_threshold
    if campaign.mode == "open":  # personal-link campaigns count the links they issued
        campaign.invited = invited
    record_data_change(campaign.id)  # the threshold and dates shape the figures
    db.session.flush()


def close_campaign(campaign: Campaign, today: dt.date) -> None:
    """Stop taking answers from today on (the closing day becomes today)."""
    if campaign.state_on(today) == "closed":
        raise OperationError("the campaign is already closed")
    campaign.closed_on = today
    if campaign.closes_on is None or campaign.closes_on > today:
        campaign.closes_on = max(today, campaign.opens_on)
    db.session.flush()


def reopen_campaign(campaign: Campaign, today: dt.date, closes_on: dt.date | None) -> None:
    """Take answers again, until `closes_on` (None: until closed)."""
    if campaign.state_on(today) != "closed":
        raise OperationError("only a closed campaign can be reopened")
    if closes_on is not None and closes_on < today:
        raise OperationError("the new closing day cannot be in the past")
    campaign.closed_on = None
    campaign.closes_on = closes_on
    db.session.flush()


# What a campaign owns and takes with it when deleted (children before parents).
# Its summaries and kept tallies go in the same transaction as its responses.
CAMPAIGN_ROWS = (ScoreSummary, CampaignSummary, CampaignTally, ResponseScore, Response, Draft,
                 InvitationToken, Submission)


def delete_campaign(campaign: Campaign) -> int:
    """Delete a campaign with every answer, draft, link and report; returns the responses
    deleted."""
    return delete_campaigns([campaign.id])


def delete_campaigns(campaign_ids: Collection[int]) -> int:
    """Delete campaigns with every answer, draft, link and report; returns the responses
    deleted. Flushes only."""
    from assessment.operations.imports import forget_uploads
    from assessment.operations.reports import forget_reports

    ids = list(campaign_ids)
    responses = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id.in_(ids)))
    forget_reports(ids)
    forget_uploads(ids)
    for model in CAMPAIGN_ROWS:
        db.session.execute(delete(model).where(model.campaign_id.in_(ids)),
                           execution_options={"synchronize_session": False})
    db.session.execute(delete(Campaign).where(Campaign.id.in_(ids)),
                       execution_options={"synchronize_session": False})
    db.session.expire_all()
    db.session.flush()
    return int(responses or 0)


def campaign_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Responses per campaign, counted in SQL (campaigns without any are left out)."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(Response.campaign_id, func.count()).where(Response.campaign_id.in_(campaign_ids))
        .group_by(Response.campaign_id))
    return {campaign_id: int(n) for campaign_id, n in rows}
