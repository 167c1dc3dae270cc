"""`assessment db rebuild-summaries`: recompute the campaign summaries from the responses."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from assessment.extensions import db


@click.command("rebuild-summaries")
@with_appcontext
def rebuild_summaries_command() -> None:
    """Recompute every campaign's summary (responses; per dimension the count, sum and sum
    of squares of the scores) from the stored responses, in one transaction."""
    from assessment.operations.summaries import rebuild_summaries

    started = time.perf_counter()
    campaigns, rows = rebuild_summaries()
    db.session.commit()
    click.echo(f"rebuilt the summaries of {campaigns} campaigns ({rows} dimension rows) "
               f"in {time.perf_counter() - started:.1f} s")
