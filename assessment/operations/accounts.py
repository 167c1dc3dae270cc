"""Accounts: creating users, passwords (argon2id), roles in organisations, password-reset
links and signing out everywhere. Respondents never have an account.

Passwords are hashed with argon2-cffi's RFC 9106 "low memory" profile (argon2id,
64 MiB, 3 passes, 4 lanes, 16-byte salt, 32-byte hash); a hash made with weaker
parameters is replaced at the next sign-in. Reset links carry a random token of which
only the SHA-256 hash is stored, are single-use (spent by one conditional UPDATE) and
expire.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update

from assessment.extensions import db
from assessment.models import Membership, Organisation, PasswordReset, User
from assessment.models.account import ORGANISATION_ROLES
from assessment.operations import OperationError
from assessment.operations.tokens import hash_secret

ADMIN = "admin"
ROLES = (ADMIN, *ORGANISATION_ROLES)  # what `assessment user create --role` accepts
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256  # argon2 takes any length; a bound keeps a request's cost bounded
PASSWORD_PROFILE = profiles.RFC_9106_LOW_MEMORY
# Deliberately loose: one @, no spaces, a dot in the domain. The address is a sign-in
# name (and later where reset links go), not something the product must deliver to today.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EMAIL_MAX_LENGTH = 254


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(PASSWORD_PROFILE)


@cache
def _stand_in_hash() -> str:
    # Checked against when the e-mail address is unknown, so that a wrong address takes
    # as long as a wrong password and sign-in timing does not tell which accounts exist.
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of a password that meets the policy (see password_problem)."""
    problem = password_problem(password)
    if problem:
        raise OperationError(problem)
    return _hasher().hash(password)


def password_problem(password: str) -> str | None:
    """Why a password is refused, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"the password needs at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"the password can have at most {PASSWORD_MAX_LENGTH} characters"
    return None


def normalise_email(email: str) -> str:
    """An e-mail address as accounts are looked up by it: trimmed and lower-case."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why an e-mail address is refused, or None."""
    if len(email) > EMAIL_MAX_LENGTH or not EMAIL_PATTERN.fullmatch(email):
        return "give a valid e-mail address, e.g. name@example.org"
    return None


def find_user(email: str) -> User | None:
    """The account with this e-mail address (any case), or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str | None = None, is_admin: bool = False) -> User:
    """Add an account; without a password it can sign in only after a reset link is used."""
    address = normalise_email(email)
    problem = email_problem(address)
    if problem:
        raise OperationError(problem)
    if find_user(address) is not None:
        raise OperationError(f"an account for {address} already exists")
    user = User(email=address, is_admin=is_admin, session_token=secrets.token_urlsafe(24),
                password_hash=hash_password(password) if password is not None else None)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str, now: dt.datetime) -> User | None:
    """The active account with this address and password, or None (same cost either way).

    A hash made with older parameters is replaced by one with today's.
    """
    user = find_user(email) if len(email) <= EMAIL_MAX_LENGTH else None
    stored = user.password_hash if user is not None and user.password_hash else None
    if len(password) > PASSWORD_MAX_LENGTH:
        return None
    try:
        _hasher().verify(stored or _stand_in_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None or not user.active:
        return None
    if _hasher().check_needs_rehash(stored):
        user.password_hash = _hasher().hash(password)
    user.last_sign_in_at = now
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Give the account a new password; every session signed in before ends."""
    user.password_hash = hash_password(password)
    sign_out_everywhere(user)


def sign_out_everywhere(user: User) -> None:
    """End every session of this account, on every device (a new session token)."""
    user.session_token = secrets.token_urlsafe(24)
    db.session.flush()


def user_by_session_id(session_id: str) -> User | None:
    """The active account a session refers to ("id:token"), or None if it has ended."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(
            user.session_token.encode(), token.encode()):
        return None
    return user


# --- roles ------------------------------------------------------------------------------

def grant(user: User, role: str, organisation: Organisation | None = None) -> bool:
    """Give a role (administrator, or HR / consultant in one organisation); False if held."""
    if role == ADMIN:
        if organisation is not None:
            raise OperationError("the administrator role is not tied to an organisation")
        held, user.is_admin = user.is_admin, True
        db.session.flush()
        return not held
    if role not in ORGANISATION_ROLES:
        raise OperationError(f"role must be one of {', '.join(ROLES)}")
    if organisation is None:
        raise OperationError(f"the {role} role needs an organisation (--org)")
    if _membership(user, role, organisation) is not None:
        return False
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=role))
    db.session.flush()
    return True


def revoke(user: User, role: str, organisation: Organisation | None = None) -> bool:
    """Take a role away; False if the account did not hold it."""
    if role == ADMIN:
        held, user.is_admin = user.is_admin, False
        db.session.flush()
        return held
    if role not in ORGANISATION_ROLES:
        raise OperationError(f"role must be one of {', '.join(ROLES)}")
    if organisation is None:
        raise OperationError(f"say which organisation's {role} role to revoke (--org)")
    membership = _membership(user, role, organisation)
    if membership is None:
        return False
    db.session.delete(membership)
    db.session.flush()
    return True


def _membership(user: User, role: str, organisation: Organisation) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.organisation_id == organisation.id,
        Membership.role == role))


def roles_of(user: User) -> list[tuple[str, Organisation | None]]:
    """Every role of an account: ("admin", None) and (role, organisation) pairs."""
    held: list[tuple[str, Organisation | None]] = [(ADMIN, None)] if user.is_admin else []
    rows = db.session.execute(
        select(Membership.role, Organisation)
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id)
        .order_by(Organisation.name, Membership.role))
    held.extend((role, organisation) for role, organisation in rows)
    return held


def organisation_ids(user: User) -> set[int] | None:
    """The organisations an account may work on; None means every one (administrator)."""
    if user.is_admin:
        return None
    return set(db.session.scalars(
        select(Membership.organisation_id).where(Membership.user_id == user.id)))


def can_access(user: User, organisation_id: int) -> bool:
    """Whether an account may see and run this organisation's campaigns."""
    allowed = organisation_ids(user)
    return allowed is None or organisation_id in allowed


# --- password reset ---------------------------------------------------------------------

def issue_password_reset(user: User, now: dt.datetime, hours: int) -> str:
    """A new single-use reset token valid for `hours`; earlier unused ones stop working.

    Returns the plain token (for the link); only its hash is stored.
    """
    if hours < 1:
        raise OperationError("a reset link must be valid for at least an hour")
    db.session.execute(delete(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=user.id, token_hash=hash_secret(token),
                                 expires_at=now + dt.timedelta(hours=hours)))
    db.session.flush()
    return token


def find_password_reset(token: str, now: dt.datetime) -> PasswordReset | None:
    """The unused, unexpired reset for a plain token, or None."""
    return db.session.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == hash_secret(token), PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now))


def reset_password(token: str, password: str, now: dt.datetime) -> User:
    """Spend a reset token and set the account's new password (ends its other sessions)."""
    problem = password_problem(password)
    if problem:
        raise OperationError(problem)
    # One conditional UPDATE: of two requests with the same token only one spends it.
    spent = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.token_hash == hash_secret(token),
               PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
        .values(used_at=now)
        .returning(PasswordReset.user_id)
    ).scalar_one_or_none()
    user = db.session.get(User, spent) if spent is not None else None
    if user is None:
        raise OperationError("this link has expired or has already been used")
    set_password(user, password)
    return user
