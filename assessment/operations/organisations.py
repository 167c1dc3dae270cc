"""Organisations: adding one, and whether its results enter the shared benchmark pool."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from assessment.extensions import db
from assessment.instrument.attributes import SIZE_BANDS
from assessment.models import Organisation, utcnow
from assessment.operations import OperationError
from assessment.operations.names import NAME_MAX_LENGTH, SECTOR_MAX_LENGTH, clean_name

MAX_NAME = NAME_MAX_LENGTH
MAX_SECTOR = SECTOR_MAX_LENGTH


def create_organisation(
    name: str, sector: str, size_band: str, country: str, synthetic: bool = False,
    benchmark_consent: bool | None = None, created_by: int | None = None,
) -> Organisation:
    """Add an organisation; its name must be new.

    It enters the shared benchmark pool only when `benchmark_consent` says so; by
    default a synthetic (demo) organisation is in and a real one out until someone who
    runs it agrees (see `set_benchmark_consent`). `created_by` is recorded as the
    account that gave that first answer.
    """
    name = clean_name(name, "organisation")
    sector = clean_name(sector, "sector", SECTOR_MAX_LENGTH)
    if size_band not in SIZE_BANDS:
        raise OperationError(f"size band must be one of {', '.join(SIZE_BANDS)}")
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise OperationError("country must be a two-letter ISO code, e.g. PL")
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise OperationError(f"an organisation called '{name}' already exists")
    consent = synthetic if benchmark_consent is None else benchmark_consent
    organisation = Organisation(
        name=name, sector=sector, size_band=size_band, country=country.upper(),
        synthetic=synthetic, benchmark_consent=consent,
        benchmark_consent_at=utcnow() if benchmark_consent is not None else None,
        benchmark_consent_by=created_by if benchmark_consent is not None else None,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def set_benchmark_consent(organisation: Organisation, consent: bool, by: int | None,
                          now: dt.datetime | None = None) -> bool:
    """Put the organisation's results into the shared benchmark pool or take them out,
    recording who (an account id; None for the command line) and when. False (nothing
    recorded) when the setting already was `consent`.

    The pool's version (`operations.campaigns.pool_version`) includes the time of the
    newest change, so every cached benchmark is computed afresh after the commit.
    """
    if organisation.benchmark_consent == consent:
        return False
    organisation.benchmark_consent = consent
    organisation.benchmark_consent_at = now or utcnow()
    organisation.benchmark_consent_by = by
    db.session.flush()
    return True
