"""The respondent's journey: intro -> one section per page -> submit once -> own profile.

Drafts live on the server under a random resume key; the browser keeps the key in its
(encrypted) session cookie and the respondent can bookmark a resume link. A personal
invitation token is spent when the respondent presses Start: the token is deleted and a
draft begins under a fresh key unrelated to it, so nothing stored links the token to the
answers (README, Privacy). Nothing here records who the respondent is.
"""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, select, tuple_
from sqlalchemy.orm import joinedload

from assessment.extensions import db
from assessment.instrument.questionnaire import Questionnaire, translate
from assessment.instruments import questionnaire_of
from assessment.models import Campaign, Draft, utc_today
from assessment.operations import TokenUnavailable, drafts, tokens
from assessment.operations.tokens import hash_secret
from assessment.stats.privacy import DEFAULT_THRESHOLD
from assessment.web.benchmark import pool_medians
from assessment.web.errors import ProblemPage
from assessment.web.survey.forms import StartForm, section_form

# A benchmark of fewer organisations would come close to showing single organisations.
MIN_POOL = DEFAULT_THRESHOLD

bp = Blueprint("survey", __name__, url_prefix="/s")
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
DRAFT_SLOT = re.compile(r"draft:(\d+)")


def _language() -> str:
    return str(get_locale() or "en")


def _well_formed(secret: str) -> bool:
    """Slugs, tokens and resume keys are URL-safe base64; anything else is not ours."""
    return SECRET_PATTERN.fullmatch(secret) is not None


# The survey's hot queries, built once: the slug and the resume keys' hashes are
# parameters (building the statements anew for each request cost a tenth of a page's
# time in SQLAlchemy's expression code).
_CAMPAIGN = select(Campaign).where(Campaign.slug == bindparam("slug"))
_CAMPAIGN_WITH_ORGANISATION = _CAMPAIGN.options(joinedload(Campaign.organisation))
# Each (campaign id, key hash) the session holds joins only with its own campaign.
_CAMPAIGN_AND_DRAFT = (
    select(Campaign, Draft)
    .outerjoin(Draft, and_(Draft.campaign_id == Campaign.id,
                           tuple_(Draft.campaign_id, Draft.key_hash)
                           .in_(bindparam("held", expanding=True))))
    .where(Campaign.slug == bindparam("slug"))
)


def _campaign(slug: str, with_organisation: bool = False) -> Campaign:
    """The campaign of a slug; `with_organisation` reads its organisation (the intro
    page names it) in the same query."""
    campaign = None
    if _well_formed(slug):
        query = _CAMPAIGN_WITH_ORGANISATION if with_organisation else _CAMPAIGN
        campaign = db.session.scalar(query, {"slug": slug})
    if campaign is None:
        raise _campaign_not_found()
    return campaign


def _campaign_not_found() -> ProblemPage:
    return ProblemPage(404, _("Assessment not found"),
                       _("This link does not lead to an assessment. Check that you copied "
                         "the whole link from your invitation."))


def _campaign_and_draft(slug: str) -> tuple[Campaign, Draft | None, str | None]:
    """The campaign of a slug with this browser's draft of it and its resume key, read
    in one query (as `_campaign` and then `_current_draft` would in two).

    The session names a draft's slot by its campaign's id, unknown before the campaign
    is read: the query joins the draft of each resume key the session holds, each only
    with its own campaign, so at most this campaign's own draft comes back.
    """
    held = {}
    for name, key in session.items():
        found = DRAFT_SLOT.fullmatch(name)
        if found and isinstance(key, str) and _well_formed(key):
            held[int(found.group(1))] = key
    if not held or not _well_formed(slug):
        return _campaign(slug), None, None
    row = db.session.execute(_CAMPAIGN_AND_DRAFT, {
        "slug": slug,
        "held": [(campaign_id, hash_secret(key)) for campaign_id, key in sorted(held.items())],
    }).first()
    if row is None:
        raise _campaign_not_found()
    campaign, draft = row
    return campaign, draft, held.get(campaign.id)


def _require_open(campaign: Campaign) -> None:
    state = campaign.state_on(utc_today())
    if state == "scheduled":
        raise ProblemPage(403, _("Not open yet"),
                          _("This assessment opens on %(day)s. Please come back then.",
                            day=campaign.opens_on.isoformat()))
    if state == "closed":
        raise ProblemPage(410, _("Assessment closed"),
                          _("This assessment closed on %(day)s and no longer takes answers.",
                            day=campaign.closes_on.isoformat() if campaign.closes_on else ""))


# The session's slots are named by campaign id, taken before a commit: after it, reading
# the campaign's attributes would load the row again.
def _draft_slot(campaign_id: int) -> str:
    return f"draft:{campaign_id}"


def _submitted_slot(campaign_id: int) -> str:
    return f"done:{campaign_id}"


def _profile_slot(campaign_id: int) -> str:
    return f"profile:{campaign_id}"


def _session_key(campaign: Campaign) -> str | None:
    key = session.get(_draft_slot(campaign.id))
    return key if isinstance(key, str) and _well_formed(key) else None


def _current_draft(campaign: Campaign) -> tuple[Draft | None, str | None]:
    key = _session_key(campaign)
    if key is None:
        return None, None
    return drafts.find_draft(campaign, key), key


def _remember(campaign_id: int, key: str) -> None:
    """Keep the resume key in this browser, for as long as a draft may be resumed."""
    session.permanent = True
    session[_draft_slot(campaign_id)] = key
    session.pop(_submitted_slot(campaign_id), None)


def _mark_submitted(campaign_id: int, profile: dict[str, Any] | None = None) -> None:
    """Forget the resume key and remember that this browser's answers are in.

    The cookie then lasts only as long as the browser session, unless another draft
    still needs it.
    """
    session.pop(_draft_slot(campaign_id), None)
    session[_submitted_slot(campaign_id)] = True
    if profile is not None:
        session[_profile_slot(campaign_id)] = profile
    session.permanent = any(DRAFT_SLOT.fullmatch(name) for name in session)


def _first_page(campaign: Campaign, draft: Draft) -> ResponseReturnValue:
    questionnaire = questionnaire_of(campaign)
    number = drafts.bounded_page(questionnaire, draft.section + 1)
    return redirect(url_for(".page", slug=campaign.slug, number=number))


@bp.route("/<slug>", methods=["GET", "POST"])
def intro(slug: str) -> ResponseReturnValue:
    """The intro page: what it takes, the privacy promise, a start button."""
    campaign = _campaign(slug, with_organisation=request.method == "GET")
    if campaign.mode == "token":
        raise ProblemPage(403, _("Personal link needed"),
                          _("This assessment is by invitation. Please use the personal link "
                            "you received."))
    _require_open(campaign)
    form = StartForm()
    if form.validate_on_submit():
        draft, key = _current_draft(campaign)
        if draft is None:
            draft, key = drafts.start_draft(campaign)
        campaign_id, first_page = campaign.id, _first_page(campaign, draft)
        db.session.commit()
        if key is None:  # start_draft always returns a key
            raise RuntimeError("no resume key for a started draft")
        _remember(campaign_id, key)
        return first_page
    return _render_intro(campaign, form)


@bp.route("/t/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    """A personal single-use link: Start spends it and begins a draft under a new key."""
    row = tokens.find_token(token) if _well_formed(token) else None
    if row is None:
        return _spent_or_unknown(token)
    campaign = db.session.get(Campaign, row.campaign_id,
                              options=[joinedload(Campaign.organisation)]
                              if request.method == "GET" else None)
    if campaign is None:
        abort(404)
    _require_open(campaign)
    form = StartForm()
    if form.validate_on_submit():
        try:
            draft, key = drafts.start_with_token(campaign, token)
        except TokenUnavailable:
            db.session.rollback()  # another window spent it a moment ago
            return _spent_or_unknown(token)
        campaign_id, first_page = campaign.id, _first_page(campaign, draft)
        db.session.commit()
        _remember(campaign_id, key)
        return first_page
    return _render_intro(campaign, form)


def _spent_or_unknown(token: str) -> ResponseReturnValue:
    """A token that is not stored: unknown, or spent (the two look the same, on purpose).

    The browser that spent it carries on with its own draft; anyone else is told.
    """
    for name, key in list(session.items()):
        found = DRAFT_SLOT.fullmatch(name)
        if not found or not isinstance(key, str) or not _well_formed(key):
            continue
        campaign = db.session.get(Campaign, int(found.group(1)))
        if campaign is not None and campaign.mode == "token":
            draft = drafts.find_draft(campaign, key)
            if draft is not None:
                return _first_page(campaign, draft)
    if _well_formed(token) and len(token) == tokens.TOKEN_LENGTH:
        raise ProblemPage(410, _("Link not valid or already used"),
                          _("This personal link is not valid or has already been used: each "
                            "link starts the questionnaire once. If you have started answering, "
                            "continue in the same browser or with the resume link shown on the "
                            "questionnaire's pages."))
    raise ProblemPage(404, _("Link not recognised"),
                      _("This personal link is not valid. Check that you copied the whole "
                        "link from your invitation."))


def _render_intro(campaign: Campaign, form: StartForm) -> ResponseReturnValue:
    questionnaire = questionnaire_of(campaign)
    language = _language()
    return render_template(
        "survey/intro.html", campaign=campaign, form=form,
        title=translate(questionnaire.title, language),
        intro_text=translate(questionnaire.intro, language),
        minutes=questionnaire.estimated_minutes, threshold=campaign.anonymity_threshold,
        sections=len(questionnaire.sections),
    )


@bp.route("/<slug>/resume/<key>")
def resume(slug: str, key: str) -> ResponseReturnValue:
    """A bookmarked resume link: continue where the respondent left off, on any device."""
    campaign = _campaign(slug)
    _require_open(campaign)
    draft = drafts.find_draft(campaign, key) if _well_formed(key) else None
    if draft is None:
        if _well_formed(key) and drafts.was_submitted(campaign, key):
            _mark_submitted(campaign.id)
            return redirect(url_for(".thanks", slug=slug))
        raise ProblemPage(404, _("Nothing to resume"),
                          _("We found no unfinished answers for this link. They may already "
                            "have been submitted."))
    _remember(campaign.id, key)
    return _first_page(campaign, draft)


@bp.route("/<slug>/page/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int) -> ResponseReturnValue:
    """One section of the questionnaire; back and next keep what was answered."""
    campaign, draft, key = _campaign_and_draft(slug)
    _require_open(campaign)
    questionnaire = questionnaire_of(campaign)
    if not 1 <= number <= drafts.last_page(questionnaire):
        abort(404)
    if draft is None or key is None:
        return _no_draft(campaign, key)
    section = questionnaire.sections[number - 1]
    language = _language()
    if request.method == "GET":
        form = section_form(questionnaire, section, language, data=draft.answers or {})
        return _render_page(campaign, questionnaire, number, form, key)

    form = section_form(questionnaire, section, language)
    if request.form.get("action", "next") == "back":
        previous = drafts.go_back(draft, questionnaire, form.answers(), number)
        db.session.commit()
        return redirect(url_for(".page", slug=slug, number=previous))
    if not form.validate():
        drafts.save_page(draft, questionnaire,
                         drafts.keep_valid(questionnaire, form.answers()), number - 1)
        db.session.commit()
        return _render_page(campaign, questionnaire, number, form, key), 422
    if number < drafts.last_page(questionnaire):
        drafts.save_page(draft, questionnaire, form.answers(), number)
        db.session.commit()
        return redirect(url_for(".page", slug=slug, number=number + 1))
    return _submit(campaign, questionnaire, draft, key, language, form.answers())


def _no_draft(campaign: Campaign, key: str | None) -> ResponseReturnValue:
    """No draft behind this browser's key: submitted (perhaps by a request whose reply
    was lost, or in another window), or never started."""
    if key is not None and drafts.was_submitted(campaign, key):
        _mark_submitted(campaign.id)
        return redirect(url_for(".thanks", slug=campaign.slug))
    if session.get(_submitted_slot(campaign.id)):
        raise ProblemPage(409, _("Already submitted"),
                          _("Your answers have already been submitted. Thank you!"))
    return redirect(url_for(".intro", slug=campaign.slug) if campaign.mode == "open"
                    else url_for("public.index"))


def _submit(
    campaign: Campaign, questionnaire: Questionnaire, draft: Draft, key: str, language: str,
    last_page: dict[str, Any],
) -> ResponseReturnValue:
    try:
        response = drafts.submit_draft(campaign, questionnaire, draft, key, language, last_page)
    except drafts.DraftIncomplete as incomplete:
        # The last page's answers are kept, with the draft (the page stays the last).
        drafts.save_page(draft, questionnaire, last_page, drafts.last_page(questionnaire) - 1)
        db.session.commit()
        return redirect(url_for(".page", slug=campaign.slug, number=incomplete.page,
                                incomplete=1))
    except drafts.DraftGone:
        db.session.rollback()
        return _no_draft(campaign, key)
    profile = dict(response.scores)
    campaign_id, slug = campaign.id, campaign.slug
    db.session.commit()
    _mark_submitted(campaign_id, profile)
    return redirect(url_for(".thanks", slug=slug))


@bp.route("/<slug>/thanks")
def thanks(slug: str) -> ResponseReturnValue:
    """Thank-you page with the respondent's own capability profile."""
    campaign = _campaign(slug)
    profile = session.get(_profile_slot(campaign.id))
    if not profile:
        if session.get(_submitted_slot(campaign.id)):
            # Submitted, but the reply that carried the profile was lost: the answers are
            # in, and the profile is not kept anywhere to show again.
            return render_template("survey/thanks.html", campaign=campaign, rows=None)
        return redirect(url_for(".intro", slug=slug) if campaign.mode == "open"
                        else url_for("public.index"))
    questionnaire = questionnaire_of(campaign)
    language = _language()
    rows = [
        {"label": translate(d.label, language), "score": profile.get(d.key), "group": d.group}
        for d in questionnaire.dimensions
    ]
    index = profile.get("index")
    band = questionnaire.band_for(index)
    pool = pool_medians(questionnaire.key)
    benchmark = pool["dimensions"] if pool["organisations"] >= MIN_POOL else None
    if benchmark is not None:
        for row, dimension in zip(rows, questionnaire.dimensions, strict=True):
            row["median"] = benchmark.get(dimension.key, {}).get("median")
    return render_template(
        "survey/thanks.html", campaign=campaign, rows=rows, index=index,
        benchmark=benchmark, pool_size=pool["organisations"],
        index_median=benchmark.get("index", {}).get("median") if benchmark else None,
        band_label=translate(band.label, language) if band else None,
        band_meaning=translate(band.meaning, language) if band else None,
    )


def _render_page(
    campaign: Campaign, questionnaire: Questionnaire, number: int, form: Any, key: str
) -> str:
    language = _language()
    section = questionnaire.sections[number - 1]
    total = len(questionnaire.sections)
    # From PUBLIC_BASE_URL, never from the request's Host header, which a client sets.
    resume_url = (current_app.config["PUBLIC_BASE_URL"].rstrip("/")
                  + url_for(".resume", slug=campaign.slug, key=key))
    return render_template(
        "survey/page.html", campaign=campaign, form=form, number=number, total=total,
        section_title=translate(section.title, language),
        section_help=translate(section.help, language),
        items=section.items, is_last=number == total, resume_url=resume_url,
        incomplete=request.args.get("incomplete") == "1",
        progress=round(100 * (number - 1) / total),
    )
