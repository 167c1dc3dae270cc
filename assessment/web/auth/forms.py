"""Sign-in, password and sign-out forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from assessment.operations.accounts import (
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
)
from assessment.operations.api_tokens import NAME_MAX_LENGTH
from assessment.web.forms import TextForm


class LoginForm(TextForm):
    """E-mail address and password."""

    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(message=_l("Enter your e-mail address.")),
        Length(max=EMAIL_MAX_LENGTH, message=_l("This e-mail address is too long."))],
        render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[
        InputRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


def _new_password() -> PasswordField:
    return PasswordField(_l("New password"), validators=[
        InputRequired(message=_l("Enter a new password.")),
        Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH,
               message=_l("Use between %(min)d and %(max)d characters."))],
        render_kw={"autocomplete": "new-password"})


def _confirmation() -> PasswordField:
    return PasswordField(_l("New password again"), validators=[
        InputRequired(message=_l("Enter the new password again.")),
        EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})


class SetPasswordForm(TextForm):
    """A new password, typed twice (reset links)."""

    password = _new_password()
    confirm = _confirmation()
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(TextForm):
    """The current password and a new one, typed twice."""

    current = PasswordField(_l("Current password"), validators=[
        InputRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"})
    password = _new_password()
    confirm = _confirmation()
    submit = SubmitField(_l("Change password"))


class SignOutForm(TextForm):
    """A button (a form, so that signing out needs the CSRF token)."""

    submit = SubmitField(_l("Sign out"))


class SignOutEverywhereForm(TextForm):
    """Ends every session of the account."""

    submit = SubmitField(_l("Sign out on every device"))


class ApiTokenForm(TextForm):
    """A name for a new API token."""

    name = StringField(_l("Token name"), validators=[
        InputRequired(message=_l("Give the token a name.")),
        Length(max=NAME_MAX_LENGTH, message=_l("Use at most %(max)d characters."))],
        description=_l("What will use it, e.g. “monthly export script”."))
    submit = SubmitField(_l("Create token"))


class RevokeApiTokenForm(TextForm):
    """Revokes one API token (a form, so that it needs the CSRF token)."""

    submit = SubmitField(_l("Revoke"))
