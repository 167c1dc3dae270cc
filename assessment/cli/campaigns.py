"""`assessment campaign ...` and `assessment demo-campaign`: assessment campaigns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from assessment.cli.common import (
    campaign_by_id,
    check_output_file,
    fail,
    organisation_by_ref,
    parse_date,
    public_url,
)
from assessment.extensions import db
from assessment.instruments import registry
from assessment.io.files import write_atomically
from assessment.models import Campaign, utc_today
from assessment.operations import OperationError, drafts
from assessment.operations.campaigns import (
    MAX_INVITED,
    MAX_THRESHOLD,
    ensure_demo_campaign,
    open_campaign,
    response_counts,
)
from assessment.operations.tokens import issue_tokens

campaign_cli = AppGroup("campaign", help="Assessment campaigns.")
MAX_TOKENS = 100_000  # personal links issued by one command
MAX_DAYS = 36_500  # a hundred years: any larger age is "every draft" already


@campaign_cli.command("create")
@click.option("--org", "org_ref", required=True, help="Organisation id or exact name.")
@click.option("--name", default="Digital maturity assessment")
@click.option("--questionnaire", "questionnaire_ref", default="digiskills",
              help="Questionnaire key, optionally KEY@VERSION.")
@click.option("--opens", "opens", default=None, help="Opening day (default today).")
@click.option("--closes", "closes", default=None, help="Closing day (default: never).")
@click.option("--threshold", default=5, show_default=True, type=click.IntRange(2, MAX_THRESHOLD),
              help="Anonymity threshold: no group smaller than this is ever shown.")
@click.option("--tokens", default=None, type=click.IntRange(1, MAX_TOKENS),
              help="Issue this many single-use personal links instead of one open link.")
@click.option("--out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="With --tokens: write the links to this CSV file.")
@click.option("--invited", default=None, type=click.IntRange(1, MAX_INVITED),
              help="How many people were invited (for the response rate of an open link).")
def create_campaign(org_ref: str, name: str, questionnaire_ref: str, opens: str | None,
                    closes: str | None, threshold: int, tokens: int | None, out: Path | None,
                    invited: int | None) -> None:
    """Open a campaign and print its link (or write its personal links)."""
    if out and not tokens:
        raise click.UsageError("--out goes with --tokens")
    if out:
        check_output_file(out)  # before anything is stored
    organisation = organisation_by_ref(org_ref)
    key, _, version = questionnaire_ref.partition("@")
    try:
        questionnaire = registry().get(key, int(version) if version else None)
    except (KeyError, ValueError):
        raise click.ClickException(f"no questionnaire '{questionnaire_ref}'") from None
    opens_on = parse_date(opens, "--opens") or utc_today()
    try:
        campaign = open_campaign(
            organisation, questionnaire, name, opens_on, parse_date(closes, "--closes"),
            mode="token" if tokens else "open", anonymity_threshold=threshold, invited=invited,
        )
        links = issue_tokens(campaign, tokens) if tokens else []
    except OperationError as exc:
        fail(str(exc))
    urls = [public_url(f"/s/t/{t}") for t in links]
    if out:
        # The links exist only in this file (the database keeps their hashes): it is
        # written before the campaign is committed, so a failed write stores nothing.
        table = io.StringIO()
        writer = csv.writer(table)
        writer.writerow(["link"])
        writer.writerows([u] for u in urls)
        try:
            write_atomically(out, table.getvalue().encode("utf-8"))
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}; no campaign was created")
        try:
            db.session.commit()
        except Exception:
            out.unlink(missing_ok=True)  # links to nothing must not be handed out
            raise
    else:
        db.session.commit()
    click.echo(f"campaign {campaign.id}: {campaign.name} ({organisation.name})")
    if not tokens:
        click.echo(public_url(f"/s/{campaign.slug}"))
    elif out:
        click.echo(f"{len(urls)} personal links written to {out}")
    else:
        click.echo("\n".join(urls))


@campaign_cli.command("status")
@click.argument("campaign_id", type=int)
def campaign_status(campaign_id: int) -> None:
    """Response counts and the response rate of one campaign."""
    campaign = campaign_by_id(campaign_id)
    counts = response_counts(campaign)
    today = utc_today()
    click.echo(f"campaign {campaign.id}: {campaign.name} ({campaign.organisation.name})")
    click.echo(f"state: {campaign.state_on(today)}  mode: {campaign.mode}  "
               f"questionnaire: {campaign.questionnaire_key}@{campaign.questionnaire_version}")
    click.echo(f"responses: {counts['responses']}  in progress: {counts['in_progress']}")
    if campaign.mode == "token":
        click.echo(f"personal links used: {counts['tokens_used']} of {campaign.tokens_issued}")
    if counts["invited"]:
        rate = 100 * int(counts["responses"] or 0) / int(counts["invited"])
        click.echo(f"invited: {counts['invited']}  response rate: {rate:.1f}%")


@campaign_cli.command("purge-drafts")
@click.option("--older-than", "days", default=90, show_default=True,
              type=click.IntRange(0, MAX_DAYS), help="Age in days of the last save.")
def purge_old_drafts(days: int) -> None:
    """Delete unfinished answers nobody has touched for a while (data minimisation)."""
    removed = drafts.purge_drafts(days, utc_today())
    db.session.commit()
    click.echo(f"deleted {removed} unfinished drafts older than {days} days")


@campaign_cli.command("list")
def list_campaigns() -> None:
    """List campaigns with their organisation and state."""
    today = utc_today()
    for c in db.session.scalars(select(Campaign).order_by(Campaign.id)):
        click.echo(f"{c.id}\t{c.organisation.name}\t{c.name}\t{c.state_on(today)}\t{c.mode}")


@click.command("demo-campaign")
@with_appcontext
def demo_campaign() -> None:
    """Create (once) a demo organisation with an open campaign and print its link."""
    campaign = ensure_demo_campaign(registry().get("digiskills"), utc_today())
    db.session.commit()
    click.echo(f"Demo campaign {campaign.id} ({campaign.organisation.name}) is open at:")
    click.echo(f"  {public_url('/s/' + campaign.slug)}")
