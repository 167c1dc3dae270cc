"""What the reports say about the instrument, as plain data: labels, bands, weights, and
the published Digiskills figures the digiskills instrument is compared with."""

from __future__ import annotations

from typing import Any

from assessment.instrument.questionnaire import Questionnaire, translate
from assessment.instrument.scoring import INDEX, item_score
from reports.formatting import N_
from reports.render import language as report_language

# Column and axis labels where the full dimension label is too long; other instruments'
# dimensions fall back to their full label. Messages, translated in instrument_facts.
SHORT_LABELS = {
    "cap_data": N_("Data software"), "cap_cyber": N_("Cyber security"),
    "cap_coding": N_("Coding"), "cap_social": N_("Social media"),
    "cap_analytics": N_("Analytics"), "cap_mobile": N_("Mobile"),
    "cap_ecommerce": N_("E-commerce"), "cap_collaboration": N_("Collaboration"),
    "vision": N_("Digital vision"), "learning": N_("L&D readiness"),
    "customer": N_("Customers"), INDEX: N_("Index"),
}
CAPABILITIES_LABEL = N_("Digital capabilities")
GROUP_LABELS = {"capability": CAPABILITIES_LABEL, "vision": N_("Digital vision"),
                "learning": N_("L&D readiness"), "customer": N_("Customer understanding")}

# AVADO / ADBL Digiskills report (Q4 2015), respondent level, as syndicated; keyed like
# the engine's results. Only the digiskills instrument asks comparable questions.
PUBLISHED_DIGISKILLS = {
    "understands_customers": 0.44,
    "by_representative": {"all": 0.83, "none": 0.18},
    "by_representative_no": {"none": 0.47},
    "by_vision": {"yes": 0.63, "no": 0.20},
    "by_learning": {"yes": 0.65, "no": 0.18},
    "everyone_can": {"cap_data": 0.578, "cap_coding": 0.122},
    "vision_clear": 0.38,
    "priorities_everyone": 0.25,
}


def published_figures(questionnaire_ident: str) -> dict[str, Any]:
    """The published Digiskills figures, for the instrument that reproduces them."""
    return PUBLISHED_DIGISKILLS if questionnaire_ident.split("@")[0] == "digiskills" else {}


def instrument_facts(questionnaire: Questionnaire, language: str = "en") -> dict[str, Any]:
    """Labels, item counts, index weights and maturity bands of one instrument."""
    q = questionnaire
    lang = report_language(language)
    dimensions = [
        {"key": d.key, "label": translate(d.label, language), "group": d.group,
         "short": lang.gettext(SHORT_LABELS[d.key]) if d.key in SHORT_LABELS
         else translate(d.label, language),
         "item_count": len(q.dimension_items(d.key)), "representative": d.representative}
        for d in q.dimensions
    ]
    bands = sorted(q.bands, key=lambda b: b.min)
    band_rows = [
        {"key": b.key, "label": translate(b.label, language), "min": b.min,
         "max": bands[i + 1].min if i + 1 < len(bands) else 100.0,
         "meaning": translate(b.meaning, language)}
        for i, b in enumerate(bands)
    ]
    a = q.analysis
    # Where a dimension is one item, "all answered X" can name the answer: its options by
    # the score they give (rounded, so a mean of equal scores finds its option).
    answer_by_score = {}
    for d in q.dimensions:
        items = q.dimension_items(d.key)
        if len(items) == 1:
            answer_by_score[d.key] = {
                round(score, 6): translate(o.label, language)
                for o in q.scales[items[0].scale].options
                if (score := item_score(q, items[0].key, o.code)) is not None}
    item_text = {} if a is None else {
        "outcome": translate(q.item(a.outcome_item).text, language),
        "vision": translate(q.item(a.vision_item).text, language),
        "learning": translate(q.item(a.learning_item).text, language),
        "representative": [translate(q.dimension(k).label, language)
                           for k in a.representative_items],
    }
    return {
        "ident": q.ident,
        "title": translate(q.title, language),
        "item_count": sum(1 for _ in q.items()),
        "dimensions": dimensions,
        "labels": {d["key"]: d["label"] for d in dimensions}
        | {INDEX: lang.gettext("Digital maturity index")},
        "short": {d["key"]: d["short"] for d in dimensions}
        | {INDEX: lang.gettext(SHORT_LABELS[INDEX])},
        # Reliability scales beyond the dimensions: the eight capabilities together.
        "scale_labels": {"capabilities": lang.gettext(CAPABILITIES_LABEL)},
        "capabilities": [d["key"] for d in dimensions if d["group"] == "capability"],
        "weights": [{"group": lang.gettext(GROUP_LABELS[g]) if g in GROUP_LABELS else g,
                     "weight": w}
                    for g, w in q.index.weights.items()],
        "bands": band_rows,
        "band_labels": {b["key"]: {"label": b["label"], "meaning": b["meaning"]}
                        for b in band_rows},
        # The wording of every answer option, by item and code (answers, group names).
        "options": {item.key: {o.code: translate(o.label, language)
                               for o in q.scales[item.scale].options}
                    for item in q.items()},
        "outcome_item": a.outcome_item if a else None,
        "item_text": item_text,
        "published": published_figures(q.ident),
        "answer_by_score": answer_by_score,
        # The recommended actions of the instrument's action library, by key, in this
        # language (a consultant replaces them in the instrument file).
        "actions": {action.key: translate(action.text, language) for action in q.actions},
    }
