"""Public pages that are not part of a questionnaire: landing page and health check."""

from assessment.web.public.views import bp

__all__ = ["bp"]
