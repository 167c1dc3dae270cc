"""How every figure in a report is written: one place, so tables, findings and charts agree.

Scores (0-100) and percentages have one decimal, correlations two, percentile ranks none;
negative numbers use the typographic minus; a missing figure is an en dash; a group
under the anonymity threshold is written as SUPPRESSED, never with a number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MISSING = "–"
MINUS = "−"
SUPPRESSED = "suppressed"


def is_suppressed(cell: Any) -> bool:
    """True if the engine marked this cell as hidden by the anonymity threshold."""
    return isinstance(cell, Mapping) and cell.get("suppressed") is True


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def number(value: Any, digits: int = 1, signed: bool = False) -> str:
    """A number with fixed decimals and a typographic minus; en dash when missing."""
    found = _finite(value)
    if found is None:
        return MISSING
    # Round first so that -0.04 is written 0.0, not -0.0.
    rounded = round(found, digits)
    if rounded == 0:
        rounded = 0.0
    text = f"{abs(rounded):.{digits}f}"
    if rounded < 0:
        return MINUS + text
    return ("+" + text) if signed and rounded > 0 else text


def score(value: Any) -> str:
    """A 0-100 score with one decimal."""
    return number(value, 1)


def difference(value: Any) -> str:
    """A signed difference of scores (+4.2, −3.0)."""
    return number(value, 1, signed=True)


def interval(low: Any, high: Any, digits: int = 1, unit: str = "") -> str:
    """A confidence interval written 'low to high' (en dash when either end is missing)."""
    if _finite(low) is None or _finite(high) is None:
        return MISSING
    return f"{number(low, digits)}{unit} to {number(high, digits)}{unit}"


def score_ci(cell: Mapping[str, Any] | None) -> str:
    """Mean with its 95% CI, e.g. '41.4 (35.2 to 47.5)'; SUPPRESSED for hidden cells."""
    if cell is None:
        return MISSING
    if is_suppressed(cell):
        return SUPPRESSED
    text = score(cell.get("mean"))
    bounds = interval(cell.get("ci_low"), cell.get("ci_high"))
    return text if bounds == MISSING else f"{text} ({bounds})"


def percent(share: Any, digits: int = 1) -> str:
    """A share 0-1 written as a percentage, e.g. 0.438 -> '43.8%'."""
    found = _finite(share)
    return MISSING if found is None else f"{number(100 * found, digits)}%"


def percent_ci(cell: Mapping[str, Any] | None, digits: int = 1) -> str:
    """A proportion with its Wilson 95% CI, e.g. '43.8% (38.2% to 49.1%)'."""
    if cell is None:
        return MISSING
    if is_suppressed(cell):
        return SUPPRESSED
    text = percent(cell.get("share"), digits)
    low, high = _finite(cell.get("ci_low")), _finite(cell.get("ci_high"))
    if text == MISSING or low is None or high is None:
        return text
    return f"{text} ({percent(low, digits)} to {percent(high, digits)})"


def share_of(cell: Mapping[str, Any] | None) -> str:
    """'8 of 60' for a proportion cell."""
    if cell is None or is_suppressed(cell):
        return MISSING
    return f"{count(cell.get('successes', 0))} of {count(cell.get('n', 0))}"


def correlation(value: Any) -> str:
    """A correlation coefficient with two decimals."""
    return number(value, 2)


def correlation_ci(cell: Mapping[str, Any] | None) -> str:
    """A correlation with its 95% CI, e.g. '0.45 (0.21 to 0.64)'."""
    if cell is None:
        return MISSING
    if is_suppressed(cell):
        return SUPPRESSED
    text = correlation(cell.get("r"))
    bounds = interval(cell.get("ci_low"), cell.get("ci_high"), 2)
    return text if text == MISSING or bounds == MISSING else f"{text} ({bounds})"


def p_value(value: Any) -> str:
    """'p < 0.001' or 'p = 0.023'."""
    found = _finite(value)
    if found is None:
        return MISSING
    return "p < 0.001" if found < 0.001 else f"p = {found:.3f}"


def rank(value: Any) -> str:
    """A percentile rank 0-100 without decimals."""
    return number(value, 0)


def count(value: Any) -> str:
    """An integer count with thousands separators (4,305), en dash when missing."""
    if value is None:
        return MISSING
    return f"{int(value):,}"


def fewer_than(threshold: int, unit: str = "respondents") -> str:
    """The legend of a suppressed cell."""
    return f"fewer than {threshold} {unit}"


def test_summary(test: Mapping[str, Any] | None) -> str:
    """One line for a test of association: name, statistic, p and Cramér's V."""
    if not test or test.get("test") is None:
        return "no test (fewer than two groups with answers)"
    parts = []
    if test["test"] == "chi-square":
        parts.append(f"chi-square {number(test.get('statistic'), 1)}, df {test.get('dof')}")
    else:
        parts.append("Fisher's exact test")
    parts.append(p_value(test.get("p_value")))
    if test.get("cramers_v") is not None:
        parts.append(f"Cramér's V {number(test['cramers_v'], 2)}")
    parts.append(f"n {count(test.get('n'))}")
    if test.get("warning"):
        parts.append(str(test["warning"]))
    return ", ".join(parts)


FILTERS = {
    "score": score, "difference": difference, "score_ci": score_ci, "percent": percent,
    "percent_ci": percent_ci, "share_of": share_of, "correlation": correlation,
    "correlation_ci": correlation_ci, "p_value": p_value, "rank": rank, "count": count,
    "test_summary": test_summary, "number": number,
}
