"""Plain records the engine works on, loaded from the database or built in tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Respondent:
    """One submitted response: answers by item key, scores by dimension, coarse profile."""

    campaign_id: int
    answers: Mapping[str, Any]
    scores: Mapping[str, float | None]
    seniority: str | None = None
    function: str | None = None
    generation: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class CampaignInfo:
    """What the reports say about a campaign and its organisation."""

    id: int
    name: str
    organisation_id: int
    organisation: str
    sector: str
    size_band: str
    country: str
    synthetic: bool
    questionnaire_key: str
    questionnaire_version: int
    opens_on: dt.date
    closes_on: dt.date | None
    anonymity_threshold: int
    invited: int | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id, "name": self.name, "organisation_id": self.organisation_id,
            "organisation": self.organisation, "sector": self.sector,
            "size_band": self.size_band, "country": self.country, "synthetic": self.synthetic,
            "questionnaire": f"{self.questionnaire_key}@{self.questionnaire_version}",
            "opens_on": self.opens_on.isoformat(),
            "closes_on": self.closes_on.isoformat() if self.closes_on else None,
            "anonymity_threshold": self.anonymity_threshold, "invited": self.invited,
        }


def campaign_order(info: CampaignInfo) -> tuple[dt.date, dt.date, int]:
    """The order of an organisation's campaigns, oldest first: by opening day, then
    closing day (one still open, with none, comes after any that closed), then id.

    Dates, not ids, decide, so a back-dated import is not taken for the newest campaign.
    """
    return info.opens_on, info.closes_on or dt.date.max, info.id
