"""Reading the engine's plain records out of the database (the engine's only SQL).

Aggregates over many rows are done in SQL; the benchmark reads the campaign summaries
(`models.summary`), kept with the responses, rather than every score.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    ColumnElement,
    Float,
    RowMapping,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from assessment.analysis.records import (
    NO_ANSWER,
    OTHER_ANSWER,
    POSITIVE_ANSWER,
    UNKNOWN_ANSWER,
    CampaignInfo,
    PoolTallies,
    Respondent,
    Respondents,
    SplitPlan,
    Tally,
    TallyPlan,
    campaign_order,
)
from assessment.models import (
    Campaign,
    CampaignSummary,
    CampaignTally,
    Organisation,
    Response,
    ResponseScore,
    ScoreSummary,
)
from assessment.stats.clustered import item_pairs
from assessment.stats.correlation import rank_sums

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


def pool_selection(questionnaire_key: str) -> Any:
    """The ids of the pool's campaigns (a query of one column; see `_pool_campaign_ids`),
    for the pool's tallies to select their organisations from."""
    return select(_pool_campaign_ids(questionnaire_key).subquery().c.id)


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


def pool_places(session: Session, questionnaire_key: str) -> tuple[list[str], list[bool]]:
    """The benchmark pool's countries (sorted) and whether its organisations are
    synthetic (each value found once), as the database finds them distinct."""
    pool = _pool_campaign_ids(questionnaire_key).subquery()
    rows = session.execute(
        select(Organisation.country, Organisation.synthetic).distinct()
        .join(Campaign, Campaign.organisation_id == Organisation.id)
        .join(pool, pool.c.id == Campaign.id)).all()
    return sorted({country for country, _synthetic in rows}), sorted(
        {bool(synthetic) for _country, synthetic in rows})


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


def respondents(session: Session, campaign_ids: Iterable[int]) -> Respondents:
    """Every response of these campaigns as plain records (each column read once, see
    `records.Respondents`)."""
    ids = list(campaign_ids)
    if not ids:
        return Respondents()
    # Through the session's connection (Core rows): the same rows, without the ORM's
    # per-row processing, which costs more than the query for a large campaign.
    rows = session.connection().execute(
        select(Response.campaign_id, Response.answers, Response.scores, Response.seniority,
               Response.function, Response.generation, Response.country)
        .where(Response.campaign_id.in_(ids))
        .order_by(Response.id)
    )
    return Respondents([
        Respondent(campaign_id=r[0], answers=r[1], scores=r[2], seniority=r[3],
                   function=r[4], generation=r[5], country=r[6])
        for r in rows
    ])


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
    # Through the session's connection (Core rows): 12 rows per organisation, 120,000
    # at 10,000, and the ORM's per-row processing took more time than the query.
    rows = session.connection().execute(
        select(ScoreSummary.campaign_id, ScoreSummary.dimension,
               _summary_mean(), ScoreSummary.n)
        .join(pool, pool.c.id == ScoreSummary.campaign_id)
        .where(ScoreSummary.n > 0)
        .order_by(ScoreSummary.campaign_id))
    return {int(campaign_id): {dimension: (float(mean), int(n))
                               for _campaign, dimension, mean, n in group}
            for campaign_id, group in itertools.groupby(rows, key=lambda row: row[0])}


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
    return list(_binary_stream(session, statement, None))


def _binary_stream(session: Session, statement: Any, batch: int | None) -> Iterator[Any]:
    """`_binary_rows` one row at a time, `batch` rows fetched at once through a
    server-side cursor (None: all at once). A bytea is then sent as its bytes; in text
    the server writes it in hex and psycopg parses it back (at 10,000 campaigns' kept
    tallies, 140 MB of cells, most of the pool's reading time)."""
    if session.autoflush:  # what session.execute would do first
        session.flush()
    compiled = statement.compile(dialect=session.get_bind().dialect)
    connection = session.connection().connection.driver_connection
    if connection is None:  # the session's connection, checked out above
        raise RuntimeError("the session has no database connection")
    if batch is None:
        with connection.cursor(binary=True) as cursor:
            cursor.execute(str(compiled), compiled.params)
            yield from cursor.fetchall()
        return
    with connection.cursor(name="assessment_binary_stream", binary=True) as cursor:
        cursor.itersize = batch
        cursor.execute(str(compiled), compiled.params)
        yield from cursor


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


def pool_tallies(session: Session, questionnaire_key: str, plan: TallyPlan,
                 keep: Callable[[PoolTallies], object] | None = None) -> PoolTallies:
    """The per-organisation counts and sums of `plan` over the pool's responses: the
    database reads each response once and returns one row per campaign of the pool
    (`pool_selection`), ascending by id; nothing per respondent reaches Python.

    A campaign's tallies kept in `campaign_tallies` for this plan at the campaign's
    current data version are read instead of its responses; those of the others are
    computed, FRESH_AT_ONCE campaigns at a time, each time handed to `keep` (e.g.
    `operations.tallies.keep_tallies`) when given, else returned in `fresh` for the
    caller to keep.

    Names of the tallies: ("respondents",), ("answered", item), ("code", item, code),
    ("split", name, class, "n" | outcome code), ("pair", x, y, moment) for the moments
    n, sx, sy, sxx, syy, sxy of the complete pairs, those of their pool-wide mid-ranks
    rx, ry, rxx, ryy, rxy, and min_x, max_x, min_y, max_y (NaN where a campaign has no
    pair), ("scale", name, "n"), ("scale", name, "sum", i), ("scale", name, "product",
    p), ("group", code, "size") and ("group", code, dimension, "n" | "sum" | "squares" |
    "min" | "max") (code None: the respondents who left the group column unanswered).
    """
    digest = plan.digest()
    names, _columns = _tally_columns(
        _tally_rows(session, Response.campaign_id.in_([]), plan), plan)
    # One read: the pool's campaigns with their kept tallies where current, the pool's
    # size and the kept cells' size (10,000 organisations keep some 5 million cells), so
    # both go straight into arrays allocated once, row by row as they arrive.
    statement = (
        select(Campaign.id, Campaign.data_version, CampaignTally.tallies, CampaignTally.cells,
               func.count().over(),
               func.coalesce(func.sum(func.length(CampaignTally.cells)).over(), 0))
        .outerjoin(CampaignTally, and_(CampaignTally.campaign_id == Campaign.id,
                                       CampaignTally.plan == digest,
                                       CampaignTally.data_version == Campaign.data_version))
        .where(Campaign.id.in_(pool_selection(questionnaire_key))).order_by(Campaign.id))
    kept: Iterable[Any] = (
        _binary_stream(session, statement, KEPT_ROWS_AT_ONCE)
        if session.get_bind().dialect.name == "postgresql"
        else session.execute(statement.execution_options(yield_per=KEPT_ROWS_AT_ONCE)))
    members: list[tuple[int, int]] = []
    values = np.full((0, len(names)), np.nan)
    cells = _Cells(0, len(plan.pairs))
    for campaign_id, version, tallies, own_cells, count, size in kept:
        if not members:
            values = np.full((int(count), len(names)), np.nan)
            cells = _Cells(int(size) // _CELL_BYTES, len(plan.pairs))
        k = len(members)
        members.append((int(campaign_id), int(version)))
        if tallies is not None:
            values[k] = np.frombuffer(tallies, dtype=float)
        if own_cells:
            cells.add(k, np.frombuffer(own_cells, dtype=float).reshape(-1, 4))
    values = values[:len(members)]  # should the pool have changed between the counts
    campaign_ids = np.asarray([m[0] for m in members], dtype=np.int64).reshape(-1)
    place = {campaign: k for k, (campaign, _version) in enumerate(members)}
    missing = [int(campaign_ids[k]) for k in np.flatnonzero(np.isnan(values[:, 0]))]
    fresh: list[tuple[int, int, bytes, bytes]] = []
    versions = dict(members)
    everyone = len(missing) == len(members)
    for first_missing in range(0, len(missing), FRESH_AT_ONCE):
        chunk = missing[first_missing:first_missing + FRESH_AT_ONCE]
        # All of them at once when few (a first read of a small pool): the pool's own
        # query, not a list of ids; else FRESH_AT_ONCE campaigns a statement, so that a
        # first read of 10,000 organisations holds a tenth of their cells at a time.
        chosen = Response.campaign_id.in_(
            pool_selection(questionnaire_key) if everyone and len(chunk) == len(missing)
            else chunk)
        computed, computed_cells = _computed_tallies(session, chosen, plan, len(names))
        computed_cells = computed_cells[np.argsort(computed_cells[:, 0], kind="stable")]
        cells.grow(len(computed_cells))
        found: list[tuple[int, int, bytes, bytes]] = []
        for row in computed:
            at = place.get(int(row[0]))
            if at is None:
                continue
            values[at] = row[1:]
            first = np.searchsorted(computed_cells[:, 0], row[0], side="left")
            last = np.searchsorted(computed_cells[:, 0], row[0], side="right")
            own = np.ascontiguousarray(computed_cells[first:last, 1:])
            cells.add(at, own)
            found.append((int(row[0]), versions[int(row[0])], row[1:].tobytes(),
                          own.tobytes()))
        del computed_cells
        if keep is not None:  # kept now, not held until every campaign is computed
            keep(PoolTallies(np.empty(0, dtype=np.int64), {}, plan=digest,
                             fresh=tuple(found)))
        else:
            fresh.extend(found)
    # A campaign of the pool without responses left (none can be in it): zeros.
    values[np.isnan(values[:, 0])] = 0.0
    tallies_by_name = {name: values[:, j] for j, name in enumerate(names)}
    for p, (x_key, y_key) in enumerate(plan.pairs):
        x, y, n, places = cells.pair(p)
        sums = rank_sums(x, y, n, places, len(members))
        tallies_by_name.update({("pair", x_key, y_key, m): v for m, v in sums.items()})
    return PoolTallies(campaign_ids, tallies_by_name, plan=digest, fresh=tuple(fresh))


KEPT_ROWS_AT_ONCE = 250  # campaigns' kept tallies fetched at once (some 20 kB each)
FRESH_AT_ONCE = 1_000  # campaigns whose tallies are computed by one statement


class _Cells:
    """The pairs' cells of the pool's campaigns, (campaign's place, pair, x, y, count),
    in arrays of their own types: 26 bytes a cell instead of 40 as one float64 table
    (5 million cells at 10,000 organisations: 130 MB instead of 200)."""

    def __init__(self, size: int, pairs: int) -> None:
        self.filled = 0
        self.place = np.empty(size, dtype=np.int32)
        self.which = np.empty(size, dtype=np.int8 if pairs < 128 else np.int16)
        self.x = np.empty(size)
        self.y = np.empty(size)
        self.n = np.empty(size, dtype=np.uint32)

    def grow(self, more: int) -> None:
        """Room for `more` cells after those added so far."""
        size = self.filled + more
        for name in ("place", "which", "x", "y", "n"):
            column = getattr(self, name)
            if len(column) < size:
                wider = np.empty(size, dtype=column.dtype)
                wider[:self.filled] = column[:self.filled]
                setattr(self, name, wider)

    def add(self, place: int, own: np.ndarray) -> None:
        """One campaign's cells: rows of (pair, x, y, count), as `CampaignTally` keeps
        them."""
        end = self.filled + len(own)
        self.place[self.filled:end] = place
        self.which[self.filled:end] = own[:, 0]
        self.x[self.filled:end] = own[:, 1]
        self.y[self.filled:end] = own[:, 2]
        self.n[self.filled:end] = own[:, 3]
        self.filled = end

    def pair(self, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """x, y, count (float) and campaign place (int64) of pair `p`'s cells."""
        own = self.which[:self.filled] == p
        return (self.x[:self.filled][own], self.y[:self.filled][own],
                self.n[:self.filled][own].astype(float),
                self.place[:self.filled][own].astype(np.int64))


def _computed_tallies(session: Session, members: Any, plan: TallyPlan,
                      width: int) -> tuple[np.ndarray, np.ndarray]:
    """The tallies of the responses `members` selects, computed by the database: rows of
    (campaign, tallies...) and the pairs' cells as rows of (campaign, pair, x, y, n)."""
    rows = _tally_rows(session, members, plan)
    _names, columns = _tally_columns(rows, plan)
    query = select(rows.c.campaign_id, *columns).group_by(rows.c.campaign_id)
    table = _fetch(session, query, 1 + width)
    cells = [np.column_stack([found[:, 0], np.full(len(found), p, dtype=float),
                              found[:, 1:]])
             for p, (_pair, found) in enumerate(_pair_cells(session, members, plan.pairs))]
    return table, np.concatenate(cells) if cells else np.empty((0, 5))


def _tally_columns(rows: Any, plan: TallyPlan) -> tuple[list[Tally], list[Any]]:
    """The names of the plan's tallies and their aggregate columns over `rows`."""
    names: list[Tally] = []
    columns: list[Any] = []

    def add(name: Tally, column: Any) -> None:
        names.append(name)
        columns.append(column.label(f"t{len(columns)}"))

    def extreme(moment: str, column: Any) -> Any:
        return func.coalesce((func.min if moment.startswith("min") else func.max)(column),
                             _NO_VALUE)

    c = rows.c
    add(("respondents",), func.count())
    for i, (item, codes) in enumerate(plan.codes.items()):
        add(("answered", item), func.count(c[f"code{i}"]))
        for code in codes:
            add(("code", item, code), func.count().filter(c[f"code{i}"] == code))
    for k, split in enumerate(plan.splits):
        for label in dict.fromkeys(split.classes.values()):
            member = c[f"class{k}"].is_(None) if label is None else c[f"class{k}"] == label
            add(("split", split.name, label, "n"), func.count(c[f"outcome{k}"]).filter(member))
            for code in split.outcome_codes:
                add(("split", split.name, label, code),
                    func.count().filter(and_(member, c[f"outcome{k}"] == code)))
    for p, (x_key, y_key) in enumerate(plan.pairs):
        x, y = c[f"px{p}"], c[f"py{p}"]
        add(("pair", x_key, y_key, "n"), func.count(x))
        for moment, value in (("sx", x), ("sy", y), ("sxx", x * x), ("syy", y * y),
                              ("sxy", x * y)):
            add(("pair", x_key, y_key, moment), func.coalesce(func.sum(value), 0.0))
        for moment, value in (("min_x", x), ("max_x", x), ("min_y", y), ("max_y", y)):
            add(("pair", x_key, y_key, moment), extreme(moment, value))
    for k, (name, items) in enumerate(plan.scales.items()):
        values = [c[f"scale{k}_{i}"] for i in range(len(items))]
        add(("scale", name, "n"), func.count(values[0]) if values else func.count())
        for i, value in enumerate(values):
            add(("scale", name, "sum", i), func.coalesce(func.sum(value), 0.0))
        for p, (i, j) in enumerate(item_pairs(len(values))):
            add(("scale", name, "product", p),
                func.coalesce(func.sum(values[i] * values[j]), 0.0))
    if plan.group_column is not None:
        for g, group_code in enumerate((*plan.group_codes, None)):
            member = c.group_value.is_(None) if group_code is None else c.group_value == group_code
            add(("group", group_code, "size"), func.count().filter(member))
            for d, dimension in enumerate(plan.group_dimensions):
                value = c[f"group{g}_{d}"]
                add(("group", group_code, dimension, "n"), func.count(value))
                if group_code in plan.group_sums:
                    add(("group", group_code, dimension, "sum"),
                        func.coalesce(func.sum(value), 0.0))
                    add(("group", group_code, dimension, "squares"),
                        func.coalesce(func.sum(value * value), 0.0))
                    for moment in ("min", "max"):
                        add(("group", group_code, dimension, moment), extreme(moment, value))
    return names, columns


def _fetch(session: Session, query: Any, width: int) -> np.ndarray:
    """The rows of numbers of a query as one float array, read in slices (one Python
    object per number at a time for a slice only)."""
    result = session.execute(query.execution_options(yield_per=1000))
    parts = [np.asarray([tuple(row) for row in part], dtype=float).reshape(len(part), width)
             for part in result.partitions()]
    table = np.concatenate(parts) if parts else np.empty((0, width))
    table[table == _NO_VALUE] = np.nan
    return table


# A missing extreme (no value in a campaign) travels as this number, NaN in the tallies:
# no score comes near it, and every row of numbers converts to floats at once.
_NO_VALUE = -1.0e300
_CELL_BYTES = 4 * 8  # a kept cell: pair, x, y and count as float64


def _tally_items(plan: TallyPlan) -> list[str]:
    items = dict.fromkeys(plan.codes)
    for split in plan.splits:
        items.update(dict.fromkeys((*split.items, split.outcome)))
    for scale in plan.scales.values():
        items.update(dict.fromkeys(scale))
    return list(items)


def _tally_dimensions(plan: TallyPlan) -> list[str]:
    dimensions = dict.fromkeys(d for pair in plan.pairs for d in pair)
    dimensions.update(dict.fromkeys(plan.group_dimensions))
    return list(dimensions)


def _parsed_responses(session: Session, members: Any, group: Any) -> Any:
    """The responses `members` selects: campaign, group column, and the answers and scores as
    documents to take values from; on PostgreSQL the `json` columns are parsed once
    into `jsonb`, in a subquery the planner keeps apart (OFFSET 0), instead of once per
    value taken."""
    if session.get_bind().dialect.name == "postgresql":
        parsed = (select(Response.campaign_id, group.label("group_value"),
                         cast(Response.answers, JSONB).label("answers"),
                         cast(Response.scores, JSONB).label("scores"))
                  .where(members).offset(0).subquery("parsed"))
        return parsed, (lambda key: parsed.c.answers[key].astext,
                        lambda key: parsed.c.scores[key].astext.cast(Float))
    source = select(Response.campaign_id, group.label("group_value"), Response.answers,
                    Response.scores).where(members).subquery("parsed")
    return source, (lambda key: source.c.answers[key].as_string(),
                    lambda key: source.c.scores[key].as_float())


def _apart(session: Session, query: Any, name: str) -> Any:
    """The query as a subquery whose columns are computed once per row, not once per
    use: PostgreSQL keeps a subquery with OFFSET apart; SQLite would fold it into the
    outer query (taking each JSON value again at every use), so there it is a
    materialised common table expression."""
    if session.get_bind().dialect.name == "postgresql":
        return query.offset(0).subquery(name)
    return query.cte(name).prefix_with("MATERIALIZED")


def _tally_rows(session: Session, members: Any, plan: TallyPlan) -> Any:
    """One row per response with every value the plan's tallies sum, computed once per
    response (two layers, each kept apart by OFFSET 0), so that the aggregates are plain
    counts, sums and extremes of columns (NULL where a value does not enter)."""
    group = (getattr(Response, plan.group_column) if plan.group_column is not None
             else literal(None))
    parsed, (answer, score) = _parsed_responses(session, members, group)
    items, dimensions = _tally_items(plan), _tally_dimensions(plan)
    taken = [parsed.c.campaign_id, parsed.c.group_value]
    taken += [answer(item).label(f"a{i}") for i, item in enumerate(items)]
    taken += [score(d).label(f"s{j}") for j, d in enumerate(dimensions)]
    for k, scale in enumerate(plan.scales.values()):
        taken += [_item_value(answer(item), coded).label(f"v{k}_{i}")
                  for i, (item, coded) in enumerate(scale.items())]
    values = _apart(session, select(*taken), "response_values")
    c = values.c
    a = {item: c[f"a{i}"] for i, item in enumerate(items)}
    s = {d: c[f"s{j}"] for j, d in enumerate(dimensions)}
    derived = [c.campaign_id, c.group_value]
    derived += [a[item].label(f"code{i}") for i, item in enumerate(plan.codes)]
    for k, split in enumerate(plan.splits):
        derived += [_class_of(split, a).label(f"class{k}"),
                    a[split.outcome].label(f"outcome{k}")]
    for p, (x, y) in enumerate(plan.pairs):
        derived += [case((s[y].is_not(None), s[x])).label(f"px{p}"),
                    case((s[x].is_not(None), s[y])).label(f"py{p}")]
    for k, scale in enumerate(plan.scales.values()):
        scored = [c[f"v{k}_{i}"] for i in range(len(scale))]
        complete = and_(*(v.is_not(None) for v in scored)) if scored else literal(True)
        derived += [case((complete, v)).label(f"scale{k}_{i}") for i, v in enumerate(scored)]
    if plan.group_column is not None:
        for g, code in enumerate((*plan.group_codes, None)):
            member = c.group_value.is_(None) if code is None else c.group_value == code
            derived += [case((member, s[dimension])).label(f"group{g}_{d}")
                        for d, dimension in enumerate(plan.group_dimensions)]
    return select(*derived).offset(0).subquery("response_tallies")


def _class_of(split: SplitPlan, answers: Mapping[str, Any]) -> Any:
    """A respondent's class in the split (NULL: unknown), from how each answer stands."""
    state: Any = literal(0)
    for place, item in enumerate(split.items):
        answer = answers[item]
        state = state + (4 ** place) * case(
            (answer.is_(None), NO_ANSWER), (answer == split.unknown, UNKNOWN_ANSWER),
            (answer == split.positive, POSITIVE_ANSWER), else_=OTHER_ANSWER)
    codes: dict[str, list[int]] = {}
    for states, label in split.classes.items():
        if label is not None:
            codes.setdefault(label, []).append(sum(s * 4 ** p for p, s in enumerate(states)))
    return case(*((state.in_(found), literal(label)) for label, found in codes.items()),
                else_=null())


def _pair_cells(session: Session, members: Any,
                pairs: Sequence[tuple[str, str]]) -> Iterable[tuple[tuple[str, str], Any]]:
    """Each pair's complete pairs counted per (campaign, x, y): rows of (campaign, x, y,
    n). On PostgreSQL one read of the scores for every pair (GROUPING SETS); elsewhere
    one read per pair."""
    if not pairs:
        return
    if session.get_bind().dialect.name != "postgresql":
        for x_key, y_key in pairs:
            parsed, (_answer, score) = _parsed_responses(session, members, literal(None))
            values = _apart(session, select(parsed.c.campaign_id, score(x_key).label("x"),
                                            score(y_key).label("y")), "pair_scores")
            x, y = values.c.x, values.c.y
            yield (x_key, y_key), _fetch(
                session, select(values.c.campaign_id, x, y, func.count())
                .where(x.is_not(None), y.is_not(None))
                .group_by(values.c.campaign_id, x, y), 4)
        return
    parsed, (_answer, score) = _parsed_responses(session, members, literal(None))
    dimensions = list(dict.fromkeys(d for pair in pairs for d in pair))
    taken = select(parsed.c.campaign_id, *(score(d).label(f"s{j}")
                                           for j, d in enumerate(dimensions)))
    values = _apart(session, taken, "pair_scores")
    gated = []
    for x_key, y_key in pairs:
        x, y = values.c[f"s{dimensions.index(x_key)}"], values.c[f"s{dimensions.index(y_key)}"]
        gated += [case((y.is_not(None), x)), case((x.is_not(None), y))]
    cells = _apart(session, select(values.c.campaign_id, *(
        g.label(f"g{k}") for k, g in enumerate(gated))), "pair_values")
    sets = [(cells.c.campaign_id, cells.c[f"g{2 * p}"], cells.c[f"g{2 * p + 1}"])
            for p in range(len(pairs))]
    # In each row only its own set's pair is grouped by (the others' columns are NULL):
    # the first non-NULL x and y are its pair's; incomplete pairs are left out.
    x = func.coalesce(*(cells.c[f"g{2 * p}"] for p in range(len(pairs))))
    y = func.coalesce(*(cells.c[f"g{2 * p + 1}"] for p in range(len(pairs))))
    query = select(
        func.grouping(*(cells.c[f"g{2 * p}"] for p in range(len(pairs)))),
        cells.c.campaign_id, x, y, func.count(),
    ).group_by(func.grouping_sets(*(tuple_(*columns) for columns in sets))
               ).having(and_(x.is_not(None), y.is_not(None)))
    table = _fetch(session, query, 5)
    for p, pair in enumerate(pairs):
        # GROUPING() has a 0 bit for each pair grouped by in the row's set: the last
        # argument is the lowest bit.
        own = (table[:, 0].astype(np.int64) >> (len(pairs) - 1 - p)) & 1 == 0
        yield pair, table[own, 1:]


def _item_value(answer: Any, coded: Mapping[str, float]) -> Any:
    """An item's score from its answer code (NULL for no answer or an unscored code)."""
    return case(*((answer == code, literal(value, Float)) for code, value in coded.items()),
                else_=null())
