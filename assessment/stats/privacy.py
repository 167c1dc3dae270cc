"""Anonymity threshold: which groups may be shown, and which must be hidden.

Guarantee (for one breakdown whose grand total is shown): every visible group has at
least `threshold` respondents, and the hidden groups together have either none or at
least `threshold`, so subtracting the visible groups from the total never isolates a
group smaller than the threshold. If the grand total itself is below the threshold,
every group is hidden and the caller must hide the total too (see `is_reportable`).

Groups with n == 0 are never hidden: they have no answers to reveal, they add nothing
to a hidden total, and callers show them as having no responses.

Groups that are never shown (respondents who left the breakdown's question unanswered
or said "don't know") still count: pass them as `unshown`. They are hidden by nature, so
if they add up to fewer than `threshold`, shown groups are hidden until the hidden ones
together reach it (otherwise the total minus the shown groups would describe them).

Every hidden group gets a reason code: `below_threshold` (the group itself is too small)
or `protects_smaller_group` (hidden only so that a smaller group cannot be worked out).

Not covered here, and the caller's responsibility: answers within a visible group (for
example all of a visible group giving the same answer), and differencing between two
outputs that break the same people down in different ways.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any, Final

DEFAULT_THRESHOLD: Final = 5
# Why a figure is hidden: the codes in a suppressed cell's "reason".
BELOW_THRESHOLD: Final = "below_threshold"  # fewer than the threshold behind the figure
PROTECTS_SMALLER_GROUP: Final = "protects_smaller_group"  # complementary suppression

SuppressedCell = dict[str, bool]
SUPPRESSED: Final[Mapping[str, bool]] = MappingProxyType({"suppressed": True})


def is_reportable(n: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Return True if a group of n respondents is large enough to show."""
    _check_threshold(threshold)
    return n >= threshold


def is_suppressed(cell: object) -> bool:
    """Return True if a cell is the suppression marker rather than a figure."""
    return isinstance(cell, Mapping) and cell.get("suppressed") is True


def suppressed_cell(reason: str | None = None) -> dict[str, Any]:
    """A fresh, JSON-ready suppression marker: {"suppressed": True}, with its reason code
    when one is given."""
    cell: dict[str, Any] = dict(SUPPRESSED)
    if reason is not None:
        cell["reason"] = reason
    return cell


def suppression_reasons(
    counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD,
    unshown: Collection[str] = (),
) -> dict[str, str]:
    """The groups to hide, each with its reason code (see the module docstring).

    Groups named in `unshown` are never shown anyway; they take part in the decision but
    are not in the result.
    """
    _check_threshold(threshold)
    if any(n < 0 for n in counts.values()):
        raise ValueError("group counts cannot be negative")
    reasons = {label: BELOW_THRESHOLD for label, n in counts.items()
               if 0 < n < threshold and label not in unshown}
    hidden_total = sum(counts[label] for label in reasons) + sum(
        counts.get(label, 0) for label in unshown)
    if hidden_total == 0:
        return reasons
    visible = sorted((n, label) for label, n in counts.items()
                     if n > 0 and label not in reasons and label not in unshown)
    # Complementary suppression: if the hidden groups add up to fewer than the
    # threshold, total minus visible groups would expose them, so the smallest visible
    # group (it reveals the least; ties by label, for repeatability) is hidden too. Every
    # visible group has at least `threshold` respondents, so one is always enough.
    if hidden_total < threshold and visible:
        reasons[visible[0][1]] = PROTECTS_SMALLER_GROUP
    return reasons


def suppress_groups(
    counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD,
    unshown: Collection[str] = (),
) -> set[str]:
    """Labels of the groups to hide: the small ones plus any needed to protect them."""
    return set(suppression_reasons(counts, threshold, unshown))


def suppress_counts(
    counts: Mapping[str, int], threshold: int = DEFAULT_THRESHOLD
) -> dict[str, int | dict[str, Any]]:
    """The counts with every group chosen by `suppress_groups` replaced by the marker."""
    hidden = suppression_reasons(counts, threshold)
    return {label: suppressed_cell(hidden[label]) if label in hidden else n
            for label, n in counts.items()}


def suppress_table(
    rows: Mapping[str, Mapping[str, int]],
    threshold: int = DEFAULT_THRESHOLD,
    totals: Mapping[str, int] | None = None,
) -> dict[str, dict[str, Any]]:
    """A row x column table with whole rows hidden by the rule of `suppress_groups`.

    A row's size is its number of respondents: `totals[row]` when given (needed for
    multiple-choice questions, where one respondent fills several cells), otherwise the
    sum of its cells. Visible rows are returned whole; hidden rows become the marker.
    The module docstring states what this guarantees and what it does not.
    """
    sizes = {label: _row_size(label, cells, totals) for label, cells in rows.items()}
    hidden = suppression_reasons(sizes, threshold)
    return {
        label: suppressed_cell(hidden[label]) if label in hidden else dict(cells)
        for label, cells in rows.items()
    }


def _row_size(label: str, cells: Mapping[str, int], totals: Mapping[str, int] | None) -> int:
    if totals is None:
        return sum(cells.values())
    if label not in totals:
        raise ValueError(f"no respondent total given for row {label!r}")
    return totals[label]


def _check_threshold(threshold: int) -> None:
    if threshold < 1:
        raise ValueError(f"the anonymity threshold must be at least 1, got {threshold}")
