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
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, func, insert, select

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
from assessment.scoring import INDEX, score_response

# The generator's latent model is calibrated on this instrument's items.
INSTRUMENT = ("digiskills", 1)
CAMPAIGN_NAME = "Digital maturity assessment 2026"
PROFILE_COLUMNS = ("seniority", "function", "generation", "country")


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
    rows: list[dict[str, Any]] = []
    scored: list[dict[str, float | None]] = []
    # A respondent answers in their own language when the instrument offers it.
    offered = questionnaire.languages
    for response in synthetic.responses:
        answers = clean_answers(questionnaire, response.answers)
        scores = score_response(questionnaire, answers)
        scored.append(scores)
        rows.append({
            "campaign_id": campaign_id, "answers": answers,
            "locale": response.locale if response.locale in offered else offered[0],
            "submitted_on": response.submitted_on, "index_score": scores[INDEX],
            "scores": scores, **{key: answers.get(key) for key in PROFILE_COLUMNS},
        })
    table = Response.__table__
    ids = db.session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    ).all()
    score_rows = [
        {"response_id": response_id, "campaign_id": campaign_id, "dimension": dimension,
         "score": score}
        for response_id, scores in zip(ids, scored, strict=True)
        for dimension, score in scores.items() if score is not None
    ]
    db.session.execute(insert(ResponseScore.__table__), score_rows)
    return len(score_rows)


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
