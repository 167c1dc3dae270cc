"""The dashboard's figures, cached per campaign until its answers (or the pool) change.

Two caches, both keyed by the campaign, the filter and the version of the data: the
engine's statistics (shared by every language) and the page's context in one language
(labels, findings and the SVG charts, which take longer to draw than the page to render).
A new response or import bumps the campaign's data version (and so the pool's), so the
next request computes afresh; with no new answers, requests are served from memory.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask import current_app

from assessment.cache import VersionedCache
from assessment.extensions import db
from assessment.instruments import registry
from assessment.models import Campaign
from assessment.operations.campaigns import data_version, pool_version

Only = tuple[str, str] | None
HEAT_STEP = 5  # heatmap colours in steps of 5 points (CSS classes heat-0 ... heat-100)


def _cache(name: str, size: int) -> VersionedCache:
    cache: VersionedCache = current_app.extensions.setdefault(name, VersionedCache(size))
    return cache


def _version(campaign: Campaign) -> Hashable:
    # The campaign's own answers, and the pool's (the benchmark, and the previous
    # campaign, which is in the same pool): any new answer there changes the figures.
    return data_version(campaign.id), pool_version(campaign.questionnaire_key)


def campaign_figures(campaign: Campaign, only: Only = None) -> dict[str, Any]:
    """The engine's statistics of a campaign (or of one group of its respondents)."""
    from assessment.analysis.statistics import campaign_statistics

    return _cache("dashboard_statistics", 128).get(
        ("statistics", campaign.id, only), _version(campaign),
        lambda: campaign_statistics(db.session(), registry(), campaign.id, only=only))


def dashboard_context(campaign: Campaign, only: Only, language: str) -> dict[str, Any]:
    """Everything the dashboard page shows, in one language (charts included)."""
    return _cache("dashboard_pages", 64).get(
        ("page", campaign.id, only, language), _version(campaign),
        lambda: _build(campaign, only, language))


def _build(campaign: Campaign, only: Only, language: str) -> dict[str, Any]:
    from assessment.analysis.filters import offered_filters
    from reports.instrument import instrument_facts
    from reports.labels import label_campaign
    from reports.organisation import group_heatmap, organisation_context
    from reports.render import language as report_language

    whole = campaign_figures(campaign)
    stats = whole if only is None else campaign_figures(campaign, only)
    questionnaire = registry().get(campaign.questionnaire_key, campaign.questionnaire_version)
    facts = instrument_facts(questionnaire, language)
    lang = report_language(language)
    context = organisation_context(stats, facts, lang)
    if not stats["suppressed"]:
        labelled = label_campaign(stats, facts, lang)
        heatmaps = {name: group_heatmap(labelled, facts, name)
                    for name in ("seniority", "function", "generation")}
        context["heatmaps"] = {name: _heat_classes(found) for name, found in heatmaps.items()}
        context["priorities"] = [
            p | {"label": facts["labels"].get(p["dimension"], p["dimension"])}
            for p in context["priorities"]]
    options = facts["options"]
    context["filters"] = [
        {"field": field, "values": [(value, options.get(field, {}).get(value, value))
                                    for value in values]}
        for field, values in offered_filters(whole).items()]
    context["only"] = only
    context["only_label"] = (options.get(only[0], {}).get(only[1], only[1])
                             if only is not None else None)
    context["fmt"] = lang
    return context


def heat_class(value: float | None) -> str:
    """The CSS class of a heatmap cell (a 5-point step of the report's cividis scale)."""
    if value is None:
        return "heat-none"
    step = HEAT_STEP * round(min(max(value, 0.0), 100.0) / HEAT_STEP)
    return f"heat-{step}"


def _heat_classes(heatmap: dict[str, Any] | None) -> dict[str, Any] | None:
    # The page's Content-Security-Policy allows no inline styles: colours are classes.
    if heatmap is None:
        return None
    for row in heatmap["rows"]:
        for cell in row["cells"]:
            if cell is not None:
                cell["class"] = heat_class(cell["value"])
    heatmap["scale"] = [{"value": step["value"], "class": heat_class(step["value"])}
                        for step in heatmap["scale"]]
    return heatmap
