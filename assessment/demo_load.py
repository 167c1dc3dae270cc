"""Storing the synthetic demo pool, and the `assessment demo` command.

The pool replaces itself: every organisation flagged synthetic whose name starts with
"Synthetic " (with its campaigns, responses and scores) is deleted before the new pool
is loaded, so running the command twice leaves one pool, the one of the last seed.
Responses and their score rows go in with bulk INSERTs (executemany), scored exactly as
`operations.submit_response` scores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select

from assessment import operations
from assessment.answers import clean_answers
from assessment.demo import (
    DEFAULT_ORGANISATIONS,
    DEFAULT_SEED,
    NAME_PREFIX,
    SyntheticOrganisation,
    generate_pool,
)
from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import (
    Campaign,
    Draft,
    InvitationToken,
    Organisation,
    Response,
    ResponseScore,
)
from assessment.questionnaire import Questionnaire

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
    for model in (ResponseScore, Response, Draft, InvitationToken):
        db.session.execute(
            delete(model).where(model.campaign_id.in_(campaigns)),
            execution_options={"synchronize_session": False},
        )
    db.session.execute(delete(Campaign).where(Campaign.id.in_(campaigns)),
                       execution_options={"synchronize_session": False})
    db.session.execute(delete(Organisation).where(Organisation.id.in_(organisations)),
                       execution_options={"synchronize_session": False})
    db.session.expire_all()
    return count or 0


def load_pool(pool: Sequence[SyntheticOrganisation], questionnaire: Questionnaire) -> LoadedPool:
    """Store each organisation with one closed campaign and its scored responses; flushes."""
    responses = scores = 0
    for synthetic in pool:
        organisation = operations.create_organisation(
            synthetic.name, synthetic.sector, synthetic.size_band, synthetic.country,
            synthetic=True,
        )
        campaign = operations.open_campaign(
            organisation, questionnaire, CAMPAIGN_NAME, synthetic.opens_on,
            synthetic.closes_on, mode="open", anonymity_threshold=5,
            invited=synthetic.invited,
        )
        stored = _insert_responses(campaign.id, synthetic, questionnaire)
        responses += len(synthetic.responses)
        scores += stored
    return LoadedPool(organisations=len(pool), responses=responses, scores=scores)


def _insert_responses(
    campaign_id: int, synthetic: SyntheticOrganisation, questionnaire: Questionnaire
) -> int:
    """Bulk-insert one campaign's responses, then their score rows; the score-row count."""
    # A respondent answers in their own language when the instrument offers it.
    offered = questionnaire.languages
    rows = [
        operations.response_row(
            campaign_id, questionnaire, clean_answers(questionnaire, response.answers),
            response.locale if response.locale in offered else offered[0],
            response.submitted_on)
        for response in synthetic.responses
    ]
    return operations.store_responses(rows)


@click.command("demo")
@click.option("--orgs", "organisations", default=DEFAULT_ORGANISATIONS, show_default=True,
              type=click.IntRange(1, 999), help="How many synthetic organisations.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, type=int,
              help="Random seed: the same seed always gives the same pool.")
@with_appcontext
def demo_command(organisations: int, seed: int) -> None:
    """Replace the synthetic demo pool (it reproduces the published Digiskills findings)."""
    try:
        questionnaire = registry().get(*INSTRUMENT)
    except KeyError:
        raise click.ClickException("the digiskills@1 questionnaire is not loaded") from None
    pool = generate_pool(organisations, seed)
    try:
        removed = remove_demo_pool()
        loaded = load_pool(pool, questionnaire)
    except operations.OperationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"removed {removed} synthetic organisations; loaded {loaded.organisations} "
               f"(seed {seed}) with {loaded.responses} responses and {loaded.scores} scores")
