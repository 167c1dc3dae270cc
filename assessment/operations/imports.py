"""Answers collected elsewhere, for one campaign: check a file whole, then store it.

What the CLI (`assessment import`) and the API (`/api/v1/campaigns/<id>/imports`) share,
so both accept and refuse exactly the same files with the same problems:

    imported = check_import(campaign, questionnaire, data, filename, today=today)
    count = import_responses(campaign, questionnaire, imported)   # flush only
    db.session.commit()

`check_import` raises `ImportRejected` listing every problem by row and column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from assessment.config import LANGUAGES
from assessment.instrument.questionnaire import Questionnaire
from assessment.io.importing import (
    CampaignWindow,
    ImportedResponse,
    read_path,
    read_upload,
)
from assessment.models import Campaign
from assessment.operations.responses import import_responses

__all__ = ["check_import", "check_import_file", "import_locales", "import_responses"]


def import_locales(questionnaire: Questionnaire) -> list[str]:
    """Languages an imported response may be marked with."""
    # Every language the project supports, not only those the web pages are translated
    # into yet: these answers were collected elsewhere, perhaps on paper.
    return [*LANGUAGES, *(code for code in questionnaire.languages if code not in LANGUAGES)]


def _window(campaign: Campaign) -> CampaignWindow:
    return CampaignWindow(campaign.opens_on, campaign.closes_on)


def check_import(
    campaign: Campaign, questionnaire: Questionnaire, data: bytes, filename: str, *,
    today: dt.date, progress: Callable[[int], None] | None = None,
) -> list[ImportedResponse]:
    """Validate an upload (its name tells CSV from XLSX) for the campaign; nothing stored."""
    return read_upload(questionnaire, data, filename, locales=import_locales(questionnaire),
                       today=today, progress=progress, window=_window(campaign))


def check_import_file(
    campaign: Campaign, questionnaire: Questionnaire, path: str | Path, *,
    today: dt.date, progress: Callable[[int], None] | None = None,
) -> list[ImportedResponse]:
    """Validate a file on disk for the campaign (its size checked before it is read)."""
    return read_path(questionnaire, path, locales=import_locales(questionnaire), today=today,
                     progress=progress, window=_window(campaign))
