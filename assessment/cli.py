"""The `assessment` command: Flask's CLI (run, routes, db ...) plus our own commands."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import select

from assessment import operations
from assessment.demo_load import demo_command
from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import Campaign, Organisation, utc_today
from assessment.questionnaire import QuestionnaireError, load_file


def main() -> None:
    """Entry point of the `assessment` console script."""
    from assessment import create_app

    cli = FlaskGroup(create_app=create_app, help="Digital-maturity assessment.")
    cli.main(prog_name="assessment")


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date like 2026-12-31", param_hint=option) from None


def _organisation(ref: str) -> Organisation:
    query = select(Organisation)
    query = query.where(Organisation.id == int(ref)) if ref.isdigit() \
        else query.where(Organisation.name == ref)
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


def public_url(path: str) -> str:
    """An absolute link for respondents, from PUBLIC_BASE_URL."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


questionnaire_cli = AppGroup("questionnaire", help="Questionnaire definitions.")
org_cli = AppGroup("org", help="Organisations.")
campaign_cli = AppGroup("campaign", help="Assessment campaigns.")


@questionnaire_cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_questionnaires(files: tuple[str, ...]) -> None:
    """Check definition files; list every problem and exit non-zero if there is any."""
    failed = False
    for path in files:
        try:
            questionnaire = load_file(path)
        except QuestionnaireError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(problem, err=True)
            continue
        items = sum(1 for _ in questionnaire.items())
        click.echo(f"{path}: OK ({questionnaire.ident}, {items} items)")
    if failed:
        sys.exit(1)


@questionnaire_cli.command("list")
def list_questionnaires() -> None:
    """List the questionnaires the app has loaded."""
    for questionnaire in registry().all():
        click.echo(f"{questionnaire.ident}\t{questionnaire.title.get('en', '')}")


@org_cli.command("create")
@click.option("--name", required=True)
@click.option("--sector", required=True)
@click.option("--size", "size_band", required=True, type=click.Choice(operations.SIZE_BANDS))
@click.option("--country", required=True, help="Two-letter ISO code, e.g. PL.")
def create_org(name: str, sector: str, size_band: str, country: str) -> None:
    """Add an organisation."""
    try:
        organisation = operations.create_organisation(name, sector, size_band, country)
    except operations.OperationError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"organisation {organisation.id}: {organisation.name}")


@org_cli.command("list")
def list_orgs() -> None:
    """List organisations."""
    for o in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        label = " (synthetic)" if o.synthetic else ""
        click.echo(f"{o.id}\t{o.name}\t{o.sector}\t{o.size_band}\t{o.country}{label}")


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
    organisation = _organisation(org_ref)
    key, _, version = questionnaire_ref.partition("@")
    try:
        questionnaire = registry().get(key, int(version) if version else None)
    except (KeyError, ValueError):
        raise click.ClickException(f"no questionnaire '{questionnaire_ref}'") from None
    opens_on = _date(opens, "--opens") or utc_today()
    try:
        campaign = operations.open_campaign(
            organisation, questionnaire, name, opens_on, _date(closes, "--closes"),
            mode="token" if tokens else "open", anonymity_threshold=threshold, invited=invited,
        )
        links = operations.issue_tokens(campaign, tokens) if tokens else []
    except operations.OperationError as exc:
        _fail(str(exc))
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
    counts = operations.response_counts(campaign)
    today = utc_today()
    click.echo(f"campaign {campaign.id}: {campaign.name} ({campaign.organisation.name})")
    click.echo(f"state: {campaign.state_on(today)}  mode: {campaign.mode}  "
               f"questionnaire: {campaign.questionnaire_key}@{campaign.questionnaire_version}")
    click.echo(f"responses: {counts['responses']}  in progress: {counts['in_progress']}")
    if counts["invited"]:
        rate = 100 * int(counts["responses"] or 0) / int(counts["invited"])
        click.echo(f"invited: {counts['invited']}  response rate: {rate:.1f}%")


@campaign_cli.command("purge-drafts")
@click.option("--older-than", "days", default=90, show_default=True,
              type=click.IntRange(min=0), help="Age in days of the last save.")
def purge_drafts(days: int) -> None:
    """Delete unfinished answers nobody has touched for a while (data minimisation)."""
    removed = operations.purge_drafts(days, utc_today())
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
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name == operations.DEMO_ORGANISATION))
    if organisation is None:
        organisation = operations.create_organisation(
            operations.DEMO_ORGANISATION, "Professional services", "250-999", "GB")
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.organisation_id == organisation.id,
                               Campaign.mode == "open").order_by(Campaign.id.desc()))
    today = utc_today()
    if campaign is None or campaign.state_on(today) != "open":
        questionnaire = registry().get("digiskills")
        campaign = operations.open_campaign(organisation, questionnaire, "Try it yourself",
                                            today, invited=250)
    db.session.commit()
    click.echo(f"Demo campaign {campaign.id} ({organisation.name}) is open at:")
    click.echo(f"  {public_url('/s/' + campaign.slug)}")


def register_commands(app: object) -> None:
    """Attach our command groups to the app's CLI."""
    from flask import Flask

    assert isinstance(app, Flask)
    from assessment.stats_cli import stats_command

    for group in (questionnaire_cli, org_cli, campaign_cli, demo_campaign, stats_command):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    from assessment.import_cli import import_command, import_template_command

    app.cli.add_command(import_command)
    app.cli.add_command(import_template_command)
