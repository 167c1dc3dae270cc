"""What the command modules share: clear errors, dates, and looking things up."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from assessment.extensions import db
from assessment.io.files import check_destination
from assessment.models import ID_MAX, Campaign, Organisation
from assessment.operations.names import spelling


def fail(message: str) -> None:
    """Undo the command's changes and stop with a message (exit status 1)."""
    db.session.rollback()
    raise click.ClickException(message)


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value as a date (None stays None)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date like 2026-12-31", param_hint=option) from None


def organisation_by_ref(ref: str) -> Organisation:
    """The organisation with this id or exact name, or a clear CLI error."""
    query = select(Organisation)
    # ASCII digits only ("²".isdigit() is true too) and within a database key's range.
    if ref.isascii() and ref.isdigit() and int(ref) <= ID_MAX:
        query = query.where(Organisation.id == int(ref))
    else:
        query = query.where(Organisation.name == spelling(ref))
    organisation = db.session.scalar(query)
    if organisation is None:
        raise click.ClickException(f"no organisation '{ref}' (give its id or exact name)")
    return organisation


def campaign_by_id(campaign_id: int) -> Campaign:
    """The campaign with this id, or a clear CLI error."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign with id {campaign_id}")
    return campaign


def check_output_file(path: Path) -> None:
    """Fail early, before any work, if the output file could not be written there."""
    try:
        check_destination(path)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
    folder = path.parent
    if not folder.is_dir():
        raise click.ClickException(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise click.ClickException(f"cannot write {path}: folder {folder} is not writable")


def public_url(path: str) -> str:
    """An absolute link for respondents, from PUBLIC_BASE_URL."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


@contextlib.contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on the terminal for long work; yields `advance(n)`.

    Shown only when stderr is a terminal, so piped output and logs stay clean.
    """
    if not sys.stderr.isatty() or length <= 0:
        yield lambda _n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update
