"""The portfolio: the organisations one works on in one table, a new client organisation,
and each organisation's settings (benchmark consent, its HR admin).

Who may do what: everyone signed in sees the organisations they hold a role in (an
administrator every real one); an administrator or a consultant creates organisations
(the consultant is assigned to the new one); an administrator or the organisation's
consultant invites its HR admin; an administrator, the organisation's consultant or its
HR admin records its benchmark consent (the client's own HR admin speaks for the
organisation whose results they are).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.utils import redirect

from assessment.extensions import db
from assessment.instrument.attributes import SIZE_BANDS
from assessment.instrument.questionnaire import translate
from assessment.instruments import registry
from assessment.models import Membership, Organisation, User, utcnow
from assessment.models.account import CONSULTANT, HR
from assessment.operations import OperationError
from assessment.operations.accounts import (
    create_user,
    find_user,
    grant,
    issue_password_reset,
    organisation_ids,
)
from assessment.operations.organisations import create_organisation, set_benchmark_consent
from assessment.web.access import organisation_or_404, public_link, signed_in
from assessment.web.errors import ProblemPage
from assessment.web.portfolio.forms import ConsentForm, InviteForm, OrganisationForm
from assessment.web.portfolio.table import (
    SORT_KEYS,
    BadQuery,
    TableQuery,
    arrange,
    portfolio_rows,
)

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every page here needs an account."""


def _language() -> str:
    return str(get_locale() or "en")


def _is_consultant(user: User, organisation_id: int | None = None) -> bool:
    query = select(Membership.id).where(Membership.user_id == user.id,
                                        Membership.role == CONSULTANT)
    if organisation_id is not None:
        query = query.where(Membership.organisation_id == organisation_id)
    return db.session.scalar(query.limit(1)) is not None


def may_create_organisations(user: User) -> bool:
    """Administrators and consultants add client organisations."""
    return user.is_admin or _is_consultant(user)


def may_invite(user: User, organisation_id: int) -> bool:
    """Administrators and the organisation's consultants invite its HR admin."""
    return user.is_admin or _is_consultant(user, organisation_id)


def _band_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for questionnaire in registry().all():
        for band in questionnaire.bands:
            labels.setdefault(band.key, translate(band.label, _language()))
    return labels


def _sort_links(query: TableQuery) -> dict[str, dict[str, Any]]:
    """For each column: the URL that sorts by it (reversing when it is the current one)
    and its aria-sort state."""
    links = {}
    for key in SORT_KEYS:
        current = query.sort == key
        direction = "desc" if current and query.direction == "asc" else "asc"
        args: dict[str, Any] = {name: value for name, value in (
            ("q", query.text), ("sector", query.sector), ("size", query.size),
            ("country", query.country)) if value}
        links[key] = {
            "url": url_for("portfolio.index", **(args | {"sort": key, "dir": direction})),
            "state": ("ascending" if query.direction == "asc" else "descending")
            if current else None,
        }
    return links


@bp.get("/")
def index() -> ResponseReturnValue:
    """The organisations one works on, each with its newest campaign, sortable and
    filterable by query parameters (?q= &sector= &size= &country= &sort= &dir=)."""
    try:
        query = TableQuery.from_args(request.args)
    except BadQuery:
        raise ProblemPage(400, _("Not possible"), _(
            "The table cannot be sorted or filtered that way. Use the column headings and "
            "the filter form on the page.")) from None
    user = signed_in()
    every = portfolio_rows(db.session(), registry(), organisation_ids(user))
    rows = arrange(every, query)
    return render_template(
        "portfolio/index.html", rows=rows, total=len(every), query=query,
        sectors=sorted({r.sector for r in every}, key=str.casefold),
        countries=sorted({r.country for r in every}), size_bands=SIZE_BANDS,
        sort_links=_sort_links(query), band_labels=_band_labels(),
        may_create=may_create_organisations(user))


@bp.route("/new", methods=["GET", "POST"])
def create() -> ResponseReturnValue:
    """A new client organisation; the consultant who creates it is assigned to it."""
    user = signed_in()
    if not may_create_organisations(user):
        raise ProblemPage(403, _("Not possible"), _(
            "Only administrators and consultants add organisations."))
    form = OrganisationForm()
    status = 200
    if form.validate_on_submit():
        try:
            organisation = create_organisation(
                form.name.data or "", form.sector.data or "", form.size_band.data or "",
                form.country.data or "", benchmark_consent=bool(form.benchmark_consent.data),
                created_by=user.id)
        except OperationError as exc:
            db.session.rollback()
            form.name.errors = [_organisation_error(str(exc))]
            status = 422
        else:
            if not user.is_admin:
                grant(user, CONSULTANT, organisation)
            db.session.commit()
            flash(_("Organisation created. Now invite its HR admin or create its first "
                    "campaign."), "info")
            return redirect(url_for("portfolio.organisation", organisation_id=organisation.id))
    elif form.is_submitted():
        status = 422
    # The sectors already in use, offered as suggestions: the benchmark compares an
    # organisation with others of exactly the same sector name.
    form.sector.render_kw = {"list": "known-sectors", "autocomplete": "off"}
    sectors = list(db.session.scalars(
        select(Organisation.sector).distinct().order_by(Organisation.sector)))
    return render_template("portfolio/create.html", form=form, sectors=sectors), status


def _organisation_error(message: str) -> str:
    if message.startswith("an organisation called"):
        return _("An organisation with this name already exists.")
    return _("The organisation could not be created: check the fields.")


def _settings_page(organisation: Organisation, invite: InviteForm | None = None,
                   link: str | None = None, status: int = 200) -> ResponseReturnValue:
    user = signed_in()
    consent = ConsentForm(formdata=None, benchmark_consent=organisation.benchmark_consent)
    changed_by = (db.session.get(User, organisation.benchmark_consent_by)
                  if organisation.benchmark_consent_by is not None else None)
    hr_admins = list(db.session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.role == HR)
        .order_by(User.email)))
    page = render_template(
        "portfolio/organisation.html", organisation=organisation, consent=consent,
        changed_by=changed_by.email if changed_by is not None else None,
        invite=invite or InviteForm(formdata=None), may_invite=may_invite(
            user, organisation.id), hr_admins=hr_admins, link=link,
        hours=current_app.config["PASSWORD_RESET_HOURS"])
    # A set-password link may be on the page: no cache keeps it.
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/<int:organisation_id>")
def organisation(organisation_id: int) -> ResponseReturnValue:
    """One organisation's settings: benchmark consent, HR admins, its campaigns."""
    return _settings_page(organisation_or_404(organisation_id))


@bp.post("/<int:organisation_id>/benchmark")
def benchmark(organisation_id: int) -> ResponseReturnValue:
    """Record whether the organisation's results enter the shared benchmark pool."""
    organisation = organisation_or_404(organisation_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        raise ProblemPage(422, _("Not possible"), _("The request could not be understood."))
    if set_benchmark_consent(organisation, bool(form.benchmark_consent.data),
                             by=signed_in().id, now=utcnow()):
        db.session.commit()
        flash(_("Saved: the organisation's results are in the shared benchmark pool.")
              if organisation.benchmark_consent else
              _("Saved: the organisation's results are not in the shared benchmark pool."),
              "info")
    return redirect(url_for("portfolio.organisation", organisation_id=organisation.id))


@bp.post("/<int:organisation_id>/invite")
def invite(organisation_id: int) -> ResponseReturnValue:
    """Invite the organisation's HR admin: an account with the HR role here only; the
    set-password link is shown on the page this once (there is no e-mail yet)."""
    organisation = organisation_or_404(organisation_id)
    user = signed_in()
    if not may_invite(user, organisation.id):
        raise ProblemPage(403, _("Not possible"), _(
            "Only administrators and the organisation's consultants invite its HR admin."))
    form = InviteForm()
    if not form.validate_on_submit():
        return _settings_page(organisation, form, status=422)
    email = (form.email.data or "").strip()
    account = find_user(email)
    try:
        if account is None:
            account = create_user(email)
        elif account.is_admin:
            raise OperationError("administrator")
        grant(account, HR, organisation)
    except OperationError:
        db.session.rollback()
        form.email.errors = [_("Give a valid e-mail address of someone who is not an "
                               "administrator, e.g. name@example.org.")]
        return _settings_page(organisation, form, status=422)
    link = None
    if account.password_hash is None:
        token = issue_password_reset(account, utcnow(),
                                     current_app.config["PASSWORD_RESET_HOURS"])
        link = public_link(url_for("auth.reset", token=token))
    db.session.commit()
    flash(_("%(email)s is now HR admin of %(organisation)s.", email=account.email,
            organisation=organisation.name), "info")
    # Rendered, not redirected: the link is shown this once and never stored.
    return _settings_page(organisation, link=link)
