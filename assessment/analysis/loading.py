"""Reading the engine's plain records out of the database (the engine's only SQL).

Aggregates over many rows (the benchmark's per-organisation means) are done in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, func, select
from sqlalchemy.orm import Session

from assessment.analysis.records import CampaignInfo, Respondent, campaign_order
from assessment.models import Campaign, Organisation, Response, ResponseScore

# The columns of a CampaignInfo, labelled with its field names. Plain columns, not ORM
# entities: building 10,000 Campaign and Organisation objects only to copy their
# attributes took 20 times longer than the query itself.
_INFO_COLUMNS = (
    Campaign.id.label("id"), Campaign.name.label("name"),
    Organisation.id.label("organisation_id"), Organisation.name.label("organisation"),
    Organisation.sector.label("sector"), Organisation.size_band.label("size_band"),
    Organisation.country.label("country"), Organisation.synthetic.label("synthetic"),
    Campaign.questionnaire_key.label("questionnaire_key"),
    Campaign.questionnaire_version.label("questionnaire_version"),
    Campaign.opens_on.label("opens_on"), Campaign.closes_on.label("closes_on"),
    Campaign.anonymity_threshold.label("anonymity_threshold"),
    Campaign.invited.label("invited"),
)


def _info(row: RowMapping) -> CampaignInfo:
    return CampaignInfo(**row)


def campaign_info(session: Session, campaign_id: int) -> CampaignInfo | None:
    """The campaign and its organisation as a plain record, or None."""
    row = session.execute(
        select(*_INFO_COLUMNS)
        .join(Organisation, Campaign.organisation_id == Organisation.id)
        .where(Campaign.id == campaign_id)
    ).mappings().first()
    return None if row is None else _info(row)


def _newest_first() -> tuple[Any, ...]:
    """SQL ordering of one organisation's campaigns, newest first: by opening day, then
    closing day (a campaign still open, with no closing day, after any that closed),
    then id - the order `records.campaign_order` gives in Python."""
    return (Campaign.opens_on.desc(), Campaign.closes_on.desc().nulls_first(),
            Campaign.id.desc())


def _newest_per_organisation(query: Any) -> Any:
    """The ids of each organisation's newest campaign among those `query` selects
    (a query of Campaign.id and Campaign.organisation_id)."""
    ranked = query.add_columns(
        func.row_number().over(partition_by=Campaign.organisation_id,
                               order_by=_newest_first()).label("place")
    ).subquery()
    return select(ranked.c.id).where(ranked.c.place == 1)


def pool_organisations_clause() -> ColumnElement[bool]:
    """The organisations whose results may enter the shared benchmark pool: those whose
    admin or consultant has agreed (`Organisation.benchmark_consent`; the synthetic demo
    pool is in by default). Every query that builds the pool filters by this one clause
    (it needs `Organisation` in the query's FROM)."""
    return Organisation.benchmark_consent.is_(True)


def pool_campaigns(session: Session, questionnaire_key: str) -> list[CampaignInfo]:
    """Every consenting organisation's newest campaign of one instrument (by date, see
    `_newest_first`) that has reached its anonymity threshold (one query), so a
    just-opened campaign does not take the organisation out of the benchmark."""
    counts = (
        select(Response.campaign_id, func.count().label("n"))
        .group_by(Response.campaign_id)
        .subquery()
    )
    latest = _newest_per_organisation(
        select(Campaign.id, Campaign.organisation_id)
        .join(counts, counts.c.campaign_id == Campaign.id)
        .join(Organisation, Campaign.organisation_id == Organisation.id)
        .where(Campaign.questionnaire_key == questionnaire_key,
               counts.c.n >= Campaign.anonymity_threshold, pool_organisations_clause())
    )
    rows = session.execute(
        select(*_INFO_COLUMNS)
        .join(Organisation, Campaign.organisation_id == Organisation.id)
        .where(Campaign.id.in_(latest))
        .order_by(Campaign.id)
    ).mappings()
    return [_info(row) for row in rows]


def newest_campaign_ids(session: Session) -> list[int]:
    """Each organisation's newest campaign (by date), in order of campaign id."""
    latest = _newest_per_organisation(select(Campaign.id, Campaign.organisation_id))
    return list(session.scalars(select(Campaign.id).where(Campaign.id.in_(latest))
                                .order_by(Campaign.id)))


def previous_campaign(session: Session, info: CampaignInfo) -> CampaignInfo | None:
    """The same organisation's campaign of the same instrument just before this one
    in `records.campaign_order` (by date, not by id)."""
    rows = session.execute(
        select(*_INFO_COLUMNS)
        .join(Organisation, Campaign.organisation_id == Organisation.id)
        .where(Campaign.organisation_id == info.organisation_id,
               Campaign.questionnaire_key == info.questionnaire_key)
    ).mappings()
    earlier = [c for c in map(_info, rows) if campaign_order(c) < campaign_order(info)]
    return max(earlier, key=campaign_order, default=None)


def respondents(session: Session, campaign_ids: Iterable[int]) -> list[Respondent]:
    """Every response of these campaigns as plain records."""
    ids = list(campaign_ids)
    if not ids:
        return []
    # Through the session's connection (Core rows): the same rows, without the ORM's
    # per-row processing, which costs more than the query for a large campaign.
    rows = session.connection().execute(
        select(Response.campaign_id, Response.answers, Response.scores, Response.seniority,
               Response.function, Response.generation, Response.country)
        .where(Response.campaign_id.in_(ids))
        .order_by(Response.id)
    )
    return [
        Respondent(campaign_id=r[0], answers=r[1], scores=r[2], seniority=r[3],
                   function=r[4], generation=r[5], country=r[6])
        for r in rows
    ]


def dimension_means(
    session: Session, campaign_ids: Sequence[int] | None = None
) -> dict[int, dict[str, tuple[float, int]]]:
    """Per campaign and dimension: (mean score, n), aggregated in SQL."""
    query = select(
        ResponseScore.campaign_id, ResponseScore.dimension,
        func.avg(ResponseScore.score), func.count(ResponseScore.score),
    ).group_by(ResponseScore.campaign_id, ResponseScore.dimension)
    if campaign_ids is not None:
        # A long IN list of ids is slower than reading every row once.
        query = query.where(ResponseScore.campaign_id.in_(list(campaign_ids)))
    means: dict[int, dict[str, tuple[float, int]]] = {}
    for campaign_id, dimension, mean, n in session.execute(query):
        means.setdefault(campaign_id, {})[dimension] = (float(mean), int(n))
    return means


def response_counts(
    session: Session, campaign_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """Number of responses per campaign (every campaign when no ids are given)."""
    # count(*), not count(id): the same number (id is the primary key), but PostgreSQL
    # can answer it from the campaign_id index alone instead of reading every response
    # row with its answers (1 GB for a million responses).
    query = select(Response.campaign_id, func.count()).group_by(Response.campaign_id)
    if campaign_ids is not None:
        query = query.where(Response.campaign_id.in_(list(campaign_ids)))
    rows = session.execute(query)
    return {campaign_id: int(n) for campaign_id, n in rows}
