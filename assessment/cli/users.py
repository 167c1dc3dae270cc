"""`assessment user ...` and `assessment demo-accounts`: the accounts of the people who
run assessments (respondents never have one)."""

from __future__ import annotations

import secrets
import string

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from assessment.cli.common import fail, organisation_by_ref, public_url
from assessment.extensions import db
from assessment.models import Organisation, User, utcnow
from assessment.operations import OperationError
from assessment.operations.accounts import (
    ADMIN,
    ROLES,
    create_user,
    find_user,
    grant,
    issue_password_reset,
    revoke,
    roles_of,
    set_password,
)
from assessment.operations.campaigns import DEMO_ORGANISATION

user_cli = AppGroup("user", help="Accounts of administrators, consultants and HR / L&D.")
ROLE = click.Choice(ROLES)
DEMO_ACCOUNTS = (  # (role, e-mail address); .example is reserved for examples (RFC 2606)
    (ADMIN, "admin@demo.example"), ("consultant", "consultant@demo.example"),
    ("hr", "hr@demo.example"))
DEMO_CLIENTS = 2  # synthetic organisations the demo consultant also works for
ALPHANUMERIC = string.ascii_letters + string.digits


def _user(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    return user


def _organisation(role: str, org_ref: str | None) -> Organisation | None:
    if role == ADMIN:
        if org_ref:
            raise click.UsageError("the admin role is for every organisation: leave out --org")
        return None
    if not org_ref:
        raise click.UsageError(f"the {role} role needs --org (an organisation id or name)")
    return organisation_by_ref(org_ref)


def _reset_link(user: User) -> str:
    hours = int(current_app.config["PASSWORD_RESET_HOURS"])
    token = issue_password_reset(user, utcnow(), hours)
    return public_url(f"/reset/{token}")


@user_cli.command("create")
@click.option("--email", required=True, help="The person's e-mail address (their sign-in).")
@click.option("--role", required=True, type=ROLE, help="admin, consultant or hr.")
@click.option("--org", "org_ref", default=None,
              help="Organisation id or exact name (for consultant and hr).")
def create(email: str, role: str, org_ref: str | None) -> None:
    """Create an account with one role and print a link to set its password."""
    organisation = _organisation(role, org_ref)
    try:
        user = create_user(email)
        grant(user, role, organisation)
        link = _reset_link(user)
    except OperationError as exc:
        fail(str(exc))
    db.session.commit()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    click.echo(f"account {user.email} created ({_describe(role, organisation)})")
    click.echo(f"set-password link (single use, valid {hours} hours): {link}")


@user_cli.command("grant")
@click.option("--email", required=True)
@click.option("--role", required=True, type=ROLE)
@click.option("--org", "org_ref", default=None, help="Organisation id or exact name.")
def grant_role(email: str, role: str, org_ref: str | None) -> None:
    """Give an account a role (another organisation, or administrator)."""
    user, organisation = _user(email), _organisation(role, org_ref)
    try:
        added = grant(user, role, organisation)
    except OperationError as exc:
        fail(str(exc))
    db.session.commit()
    verb = "granted" if added else "already held"
    click.echo(f"{user.email}: {_describe(role, organisation)} {verb}")


@user_cli.command("revoke")
@click.option("--email", required=True)
@click.option("--role", required=True, type=ROLE)
@click.option("--org", "org_ref", default=None, help="Organisation id or exact name.")
def revoke_role(email: str, role: str, org_ref: str | None) -> None:
    """Take a role away (takes effect on the account's next request)."""
    user, organisation = _user(email), _organisation(role, org_ref)
    try:
        removed = revoke(user, role, organisation)
    except OperationError as exc:
        fail(str(exc))
    db.session.commit()
    verb = "revoked" if removed else "was not held"
    click.echo(f"{user.email}: {_describe(role, organisation)} {verb}")


@user_cli.command("reset-link")
@click.option("--email", required=True)
def reset_link(email: str) -> None:
    """Print a single-use, expiring link to set a new password (earlier links stop)."""
    user = _user(email)
    link = _reset_link(user)
    db.session.commit()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    click.echo(f"password link for {user.email} (single use, valid {hours} hours): {link}")


@user_cli.command("list")
def list_users() -> None:
    """Every account with its roles."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        roles = ", ".join(_describe(role, organisation) for role, organisation in roles_of(user))
        state = "" if user.password_hash else "  (no password set yet)"
        click.echo(f"{user.email}\t{roles or 'no role'}{state}")


def _describe(role: str, organisation: Organisation | None) -> str:
    return role if organisation is None else f"{role} of {organisation.name}"


@click.command("demo-accounts")
@with_appcontext
def demo_accounts() -> None:
    """One demo account per role, each with a new random password; prints how to sign in.

    The HR account works for the demo organisation; the consultant for it and two
    synthetic organisations; the administrator for every organisation.
    """
    demo = db.session.scalar(select(Organisation).where(Organisation.name == DEMO_ORGANISATION))
    if demo is None:
        raise click.ClickException("no demo organisation yet: run `assessment demo-campaign`")
    clients = list(db.session.scalars(select(Organisation).where(
        Organisation.synthetic.is_(True)).order_by(Organisation.id).limit(DEMO_CLIENTS)))
    lines = []
    for role, email in DEMO_ACCOUNTS:
        user = find_user(email) or create_user(email)
        # Letters and digits only: easy to select and copy from a terminal.
        password = "".join(secrets.choice(ALPHANUMERIC) for _ in range(16))
        set_password(user, password)
        if role == ADMIN:
            grant(user, ADMIN)
        else:
            for organisation in [demo, *(clients if role == "consultant" else [])]:
                grant(user, role, organisation)
        lines.append(f"  {role:<11} {email:<24} {password}")
    db.session.commit()
    click.echo(f"Demo accounts (new passwords each time); sign in at {public_url('/login')}")
    click.echo("\n".join(lines))
