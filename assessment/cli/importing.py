"""`assessment import` and `assessment import-template`: answers collected elsewhere.

The file is checked and stored by `assessment.operations.imports` (the API uses the same
functions), all or nothing, in the command's one transaction.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from assessment.cli.common import campaign_by_id, progress
from assessment.extensions import db
from assessment.instrument.questionnaire import Questionnaire
from assessment.instruments import InstrumentMissing, questionnaire_of
from assessment.models import Campaign, utc_today


def _campaign_questionnaire(campaign_id: int) -> tuple[Campaign, Questionnaire]:
    campaign = campaign_by_id(campaign_id)
    try:
        return campaign, questionnaire_of(campaign)
    except InstrumentMissing:
        raise click.ClickException(
            f"campaign {campaign_id} uses {campaign.questionnaire_key}@"
            f"{campaign.questionnaire_version}, which is not loaded") from None


def _rough_rows(file: str) -> int:
    """About how many rows a file has, for the progress bar (0 when not known cheaply)."""
    path = Path(file)
    if path.suffix.lower() != ".csv":
        return 0
    try:
        with path.open("rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)
    except OSError:
        return 0


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--campaign", "campaign_id", required=True, type=int,
              help="The campaign the answers belong to.")
@with_appcontext
def import_command(file: str, campaign_id: int) -> None:
    """Import responses from a CSV or XLSX file, one row per respondent; all or nothing."""
    from assessment.io.importing import ImportRejected
    from assessment.operations.imports import check_import_file, import_responses

    campaign, questionnaire = _campaign_questionnaire(campaign_id)
    try:
        with progress(_rough_rows(file), "checking rows") as advance:
            imported = check_import_file(campaign, questionnaire, file, today=utc_today(),
                                         progress=advance)
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(f"{file}: {problem}", err=True)
        raise click.ClickException(
            "nothing imported: correct the file and import it again") from None
    with progress(len(imported), "storing responses") as advance:
        count = import_responses(campaign, questionnaire, imported, progress=advance)
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
    from assessment.io.templates import csv_template, template_columns, xlsx_template

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
