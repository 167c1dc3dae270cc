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
from assessment.operations.organisations import create_organisation

org_cli = AppGroup("org", help="Organisations.")


@org_cli.command("create")
@click.option("--name", required=True)
@click.option("--sector", required=True)
@click.option("--size", "size_band", required=True, type=click.Choice(SIZE_BANDS))
@click.option("--country", required=True, help="Two-letter ISO code, e.g. PL.")
def create_org(name: str, sector: str, size_band: str, country: str) -> None:
    """Add an organisation."""
    try:
        organisation = create_organisation(name, sector, size_band, country)
    except OperationError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"organisation {organisation.id}: {organisation.name}")


@org_cli.command("list")
def list_orgs() -> None:
    """List organisations."""
    for o in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        label = " (synthetic)" if o.synthetic else ""
        click.echo(f"{o.id}\t{o.name}\t{o.sector}\t{o.size_band}\t{o.country}{label}")
