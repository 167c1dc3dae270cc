"""Storing the synthetic demo pool.

The pool replaces itself: every organisation flagged synthetic whose name starts with
"Synthetic " (with its campaigns, responses and scores) is deleted before the new pool
is loaded, so running the command twice leaves one pool, the one of the last seed.
Responses and their score rows go in with bulk INSERTs (executemany), scored exactly as
`operations.responses.submit_response` scores them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from assessment.demo.generator import NAME_PREFIX, SyntheticOrganisation
from assessment.extensions import db
from assessment.instrument.answers import clean_answers
from assessment.instrument.questionnaire import Questionnaire
from assessment.models import (
    Campaign,
    Organisation,
)
from assessment.operations.campaigns import delete_campaigns, open_campaign
from assessment.operations.organisations import create_organisation
from assessment.operations.responses import response_row, store_responses

# The generator's latent model is calibrated on this instrument's items.
INSTRUMENT = ("digiskills", 1)
CAMPAIGN_NAME = "Digital maturity assessment 2026"


@dataclass(frozen=True)
class LoadedPool:
    """What one load stored."""

    organisations: int
    responses: int
    scores: int


def remove_demo_pool() -> int:
    """Delete the synthetic demo organisations and everything under them; flushes only."""
    organisations = select(Organisation.id).where(
        Organisation.synthetic.is_(True), Organisation.name.startswith(NAME_PREFIX))
    campaigns = select(Campaign.id).where(Campaign.organisation_id.in_(organisations))
    count = db.session.scalar(select(func.count()).select_from(organisations.subquery()))
    delete_campaigns(list(db.session.scalars(campaigns)))
    db.session.execute(delete(Organisation).where(Organisation.id.in_(organisations)),
                       execution_options={"synchronize_session": False})
    db.session.expire_all()
    return count or 0


def load_pool(
    pool: Sequence[SyntheticOrganisation], questionnaire: Questionnaire,
    progress: Callable[[SyntheticOrganisation], None] | None = None,
) -> LoadedPool:
    """Store each organisation with one closed campaign and its scored responses; flushes.

    `progress` is called after each organisation is stored (the CLI's progress bar).
    """
    responses = scores = 0
    for synthetic in pool:
        organisation = create_organisation(
            synthetic.name, synthetic.sector, synthetic.size_band, synthetic.country,
            synthetic=True,
        )
        campaign = open_campaign(
            organisation, questionnaire, CAMPAIGN_NAME, synthetic.opens_on,
            synthetic.closes_on, mode="open", anonymity_threshold=5,
            invited=synthetic.invited,
        )
        stored = _insert_responses(campaign.id, synthetic, questionnaire)
        responses += len(synthetic.responses)
        scores += stored
        if progress is not None:
            progress(synthetic)
    return LoadedPool(organisations=len(pool), responses=responses, scores=scores)


def _insert_responses(
    campaign_id: int, synthetic: SyntheticOrganisation, questionnaire: Questionnaire
) -> int:
    """Bulk-insert one campaign's responses, then their score rows; the score-row count."""
    # A respondent answers in their own language when the instrument offers it.
    offered = questionnaire.languages
    rows = [
        response_row(
            campaign_id, questionnaire, clean_answers(questionnaire, response.answers),
            response.locale if response.locale in offered else offered[0],
            response.submitted_on)
        for response in synthetic.responses
    ]
    return store_responses(rows)
