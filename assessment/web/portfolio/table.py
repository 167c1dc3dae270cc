"""The portfolio table: one row per organisation with its newest campaign, read with a few
SQL aggregates (no per-organisation statistics), then filtered and sorted as the page's
query parameters say.

An index is shown only when the campaign may show figures: at least its anonymity
threshold of responses, and at least as many respondents scored the index (the engine's
rule for every dimension). The change since the previous campaign of the same
questionnaire is shown only when both campaigns' indexes rest on at least the larger of
their two thresholds (the engine's rule for `change`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.instrument.attributes import SIZE_BANDS
from assessment.instrument.questionnaire import Registry
from assessment.instrument.scoring import INDEX
from assessment.models import Campaign, Organisation, Response, ResponseScore

SORT_KEYS = ("name", "sector", "size", "country", "campaign", "opens", "closes",
             "responses", "index", "change")
DIRECTIONS = ("asc", "desc")
MAX_TEXT = 200  # the longest filter value accepted (longer: 400)


class BadQuery(ValueError):
    """A sort key, direction or filter the table does not know."""


@dataclass
class PortfolioRow:
    """One organisation and its newest campaign, as the table shows them."""

    organisation_id: int
    name: str
    sector: str
    size_band: str
    country: str
    benchmark_consent: bool
    campaign_id: int | None = None
    campaign: str | None = None
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    responses: int | None = None
    threshold: int | None = None
    index: float | None = None  # None also when withheld (see `withheld`)
    band: str | None = None  # the band's key
    withheld: bool = False  # responses below the threshold: no figure shown
    change: float | None = None
    previous_campaign: str | None = None


@dataclass(frozen=True)
class TableQuery:
    """What the page's query parameters ask for."""

    text: str = ""
    sector: str = ""
    size: str = ""
    country: str = ""
    sort: str = "name"
    direction: str = "asc"

    @classmethod
    def from_args(cls, args: Any) -> TableQuery:
        """From request.args; BadQuery for an unknown sort key, direction or an overlong
        or repeated value."""
        values = {}
        for name in ("q", "sector", "size", "country", "sort", "dir"):
            given = args.getlist(name)
            if len(given) > 1:
                raise BadQuery(f"{name} given more than once")
            value = given[0].strip() if given else ""
            if len(value) > MAX_TEXT:
                raise BadQuery(f"{name} is too long")
            values[name] = value
        sort = values["sort"] or "name"
        direction = values["dir"] or "asc"
        if sort not in SORT_KEYS:
            raise BadQuery(f"unknown sort key {sort!r}")
        if direction not in DIRECTIONS:
            raise BadQuery(f"unknown direction {direction!r}")
        if values["size"] and values["size"] not in SIZE_BANDS:
            raise BadQuery(f"unknown size band {values['size']!r}")
        return cls(values["q"], values["sector"], values["size"], values["country"].upper(),
                   sort, direction)


def _sort_value(sort: str) -> Callable[[PortfolioRow], Any]:
    return {
        "name": lambda r: r.name.casefold(),
        "sector": lambda r: r.sector.casefold(),
        "size": lambda r: SIZE_BANDS.index(r.size_band) if r.size_band in SIZE_BANDS
        else len(SIZE_BANDS),
        "country": lambda r: r.country,
        "campaign": lambda r: r.campaign.casefold() if r.campaign is not None else None,
        "opens": lambda r: r.opens_on,
        "closes": lambda r: r.closes_on,
        "responses": lambda r: r.responses,
        "index": lambda r: r.index,
        "change": lambda r: r.change,
    }[sort]


def arrange(rows: Sequence[PortfolioRow], query: TableQuery) -> list[PortfolioRow]:
    """The rows the query keeps, in its order: rows without the sorted value (no campaign,
    no index shown) come last in either direction; ties by name, then id."""
    text = query.text.casefold()
    kept = [r for r in rows
            if (not text or text in r.name.casefold())
            and (not query.sector or r.sector == query.sector)
            and (not query.size or r.size_band == query.size)
            and (not query.country or r.country == query.country)]
    kept.sort(key=lambda r: (r.name.casefold(), r.organisation_id))
    value = _sort_value(query.sort)
    present = [r for r in kept if value(r) is not None]
    missing = [r for r in kept if value(r) is None]
    present.sort(key=value, reverse=query.direction == "desc")  # stable: ties keep name order
    return present + missing


def portfolio_rows(session: Session, registry: Registry,
                   organisation_ids: set[int] | None) -> list[PortfolioRow]:
    """Every organisation the account works on (None: every real one, the synthetic demo
    pool left out) with its newest campaign's figures; four queries in all."""
    query = select(Organisation)
    if organisation_ids is None:
        query = query.where(Organisation.synthetic.is_(False))
    else:
        query = query.where(Organisation.id.in_(organisation_ids))
    organisations = list(session.scalars(query))
    rows = {o.id: PortfolioRow(o.id, o.name, o.sector, o.size_band, o.country,
                               o.benchmark_consent) for o in organisations}
    if not rows:
        return []
    campaigns = list(session.scalars(
        select(Campaign).where(Campaign.organisation_id.in_(list(rows)))))
    by_organisation: dict[int, list[Campaign]] = {}
    for c in campaigns:
        by_organisation.setdefault(c.organisation_id, []).append(c)
    newest: dict[int, tuple[Campaign, Campaign | None]] = {}
    for organisation_id, own in by_organisation.items():
        # The engine's order (analysis.records.campaign_order): opening day, closing day
        # (one still open last), then id.
        own.sort(key=lambda c: (c.opens_on, c.closes_on or dt.date.max, c.id))
        last = own[-1]
        previous = next((c for c in reversed(own[:-1])
                         if c.questionnaire_key == last.questionnaire_key), None)
        newest[organisation_id] = (last, previous)
    wanted = [c.id for pair in newest.values() for c in pair if c is not None]
    counts = dict(session.execute(
        select(Response.campaign_id, func.count()).where(Response.campaign_id.in_(wanted))
        .group_by(Response.campaign_id)).all())
    means = {campaign_id: (float(mean), int(n)) for campaign_id, mean, n in session.execute(
        select(ResponseScore.campaign_id, func.avg(ResponseScore.score),
               func.count(ResponseScore.score))
        .where(ResponseScore.campaign_id.in_(wanted), ResponseScore.dimension == INDEX)
        .group_by(ResponseScore.campaign_id))}
    for organisation_id, (last, previous) in newest.items():
        row = rows[organisation_id]
        n = int(counts.get(last.id, 0))
        row.campaign_id, row.campaign = last.id, last.name
        row.opens_on, row.closes_on = last.opens_on, last.closed_on or last.closes_on
        row.responses, row.threshold = n, last.anonymity_threshold
        row.withheld = n < last.anonymity_threshold
        index = means.get(last.id)
        if row.withheld or index is None or index[1] < last.anonymity_threshold:
            continue
        row.index = min(max(index[0], 0.0), 100.0)
        try:
            band = registry.get(last.questionnaire_key,
                                last.questionnaire_version).band_for(row.index)
        except KeyError:
            band = None
        row.band = band.key if band is not None else None
        before = means.get(previous.id) if previous is not None else None
        if previous is not None and before is not None:
            needed = max(last.anonymity_threshold, previous.anonymity_threshold)
            if index[1] >= needed and before[1] >= needed:
                row.change = index[0] - before[0]
                row.previous_campaign = previous.name
    return list(rows.values())

