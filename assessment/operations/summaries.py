"""Campaign summaries: the counts and sums the benchmark reads (`models.summary`).

They change in the transaction that stores responses (`operations.responses`: a submit,
an import, the demo pool) or deletes a campaign (`operations.campaigns`), so they always
agree with the responses the same transaction sees; `rebuild_summaries` recomputes them
from the responses (`assessment db rebuild-summaries`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.orm import InstrumentedAttribute

from assessment.extensions import db
from assessment.models import CampaignSummary, Response, ResponseScore, ScoreSummary


def add_to_summaries(rows: Iterable[Mapping[str, Any]]) -> None:
    """Count response rows (`responses.response_row`: campaign_id and scores) into their
    campaigns' summaries; flush only.

    Each summary row is added to by one INSERT ... ON CONFLICT DO UPDATE SET n = n +
    excluded.n: the database adds to the row as it stands when the statement runs, so
    two transactions adding to one campaign at once both count (a read, then a write
    from Python, would lose one of them).
    """
    responses: Counter[int] = Counter()
    sums: dict[tuple[int, str], list[float]] = {}
    for row in rows:
        campaign_id = int(row["campaign_id"])
        responses[campaign_id] += 1
        for dimension, score in row["scores"].items():
            if score is None:
                continue
            cell = sums.setdefault((campaign_id, dimension), [0, 0.0, 0.0])
            cell[0] += 1
            cell[1] += score
            cell[2] += score * score
    # In key order, so two transactions lock the rows they share in the same order.
    _add(CampaignSummary, [CampaignSummary.campaign_id], [CampaignSummary.responses],
         [{"campaign_id": c, "responses": n} for c, n in sorted(responses.items())])
    _add(ScoreSummary, [ScoreSummary.campaign_id, ScoreSummary.dimension],
         [ScoreSummary.n, ScoreSummary.total, ScoreSummary.total_squares],
         [{"campaign_id": c, "dimension": d, "n": int(n), "total": total,
           "total_squares": squares}
          for (c, d), (n, total, squares) in sorted(sums.items())])


def _add(model: type[CampaignSummary] | type[ScoreSummary],
         keys: Sequence[InstrumentedAttribute[Any]],
         added: Sequence[InstrumentedAttribute[Any]], values: list[dict[str, Any]]) -> None:
    """Insert these rows, or add their `added` columns to the rows already there."""
    if not values:
        return
    dialect = db.session.get_bind().dialect.name
    statement = _upsert(model, tuple(column.key for column in keys),
                        tuple(column.key for column in added), dialect)
    db.session.execute(statement, values)


@functools.cache
def _upsert(model: type[CampaignSummary] | type[ScoreSummary], keys: tuple[str, ...],
            added: tuple[str, ...], dialect: str) -> Any:
    """The INSERT ... ON CONFLICT DO UPDATE of `_add`, built once per process (it holds
    no values): building it anew for every submit cost about as much as running it."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    else:  # pragma: no cover - the project runs on these two
        raise NotImplementedError(f"summaries are not kept on {dialect}")
    # On the table, not the mapped class: a plain executemany, without the ORM's bulk
    # INSERT steps (the same SQL).
    table = cast(Table, model.__table__)
    statement = upsert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in added},
    )


def rebuild_summaries() -> tuple[int, int]:
    """Recompute every campaign summary from the stored responses; flush only. Returns
    the campaigns and the summary rows of dimensions written."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Writers wait until the rebuild commits (readers do not): a response committed
        # before the lock is counted by the rebuild's reading, one committed after it
        # adds itself to the rebuilt rows, so each is counted once.
        db.session.execute(text(
            "LOCK TABLE campaign_summaries, score_summaries IN EXCLUSIVE MODE"))
    db.session.execute(delete(ScoreSummary))
    db.session.execute(delete(CampaignSummary))
    db.session.execute(insert(CampaignSummary).from_select(
        ["campaign_id", "responses"],
        select(Response.campaign_id, func.count()).group_by(Response.campaign_id)))
    db.session.execute(insert(ScoreSummary).from_select(
        ["campaign_id", "dimension", "n", "total", "total_squares"],
        select(ResponseScore.campaign_id, ResponseScore.dimension,
               func.count(ResponseScore.score), func.sum(ResponseScore.score),
               func.sum(ResponseScore.score * ResponseScore.score))
        .group_by(ResponseScore.campaign_id, ResponseScore.dimension)))
    db.session.flush()
    campaigns = db.session.scalar(select(func.count()).select_from(CampaignSummary))
    rows = db.session.scalar(select(func.count()).select_from(ScoreSummary))
    return int(campaigns or 0), int(rows or 0)
