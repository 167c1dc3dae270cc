"""The benchmark figures the pages show, cached per process until the answers change.

The engine (numpy, scipy) is imported on first use, so building the app for a CLI
command that shows no figures does not load it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from assessment.cache import VersionedCache
from assessment.extensions import db
from assessment.instruments import registry
from assessment.operations.campaigns import pool_version

# Every response anywhere in the pool changes its version: without a grace period each
# respondent's thank-you page would recompute the whole pool (bench/bench_submit.py).
MEDIANS_STALE_SECONDS = 30.0


def _cache() -> VersionedCache:
    cache: VersionedCache = current_app.extensions.setdefault("figures_cache",
                                                              VersionedCache())
    return cache


def pool_overview(questionnaire_key: str = "digiskills") -> dict[str, Any]:
    """The pool's headline figures (size, benchmark, respondent-level findings); the
    per-organisation tallies computed for them are kept (`operations.tallies`)."""
    from assessment.analysis.statistics import pool_headlines
    from assessment.operations.tallies import commit_kept, keep_tallies

    def compute() -> dict[str, Any]:
        figures = pool_headlines(db.session(), registry(), questionnaire_key,
                                 keep=keep_tallies)
        commit_kept()
        return figures

    return _cache().get(
        ("overview", questionnaire_key), pool_version(questionnaire_key), compute)


def pool_medians(questionnaire_key: str) -> dict[str, Any]:
    """Benchmark median, top 25% and top 10% per dimension, as of at most
    MEDIANS_STALE_SECONDS ago (the thank-you page's comparison)."""
    from assessment.analysis.statistics import benchmark_pool

    questionnaire = registry().get(questionnaire_key)
    return _cache().get(
        ("medians", questionnaire_key), lambda: pool_version(questionnaire_key),
        lambda: benchmark_pool(db.session(), questionnaire),
        stale_seconds=MEDIANS_STALE_SECONDS,
    )
