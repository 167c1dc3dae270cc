"""The priorities in words: each priority's reason code and figures, its recommended
action from the instrument's action library, and one sentence when nothing is a priority.

The engine ranks (assessment.analysis.priorities); this module only phrases its codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessment.analysis.priorities import (
    AT_TOP_QUARTILE,
    GAP_LINKED,
    GAP_NOT_LINKED,
    MIN_LINK_ORGANISATIONS,
    NOT_ENOUGH_DATA,
)
from reports.formatting import ENGLISH, Language


def reason_text(priority: Mapping[str, Any], lang: Language = ENGLISH) -> str:
    """Why a dimension ranks where it does: the engine's reason code with its figures."""
    _ = lang.gettext
    label, reason = priority["label"], priority["reason"]
    if reason == AT_TOP_QUARTILE:
        return _("%(label)s: already at or above the top quartile of the benchmark.",
                 label=label)
    if reason not in (GAP_LINKED, GAP_NOT_LINKED):
        return _("%(label)s: not enough data to rank.", label=label)
    values = {"label": label, "gap": lang.score(priority["gap"]),
              "gap_median": lang.score(priority["gap_median"]),
              "r": lang.correlation(priority["link"])}
    above_median = not priority["gap_median"]
    if reason == GAP_NOT_LINKED:
        if above_median:
            return _("%(label)s: %(gap)s points below the top quartile, though at or above the "
                     "median; organisations stronger here do not understand customers better "
                     "(r = %(r)s).", **values)
        return _("%(label)s: %(gap)s points below the top quartile and %(gap_median)s below "
                 "the median, but organisations stronger here do not understand customers "
                 "better (r = %(r)s).", **values)
    if above_median:
        return _("%(label)s: %(gap)s points below the top quartile, though at or above the "
                 "median; organisations stronger here understand customers better "
                 "(r = %(r)s).", **values)
    return _("%(label)s: %(gap)s points below the top quartile and %(gap_median)s below the "
             "median; organisations stronger here understand customers better (r = %(r)s).",
             **values)


def ranked(priorities: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The priorities that rank (a priority above 0), in rank order."""
    return sorted((p for p in priorities if p.get("rank") is not None),
                  key=lambda p: p["rank"])


def priority_rows(priorities: Sequence[Mapping[str, Any]], actions: Mapping[str, str],
                  lang: Language = ENGLISH) -> list[dict[str, Any]]:
    """Every priority with its reason and recommended action in words (`reason` is the
    sentence, `reason_code` the engine's code), in the engine's order."""
    return [dict(p) | {"reason": reason_text(p, lang), "reason_code": p["reason"],
                       "action_text": actions.get(str(p.get("action")))}
            for p in priorities]


def nothing_ranked(priorities: Sequence[Mapping[str, Any]],
                   lang: Language = ENGLISH) -> str:
    """One sentence for a campaign where nothing is a priority, saying why."""
    reasons = {p["reason"] for p in priorities}
    if not reasons or reasons == {NOT_ENOUGH_DATA}:
        return lang.ngettext(
            "Priorities cannot be ranked yet: they need the organisation's scores, a "
            "benchmark and the link to customer understanding across at least %(num)s "
            "organisation.",
            "Priorities cannot be ranked yet: they need the organisation's scores, a "
            "benchmark and the link to customer understanding across at least %(num)s "
            "organisations.", MIN_LINK_ORGANISATIONS)
    unlinked = [p["label"] for p in priorities if p["reason"] == GAP_NOT_LINKED]
    if not unlinked:
        return lang.gettext(
            "Nothing is a priority: the organisation is at or above the benchmark's top "
            "quartile on every capability, digital vision and L&D readiness that could be "
            "ranked.")
    return lang.gettext(
        "Nothing is a priority: where the organisation is below the benchmark's top quartile "
        "(%(dimensions)s), organisations that are stronger do not understand their customers "
        "better.", dimensions=lang.listing(unlinked))


def unranked_notes(priorities: Sequence[Mapping[str, Any]],
                   lang: Language = ENGLISH) -> list[str]:
    """Beside a ranked list: the dimensions that are not priorities, and why."""
    def named(reason: str) -> str:
        return lang.listing(p["label"] for p in priorities
                            if p.get("rank") is None and p["reason"] == reason)

    notes = []
    if top := named(AT_TOP_QUARTILE):
        notes.append(lang.gettext("At or above the benchmark's top quartile, so not a "
                                  "priority: %(dimensions)s.", dimensions=top))
    if unlinked := named(GAP_NOT_LINKED):
        notes.append(lang.gettext("Below the top quartile, but not linked to customer "
                                  "understanding across organisations: %(dimensions)s.",
                                  dimensions=unlinked))
    if unknown := named(NOT_ENOUGH_DATA):
        notes.append(lang.gettext("Not enough data to rank: %(dimensions)s.",
                                  dimensions=unknown))
    return notes


def top_priority(priorities: Sequence[Mapping[str, Any]], actions: Mapping[str, str],
                 lang: Language = ENGLISH) -> dict[str, str | None]:
    """The dimension to develop first with its recommended action, or why there is none."""
    first = ranked(priorities)
    if not first:
        return {"text": nothing_ranked(priorities, lang), "action": None}
    return {"text": lang.gettext("Develop first: %(reason)s",
                                 reason=reason_text(first[0], lang)),
            "action": actions.get(str(first[0].get("action")))}
