"""The respondent's journey: intro, one section per page, submit once, own profile."""

from assessment.web.survey.views import bp

__all__ = ["bp"]
