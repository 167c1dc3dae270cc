"""The `assessment` command: Flask's CLI (run, routes, db ...) plus one module per
command group. Commands are thin: parse, call an operation, commit, print. Modules that
are slow to import (scipy, matplotlib, WeasyPrint, openpyxl, Alembic) are imported inside
the commands that use them, so `assessment org list` does not pay for them.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy.exc import OperationalError, ProgrammingError

from assessment.extensions import init_migrations

MIGRATIONS_COMMAND = "db"  # Flask-Migrate's group: upgrade, migrate, downgrade ...


class AssessmentGroup(FlaskGroup):
    """Flask's CLI group, with Alembic loaded only for `db` and clear database errors."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == MIGRATIONS_COMMAND:
            add_database_commands(ctx.ensure_object(ScriptInfo).load_app())
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), MIGRATIONS_COMMAND})

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            raise click.ClickException(database_problem(exc)) from None


def add_database_commands(app: Flask) -> None:
    """Flask-Migrate's `db` group (upgrade, downgrade ...) on the app's CLI, with our
    own database commands in it (`db rebuild-summaries`)."""
    from assessment.cli.summaries import rebuild_summaries_command

    init_migrations(app)
    group = app.cli.commands[MIGRATIONS_COMMAND]
    if isinstance(group, click.Group):
        group.add_command(rebuild_summaries_command)


def database_problem(exc: OperationalError | ProgrammingError) -> str:
    """What went wrong with the database, in a line (never the SQL or its parameters)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    if "no such table" in reason or "does not exist" in reason:
        return ("the database has no tables yet (or an old schema): run "
                "`assessment db upgrade` first")
    return f"the database cannot be used: {reason}"


def main() -> None:
    """Entry point of the `assessment` console script."""
    from assessment.app import create_app

    cli = AssessmentGroup(create_app=create_app, help="Digital-maturity assessment.")
    cli.main(prog_name="assessment")


def register_commands(app: Flask) -> None:
    """Attach our command groups to the app's CLI."""
    from assessment.cli.campaigns import campaign_cli, demo_campaign
    from assessment.cli.demo import demo_command
    from assessment.cli.exports import export_command
    from assessment.cli.importing import import_command, import_template_command
    from assessment.cli.organisations import org_cli
    from assessment.cli.questionnaire import questionnaire_cli
    from assessment.cli.reports import report_cli
    from assessment.cli.stats import stats_command
    from assessment.cli.users import demo_accounts, user_cli
    from assessment.cli.worker import worker_command

    for command in (questionnaire_cli, org_cli, campaign_cli, demo_campaign, demo_command,
                    stats_command, import_command, import_template_command, report_cli,
                    worker_command, export_command, user_cli, demo_accounts):
        app.cli.add_command(command)
