"""`assessment org ...`: organisations."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from assessment.cli.common import fail
from assessment.extensions import db
from assessment.instrument.attributes import SIZE_BANDS
from assessment.models import Organisation
from assessment.operations import OperationError
from assessment.operations.organisations import (
    create_organisation,
    set_benchmark_consent,
)

org_cli = AppGroup("org", help="Organisations.")


@org_cli.command("create")
@click.option("--name", required=True)
@click.option("--sector", required=True)
@click.option("--size", "size_band", required=True, type=click.Choice(SIZE_BANDS))
@click.option("--country", required=True, help="Two-letter ISO code, e.g. PL.")
@click.option("--benchmark-pool/--no-benchmark-pool", "pool", default=False,
              help="Whether its results enter the shared benchmark pool (the organisation "
                   "has agreed); default: not until it agrees.")
def create_org(name: str, sector: str, size_band: str, country: str, pool: bool) -> None:
    """Add an organisation."""
    try:
        organisation = create_organisation(name, sector, size_band, country,
                                           benchmark_consent=pool)
    except OperationError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"organisation {organisation.id}: {organisation.name}")


@org_cli.command("benchmark")
@click.option("--org", "name", required=True, help="The organisation's name.")
@click.option("--in/--out", "pool", required=True,
              help="--in: its results enter the shared benchmark pool (it has agreed); "
                   "--out: they leave it.")
def benchmark_consent(name: str, pool: bool) -> None:
    """Record whether an organisation's results enter the shared benchmark pool."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        fail(f"no organisation called '{name}'")
        return
    changed = set_benchmark_consent(organisation, pool, by=None)
    db.session.commit()
    state = "in" if pool else "out of"
    click.echo(f"{organisation.name} is {state} the benchmark pool"
               + ("" if changed else " (unchanged)"))


@org_cli.command("list")
def list_orgs() -> None:
    """List organisations."""
    for o in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        label = " (synthetic)" if o.synthetic else ""
        pool = "pool" if o.benchmark_consent else "-"
        click.echo(f"{o.id}\t{o.name}\t{o.sector}\t{o.size_band}\t{o.country}\t{pool}"
                   f"{label}")
