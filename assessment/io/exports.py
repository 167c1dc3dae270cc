"""Exports of one campaign's own data: the results as JSON (the engine's figures) and the
responses as CSV or XLSX (one row per response, the instrument's item keys as columns).

A row of answers is one person, and the profile items (seniority, function, generation,
country) are what a colleague may know of them. So the profile columns are coarsened
until every combination of the values shown is shared by at least the campaign's
anonymity threshold of rows (k-anonymity over the profile columns):

1. in each profile column, values given by fewer than `threshold` respondents become
   HIDDEN ('*'); if the hidden rows are themselves fewer than `threshold`, the next
   rarest value is hidden too, so '*' never marks a small group either;
2. of the columns so coarsened, the largest set whose every combination of values is
   shared by `threshold` rows or more is kept (ties: the one showing more values, then
   seniority, function, generation, country in that order); the others are hidden whole.

Left out altogether, because they could single a person out as well: the language the
answers were given in, the day of submission and every internal id. Rows are sorted by
their content, so their order says nothing of who answered first. Under the threshold
nothing is exported row by row. Every export records the rule it applied (`ExportRule`):
a first line in the CSV, an 'about' sheet in the XLSX, an `export` key in the JSON.
Functions take plain arguments (a session, the registry, a campaign id) and read only
that campaign's rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from sqlalchemy.orm import Session

from assessment.analysis import loading
from assessment.analysis.records import CampaignInfo
from assessment.analysis.statistics import UnknownCampaign, campaign_statistics
from assessment.instrument.questionnaire import Questionnaire, Registry
from assessment.io.importing import SEPARATOR
from assessment.models import utc_today

FORMATS = ("json", "csv", "xlsx")
HIDDEN = "*"
SHOWN, RARE_HIDDEN, COLUMN_HIDDEN = "shown", "rare_values_hidden", "hidden"
ENGINE_SUPPRESSION, K_ANONYMOUS_PROFILE = "engine_suppression", "k_anonymous_profile"
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_TREATMENT_WORDS = {
    SHOWN: "shown",
    RARE_HIDDEN: "values of fewer than {k} respondents (and, where needed, the next rarest) "
                 "shown as *",
    COLUMN_HIDDEN: "hidden (*)",
}
Profile = dict[str, str | None]


class ExportRefused(Exception):
    """The campaign cannot be exported this way; the message says why."""


@dataclass(frozen=True)
class ExportRule:
    """The privacy rule an export applied, recorded in the export itself."""

    kind: str  # ENGINE_SUPPRESSION (results) or K_ANONYMOUS_PROFILE (responses)
    threshold: int
    columns: Mapping[str, str] = field(default_factory=dict)  # profile item -> treatment

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"rule": self.kind, "threshold": self.threshold, "hidden_value": HIDDEN,
                "profile_columns": dict(self.columns)}

    def describe(self) -> str:
        """The rule in one English sentence, for the file's reader."""
        k = self.threshold
        if self.kind == ENGINE_SUPPRESSION:
            return (f"Anonymity threshold {k}: no figure about fewer than {k} respondents; "
                    "such figures are marked suppressed, and further groups are hidden so "
                    "that none can be worked out from the others.")
        columns = "; ".join(f"{key}: {_TREATMENT_WORDS[treatment].format(k=k)}"
                            for key, treatment in self.columns.items())
        return (f"Anonymity threshold {k}: every combination of the profile columns shown "
                f"is shared by at least {k} rows ({columns}).")


@dataclass(frozen=True)
class Export:
    """An export's bytes, the rule it applied, and how to offer it for download."""

    content: bytes
    rule: ExportRule
    media_type: str
    filename: str


def export_campaign(session: Session, registry: Registry, campaign_id: int,
                    fmt: str) -> Export:
    """One campaign's export in a format of FORMATS (ExportRefused, ValueError)."""
    if fmt == "json":
        return results_json(session, registry, campaign_id)
    if fmt == "csv":
        return responses_csv(session, registry, campaign_id)
    if fmt == "xlsx":
        return responses_xlsx(session, registry, campaign_id)
    raise ValueError(f"no export format '{fmt}' (choose from {', '.join(FORMATS)})")


def results_json(session: Session, registry: Registry, campaign_id: int) -> Export:
    """The engine's figures of the campaign (`campaign_statistics`, README's keys), with
    an `export` key saying which rule applied."""
    try:
        figures = campaign_statistics(session, registry, campaign_id)
    except UnknownCampaign as exc:
        raise ExportRefused(str(exc)) from None
    except KeyError:
        raise ExportRefused(f"the questionnaire of campaign {campaign_id} is not loaded"
                            ) from None
    rule = ExportRule(ENGINE_SUPPRESSION, int(figures["threshold"]))
    figures["export"] = {**rule.as_dict(), "exported_on": utc_today().isoformat()}
    content = json.dumps(figures, indent=2, sort_keys=True, ensure_ascii=False,
                         allow_nan=False, default=str).encode("utf-8")
    return Export(content, rule, MEDIA_TYPES["json"], f"campaign-{campaign_id}-results.json")


@dataclass(frozen=True)
class ResponseTable:
    """The campaign's responses as text cells, coarsened, with what the export says."""

    info: CampaignInfo
    questionnaire: Questionnaire
    columns: list[str]
    rows: list[list[str]]
    rule: ExportRule


def response_table(session: Session, registry: Registry, campaign_id: int) -> ResponseTable:
    """One row per response of this campaign, profile columns coarsened (ExportRefused)."""
    info = loading.campaign_info(session, campaign_id)
    if info is None:
        raise ExportRefused(f"no campaign with id {campaign_id}")
    try:
        questionnaire = registry.get(info.questionnaire_key, info.questionnaire_version)
    except KeyError:
        raise ExportRefused(f"the questionnaire {info.questionnaire_key}@"
                            f"{info.questionnaire_version} is not loaded") from None
    threshold = info.anonymity_threshold
    answers = [r.answers for r in loading.respondents(session, [campaign_id])]
    if len(answers) < threshold:
        raise ExportRefused(f"campaign {campaign_id} has {len(answers)} responses, fewer than "
                            f"its anonymity threshold of {threshold}: no answers can be "
                            "exported until it has more")
    profile_keys = [item.key for item in questionnaire.profile_items()]
    profiles, treatments = coarsen_profiles(
        [{key: _cell(a.get(key)) or None for key in profile_keys} for a in answers],
        profile_keys, threshold)
    columns = [item.key for item in questionnaire.items()]
    rows = sorted(
        [(profile[key] or "") if key in profile else _cell(a.get(key)) for key in columns]
        for a, profile in zip(answers, profiles, strict=True)
    )
    return ResponseTable(info, questionnaire, columns, rows,
                         ExportRule(K_ANONYMOUS_PROFILE, threshold, treatments))


# A cell starting with one of these is run as a formula by spreadsheet programs opening a
# CSV file (OWASP, "CSV Injection"); tab and carriage return are on OWASP's list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: a leading formula character is escaped
    with an apostrophe, as OWASP advises (the importer reads such a cell back unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_text(value: Any) -> Any:
    """A value an XLSX cell can hold: the control characters XML 1.0 cannot carry (which
    openpyxl refuses with IllegalCharacterError) are removed from text."""
    return _xml_text(value) if isinstance(value, str) else value


@lru_cache(maxsize=4096)  # a column holds a few codes, repeated on every row
def _xml_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def responses_csv(session: Session, registry: Registry, campaign_id: int) -> Export:
    """The responses as UTF-8 CSV: a first line with the rule (starting '#'), the header
    of item keys, then one row per response."""
    table = response_table(session, registry, campaign_id)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"# {_summary(table)} {table.rule.describe()}"])
    writer.writerow(table.columns)
    writer.writerows([inert_csv_cell(value) for value in row] for row in table.rows)
    return Export(out.getvalue().encode("utf-8"), table.rule, MEDIA_TYPES["csv"],
                  f"campaign-{campaign_id}-responses.csv")


def responses_xlsx(session: Session, registry: Registry, campaign_id: int) -> Export:
    """The responses as XLSX: a 'responses' sheet and an 'about' sheet with the rule."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    table = response_table(session, registry, campaign_id)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cells(values: Iterable[Any], font: Font | None = None) -> list[Any]:
        # Text is text: a value starting with '=' must never become a formula (a cell
        # typed as text is never run; openpyxl types any other string as text already).
        # Plain values for the rest: a cell object for each took 1.7 times as long.
        row = []
        for raw in values:
            value = xlsx_text(raw)
            if font is None and not (isinstance(value, str) and value.startswith("=")):
                row.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if font is not None:
                cell.font = font
            row.append(cell)
        return row

    sheet.append(cells(table.columns, bold))
    for row in table.rows:
        sheet.append(cells([value or None for value in row]))
    about = workbook.create_sheet("about")
    info, rule = table.info, table.rule
    about.append(cells(["export", "responses, one row per response"], bold))
    for label, value in (
        ("organisation", info.organisation), ("campaign", f"{info.id}: {info.name}"),
        ("questionnaire", table.questionnaire.ident), ("responses", len(table.rows)),
        ("anonymity threshold", rule.threshold), ("rule", rule.describe()),
        *((f"profile column {key}", treatment) for key, treatment in rule.columns.items()),
        ("hidden value", f"{HIDDEN}: a value shared by too few respondents to show"),
        ("left out", "the language of the answers, the day of submission, every id"),
        ("exported on", utc_today().isoformat()),
    ):
        about.append(cells([label, value]))
    out = io.BytesIO()
    workbook.save(out)
    return Export(out.getvalue(), rule, MEDIA_TYPES["xlsx"],
                  f"campaign-{campaign_id}-responses.xlsx")


def coarsen_profiles(profiles: Sequence[Profile], keys: Sequence[str],
                     threshold: int) -> tuple[list[Profile], dict[str, str]]:
    """The profiles with rare values and columns hidden (see the module's rule), and how
    each column was treated. Every combination of the returned values over `keys` is
    shared by at least `threshold` profiles (given at least `threshold` profiles)."""
    recoded: dict[str, list[str | None]] = {}
    treatments: dict[str, str] = {}
    for key in keys:
        recoded[key], treatments[key] = _hide_rare([p.get(key) for p in profiles], threshold)

    def fits(kept: Sequence[str]) -> bool:
        groups = Counter(zip(*(recoded[key] for key in kept), strict=True))
        return all(count >= threshold for count in groups.values())

    def shown(kept: Sequence[str]) -> int:
        return sum(value != HIDDEN for key in kept for value in recoded[key])

    candidates = [list(kept) for size in range(len(keys), 0, -1)
                  for kept in combinations(keys, size) if fits(kept)]
    # combinations() yields in the keys' order, so among equals the earlier keys win.
    kept = max(candidates, key=lambda c: (len(c), shown(c)), default=[])
    for key in keys:
        if key not in kept or all(value == HIDDEN for value in recoded[key]):
            treatments[key] = COLUMN_HIDDEN
    out = [{key: recoded[key][i] if key in kept else HIDDEN for key in keys}
           for i in range(len(profiles))]
    return out, treatments


def _hide_rare(values: list[str | None], threshold: int) -> tuple[list[str | None], str]:
    """One column with the values of fewer than `threshold` rows hidden, and the hidden
    rows never fewer than `threshold` themselves (the next rarest value joins them)."""
    counts = Counter(values)
    hidden = {value for value, count in counts.items() if count < threshold}
    while 0 < sum(counts[v] for v in hidden) < threshold and len(hidden) < len(counts):
        hidden.add(min((v for v in counts if v not in hidden),
                       key=lambda v: (counts[v], v is not None, v or "")))
    treatment = SHOWN if not hidden else COLUMN_HIDDEN if len(hidden) == len(counts) \
        else RARE_HIDDEN
    return [HIDDEN if value in hidden else value for value in values], treatment


def _cell(answer: Any) -> str:
    """A stored answer as the import format writes it: a code, or codes joined by ';'."""
    if answer is None:
        return ""
    if isinstance(answer, list | tuple):
        return SEPARATOR.join(str(code) for code in answer)
    return str(answer)


def _summary(table: ResponseTable) -> str:
    info = table.info
    name = " ".join(f"{info.organisation} / {info.name}".split())  # no line breaks
    return (f"Responses of campaign {info.id} ({name}; {table.questionnaire.ident}): "
            f"{len(table.rows)} rows, one per response, in no particular order.")
