"""`assessment questionnaire ...`: check and list instrument definitions."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from assessment.instrument.questionnaire import QuestionnaireError, load_file
from assessment.instruments import registry

questionnaire_cli = AppGroup("questionnaire", help="Questionnaire definitions.")


@questionnaire_cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_questionnaires(files: tuple[str, ...]) -> None:
    """Check definition files; list every problem and exit non-zero if there is any."""
    failed = False
    for path in files:
        try:
            questionnaire = load_file(path)
        except QuestionnaireError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(problem, err=True)
            continue
        items = sum(1 for _ in questionnaire.items())
        click.echo(f"{path}: OK ({questionnaire.ident}, {items} items)")
    if failed:
        sys.exit(1)


@questionnaire_cli.command("list")
def list_questionnaires() -> None:
    """List the questionnaires the app has loaded."""
    for questionnaire in registry().all():
        click.echo(f"{questionnaire.ident}\t{questionnaire.title.get('en', '')}")
