"""`assessment export`: one campaign's own data as JSON results or CSV / XLSX responses."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from assessment.cli.common import check_output_file
from assessment.extensions import db
from assessment.instruments import registry
from assessment.io.files import write_atomically

FORMATS = ("json", "csv", "xlsx")  # as assessment.io.exports.FORMATS, without loading it


@click.command("export")
@click.option("--campaign", "campaign_id", required=True, type=int,
              help="The campaign whose data are exported.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="json: the results (the engine's figures); csv / xlsx: one row per "
                   "response. Default: the output file's extension.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="The file to write.")
@with_appcontext
def export_command(campaign_id: int, fmt: str | None, output: Path) -> None:
    """Export a campaign's results or responses, under its anonymity rules."""
    fmt = fmt or output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(f"give --format {'|'.join(FORMATS)} (or an -o file ending "
                               "in .json, .csv or .xlsx)")
    from assessment.io.exports import ExportRefused, export_campaign

    check_output_file(output)
    try:
        exported = export_campaign(db.session(), registry(), campaign_id, fmt)
    except ExportRefused as exc:
        raise click.ClickException(str(exc)) from None
    try:
        write_atomically(output, exported.content)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(str(output))
    click.echo(exported.rule.describe(), err=True)
