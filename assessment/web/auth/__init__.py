"""Signing in and out, the account page and password-reset links."""

from assessment.web.auth.views import bp

__all__ = ["bp"]
