"""Keeping the pool's per-campaign tallies (`models.CampaignTally`).

The pool's figures read each campaign's tallies at its current data version when kept,
and compute the others from its responses (`analysis.loading.pool_tallies`); this keeps
what was computed, so the next read of the pool reads one row per organisation. A new
response or import bumps the campaign's data version, which retires its row. Flushes
only; the caller commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from assessment.extensions import db
from assessment.models import CampaignTally

if TYPE_CHECKING:  # numpy loads with the figures, not with the app
    from assessment.analysis.records import PoolTallies


def keep_tallies(tallies: PoolTallies) -> int:
    """Keep the tallies computed afresh in `tallies` (replacing older ones of the same
    plan); returns how many campaigns'."""
    if not tallies.fresh:
        return 0
    ids = [campaign_id for campaign_id, *_rest in tallies.fresh]
    for start in range(0, len(ids), 1000):
        db.session.execute(
            delete(CampaignTally).where(CampaignTally.plan == tallies.plan,
                                        CampaignTally.campaign_id.in_(ids[start:start + 1000])),
            execution_options={"synchronize_session": False})
    db.session.execute(insert(CampaignTally), [
        {"campaign_id": campaign_id, "plan": tallies.plan, "data_version": version,
         "tallies": values, "cells": cells}
        for campaign_id, version, values, cells in tallies.fresh
    ])
    db.session.flush()
    return len(ids)


def commit_kept() -> None:
    """Commit the tallies kept; when another process kept the same ones meanwhile (a
    conflicting row), theirs stand and ours are dropped."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
