"""Responses: storing one submitted questionnaire, or many collected elsewhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert

from assessment.extensions import db
from assessment.instrument.answers import answer_problems, clean_answers
from assessment.instrument.questionnaire import Questionnaire
from assessment.instrument.scoring import INDEX, score_response
from assessment.models import Campaign, Response, ResponseScore, utc_today
from assessment.operations import AnswersInvalid
from assessment.operations.campaigns import record_data_change
from assessment.operations.summaries import add_to_summaries

if TYPE_CHECKING:  # the reader (and openpyxl) is loaded only by commands that import
    from assessment.io.importing import ImportedResponse

PROFILE_COLUMNS = ("seniority", "function", "generation", "country")  # Response columns
BULK_BATCH = 1_000  # responses per INSERT: bounds memory and statement size


def submit_response(
    campaign: Campaign,
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    locale: str = "en",
    submitted_on: dt.date | None = None,
) -> Response:
    """Store one complete response with its scores, counted into the campaign's summary;
    flush only.

    Personal tokens are spent when the respondent starts (operations.drafts), never
    here: the transaction that stores a response touches no token.
    """
    problems = answer_problems(questionnaire, answers)
    if problems:
        raise AnswersInvalid(problems)
    cleaned = clean_answers(questionnaire, answers)
    row = response_row(campaign.id, questionnaire, cleaned, locale,
                       submitted_on or utc_today())
    response = Response(**row)
    db.session.add(response)
    db.session.flush()
    scores = score_rows(response.id, row)
    if scores:
        db.session.execute(insert(cast(Table, ResponseScore.__table__)), scores)
    record_data_change(campaign.id)
    add_to_summaries([row])
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


def store_responses(
    rows: Sequence[Mapping[str, Any]], progress: Callable[[int], None] | None = None
) -> int:
    """Bulk-insert response rows (from `response_row`) and their score rows, and count
    them into their campaigns' summaries; flush only.

    Core executemany in batches rather than one ORM object at a time: the ORM spends more
    time per row than the database does, which matters for imports and the demo pool.
    Returns the number of score rows stored; `progress(n)` is told of each batch stored.
    """
    table = cast(Table, Response.__table__)
    stored = 0
    for start in range(0, len(rows), BULK_BATCH):
        batch = rows[start:start + BULK_BATCH]
        ids = db.session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), batch
        ).all()
        scores = [s for response_id, row in zip(ids, batch, strict=True)
                  for s in score_rows(response_id, row)]
        if scores:
            db.session.execute(insert(cast(Table, ResponseScore.__table__)), scores)
        stored += len(scores)
        if progress is not None:
            progress(len(batch))
    record_data_change(sorted({int(row["campaign_id"]) for row in rows}))
    add_to_summaries(rows)
    db.session.flush()
    return stored


def import_responses(
    campaign: Campaign, questionnaire: Questionnaire, imported: Sequence[ImportedResponse],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store validated responses collected elsewhere, with their scores; flush only."""
    # Bulk inserts rather than submit_response per row, which flushes twice per response:
    # fine for one respondent, many minutes for 100,000 rows. The rows are the same ones
    # (response_row). Campaign dates and tokens are not looked at: the answers were
    # collected elsewhere, spending no token.
    today = utc_today()
    store_responses([
        response_row(campaign.id, questionnaire, response.answers, response.locale,
                     response.submitted_on or today)
        for response in imported
    ], progress)
    return len(imported)
