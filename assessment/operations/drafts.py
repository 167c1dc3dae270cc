"""Drafts: a respondent's answers so far, page by page, until they submit.

The survey's steps are verbs here (start, save a page, go back, submit), so each request
of the journey calls one or two of them and commits once.

A draft is found by a random resume key, stored only hashed, never derived from a
personal token: spending a token deletes the token and starts a draft under a fresh key
(`start_with_token`). Submitting deletes the draft and records its spent key in
`submissions`, in the same transaction as the response, so a retried submit is
recognised (`was_submitted`) and never stores the answers twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select, update

from assessment.extensions import db
from assessment.instrument.answers import answer_problems, clean_answer
from assessment.instrument.questionnaire import Questionnaire
from assessment.models import Campaign, Draft, Response, Submission, utc_today
from assessment.operations import OperationError
from assessment.operations.responses import submit_response
from assessment.operations.tokens import hash_secret, new_secret, spend_token


class DraftIncomplete(OperationError):
    """Required answers are missing; `page` (1-based) is the first page that lacks one."""

    def __init__(self, page: int):
        super().__init__(f"required answers are missing from page {page}")
        self.page = page


class DraftGone(OperationError):
    """The draft was submitted (or removed) by another request meanwhile."""


def start_draft(campaign: Campaign) -> tuple[Draft, str]:
    """Begin a draft under a fresh random resume key; returns it and the plain key."""
    key = new_secret()
    draft = Draft(campaign_id=campaign.id, key_hash=hash_secret(key), answers={}, section=0)
    db.session.add(draft)
    db.session.flush()
    return draft, key


def start_with_token(campaign: Campaign, token: str) -> tuple[Draft, str]:
    """Spend a personal token and begin its draft under a fresh, unrelated resume key.

    The token row is deleted (TokenUnavailable if it is already gone), so the only way
    into a token campaign is one spent token, and nothing stored names the token after.
    """
    spend_token(token, campaign)
    legacy = hash_secret(token)
    key = new_secret()
    # Drafts started before tokens were spent at the start were stored under the
    # token's own hash: give such a draft the fresh key, so its answers are kept and the
    # token's hash disappears from it.
    moved = db.session.execute(
        update(Draft).where(Draft.campaign_id == campaign.id, Draft.key_hash == legacy)
        .values(key_hash=hash_secret(key))
    )
    if moved.rowcount == 1:  # type: ignore[attr-defined]
        draft = find_draft(campaign, key)
        if draft is None:  # the row just moved is there in this transaction
            raise RuntimeError("the draft just moved is gone")
        return draft, key
    draft = Draft(campaign_id=campaign.id, key_hash=hash_secret(key), answers={}, section=0)
    db.session.add(draft)
    db.session.flush()
    return draft, key


def find_draft(campaign: Campaign, key: str) -> Draft | None:
    """The campaign's draft with this resume key, or None."""
    return db.session.scalar(
        select(Draft).where(Draft.campaign_id == campaign.id, Draft.key_hash == hash_secret(key))
    )


def was_submitted(campaign: Campaign, key: str) -> bool:
    """Whether the draft of this resume key has been submitted."""
    return db.session.scalar(
        select(Submission.key_hash).where(Submission.campaign_id == campaign.id,
                                          Submission.key_hash == hash_secret(key))
    ) is not None


def last_page(questionnaire: Questionnaire) -> int:
    """The number (1-based) of the questionnaire's last page."""
    return len(questionnaire.sections)


def bounded_page(questionnaire: Questionnaire, number: int) -> int:
    """A page number (1-based) kept within the questionnaire, whatever the request said."""
    return min(max(number, 1), last_page(questionnaire))


def save_page(
    draft: Draft, questionnaire: Questionnaire, answers: Mapping[str, Any], section: int
) -> None:
    """Merge one page's answers into the draft and remember the section (0-based) to
    show next, kept within the questionnaire whatever the request said."""
    merged = dict(draft.answers or {})
    merged.update(answers)
    draft.answers = merged
    draft.section = bounded_page(questionnaire, section + 1) - 1
    db.session.flush()


def keep_valid(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that are valid choices, so a page left unfinished never stores rubbish."""
    kept: dict[str, Any] = {}
    for key, value in answers.items():
        try:
            kept[key] = clean_answer(questionnaire, questionnaire.item(key), value)
        except (ValueError, KeyError):
            continue
    return kept


def go_back(
    draft: Draft, questionnaire: Questionnaire, answers: Mapping[str, Any], page: int
) -> int:
    """Keep the valid answers of `page` (1-based) and return the page before it."""
    previous = bounded_page(questionnaire, page - 1)
    save_page(draft, questionnaire, keep_valid(questionnaire, answers), previous - 1)
    return previous


def submit_draft(
    campaign: Campaign, questionnaire: Questionnaire, draft: Draft, key: str, locale: str,
    last_page: Mapping[str, Any] | None = None,
) -> Response:
    """Turn a complete draft into a response; the draft is deleted and its key spent.

    `last_page` holds the answers posted with the submit, merged into the draft's here
    rather than saved into the draft first (an UPDATE of a row about to be deleted).
    Raises DraftIncomplete with the first page that still lacks a required answer
    (nothing is written then), and DraftGone when another request submitted the same
    draft first.
    """
    answers = dict(draft.answers or {})
    answers.update(last_page or {})
    missing = answer_problems(questionnaire, answers)
    if missing:
        page = next(
            number for number, section in enumerate(questionnaire.sections, start=1)
            if any(item.key in missing for item in section.items)
        )
        raise DraftIncomplete(page)
    # The DELETE is the claim: of two requests submitting one draft, only one removes it.
    removed = db.session.execute(
        delete(Draft).where(Draft.id == draft.id, Draft.key_hash == hash_secret(key)),
        execution_options={"synchronize_session": False},
    )
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        raise DraftGone("the draft was submitted elsewhere")
    db.session.expunge(draft)
    db.session.add(Submission(key_hash=hash_secret(key), campaign_id=campaign.id,
                              submitted_on=utc_today()))
    return submit_response(campaign, questionnaire, answers, locale=locale)


def purge_drafts(older_than_days: int, today: dt.date) -> int:
    """Delete unfinished drafts last saved more than `older_than_days` ago, and spent
    resume keys as old; returns how many drafts."""
    if older_than_days < 0:
        raise OperationError("the age must be zero or more days")
    cutoff = today - dt.timedelta(days=older_than_days)
    result = db.session.execute(delete(Draft).where(Draft.updated_on < cutoff))
    db.session.execute(delete(Submission).where(Submission.submitted_on < cutoff))
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
