"""Signing in (rate-limited per account and per address), signing out (here or on every
device), the account page and single-use password-reset links.

At sign-in the session starts afresh (nothing from before it is kept but the chosen
language) under a new session id, so a session planted before sign-in is worth nothing.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from assessment.extensions import db, limiter
from assessment.models import utc_today, utcnow
from assessment.operations import OperationError
from assessment.operations.accounts import (
    authenticate,
    find_password_reset,
    normalise_email,
    reset_password,
    roles_of,
    set_password,
    sign_out_everywhere,
)
from assessment.operations.api_tokens import (
    MAX_TOKENS,
    api_tokens_of,
    create_api_token,
    revoke_api_token,
)
from assessment.web.access import not_found, signed_in
from assessment.web.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    LoginForm,
    RevokeApiTokenForm,
    SetPasswordForm,
    SignOutEverywhereForm,
    SignOutForm,
)
from assessment.web.errors import ProblemPage

bp = Blueprint("auth", __name__)
RESET_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
SESSION_ID = "sid"  # a fresh random id per signed-in session
KEPT_AT_SIGN_IN = ("lang",)


def _failed(response: WerkzeugResponse) -> bool:
    # Only failed attempts count towards the limits: signing in does not use them up.
    return response.status_code not in (302, 303)


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _address_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_ADDRESS"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT_ACCOUNT"])


def fresh_session() -> None:
    """Start the session afresh under a new id, keeping only the chosen language."""
    kept = {key: session[key] for key in KEPT_AT_SIGN_IN if key in session}
    session.clear()
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if callable(regenerate):  # a server-side session store issues a new id itself
        regenerate(session)
    session.update(kept)
    session[SESSION_ID] = secrets.token_urlsafe(24)


def _next_page() -> str:
    """Where to go after signing in: a path on this site, else the campaigns."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if (target.startswith("/") and not target.startswith("//") and not parts.scheme
            and not parts.netloc and "\\" not in target):
        return target
    return url_for("campaigns.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, key_func=get_remote_address, methods=["POST"],
               deduct_when=_failed, scope="login-address")
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"],
               deduct_when=_failed, scope="login-account")
def login() -> ResponseReturnValue:
    """The sign-in page."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("campaigns.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "", utcnow())
        if user is not None:
            target = _next_page()
            fresh_session()
            login_user(user)
            db.session.commit()
            return redirect(target)
        form.password.errors = [_("Wrong e-mail address or password.")]
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.errorhandler(429)
def too_many_attempts(exc: Exception) -> ResponseReturnValue:
    """Too many failed sign-ins from this address or for this account."""
    db.session.rollback()
    return render_template(
        "error.html", status=429, title=_("Too many attempts"),
        message=_("Too many failed attempts to sign in. Wait a few minutes and try again, "
                  "or ask your administrator for a password-reset link.")), 429


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out of this browser."""
    form = SignOutForm()
    if not form.validate_on_submit():
        raise ProblemPage(400, _("Invalid input"), _("The request could not be understood."))
    logout_user()
    fresh_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    """Sign out of every browser and device this account is signed in on."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        raise ProblemPage(400, _("Invalid input"), _("The request could not be understood."))
    sign_out_everywhere(signed_in())
    db.session.commit()
    logout_user()
    fresh_session()
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit(_account_limit, key_func=lambda: f"password:{current_user.get_id()}",
               methods=["POST"], deduct_when=_failed, scope="change-password")
def account() -> ResponseReturnValue:
    """The account: roles, a new password, signing out everywhere."""
    user = signed_in()
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        if authenticate(user.email, form.current.data or "", utcnow()) is None:
            form.current.errors = [_("This is not your current password.")]
            status = 401
        else:
            set_password(user, form.password.data or "")
            db.session.commit()
            # The new password ended every session, this one too: start a new one here.
            fresh_session()
            login_user(user)
            flash(_("Your password has been changed; other devices are signed out."), "info")
            return redirect(url_for("auth.account"))
    elif form.is_submitted():
        status = 422
    return _account_page(form=form), status


def _account_page(form: ChangePasswordForm | None = None,
                  token_form: ApiTokenForm | None = None, new_token: str | None = None) -> str:
    user = signed_in()
    return render_template("auth/account.html", form=form or ChangePasswordForm(formdata=None),
                           roles=roles_of(user), everywhere=SignOutEverywhereForm(),
                           tokens=api_tokens_of(user), new_token=new_token,
                           token_form=token_form or ApiTokenForm(formdata=None),
                           revoke=RevokeApiTokenForm())


@bp.post("/account/tokens")
@login_required
def create_token() -> ResponseReturnValue:
    """A new API token, shown on the page this once (only its hash is kept)."""
    token_form = ApiTokenForm()
    if not token_form.validate_on_submit():
        return _account_page(token_form=token_form), 422
    try:
        _token, plain = create_api_token(signed_in(), token_form.name.data or "", utc_today())
    except OperationError as exc:
        token_form.name.errors = [
            ngettext("You have %(num)d API token already: revoke one first.",
                     "You have %(num)d API tokens already: revoke one first.", MAX_TOKENS)
            if "at most" in str(exc) and "tokens" in str(exc) else _("Give the token a name.")]
        return _account_page(token_form=token_form), 422
    db.session.commit()
    # Rendered, not redirected: the plain token must not travel through the session.
    return _account_page(new_token=plain), 201, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of one's API tokens: it stops working at once."""
    if not RevokeApiTokenForm().validate_on_submit():
        raise ProblemPage(400, _("Invalid input"), _("The request could not be understood."))
    if token_id > 2**31 - 1 or not revoke_api_token(signed_in(), token_id):
        raise not_found()
    db.session.commit()
    flash(_("The API token is revoked: it no longer works."), "info")
    return redirect(url_for("auth.account"))


def _reset_link_gone() -> ProblemPage:
    return ProblemPage(404, _("Link expired"),
                       _("This password link has expired or has already been used. Ask "
                         "your administrator for a new one."))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_address_limit, key_func=get_remote_address, methods=["POST"],
               deduct_when=_failed, scope="password-reset")
def reset(token: str) -> ResponseReturnValue:
    """Set a password through a single-use link printed by `assessment user reset-link`."""
    if not RESET_TOKEN.fullmatch(token) or find_password_reset(token, utcnow()) is None:
        raise _reset_link_gone()
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(token, form.password.data or "", utcnow())
        except OperationError:
            raise _reset_link_gone() from None
        db.session.commit()
        logout_user()
        fresh_session()
        flash(_("Your password is set. Sign in with it."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.is_submitted() else 200
