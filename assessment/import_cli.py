"""`assessment import` and `assessment import-template`: answers collected elsewhere.

The file is read and checked by the pure `assessment.importing`; this module stores the
valid responses (all or nothing, in the command's one transaction) and writes templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import insert

from assessment.cli import campaign_by_id
from assessment.config import LANGUAGES
from assessment.extensions import db
from assessment.import_templates import csv_template, template_columns, xlsx_template
from assessment.importing import ImportedResponse, ImportRejected, read_path
from assessment.instruments import questionnaire_of
from assessment.models import Campaign, Response, ResponseScore
from assessment.questionnaire import Questionnaire
from assessment.scoring import INDEX, score_response

BATCH_SIZE = 1_000  # responses per INSERT batch: bounds memory and statement size
PROFILE_COLUMNS = ("seniority", "function", "generation", "country")  # as submit_response
# Core tables, not the ORM classes: the ORM's bulk path spends more time per row than the
# database does.
RESPONSES = Response.__table__
RESPONSE_SCORES = ResponseScore.__table__


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def import_responses(
    campaign: Campaign, questionnaire: Questionnaire, imported: Sequence[ImportedResponse]
) -> int:
    """Store validated responses with their scores, as submit_response does; flush only."""
    # Bulk inserts rather than submit_response per row: it flushes twice per response,
    # fine for one respondent but many minutes for 100,000 rows. The rows are the same:
    # answers cleaned by clean_answers (in assessment.importing), scores by score_response,
    # the same profile columns; tests/test_import.py compares the two. Campaign dates and
    # tokens are not looked at: the answers were collected elsewhere, spending no token.
    today = _today()
    for start in range(0, len(imported), BATCH_SIZE):
        rows = [_response_row(campaign, questionnaire, response, today)
                for response in imported[start:start + BATCH_SIZE]]
        ids = db.session.scalars(
            insert(RESPONSES).returning(RESPONSES.c.id, sort_by_parameter_order=True), rows
        ).all()
        scores = [
            {"response_id": response_id, "campaign_id": campaign.id, "dimension": dimension,
             "score": score}
            for response_id, row in zip(ids, rows, strict=True)
            for dimension, score in row["scores"].items() if score is not None
        ]
        if scores:
            db.session.execute(insert(RESPONSE_SCORES), scores)
    db.session.flush()
    return len(imported)


def _response_row(
    campaign: Campaign, questionnaire: Questionnaire, response: ImportedResponse, today: dt.date
) -> dict[str, Any]:
    scores = score_response(questionnaire, response.answers)
    profile = {item.key: response.answers.get(item.key)
               for item in questionnaire.profile_items() if item.key in PROFILE_COLUMNS}
    return {
        "campaign_id": campaign.id, "answers": response.answers, "locale": response.locale,
        "submitted_on": response.submitted_on or today, "index_score": scores[INDEX],
        "scores": scores, **profile,
    }


def _locales(questionnaire: Questionnaire) -> list[str]:
    """Languages an imported response may be marked with."""
    # Every language the project supports, not only those the web pages are translated
    # into yet: these answers were collected elsewhere, perhaps on paper.
    return [*LANGUAGES, *(code for code in questionnaire.languages if code not in LANGUAGES)]


def _campaign_questionnaire(campaign_id: int) -> tuple[Campaign, Questionnaire]:
    campaign = campaign_by_id(campaign_id)
    try:
        return campaign, questionnaire_of(campaign)
    except KeyError:
        raise click.ClickException(
            f"campaign {campaign_id} uses {campaign.questionnaire_key}@"
            f"{campaign.questionnaire_version}, which is not loaded") from None


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--campaign", "campaign_id", required=True, type=int,
              help="The campaign the answers belong to.")
@with_appcontext
def import_command(file: str, campaign_id: int) -> None:
    """Import responses from a CSV or XLSX file, one row per respondent; all or nothing."""
    campaign, questionnaire = _campaign_questionnaire(campaign_id)
    try:
        imported = read_path(questionnaire, file, locales=_locales(questionnaire),
                             today=_today())
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(f"{file}: {problem}", err=True)
        raise click.ClickException(
            "nothing imported: correct the file and import it again") from None
    count = import_responses(campaign, questionnaire, imported)
    db.session.commit()
    click.echo(f"imported {count} responses into campaign {campaign.id}")


@click.command("import-template")
@click.option("--campaign", "campaign_id", required=True, type=int,
              help="The campaign whose questionnaire sets the columns.")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="FILE.csv, or FILE.xlsx for drop-downs and a sheet of the allowed codes.")
@with_appcontext
def import_template_command(campaign_id: int, out: str) -> None:
    """Write an empty import file for a campaign, with the right header."""
    suffix = Path(out).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise click.BadParameter("give a file name ending in .csv or .xlsx", param_hint="-o")
    campaign, questionnaire = _campaign_questionnaire(campaign_id)
    content = csv_template(questionnaire) if suffix == ".csv" else xlsx_template(questionnaire)
    try:
        Path(out).write_bytes(content)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out} ({exc.strerror})") from None
    click.echo(f"template for campaign {campaign.id} ({questionnaire.ident}, "
               f"{len(template_columns(questionnaire))} columns) written to {out}")
