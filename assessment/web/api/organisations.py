"""Organisations and their campaigns: list, read, create; close a campaign; issue
personal links. The same rules as the pages (assessment/web/access.py): an account sees
the organisations it holds a role in (an administrator every one), and another
organisation's resource answers 404, like one that does not exist."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import ColumnElement, func, select

from assessment.extensions import db
from assessment.instrument.questionnaire import Questionnaire
from assessment.instruments import registry
from assessment.models import Campaign, Membership, Organisation, utc_today
from assessment.models.account import CONSULTANT
from assessment.operations import OperationError
from assessment.operations.accounts import grant, organisation_ids
from assessment.operations.campaigns import close_campaign, open_campaign, response_counts
from assessment.operations.organisations import create_organisation
from assessment.operations.tokens import issue_tokens
from assessment.web.access import public_link
from assessment.web.api.endpoints import (
    api_user,
    campaign_or_404,
    endpoint,
    organisation_or_404,
)
from assessment.web.api.problems import ApiError
from assessment.web.api.schemas import (
    CampaignIn,
    CampaignOut,
    LinksIn,
    LinksOut,
    Listing,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    Page,
)


def organisation_out(organisation: Organisation) -> OrganisationOut:
    """An organisation as the API shows it."""
    return OrganisationOut(id=organisation.id, name=organisation.name,
                           sector=organisation.sector, size_band=organisation.size_band,
                           country=organisation.country, synthetic=organisation.synthetic)


def campaign_out(campaign: Campaign) -> CampaignOut:
    """A campaign as the API shows it, with its live counts."""
    counts = response_counts(campaign)
    responses = int(counts["responses"] or 0)
    invited = counts["invited"]
    return CampaignOut(
        id=campaign.id, organisation_id=campaign.organisation_id, name=campaign.name,
        questionnaire=f"{campaign.questionnaire_key}@{campaign.questionnaire_version}",
        opens_on=campaign.opens_on, closes_on=campaign.closes_on,
        state=campaign.state_on(utc_today()),  # type: ignore[arg-type]
        mode=campaign.mode,  # type: ignore[arg-type]
        anonymity_threshold=campaign.anonymity_threshold,
        open_link=public_link(url_for("survey.intro", slug=campaign.slug))
        if campaign.mode == "open" else None,
        responses=responses, in_progress=int(counts["in_progress"] or 0), invited=invited,
        response_rate=responses / invited if invited else None)


def _conflict(exc: OperationError) -> ApiError:
    return ApiError(409, "conflict", str(exc).capitalize() + ".")


@endpoint("/organisations", "GET", summary="List the organisations you work on",
          tag="organisations", query=OrganisationPage,
          response=Listing[OrganisationOut], errors=(422,))
def list_organisations(query: OrganisationPage) -> Listing[OrganisationOut]:
    """An administrator sees every organisation (the synthetic demo pool only with
    `include_synthetic=true`); others the organisations they hold a role in."""
    allowed = organisation_ids(api_user())
    condition: ColumnElement[bool] = (
        Organisation.id.in_(allowed) if allowed is not None
        else Organisation.synthetic.is_(False) if not query.include_synthetic
        else Organisation.id.is_not(None))
    total = db.session.scalar(select(func.count(Organisation.id)).where(condition)) or 0
    page = db.session.scalars(select(Organisation).where(condition)
                              .order_by(Organisation.name, Organisation.id)
                              .limit(query.limit).offset(query.offset))
    return Listing[OrganisationOut](items=[organisation_out(o) for o in page], total=total,
                                    limit=query.limit, offset=query.offset)


@endpoint("/organisations", "POST", summary="Create an organisation", tag="organisations",
          body=OrganisationIn, response=OrganisationOut, status=201, errors=(403, 409, 422))
def create_organisation_view(body: OrganisationIn) -> OrganisationOut:
    """Administrators and consultants; a consultant becomes the new organisation's
    consultant. HR / L&D admins work on their own organisation only (403)."""
    user = api_user()
    is_consultant = db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == CONSULTANT).limit(1)) is not None
    if not (user.is_admin or is_consultant):
        raise ApiError(403, message="Only administrators and consultants create organisations.")
    try:
        organisation = create_organisation(body.name, body.sector, body.size_band,
                                           body.country)
    except OperationError as exc:
        raise _conflict(exc) from None
    if not user.is_admin:
        grant(user, CONSULTANT, organisation)
    db.session.commit()
    return organisation_out(organisation)


@endpoint("/organisations/<int:organisation_id>", "GET", summary="One organisation",
          tag="organisations", response=OrganisationOut)
def get_organisation(organisation_id: int) -> OrganisationOut:
    """An organisation you work on."""
    return organisation_out(organisation_or_404(organisation_id))


@endpoint("/organisations/<int:organisation_id>/campaigns", "GET",
          summary="List an organisation's campaigns", tag="campaigns", query=Page,
          response=Listing[CampaignOut], errors=(422,))
def list_campaigns(organisation_id: int, query: Page) -> Listing[CampaignOut]:
    """Newest first (by opening day)."""
    organisation = organisation_or_404(organisation_id)
    condition = Campaign.organisation_id == organisation.id
    total = db.session.scalar(select(func.count(Campaign.id)).where(condition)) or 0
    page = db.session.scalars(select(Campaign).where(condition)
                              .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
                              .limit(query.limit).offset(query.offset))
    return Listing[CampaignOut](items=[campaign_out(c) for c in page], total=total,
                                limit=query.limit, offset=query.offset)


def _questionnaire(ident: str) -> Questionnaire:
    key, sep, version = ident.partition("@")
    try:
        if sep and not (version.isdigit() and len(version) < 6):
            raise KeyError(ident)
        return registry().get(key, int(version) if sep else None)
    except KeyError:
        raise ApiError(422, "unknown_questionnaire", f"There is no questionnaire '{ident}'.",
                       {"known": [q.ident for q in registry().all()]}) from None


@endpoint("/organisations/<int:organisation_id>/campaigns", "POST",
          summary="Create a campaign", tag="campaigns", body=CampaignIn,
          response=CampaignOut, status=201, errors=(422,))
def create_campaign(organisation_id: int, body: CampaignIn) -> CampaignOut:
    """Open link (`mode: open`) or single-use personal links (`mode: token`, then issue
    them with POST /campaigns/{id}/links)."""
    organisation = organisation_or_404(organisation_id)
    try:
        campaign = open_campaign(
            organisation, _questionnaire(body.questionnaire), body.name, body.opens_on,
            body.closes_on, mode=body.mode, anonymity_threshold=body.anonymity_threshold,
            invited=body.invited if body.mode == "open" else None)
    except OperationError as exc:
        raise ApiError(422, "invalid", str(exc).capitalize() + ".") from None
    db.session.commit()
    return campaign_out(campaign)


@endpoint("/campaigns/<int:campaign_id>", "GET", summary="One campaign", tag="campaigns",
          response=CampaignOut)
def get_campaign(campaign_id: int) -> CampaignOut:
    """A campaign with its live counts (responses, in progress, invited, response rate)."""
    return campaign_out(campaign_or_404(campaign_id))


@endpoint("/campaigns/<int:campaign_id>/close", "POST", summary="Close a campaign now",
          tag="campaigns", response=CampaignOut, errors=(409,))
def close_campaign_view(campaign_id: int) -> CampaignOut:
    """From today on it takes no answers (409 if it is already closed)."""
    campaign = campaign_or_404(campaign_id)
    try:
        close_campaign(campaign, utc_today())
    except OperationError as exc:
        raise _conflict(exc) from None
    db.session.commit()
    return campaign_out(campaign)


@endpoint("/campaigns/<int:campaign_id>/links", "POST", summary="Issue personal links",
          tag="campaigns", body=LinksIn, response=LinksOut, status=201, errors=(409, 422))
def issue_links(campaign_id: int, body: LinksIn) -> LinksOut:
    """New single-use links of a personal-link campaign. They are stored only as hashes:
    this answer is the one time they are shown, as with the CSV on the campaign page."""
    campaign = campaign_or_404(campaign_id)
    if campaign.mode != "token":
        raise ApiError(409, "open_link_campaign",
                       "This campaign has one open link, not personal links.")
    tokens = issue_tokens(campaign, body.count)
    db.session.commit()
    return LinksOut(campaign_id=campaign.id, links=[
        public_link(url_for("survey.invitation", token=t)) for t in tokens])

