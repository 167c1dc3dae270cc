"""`assessment demo`: the synthetic benchmark pool."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from assessment.cli.common import progress
from assessment.demo import DEFAULT_ORGANISATIONS, DEFAULT_SEED
from assessment.extensions import db
from assessment.instruments import registry
from assessment.operations import OperationError


@click.command("demo")
@click.option("--orgs", "organisations", default=DEFAULT_ORGANISATIONS, show_default=True,
              type=click.IntRange(1, 999), help="How many synthetic organisations.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, type=int,
              help="Random seed: the same seed always gives the same pool.")
@with_appcontext
def demo_command(organisations: int, seed: int) -> None:
    """Replace the synthetic demo pool (it reproduces the published Digiskills findings)."""
    from assessment.demo.generator import generate_pool
    from assessment.demo.loader import INSTRUMENT, load_pool, remove_demo_pool

    try:
        questionnaire = registry().get(*INSTRUMENT)
    except KeyError:
        raise click.ClickException("the digiskills@1 questionnaire is not loaded") from None
    pool = generate_pool(organisations, seed)
    try:
        removed = remove_demo_pool()
        with progress(len(pool), "storing organisations") as advance:
            loaded = load_pool(pool, questionnaire, progress=lambda _org: advance(1))
    except OperationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"removed {removed} synthetic organisations; loaded {loaded.organisations} "
               f"(seed {seed}) with {loaded.responses} responses and {loaded.scores} scores")
