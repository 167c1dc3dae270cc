"""Keeping the pool's per-campaign tallies (`models.CampaignTally`).

The pool's figures read each campaign's tallies at its current data version when kept,
and compute the others from its responses (`analysis.loading.pool_tallies`); this keeps
what was computed, so the next read of the pool reads one row per organisation. A new
response or import deletes the campaign's kept tallies (`campaigns.record_data_change`).
Flushes only; the caller commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from assessment.extensions import db
from assessment.models import CampaignTally

if TYPE_CHECKING:  # numpy loads with the figures, not with the app
    from assessment.analysis.records import PoolTallies


def keep_tallies(tallies: PoolTallies) -> int:
    """Keep the tallies computed afresh in `tallies`, replacing any kept for the same
    campaign and plan (also when another process keeps them at the same moment: an
    upsert); returns how many campaigns'."""
    if not tallies.fresh:
        return 0
    rows = [{"campaign_id": campaign_id, "plan": tallies.plan, "data_version": version,
             "tallies": values, "cells": cells}
            for campaign_id, version, values, cells in tallies.fresh]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 1000):
        statement: Any = dialect.insert(CampaignTally)
        statement = statement.on_conflict_do_update(
            index_elements=[CampaignTally.campaign_id, CampaignTally.plan],
            set_={"data_version": statement.excluded.data_version,
                  "tallies": statement.excluded.tallies, "cells": statement.excluded.cells})
        db.session.execute(statement, rows[start:start + 1000])
    db.session.flush()
    return len(rows)


def commit_kept() -> None:
    """Commit the tallies kept; should the campaign be deleted meanwhile (its tallies
    then refer to nothing), nothing is kept."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
