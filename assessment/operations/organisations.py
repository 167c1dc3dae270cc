"""Organisations: adding one."""

from __future__ import annotations

from sqlalchemy import select

from assessment.extensions import db
from assessment.instrument.attributes import SIZE_BANDS
from assessment.models import Organisation
from assessment.operations import OperationError
from assessment.operations.names import SECTOR_MAX_LENGTH, clean_name


def create_organisation(
    name: str, sector: str, size_band: str, country: str, synthetic: bool = False
) -> Organisation:
    """Add an organisation; its name must be new."""
    name = clean_name(name, "organisation")
    sector = clean_name(sector, "sector", SECTOR_MAX_LENGTH)
    if size_band not in SIZE_BANDS:
        raise OperationError(f"size band must be one of {', '.join(SIZE_BANDS)}")
    if len(country) != 2 or not country.isalpha():
        raise OperationError("country must be a two-letter ISO code, e.g. PL")
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise OperationError(f"an organisation called '{name}' already exists")
    organisation = Organisation(
        name=name, sector=sector, size_band=size_band, country=country.upper(),
        synthetic=synthetic,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation
