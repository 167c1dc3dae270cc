"""Campaigns in the browser: list, create, edit, close, reopen, links, delete."""

from assessment.web.campaigns.views import bp

__all__ = ["bp"]
