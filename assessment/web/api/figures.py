"""The engine's figures and the campaign's data: results, comparison, exports, import.

Results and comparison are exactly what `assessment stats --campaign ID [--campaign ID
...] --json` prints (the engine's suppression applied); exports are the campaign page's
(assessment/io/exports.py, the profile columns k-anonymised); the import checks and
stores a file with the CLI's functions (assessment/operations/imports.py), all or
nothing, synchronously (the browser's preview and the queued path for very large files
are separate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response

from assessment.extensions import db
from assessment.instruments import questionnaire_of, registry
from assessment.web.api.endpoints import Upload, campaign_or_404, endpoint
from assessment.web.api.problems import ApiError
from assessment.web.api.schemas import (
    ComparisonQuery,
    Figures,
    ImportCheck,
    ImportDone,
    ImportProblemOut,
)
from assessment.web.dashboard.figures import campaign_figures

if TYPE_CHECKING:
    from assessment.io.importing import ImportedResponse, ImportRejected

# Imported where used: the import and export modules load openpyxl, which building the
# app must not (every CLI command would pay for it).
UPLOAD_LIMIT = 100 * 1024 * 1024  # = io.importing.MAX_BYTES (tests/test_api.py checks)
PREVIEW_ROWS = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOADS = {"text/csv": ".csv", XLSX: ".xlsx"}
UPLOAD_SCHEMAS = {"text/csv": {"type": "string"},
                  XLSX: {"type": "string", "contentMediaType": XLSX}}
EXPORT_FILES = {"application/json": {"$ref": "#/components/schemas/Figures"},
                "text/csv": {"type": "string"},
                XLSX: {"type": "string", "contentMediaType": XLSX}}


def _missing_instrument() -> ApiError:
    return ApiError(503, "instrument_missing",
                    "The campaign's questionnaire is not loaded on the server.")


@endpoint("/campaigns/<int:campaign_id>/results", "GET", summary="A campaign's figures",
          tag="figures", response=Figures)
def results(campaign_id: int) -> dict[str, Any]:
    """The engine's JSON, as `assessment stats --campaign ID --json` prints it: index,
    dimensions, benchmark, Digiskills analyses, correlations, priorities... (README,
    Statistics). Nothing rests on fewer respondents than the campaign's threshold."""
    campaign = campaign_or_404(campaign_id)
    try:
        # The dashboard's cache: computed once per version of the campaign's and the
        # pool's answers, whichever of the two asks first.
        return campaign_figures(campaign)
    except KeyError:
        raise _missing_instrument() from None


@endpoint("/comparison", "GET", summary="Compare 2 to 20 campaigns", tag="figures",
          query=ComparisonQuery, response=Figures, errors=(422,))
def comparison(query: ComparisonQuery) -> dict[str, Any]:
    """Side by side against the benchmark, as `assessment stats --campaign A --campaign B
    --json` prints it: `benchmark` and `campaigns[]`. Every campaign must be yours (404
    otherwise) and use the same questionnaire (422)."""
    from assessment.analysis.statistics import comparison_statistics

    if len(set(query.campaign)) != len(query.campaign):
        raise ApiError(422, "invalid", "Each campaign can be compared once.")
    for campaign_id in query.campaign:
        campaign_or_404(campaign_id)
    try:
        return comparison_statistics(db.session(), registry(), query.campaign)
    except KeyError:
        raise _missing_instrument() from None
    except ValueError as exc:
        raise ApiError(422, "invalid", str(exc).capitalize() + ".") from None


@endpoint("/campaigns/<int:campaign_id>/exports/<any(json, csv, xlsx):fmt>", "GET",
          summary="Export a campaign's data", tag="figures", files=EXPORT_FILES,
          errors=(409,))
def export(campaign_id: int, fmt: str) -> Response:
    """json: the results with the rule applied; csv / xlsx: one row per response, profile
    columns coarsened so every combination shown has at least the threshold of rows
    (README, Exports). 409 under the threshold."""
    from assessment.io.exports import ExportRefused, export_campaign

    campaign = campaign_or_404(campaign_id)
    try:
        found = export_campaign(db.session(), registry(), campaign.id, fmt)
    except ExportRefused:
        raise ApiError(409, "export_refused",
                       "This campaign cannot be exported yet: it has fewer responses than "
                       "its anonymity threshold, or its questionnaire is not loaded.") from None
    return Response(found.content, mimetype=found.media_type, headers={
        "Content-Disposition": f'attachment; filename="{found.filename}"'})


def _problems(exc: ImportRejected) -> list[ImportProblemOut]:
    return [ImportProblemOut(row=p.row, column=p.column, message=p.message)
            for p in exc.problems]


def _preview(imported: list[ImportedResponse]) -> list[dict[str, Any]]:
    return [{"row": r.row, "locale": r.locale,
             "submitted_on": r.submitted_on.isoformat() if r.submitted_on else None,
             "answers": r.answers} for r in imported[:PREVIEW_ROWS]]


def _check(campaign_id: int, upload: Upload) -> tuple[Any, list[ImportedResponse]]:
    from assessment.operations.imports import check_import

    campaign = campaign_or_404(campaign_id)
    questionnaire = questionnaire_of(campaign)
    return (campaign, questionnaire), check_import(
        campaign, questionnaire, upload.content, upload.filename)


@endpoint("/campaigns/<int:campaign_id>/imports/validate", "POST",
          summary="Check an import file (nothing is stored)", tag="import",
          uploads=UPLOADS, upload_limit=UPLOAD_LIMIT, response=ImportCheck,
          errors=(413, 415))
def validate_import(campaign_id: int, upload: Upload) -> ImportCheck:
    """The body is the file (text/csv, or an XLSX workbook), as for `assessment import`:
    every problem by row (the header is row 1) and column, or the number of responses
    that would be stored and the first rows as they would be stored."""
    from assessment.io.importing import ImportRejected

    try:
        _found, imported = _check(campaign_id, upload)
    except ImportRejected as exc:
        return ImportCheck(valid=False, problems=_problems(exc), responses=0, preview=[])
    return ImportCheck(valid=True, problems=[], responses=len(imported),
                       preview=_preview(imported))


@endpoint("/campaigns/<int:campaign_id>/imports", "POST",
          summary="Import a file of responses, all or nothing", tag="import",
          uploads=UPLOADS, upload_limit=UPLOAD_LIMIT, response=ImportDone, status=201,
          errors=(413, 415, 422))
def commit_import(campaign_id: int, upload: Upload) -> ImportDone:
    """Checks the file as `validate` does and stores every response, or none: 422 with
    `details.problems` listing every problem."""
    from assessment.io.importing import ImportRejected
    from assessment.operations.imports import store_import

    try:
        (campaign, questionnaire), imported = _check(campaign_id, upload)
    except ImportRejected as exc:
        raise ApiError(422, "import_rejected", "Nothing was imported: correct the file.",
                       {"problems": [p.model_dump() for p in _problems(exc)]}) from None
    count = store_import(campaign, questionnaire, imported)
    db.session.commit()
    return ImportDone(campaign_id=campaign.id, imported=count)
