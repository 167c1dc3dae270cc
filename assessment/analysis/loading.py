"""Reading the engine's plain records out of the database (the engine's only SQL).

Aggregates over many rows are done in SQL; the benchmark reads the campaign summaries
(`models.summary`), kept with the responses, rather than every score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Float,
    RowMapping,
    cast,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from assessment.analysis.records import CampaignInfo, Respondent, campaign_order
from assessment.models import (
    Campaign,
    CampaignSummary,
    Organisation,
    Response,
    ResponseScore,
    ScoreSummary,
)

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


def _newest_per_organisation(query: Any, *columns: str) -> Any:
    """The ids (and the other `columns` `query` selects) of each organisation's newest
    campaign among those `query` selects (a query of Campaign.id, Campaign.organisation_id
    and any other columns)."""
    ranked = query.add_columns(
        func.row_number().over(partition_by=Campaign.organisation_id,
                               order_by=_newest_first()).label("place")
    ).subquery()
    # `place <= 1`, not `place = 1`: PostgreSQL guesses that an equality on a window
    # function keeps a handful of rows and then looks up the pool's summaries one
    # campaign at a time (twice as slow at 10,000 campaigns as one pass over them).
    return select(ranked.c.id, *(ranked.c[name] for name in columns)).where(
        ranked.c.place <= 1)


def _pool_campaign_ids(questionnaire_key: str) -> Any:
    """The benchmark pool as a query of (id, anonymity_threshold): every organisation's
    newest campaign of one instrument (by date, see `_newest_first`) among those that
    have reached their anonymity threshold, so a just-opened campaign does not take the
    organisation out of the benchmark. Counted from the campaign summaries.

    The one place that says which organisations and campaigns form the pool: every
    figure of the pool (`pool_campaigns`, `pool_means`, `pool_dimension_values`) reads
    this query, so a condition on organisations goes in its `where` once.
    """
    return _newest_per_organisation(
        select(Campaign.id, Campaign.organisation_id, Campaign.anonymity_threshold)
        .join(Organisation, Organisation.id == Campaign.organisation_id)
        .join(CampaignSummary, CampaignSummary.campaign_id == Campaign.id)
        .where(Campaign.questionnaire_key == questionnaire_key,
               CampaignSummary.responses >= Campaign.anonymity_threshold,
               pool_organisations_clause()),
        "anonymity_threshold",
    )


def pool_organisations_clause() -> ColumnElement[bool]:
    """The organisations whose results may enter the shared benchmark pool: those whose
    admin or consultant has agreed (`Organisation.benchmark_consent`; the synthetic demo
    pool is in by default). Every query that builds the pool filters by this one clause
    (it needs `Organisation` in the query's FROM)."""
    return Organisation.benchmark_consent.is_(True)


def pool_campaigns(session: Session, questionnaire_key: str) -> list[CampaignInfo]:
    """The campaigns of the benchmark pool (see `_pool_campaign_ids`), in id order."""
    pool = _pool_campaign_ids(questionnaire_key).subquery()
    rows = session.execute(
        select(*_INFO_COLUMNS)
        .join(Organisation, Campaign.organisation_id == Organisation.id)
        .join(pool, pool.c.id == Campaign.id)
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


def _summary_mean() -> Any:
    """A dimension's mean score from its summary, in floating point as avg() gives it
    (SQLAlchemy would divide by the count as a NUMERIC, slowly and with other digits)."""
    return ScoreSummary.total / cast(ScoreSummary.n, Float)


def pool_response_counts(session: Session, questionnaire_key: str) -> dict[int, int]:
    """Responses per campaign of the benchmark pool, from the campaign summaries."""
    pool = _pool_campaign_ids(questionnaire_key).subquery()
    rows = session.execute(
        select(CampaignSummary.campaign_id, CampaignSummary.responses)
        .join(pool, pool.c.id == CampaignSummary.campaign_id))
    return {campaign_id: int(n) for campaign_id, n in rows}


def pool_means(session: Session, questionnaire_key: str) -> dict[int, dict[str, tuple[float, int]]]:
    """Per campaign of the benchmark pool and dimension: (mean score, n), from the
    campaign summaries (one row per campaign and dimension, not one per score)."""
    pool = _pool_campaign_ids(questionnaire_key).subquery()
    rows = session.execute(
        select(ScoreSummary.campaign_id, ScoreSummary.dimension,
               _summary_mean(), ScoreSummary.n)
        .join(pool, pool.c.id == ScoreSummary.campaign_id)
        .where(ScoreSummary.n > 0))
    means: dict[int, dict[str, tuple[float, int]]] = {}
    for campaign_id, dimension, mean, n in rows:
        means.setdefault(campaign_id, {})[dimension] = (float(mean), int(n))
    return means


def pool_dimension_values(
    session: Session, questionnaire_key: str
) -> tuple[int, dict[str, list[float]]]:
    """The benchmark pool's size and, per dimension, the mean of each of its campaigns
    that at least its anonymity threshold of respondents scored (what the benchmark's
    quantiles are taken over; `benchmark.build_pool` applies the same rule to members).

    The database groups the summaries by dimension into one array each, so a pool of
    10,000 organisations comes back as a dozen rows rather than 120,000.
    """
    campaigns = _pool_campaign_ids(questionnaire_key).subquery()
    # Each pool campaign carries the pool's size, counted before the join leaves out
    # those with no dimension scored by enough people.
    pool = select(campaigns, func.count().over().label("organisations")).subquery()
    mean = _summary_mean()
    postgresql = session.get_bind().dialect.name == "postgresql"
    grouped: ColumnElement[Any]
    if postgresql:
        grouped = func.array_agg(mean)
    else:
        # SQLite has no arrays, and its json_group_array writes 15 digits: 17 give back
        # the very doubles.
        grouped = type_coerce(
            literal("[") + func.group_concat(func.printf("%.17g", mean), ",") + "]", JSON)
    statement = (
        select(ScoreSummary.dimension, grouped, func.max(pool.c.organisations))
        .join(pool, pool.c.id == ScoreSummary.campaign_id)
        .where(ScoreSummary.n > 0, ScoreSummary.n >= pool.c.anonymity_threshold)
        .group_by(ScoreSummary.dimension))
    rows = _binary_rows(session, statement) if postgresql else session.execute(statement).all()
    if not rows:  # no dimension scored by enough people: the pool may still have members
        return int(session.scalar(select(func.count()).select_from(pool)) or 0), {}
    return int(rows[0][2]), {dimension: values for dimension, values, _n in rows}


def _binary_rows(session: Session, statement: Any) -> list[Any]:
    """The rows of a statement fetched from PostgreSQL in binary form, in the session's
    transaction. psycopg reads a float8[] of 10,000 doubles as it is sent; in text each
    double is printed by the server and parsed again (a third of the benchmark's time).
    SQLAlchemy asks for text, so the statement is compiled here and run on psycopg's
    own cursor."""
    if session.autoflush:  # what session.execute would do first
        session.flush()
    compiled = statement.compile(dialect=session.get_bind().dialect)
    connection = session.connection().connection.driver_connection
    if connection is None:  # the session's connection, checked out above
        raise RuntimeError("the session has no database connection")
    with connection.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def dimension_means(
    session: Session, campaign_ids: Sequence[int] | None = None
) -> dict[int, dict[str, tuple[float, int]]]:
    """Per campaign and dimension: (mean score, n), aggregated in SQL from every score
    row (the benchmark reads `pool_means`; this is what the summaries must agree with)."""
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
