"""Drafts: a respondent's answers so far, page by page, until they submit.

The survey's steps are verbs here (start, save a page, go back, submit), so each request
of the journey calls one or two of them and commits once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select

from assessment.extensions import db
from assessment.instrument.answers import answer_problems, clean_answer
from assessment.instrument.questionnaire import Questionnaire
from assessment.models import Campaign, Draft, Response
from assessment.operations import OperationError
from assessment.operations.responses import submit_response
from assessment.operations.tokens import hash_secret


class DraftIncomplete(OperationError):
    """Required answers are missing; `page` (1-based) is the first page that lacks one."""

    def __init__(self, page: int):
        super().__init__(f"required answers are missing from page {page}")
        self.page = page


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


def save_page(
    draft: Draft, questionnaire: Questionnaire, answers: Mapping[str, Any], section: int
) -> None:
    """Merge one page's answers into the draft and remember the section (0-based) to
    show next, kept within the questionnaire whatever the request said."""
    merged = dict(draft.answers or {})
    merged.update(answers)
    draft.answers = merged
    draft.section = min(max(section, 0), len(questionnaire.sections) - 1)
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
    previous = max(page - 1, 1)
    save_page(draft, questionnaire, keep_valid(questionnaire, answers), previous - 1)
    return previous


def submit_draft(
    campaign: Campaign, questionnaire: Questionnaire, draft: Draft, locale: str,
    token: str | None = None,
) -> Response:
    """Turn a complete draft into a response (the draft is deleted with it).

    Raises DraftIncomplete with the first page that still lacks a required answer.
    """
    answers = dict(draft.answers or {})
    missing = answer_problems(questionnaire, answers)
    if missing:
        page = next(
            number for number, section in enumerate(questionnaire.sections, start=1)
            if any(item.key in missing for item in section.items)
        )
        raise DraftIncomplete(page)
    return submit_response(campaign, questionnaire, answers, locale=locale, token=token,
                           draft=draft)


def purge_drafts(older_than_days: int, today: dt.date) -> int:
    """Delete unfinished drafts last saved more than `older_than_days` ago; returns how many."""
    if older_than_days < 0:
        raise OperationError("the age must be zero or more days")
    cutoff = today - dt.timedelta(days=older_than_days)
    result = db.session.execute(delete(Draft).where(Draft.updated_on < cutoff))
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
