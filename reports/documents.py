"""The three reports from the database: the engine's figures, the instrument's facts, a PDF.

The only place where reports read the database, and only through the engine's public
functions (plus one query listing each organisation's newest campaign).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.analysis import loading
from assessment.analysis.statistics import (
    campaign_statistics,
    comparison_statistics,
    pool_statistics,
)
from assessment.instrument.questionnaire import Registry
from assessment.models import Campaign, Organisation
from assessment.stats.privacy import DEFAULT_THRESHOLD
from reports.comparison import comparison_pdf
from reports.instrument import instrument_facts
from reports.organisation import organisation_pdf
from reports.render import language as report_language
from reports.study import study_pdf


@dataclass(frozen=True)
class CampaignRef:
    """A campaign to report on and its organisation's name."""

    campaign_id: int
    organisation: str


def _instrument(registry: Registry, ident: str, language: str) -> dict[str, object]:
    key, _, version = ident.partition("@")
    return instrument_facts(registry.get(key, int(version) if version else None), language)


def organisation_document(session: Session, registry: Registry, campaign_id: int,
                          language: str = "en") -> bytes:
    """The organisation report of one campaign (raises UnknownCampaign)."""
    report_language(language)  # an unknown language fails before any statistics
    stats = campaign_statistics(session, registry, campaign_id)
    return organisation_pdf(stats, _instrument(registry, stats["campaign"]["questionnaire"],
                                               language), language)


def study_document(session: Session, registry: Registry, questionnaire_key: str,
                   language: str = "en") -> bytes:
    """The study report of the whole pool (KeyError for an unknown questionnaire)."""
    report_language(language)
    pool = pool_statistics(session, registry, questionnaire_key)
    if pool["organisations"] == 0:
        raise ValueError(f"the {questionnaire_key} pool has no organisation with enough "
                         "responses yet")
    return study_pdf(pool, _instrument(registry, pool["questionnaire"], language),
                     DEFAULT_THRESHOLD, language)


def comparison_document(session: Session, registry: Registry,
                        campaign_ids: Sequence[int], language: str = "en") -> bytes:
    """The comparison report of 2 to 20 campaigns (ValueError, UnknownCampaign)."""
    report_language(language)
    data = comparison_statistics(session, registry, list(campaign_ids))
    return comparison_pdf(data, _instrument(registry, data["questionnaire"], language),
                          language)


def newest_campaigns(session: Session) -> list[CampaignRef]:
    """Each organisation's newest campaign (by date, as the benchmark decides), in order
    of campaign id."""
    newest = loading.newest_campaign_ids(session)
    rows = session.execute(
        select(Campaign.id, Organisation.name)
        .join(Organisation, Campaign.organisation_id == Organisation.id)
        .where(Campaign.id.in_(newest))
        .order_by(Campaign.id)
    )
    return [CampaignRef(campaign_id, name) for campaign_id, name in rows]
