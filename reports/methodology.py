"""The figures behind each report's methodology appendix (the wording is in the template)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import weasyprint

from assessment.analysis.priorities import MIN_LINK_ORGANISATIONS
from reports import findings
from reports import formatting as fmt
from reports.render import PDF_OPTIONS

# Cronbach's alpha below this marks a scale as unreliable in the appendix: its items do
# not measure one thing well enough for its mean to be read as one score.
ALPHA_UNRELIABLE: Final = 0.6


def reliability_rows(reliability: Mapping[str, Any],
                     instrument: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Cronbach's alpha per scale with its interval, items and n (suppressed kept as such).

    Scales are labelled in the report's language from the instrument's facts.
    """
    labels = {} if instrument is None else {**instrument["labels"],
                                            **instrument.get("scale_labels", {})}
    return [{"label": labels.get(key, cell.get("label", key)), "k": len(cell.get("items", [])),
             "cell": cell, "suppressed": fmt.is_suppressed(cell),
             "unreliable": not fmt.is_suppressed(cell) and cell.get("alpha") is not None
             and cell["alpha"] < ALPHA_UNRELIABLE}
            for key, cell in reliability.items()]


def findings_rules() -> dict[str, float]:
    """The named thresholds of the headline findings, for the appendix that states them."""
    return {"points": findings.MATERIAL_POINTS, "r": findings.MATERIAL_CORRELATION,
            "significance": findings.SIGNIFICANCE, "most": findings.MAX_FINDINGS,
            "per_family": findings.MAX_PER_FAMILY, "rank": findings.QUALIFY_BELOW_RANK}


def rendering_notes() -> dict[str, str]:
    """How the PDF itself was made: WeasyPrint version and the PDF variant."""
    return {"weasyprint": weasyprint.__version__,
            "variant": str(PDF_OPTIONS.get("pdf_variant", "PDF")).upper()}


def organisation_notes(stats: Mapping[str, Any], instrument: Mapping[str, Any]) -> dict[str, Any]:
    """Response rate, pool sizes and reliability of one campaign's report."""
    pools = stats.get("benchmark", {})
    return {
        "kind": "organisation", "findings": findings_rules(), "alpha_method": "Feldt",
        "link_organisations": MIN_LINK_ORGANISATIONS,
        "rendering": rendering_notes(),
        "response_rate": stats["responses"].get("response_rate"),
        "invited": stats["responses"].get("invited"),
        "n": stats["responses"]["n"],
        "pool": {key: pool.get("organisations") for key, pool in pools.items()},
        "reliability": reliability_rows(stats.get("reliability", {}), instrument),
    }
