"""The dashboard: one campaign's figures as HTML with the report's SVG charts."""

from assessment.web.dashboard.views import bp

__all__ = ["bp"]
