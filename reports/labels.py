"""Words applied to the engine's figures where the reports show them.

The engine returns keys and codes (dimension keys, answer and group codes, band keys,
priority reason codes); a report labels them here, once, in its own language, from the
instrument's facts (`reports.instrument.instrument_facts`). Everything else in the
reports reads the labelled copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessment.stats.descriptive import ALL_SAME
from reports.formatting import Language


def _dimension_rows(rows: Any, labels: Mapping[str, str]) -> Any:
    if not isinstance(rows, list):
        return rows
    return [dict(row) | {"label": labels.get(str(row.get("dimension")), row.get("dimension"))}
            if isinstance(row, Mapping) else row for row in rows]


def _reliability(cells: Mapping[str, Any], instrument: Mapping[str, Any]) -> dict[str, Any]:
    labels = {**instrument["labels"], **instrument.get("scale_labels", {})}
    return {key: dict(cell) | {"label": labels.get(key, key)} for key, cell in cells.items()}


def _shared(stats: Mapping[str, Any], instrument: Mapping[str, Any]) -> dict[str, Any]:
    """The labels of what campaign and pool statistics have in common."""
    labels = instrument["labels"]
    out: dict[str, Any] = {}
    for key in ("correlations", "seniority_gap"):
        if key in stats:
            out[key] = _dimension_rows(stats[key], labels)
    if "reliability" in stats:
        out["reliability"] = _reliability(stats["reliability"], instrument)
    return out


def same_answer(key: str, cell: Mapping[str, Any],
                instrument: Mapping[str, Any]) -> str | None:
    """The answer everyone gave, where every answer was the same on a one-item dimension."""
    if cell.get("interval") != ALL_SAME or cell.get("mean") is None:
        return None
    return instrument.get("answer_by_score", {}).get(key, {}).get(round(cell["mean"], 6))


def label_campaign(stats: Mapping[str, Any], instrument: Mapping[str, Any],
                   lang: Language) -> dict[str, Any]:
    """One campaign's statistics with every label the organisation report shows."""
    out = dict(stats)
    if stats.get("suppressed") or "results" not in stats:
        return out
    labels, options = instrument["labels"], instrument["options"]
    results = dict(stats["results"])
    dimensions = {key: dict(cell) | {"label": labels.get(key, key),
                                     "answer": same_answer(key, cell, instrument)}
                  for key, cell in results["dimensions"].items()}
    band = dimensions["index"].get("band")
    if band:
        dimensions["index"]["band"] = dict(band) | instrument["band_labels"].get(band["key"], {})
    results["dimensions"] = dimensions
    outcome = results.get("customer_understanding")
    answers = options.get(instrument.get("outcome_item") or "", {})
    if outcome and "answers" in outcome:
        results["customer_understanding"] = dict(outcome) | {"answers": {
            code: dict(cell) | {"label": answers.get(code, code)}
            for code, cell in outcome["answers"].items()}}
    out["results"] = results
    out["benchmark"] = {
        name: dict(pool) | {"label": lang.gettext("All organisations") if name == "all"
                            else pool.get("value")}
        for name, pool in stats["benchmark"].items()}
    out["groups"] = {
        name: dict(group) | {"rows": {
            code: dict(row) | {"label": options.get(name, {}).get(code, code)}
            for code, row in group["rows"].items()}}
        for name, group in stats.get("groups", {}).items()}
    out["priorities"] = _dimension_rows(stats.get("priorities", []), labels)
    if stats.get("change"):
        out["change"] = dict(stats["change"]) | {
            "dimensions": _dimension_rows(stats["change"]["dimensions"], labels)}
    return out | _shared(stats, instrument)


def label_pool(pool: Mapping[str, Any], instrument: Mapping[str, Any]) -> dict[str, Any]:
    """The pool's statistics with the labels the study report shows."""
    return dict(pool) | _shared(pool, instrument)


def label_comparison(data: Mapping[str, Any], instrument: Mapping[str, Any],
                     lang: Language) -> dict[str, Any]:
    """A comparison with each campaign labelled as in its organisation report."""
    return dict(data) | {"campaigns": [label_campaign(each, instrument, lang)
                                       for each in data["campaigns"]]}
