"""Campaigns in the browser for HR / L&D and consultants: each sees the organisations
they hold a role in (an administrator sees every one).

Personal links are stored only as hashes, so a link cannot be shown twice: "Issue and
download links" creates new single-use links and returns them as a CSV file at once.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from assessment.extensions import db
from assessment.instrument.questionnaire import Questionnaire, translate
from assessment.instruments import questionnaire_of, registry
from assessment.models import Campaign, Organisation, utc_today
from assessment.operations import OperationError
from assessment.operations.accounts import organisation_ids
from assessment.operations.campaigns import (
    campaign_counts,
    close_campaign,
    delete_campaign,
    has_answers,
    open_campaign,
    reopen_campaign,
    response_counts,
    update_campaign,
)
from assessment.operations.names import spelling
from assessment.operations.tokens import issue_tokens
from assessment.web.access import (
    campaign_or_404,
    organisation_or_404,
    public_link,
    signed_in,
)
from assessment.web.campaigns.forms import (
    CampaignForm,
    CloseForm,
    DeleteForm,
    EditCampaignForm,
    LinksForm,
    ReopenForm,
)
from assessment.web.downloads.views import report_form
from assessment.web.errors import ProblemPage
from assessment.web.imports.views import upload_form

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every page here needs an account."""


def _language() -> str:
    return str(get_locale() or "en")


def _questionnaire_choices() -> list[SelectChoice]:
    return [SelectChoice(q.ident, f"{translate(q.title, _language())} ({q.ident})")
            for q in registry().all()]


def _chosen_questionnaire(ident: str) -> Questionnaire:
    key, _sep, version = ident.partition("@")
    return registry().get(key, int(version))


def _state_label(state: str) -> str:
    return {"scheduled": _("Scheduled"), "open": _("Open"), "closed": _("Closed")}[state]


def _rate(responses: int, invited: int | None) -> float | None:
    return responses / invited if invited else None


def counts_of(campaign: Campaign) -> dict[str, Any]:
    """The live figures of one campaign: responses, in progress, invited, response rate."""
    counts = response_counts(campaign)
    responses = int(counts["responses"] or 0)
    return {"responses": responses, "in_progress": counts["in_progress"],
            "invited": counts["invited"], "tokens_used": counts["tokens_used"],
            "response_rate": _rate(responses, counts["invited"])}


@bp.get("/")
def index() -> ResponseReturnValue:
    """The organisations this account works on, each with its campaigns and their counts."""
    allowed = organisation_ids(signed_in())
    query = select(Organisation).order_by(Organisation.name)
    hidden_synthetic = 0
    if allowed is None:
        # The synthetic demo pool (hundreds of organisations) is left off the list.
        query = query.where(Organisation.synthetic.is_(False))
        hidden_synthetic = int(db.session.scalar(select(func.count(Organisation.id)).where(
            Organisation.synthetic.is_(True))) or 0)
    else:
        query = query.where(Organisation.id.in_(allowed))
    organisations = list(db.session.scalars(query))
    campaigns = list(db.session.scalars(
        select(Campaign).where(Campaign.organisation_id.in_([o.id for o in organisations]))
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())))
    counts = campaign_counts([c.id for c in campaigns])
    today = utc_today()
    rows: dict[int, list[dict[str, Any]]] = {o.id: [] for o in organisations}
    for c in campaigns:
        n = counts.get(c.id, 0)
        rows[c.organisation_id].append({
            "campaign": c, "state": c.state_on(today), "state_label": _state_label(
                c.state_on(today)), "responses": n, "rate": _rate(n, c.invited)})
    return render_template("campaigns/index.html", organisations=organisations, rows=rows,
                           hidden_synthetic=hidden_synthetic)


@bp.route("/new/<int:organisation_id>", methods=["GET", "POST"])
def create(organisation_id: int) -> ResponseReturnValue:
    """A new campaign for one organisation."""
    organisation = organisation_or_404(organisation_id)
    form = CampaignForm()
    form.questionnaire.choices = _questionnaire_choices()
    if request.method == "GET":
        form.opens_on.data = utc_today()
        newest = registry().all()
        if newest:
            form.questionnaire.data = max(newest, key=lambda q: (q.key == "digiskills",
                                                                  q.version)).ident
    status = 200
    if form.validate_on_submit():
        try:
            campaign = open_campaign(
                organisation, _chosen_questionnaire(form.questionnaire.data or ""),
                form.name.data or "", form.opens_on.data or utc_today(), form.closes_on.data,
                mode=form.mode.data or "open",
                anonymity_threshold=form.anonymity_threshold.data or 0,
                invited=form.invited.data if form.mode.data == "open" else None)
        except OperationError as exc:
            form.closes_on.errors = [_error_text(exc)]
            status = 422
        else:
            db.session.commit()
            flash(_("Campaign created."), "info")
            if campaign.mode == "token":
                flash(_("Now issue its personal links: they are shown only once, in the "
                        "file you download."), "info")
                return redirect(url_for("campaigns.show", campaign_id=campaign.id,
                                        links=form.invited.data or None))
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    elif form.is_submitted():
        status = 422
    return render_template("campaigns/create.html", form=form,
                           organisation=organisation), status


def _error_text(exc: OperationError) -> str:
    """An operation's refusal in the reader's language (the known ones are translated)."""
    known = {
        "the campaign cannot close before it opens":
            _("The closing day cannot be before the opening day."),
        "the opening day cannot change once answers exist":
            _("The opening day cannot change once people have answered."),
        "the questionnaire cannot change once answers exist":
            _("The questionnaire cannot change once people have answered."),
        "the anonymity threshold cannot be lowered once answers exist":
            _("The anonymity threshold cannot be lowered once people have answered."),
        "the campaign is already closed": _("The campaign is already closed."),
        "only a closed campaign can be reopened": _("Only a closed campaign can be reopened."),
        "the new closing day cannot be in the past":
            _("The new closing day cannot be in the past."),
    }
    return known.get(str(exc), str(exc))


@bp.get("/<int:campaign_id>")
def show(campaign_id: int) -> ResponseReturnValue:
    """One campaign: its link or personal links, live counts and what can be done."""
    campaign = campaign_or_404(campaign_id)
    state = campaign.state_on(utc_today())
    links = LinksForm()
    suggested = request.args.get("links", type=int)
    if suggested and 1 <= suggested <= 10_000:
        links.count.data = suggested
    questionnaire = questionnaire_of(campaign)
    return render_template(
        "campaigns/show.html", campaign=campaign, state=state,
        state_label=_state_label(state), counts=counts_of(campaign),
        open_link=public_link(url_for("survey.intro", slug=campaign.slug))
        if campaign.mode == "open" else None,
        questionnaire_title=translate(questionnaire.title, _language()),
        links=links, close=CloseForm(), reopen=ReopenForm(), report=report_form(),
        upload=upload_form())


@bp.get("/<int:campaign_id>/count")
def count(campaign_id: int) -> ResponseReturnValue:
    """The live counts as JSON, for the campaign page's periodic refresh."""
    figures = counts_of(campaign_or_404(campaign_id))
    return figures | {"rate_text": "–" if figures["response_rate"] is None
                      else f"{100 * figures['response_rate']:.1f}%"}


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit(campaign_id: int) -> ResponseReturnValue:
    """Change what is safe to change (the rest is locked once people have answered)."""
    campaign = campaign_or_404(campaign_id)
    locked = has_answers(campaign)
    stored_questionnaire = f"{campaign.questionnaire_key}@{campaign.questionnaire_version}"
    if request.method == "POST" and locked:
        # Locked fields are disabled, so the browser does not send them: keep the stored.
        formdata = request.form.copy()
        formdata["opens_on"] = campaign.opens_on.isoformat()
        formdata["questionnaire"] = stored_questionnaire
        form = EditCampaignForm(formdata=formdata)
    else:
        form = EditCampaignForm(obj=campaign if request.method == "GET" else None)
    form.questionnaire.choices = _questionnaire_choices()
    if request.method == "GET":
        form.questionnaire.data = stored_questionnaire
    if locked:
        for name in ("opens_on", "questionnaire"):
            getattr(form, name).render_kw = {"disabled": True}
    status = 200
    if form.validate_on_submit():
        try:
            update_campaign(
                campaign, name=form.name.data or "", closes_on=form.closes_on.data,
                invited=form.invited.data, opens_on=form.opens_on.data or campaign.opens_on,
                anonymity_threshold=form.anonymity_threshold.data or 0,
                questionnaire=_chosen_questionnaire(form.questionnaire.data or ""))
        except OperationError as exc:
            db.session.rollback()
            form.anonymity_threshold.errors = [_error_text(exc)]
            status = 422
        else:
            db.session.commit()
            flash(_("Changes saved."), "info")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    elif form.is_submitted():
        status = 422
    return render_template("campaigns/edit.html", form=form, campaign=campaign,
                           locked=locked), status


@bp.post("/<int:campaign_id>/close")
def close(campaign_id: int) -> ResponseReturnValue:
    """Close a campaign now: no more answers are taken."""
    campaign = campaign_or_404(campaign_id)
    CloseForm().validate_on_submit()
    try:
        close_campaign(campaign, utc_today())
    except OperationError as exc:
        raise ProblemPage(409, _("Not possible"), _error_text(exc)) from None
    db.session.commit()
    flash(_("The campaign is closed: it takes no more answers."), "info")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/reopen")
def reopen(campaign_id: int) -> ResponseReturnValue:
    """Reopen a closed campaign."""
    campaign = campaign_or_404(campaign_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        message = next(iter(form.closes_on.errors), _("The request could not be understood."))
        raise ProblemPage(422, _("Not possible"), str(message))
    try:
        reopen_campaign(campaign, utc_today(), form.closes_on.data)
    except OperationError as exc:
        raise ProblemPage(409, _("Not possible"), _error_text(exc)) from None
    db.session.commit()
    flash(_("The campaign is open again."), "info")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/links.csv")
def links(campaign_id: int) -> ResponseReturnValue:
    """Issue new personal links and return them as a CSV file (shown this once only)."""
    campaign = campaign_or_404(campaign_id)
    if campaign.mode != "token":
        raise ProblemPage(409, _("Not possible"),
                          _("This campaign has one open link, not personal links."))
    form = LinksForm()
    if not form.validate_on_submit():
        message = next(iter(form.count.errors), _("The request could not be understood."))
        raise ProblemPage(422, _("Not possible"), str(message))
    tokens = issue_tokens(campaign, form.count.data or 0)
    db.session.commit()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["link"])
    writer.writerows([public_link(url_for("survey.invitation", token=t))] for t in tokens)
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign.id}-links.csv"',
        "Cache-Control": "no-store"})


@bp.route("/<int:campaign_id>/delete", methods=["GET", "POST"])
def delete(campaign_id: int) -> ResponseReturnValue:
    """Delete a campaign with all its answers, once its name is typed again."""
    campaign = campaign_or_404(campaign_id)
    form = DeleteForm()
    status = 200
    if form.validate_on_submit():
        if spelling(form.confirm.data or "") != spelling(campaign.name):
            form.confirm.errors = [_("That is not the campaign's name; nothing was deleted.")]
            status = 422
        else:
            name = campaign.name
            removed = delete_campaign(campaign)
            db.session.commit()
            flash(ngettext("Campaign “%(name)s” deleted with its %(num)s response.",
                           "Campaign “%(name)s” deleted with its %(num)s responses.",
                           removed, name=name), "info")
            return redirect(url_for("campaigns.index"))
    elif form.is_submitted():
        status = 422
    return render_template("campaigns/delete.html", form=form, campaign=campaign,
                           counts=counts_of(campaign)), status
