"""`assessment campaign ...` and `assessment demo-campaign`: assessment campaigns."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from assessment.cli.common import campaign_by_id, fail, organisation_by_ref, parse_date, public_url
from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import Campaign, utc_today
from assessment.operations import OperationError, drafts
from assessment.operations.campaigns import ensure_demo_campaign, open_campaign, response_counts
from assessment.operations.tokens import issue_tokens

campaign_cli = AppGroup("campaign", help="Assessment campaigns.")


@campaign_cli.command("create")
@click.option("--org", "org_ref", required=True, help="Organisation id or exact name.")
@click.option("--name", default="Digital maturity assessment")
@click.option("--questionnaire", "questionnaire_ref", default="digiskills",
              help="Questionnaire key, optionally KEY@VERSION.")
@click.option("--opens", "opens", default=None, help="Opening day (default today).")
@click.option("--closes", "closes", default=None, help="Closing day (default: never).")
@click.option("--threshold", default=5, show_default=True, type=click.IntRange(min=2),
              help="Anonymity threshold: no group smaller than this is ever shown.")
@click.option("--tokens", default=None, type=click.IntRange(min=1),
              help="Issue this many single-use personal links instead of one open link.")
@click.option("--out", default=None, type=click.Path(dir_okay=False, writable=True),
              help="With --tokens: write the links to this CSV file.")
@click.option("--invited", default=None, type=click.IntRange(min=1),
              help="How many people were invited (for the response rate of an open link).")
def create_campaign(org_ref: str, name: str, questionnaire_ref: str, opens: str | None,
                    closes: str | None, threshold: int, tokens: int | None, out: str | None,
                    invited: int | None) -> None:
    """Open a campaign and print its link (or write its personal links)."""
    if out and not tokens:
        raise click.UsageError("--out goes with --tokens")
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
    db.session.commit()
    click.echo(f"campaign {campaign.id}: {campaign.name} ({organisation.name})")
    if not tokens:
        click.echo(public_url(f"/s/{campaign.slug}"))
        return
    urls = [public_url(f"/s/t/{t}") for t in links]
    if out:
        with Path(out).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["link"])
            writer.writerows([u] for u in urls)
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
              type=click.IntRange(min=0), help="Age in days of the last save.")
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
