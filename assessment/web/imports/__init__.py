"""Importing answers collected elsewhere from the browser: upload, preview, confirm."""

from assessment.web.imports.views import bp

__all__ = ["bp"]
