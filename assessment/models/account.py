"""Accounts of the people who run assessments (never of respondents): users, their roles
in organisations, and password-reset links (kept only as hashes)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assessment.models.base import Base, utcnow

# Roles held in one organisation; the administrator role is global (User.is_admin).
HR, CONSULTANT = "hr", "consultant"
ORGANISATION_ROLES = (HR, CONSULTANT)


class User(Base):
    """A person who signs in: an administrator, a consultant or an HR / L&D admin.

    Implements what Flask-Login asks of a user object (is_authenticated, is_active,
    is_anonymous, get_id) without importing Flask, so the models stay Flask-free. The
    id Flask-Login keeps in the session includes `session_token`: changing the token
    (sign-out everywhere, a new password) ends every session signed in before.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    # An argon2id hash (PHC string); None until the person sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan")

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session's reference to this user: id and the current session token."""
        return f"{self.id}:{self.session_token}"


class Membership(Base):
    """One role of one user in one organisation (HR / L&D admin or consultant)."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", "role",
                         name="uq_memberships_user_organisation_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")


class PasswordReset(Base):
    """A single-use, expiring link to set a password; only the token's hash is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class ApiToken(Base):
    """A named bearer token for the JSON API; only the token's SHA-256 hash is kept.

    It acts with its account's roles as they are at each request, so revoking a role
    (or the token: its row is deleted) takes effect at the next API call.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Days only: when a token was made and last used is all its owner needs to know.
    created_on: Mapped[dt.date]
    last_used_on: Mapped[dt.date | None]
