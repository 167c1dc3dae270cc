"""Business operations: each changes state and flushes; the caller commits.

The request (or the CLI command) is the one transaction boundary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from assessment.answers import answer_problems, clean_answers
from assessment.extensions import db
from assessment.models import (
    Campaign,
    Draft,
    InvitationToken,
    Organisation,
    Response,
    ResponseScore,
    utc_today,
)
from assessment.questionnaire import Questionnaire
from assessment.scoring import INDEX, score_response

SIZE_BANDS = ["1-49", "50-249", "250-999", "1000-4999", "5000+"]
DEMO_ORGANISATION = "Demo organisation"  # where `make run` opens a campaign to try
PROFILE_COLUMNS = ("seniority", "function", "generation", "country")  # Response columns
BULK_BATCH = 1_000  # responses per INSERT: bounds memory and statement size


class OperationError(Exception):
    """A request that cannot be carried out; the message says why."""


class AnswersInvalid(OperationError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class TokenUnavailable(OperationError):
    """The token is unknown or already used."""


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest: tokens and resume keys are stored only this way."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_organisation(
    name: str, sector: str, size_band: str, country: str, synthetic: bool = False
) -> Organisation:
    """Add an organisation; its name must be new."""
    name = name.strip()
    if not name:
        raise OperationError("the organisation needs a name")
    if size_band not in SIZE_BANDS:
        raise OperationError(f"size band must be one of {', '.join(SIZE_BANDS)}")
    if len(country) != 2 or not country.isalpha():
        raise OperationError("country must be a two-letter ISO code, e.g. PL")
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise OperationError(f"an organisation called '{name}' already exists")
    organisation = Organisation(
        name=name, sector=sector.strip(), size_band=size_band, country=country.upper(),
        synthetic=synthetic,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


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
    if anonymity_threshold < 2:
        raise OperationError("the anonymity threshold must be at least 2")
    campaign = Campaign(
        organisation=organisation, name=name.strip() or "Assessment",
        slug=secrets.token_urlsafe(9), questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version, opens_on=opens_on, closes_on=closes_on,
        mode=mode, anonymity_threshold=anonymity_threshold, invited=invited,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def issue_tokens(campaign: Campaign, count: int) -> list[str]:
    """Create single-use tokens; returns the plain tokens, which are stored only hashed."""
    if count < 1:
        raise OperationError("the number of tokens must be at least 1")
    tokens = [secrets.token_urlsafe(18) for _ in range(count)]
    db.session.add_all(
        InvitationToken(campaign_id=campaign.id, token_hash=hash_secret(t)) for t in tokens
    )
    campaign.invited = (campaign.invited or 0) + count
    db.session.flush()
    return tokens


def find_token(token: str) -> InvitationToken | None:
    """The invitation token row for a plain token, or None."""
    return db.session.scalar(
        select(InvitationToken).where(InvitationToken.token_hash == hash_secret(token))
    )


def start_draft(campaign: Campaign, key: str | None = None) -> tuple[Draft, str]:
    """Begin (or find again) a draft; returns it and its plain resume key."""
    key = key or secrets.token_urlsafe(18)
    existing = find_draft(campaign, key)
    if existing is not None:
        return existing, key
    draft = Draft(campaign_id=campaign.id, key_hash=hash_secret(key), answers={}, section=0)
    db.session.add(draft)
    db.session.flush()
    return draft, key


def find_draft(campaign: Campaign, key: str) -> Draft | None:
    """The campaign's draft with this resume key, or None."""
    return db.session.scalar(
        select(Draft).where(Draft.campaign_id == campaign.id, Draft.key_hash == hash_secret(key))
    )


def save_draft(draft: Draft, answers: Mapping[str, Any], section: int) -> None:
    """Merge one page's answers into the draft and remember where the respondent is."""
    merged = dict(draft.answers or {})
    merged.update(answers)
    draft.answers = merged
    draft.section = section
    db.session.flush()


def submit_response(
    campaign: Campaign,
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    locale: str = "en",
    token: str | None = None,
    draft: Draft | None = None,
    submitted_on: dt.date | None = None,
) -> Response:
    """Store one complete response with its scores; a token is consumed exactly once."""
    problems = answer_problems(questionnaire, answers)
    if problems:
        raise AnswersInvalid(problems)
    cleaned = clean_answers(questionnaire, answers)
    if token is not None:
        # One conditional UPDATE: under concurrent submits only one sees a row to change.
        result = db.session.execute(
            update(InvitationToken)
            .where(InvitationToken.token_hash == hash_secret(token),
                   InvitationToken.campaign_id == campaign.id,
                   InvitationToken.used.is_(False))
            .values(used=True)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise TokenUnavailable("this invitation link has already been used")
    row = response_row(campaign.id, questionnaire, cleaned, locale,
                       submitted_on or utc_today())
    response = Response(**row)
    db.session.add(response)
    db.session.flush()
    scores = score_rows(response.id, row)
    if scores:
        db.session.execute(insert(ResponseScore.__table__), scores)
    if draft is not None:
        db.session.execute(delete(Draft).where(Draft.id == draft.id))
    db.session.flush()
    return response


def response_row(
    campaign_id: int, questionnaire: Questionnaire, answers: Mapping[str, Any], locale: str,
    submitted_on: dt.date,
) -> dict[str, Any]:
    """The columns of one response row from cleaned answers: scores and profile included."""
    scores = score_response(questionnaire, answers)
    profile_keys = {i.key for i in questionnaire.profile_items()}
    return {
        "campaign_id": campaign_id, "answers": dict(answers), "locale": locale,
        "submitted_on": submitted_on, "index_score": scores[INDEX], "scores": scores,
        **{key: answers.get(key) if key in profile_keys else None for key in PROFILE_COLUMNS},
    }


def score_rows(response_id: int, row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The response_scores rows of one response row (dimensions without a score left out)."""
    return [
        {"response_id": response_id, "campaign_id": row["campaign_id"], "dimension": dimension,
         "score": score}
        for dimension, score in row["scores"].items() if score is not None
    ]


def store_responses(rows: Sequence[Mapping[str, Any]]) -> int:
    """Bulk-insert response rows (from `response_row`) and their score rows; flush only.

    Core executemany in batches rather than one ORM object at a time: the ORM spends more
    time per row than the database does, which matters for imports and the demo pool.
    Returns the number of score rows stored.
    """
    table = Response.__table__
    stored = 0
    for start in range(0, len(rows), BULK_BATCH):
        batch = rows[start:start + BULK_BATCH]
        ids = db.session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), batch
        ).all()
        scores = [s for response_id, row in zip(ids, batch, strict=True)
                  for s in score_rows(response_id, row)]
        if scores:
            db.session.execute(insert(ResponseScore.__table__), scores)
        stored += len(scores)
    db.session.flush()
    return stored


def purge_drafts(older_than_days: int, today: dt.date) -> int:
    """Delete unfinished drafts last saved more than `older_than_days` ago; returns how many."""
    if older_than_days < 0:
        raise OperationError("the age must be zero or more days")
    cutoff = today - dt.timedelta(days=older_than_days)
    result = db.session.execute(delete(Draft).where(Draft.updated_on < cutoff))
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def demo_campaign_slug(today: dt.date) -> str | None:
    """The slug of the demo organisation's open campaign, if there is one."""
    campaigns = db.session.scalars(
        select(Campaign).join(Organisation)
        .where(Organisation.name == DEMO_ORGANISATION, Campaign.mode == "open")
        .order_by(Campaign.id.desc())
    )
    return next((c.slug for c in campaigns if c.state_on(today) == "open"), None)


def response_counts(campaign: Campaign) -> dict[str, int | None]:
    """Responses, invitations, tokens used and drafts in progress for one campaign."""
    responses = db.session.scalar(
        select(func.count(Response.id)).where(Response.campaign_id == campaign.id)
    )
    used = db.session.scalar(
        select(func.count(InvitationToken.id)).where(
            InvitationToken.campaign_id == campaign.id, InvitationToken.used.is_(True))
    )
    drafts = db.session.scalar(
        select(func.count(Draft.id)).where(Draft.campaign_id == campaign.id)
    )
    return {"responses": responses or 0, "invited": campaign.invited,
            "tokens_used": used or 0, "in_progress": drafts or 0}
