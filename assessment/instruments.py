"""The app's questionnaire registry, and the instrument a campaign uses."""

from __future__ import annotations

from flask import current_app

from assessment.instrument.questionnaire import Questionnaire, Registry
from assessment.models import Campaign


def registry() -> Registry:
    """Every questionnaire the app loaded at start-up."""
    found: Registry = current_app.extensions["questionnaires"]
    return found


class InstrumentMissing(LookupError):
    """The campaign's questionnaire file is no longer loaded (removed or broken)."""


def questionnaire_of(campaign: Campaign) -> Questionnaire:
    """The instrument version a campaign was opened with."""
    try:
        return registry().get(campaign.questionnaire_key, campaign.questionnaire_version)
    except KeyError:
        raise InstrumentMissing(
            f"questionnaire {campaign.questionnaire_key}@{campaign.questionnaire_version} "
            "is not loaded") from None
