"""Answers collected elsewhere: a CSV or XLSX file -> validated responses (pure; no Flask).

One row per respondent, one column per item key of the instrument (the profile items
too), plus the optional `locale` and `submitted_on` columns. The whole file is checked
before anything is stored; every problem names the row as a spreadsheet user sees it
(the header is row 1) and the column. The API reuses this with an upload's bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from assessment.instrument.answers import answer_problems, clean_answers
from assessment.instrument.questionnaire import DEFAULT_LANGUAGE, Item, Questionnaire, Scale

LOCALE_COLUMN = "locale"
SUBMITTED_ON_COLUMN = "submitted_on"
SEPARATOR = ";"  # between the codes of a multiple-choice answer, as clean_answer splits them
MAX_ROWS = 100_000  # respondent rows; a bigger study is imported in parts
MAX_BYTES = 100 * 1024 * 1024  # checked before parsing, so a huge upload never fills memory
# What an XLSX may unpack to, read from the zip's directory before anything is inflated:
# a few kilobytes can inflate to gigabytes (a "zip bomb"); 100,000 rows of answers are
# some 150 MB of sheet XML.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_LISTED_PROBLEMS = 1_000  # a wholly wrong file would otherwise print millions of lines
PROGRESS_STEP = 1_000  # rows checked between progress reports
CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_AND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\S")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")

Table = list[tuple[int, list[str]]]  # (spreadsheet row number, cell texts); header first


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a file; row and column are None when it concerns the whole file."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        where += [f"column {self.column}"] if self.column is not None else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ImportedResponse:
    """One valid respondent row, answers in stored form; submitted_on None means today."""

    row: int
    answers: dict[str, Any]
    locale: str
    submitted_on: dt.date | None


@dataclass(frozen=True)
class CampaignWindow:
    """The days a campaign takes answers: from `opens_on` to `closes_on` (None: open)."""

    opens_on: dt.date
    closes_on: dt.date | None = None

    def problem(self, day: dt.date) -> str | None:
        """Why no answer can have been given on `day`, or None."""
        if day < self.opens_on:
            return f"is before the campaign opened on {self.opens_on.isoformat()}"
        if self.closes_on is not None and day > self.closes_on:
            return f"is after the campaign closed on {self.closes_on.isoformat()}"
        return None


class ImportRejected(Exception):
    """The file cannot be imported; `problems` lists every problem found."""

    def __init__(self, problems: Sequence[ImportProblem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


def _reject(message: str) -> ImportRejected:
    return ImportRejected([ImportProblem(None, None, message)])


def read_path(
    questionnaire: Questionnaire, path: str | Path, *,
    locales: Collection[str] = (DEFAULT_LANGUAGE,), today: dt.date | None = None,
    max_rows: int = MAX_ROWS, progress: Callable[[int], None] | None = None,
    window: CampaignWindow | None = None,
) -> list[ImportedResponse]:
    """Validate a CSV or XLSX file on disk; raise ImportRejected listing every problem.

    `progress(n)` is called as rows are checked (n rows at a time); `window` is the
    campaign's opening and closing day, outside which no answer can have been given.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _reject(f"the file is larger than {MAX_BYTES // 2**20} MB; import it in parts")
        data = path.read_bytes()
    except OSError as exc:
        raise _reject(f"the file cannot be read ({exc.strerror})") from exc
    return read_upload(questionnaire, data, path.name, locales=locales, today=today,
                       max_rows=max_rows, progress=progress, window=window)


def read_upload(
    questionnaire: Questionnaire, data: bytes, filename: str, *,
    locales: Collection[str] = (DEFAULT_LANGUAGE,), today: dt.date | None = None,
    max_rows: int = MAX_ROWS, progress: Callable[[int], None] | None = None,
    window: CampaignWindow | None = None,
) -> list[ImportedResponse]:
    """Validate a file given as bytes (its name tells CSV from XLSX); raise ImportRejected."""
    table = read_table(data, filename, max_rows=max_rows)
    return validate_table(questionnaire, table, locales=locales,
                          today=today or dt.datetime.now(dt.UTC).date(), progress=progress,
                          window=window)


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> Table:
    """The file's non-blank rows as text cells, header first; ImportRejected if unreadable."""
    if len(data) > MAX_BYTES:
        raise _reject(f"the file is larger than {MAX_BYTES // 2**20} MB; import it in parts")
    suffix = PurePath(filename).suffix.lower()
    if suffix in CSV_SUFFIXES:
        table = _csv_table(data, max_rows)
    elif suffix in XLSX_SUFFIXES:
        table = _xlsx_table(data, max_rows)
    elif suffix == ".xls":
        raise _reject("old Excel .xls files cannot be read: save the file as .xlsx or as CSV UTF-8")
    else:
        raise _reject(f"'{filename}' is not a CSV or XLSX file: give a .csv or .xlsx file")
    if not table:
        raise _reject("the file is empty")
    if len(table) == 1:
        raise _reject("the file has a header row but no respondent rows")
    return table


def _collect(rows: Iterable[list[str]], max_rows: int) -> Table:
    """Number the rows from 1 and drop blank ones, stopping once there are too many."""
    table: Table = []
    for number, cells in enumerate(rows, start=1):
        if any(cells):
            table.append((number, cells))
            if len(table) > max_rows + 1:
                raise _reject(f"the file has more than {max_rows:,} respondent rows; "
                              "import it in parts")
    return table


def _csv_table(data: bytes, max_rows: int) -> Table:
    if data.startswith(_ZIP_MAGIC):
        raise _reject("the file is an XLSX workbook with a .csv name: rename it to .xlsx")
    if b"\x00" in data:
        # UTF-16 ("Unicode text") exports and binary files are full of NUL bytes.
        raise _reject("the file is not UTF-8 text: save it as 'CSV UTF-8'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise _reject(f"the file is not UTF-8 text (line {line}): save it as 'CSV UTF-8'") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        return _collect(([_unescaped(cell).strip() for cell in record] for record in reader),
                        max_rows)
    except csv.Error as exc:
        raise _reject(f"the file is not valid CSV near line {reader.line_num}: {exc}") from exc


def _unescaped(cell: str) -> str:
    """A CSV cell without the apostrophe that exports put before a leading = + - @ (so
    spreadsheets show it as text, see exports.inert_csv_cell)."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


def _delimiter(text: str) -> str:
    """Comma or, as many European spreadsheets save CSV, semicolon (or tab).

    Only the header line is sniffed: answer cells hold ';' between multiple choices.
    """
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _xlsx_table(data: bytes, max_rows: int) -> Table:
    if not data.startswith(_ZIP_MAGIC):
        raise _reject("the file is not an XLSX workbook")
    try:
        _check_unpacked_size(data)
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it drops (styles, extensions);
            # only the cell values matter here.
            warnings.simplefilter("ignore")
            formulas = _formulas(data) if _has_formulas(data) else {}
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                rows = workbook.worksheets[0].iter_rows(values_only=True)
                if formulas:
                    rows = _uncalculated(rows, formulas)
                return _collect(([_cell_text(v) for v in row] for row in rows), max_rows)
            finally:
                workbook.close()
    except ImportRejected:
        raise
    except Exception as exc:
        # A damaged workbook surfaces as any of a dozen zip, XML or key errors.
        raise _reject(f"the file is not a readable XLSX workbook ({type(exc).__name__})") from exc


def _check_unpacked_size(data: bytes) -> None:
    """ImportRejected if the workbook's parts add up to more than MAX_UNPACKED_BYTES.

    The sizes are those the zip's directory declares; zipfile never inflates an entry
    past its declared size (it stops there, and a forged size fails the CRC check), so
    the declared total bounds what openpyxl can be made to read.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(entry.file_size for entry in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise _reject(f"the workbook unpacks to {unpacked // 2**20:,} MB, more than "
                      f"{MAX_UNPACKED_BYTES // 2**20} MB: import it in parts")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet holds a formula (an <f> element), read without parsing, so
    a workbook without formulas is read once."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as sheet:
                    if _FORMULA_TAG.search(sheet.read()):
                        return True
    return False


def _formulas(data: bytes) -> dict[tuple[int, int], str]:
    """The first sheet's formula cells: (row, column), both from 1 -> the formula."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        found: dict[tuple[int, int], str] = {}
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
            for column, value in enumerate(row, 1):
                if isinstance(value, str) and value.startswith("="):
                    found[(number, column)] = value
        return found
    finally:
        workbook.close()


def _uncalculated(rows: Iterable[tuple[Any, ...]],
                  formulas: dict[tuple[int, int], str]) -> Iterable[tuple[Any, ...]]:
    """The rows, unchanged; ImportRejected at the end naming every formula cell that has
    no calculated value (a workbook written by a program that does not calculate, and
    never opened and saved in a spreadsheet): its answer would be lost silently."""
    header: tuple[Any, ...] = ()
    problems: list[ImportProblem] = []
    for number, row in enumerate(rows, start=1):
        header = row if number == 1 else header
        for column, value in enumerate(row, start=1):
            formula = formulas.get((number, column))
            if formula is not None and value is None:
                letter = get_column_letter(column)
                name = header[column - 1] if column <= len(header) else None
                problems.append(ImportProblem(
                    number, str(name).strip() if name else letter,
                    f"cell {letter}{number} holds a formula ({formula}) with no calculated "
                    "value: open the file in a spreadsheet program and save it, or type "
                    "the answer itself"))
        yield row
    if problems:
        raise ImportRejected(problems[:MAX_LISTED_PROBLEMS])


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates as YYYY-MM-DD (a time is kept, to be refused)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class _Columns:
    """Where each known column is: cell index -> item, or -> locale / submitted_on."""

    items: dict[int, Item]
    extras: dict[int, str]
    width: int


def validate_table(
    questionnaire: Questionnaire, table: Table, *, locales: Collection[str], today: dt.date,
    progress: Callable[[int], None] | None = None, window: CampaignWindow | None = None,
) -> list[ImportedResponse]:
    """Check the header and every row; all rows cleaned, or ImportRejected with all problems."""
    columns, problems = _read_header(questionnaire, *table[0])
    choices = {index: _Choices(questionnaire.scales[item.scale])
               for index, item in columns.items.items()}
    imported: list[ImportedResponse] = []
    unlisted = 0
    for position, (number, cells) in enumerate(table[1:], start=1):
        if progress is not None and position % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
        outcome = _read_row(questionnaire, columns, choices, number, cells, locales, today,
                            window)
        if isinstance(outcome, ImportedResponse):
            imported.append(outcome)
            continue
        room = max(0, MAX_LISTED_PROBLEMS - len(problems))
        problems += outcome[:room]
        unlisted += len(outcome[room:])
    if progress is not None:
        progress((len(table) - 1) % PROGRESS_STEP)
    if unlisted:
        problems.append(ImportProblem(None, None, f"... and {unlisted:,} more problems"))
    if problems:
        raise ImportRejected(problems)
    return imported


def _read_header(
    questionnaire: Questionnaire, number: int, header: list[str]
) -> tuple[_Columns, list[ImportProblem]]:
    """Which column holds what, and every problem of the header row (row `number`)."""
    names = [cell.strip().lower() for cell in header]
    while names and not names[-1]:
        names.pop()
    items = {item.key: item for item in questionnaire.items()}
    known = [*items, LOCALE_COLUMN, SUBMITTED_ON_COLUMN]
    problems: list[ImportProblem] = []
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        if not name:
            problems.append(ImportProblem(number, get_column_letter(index + 1),
                                          "the header cell is empty: name the column or delete it"))
        elif name not in known:
            message = _unknown_column(questionnaire, name, known)
            problems.append(ImportProblem(number, header[index].strip(), message))
        else:
            positions.setdefault(name, []).append(index)
    problems += _misplaced_columns(number, positions, items.values())
    # A repeated column is left out of the rows' checks: which copy holds the answer is unclear.
    single = {name: places[0] for name, places in positions.items() if len(places) == 1}
    columns = _Columns(
        items={index: items[name] for name, index in single.items() if name in items},
        extras={index: name for name, index in single.items() if name not in items},
        width=len(names),
    )
    return columns, problems


def _misplaced_columns(
    number: int, positions: dict[str, list[int]], items: Iterable[Item]
) -> list[ImportProblem]:
    """Columns given more than once, then required columns not given at all."""
    problems: list[ImportProblem] = []
    for name, places in positions.items():
        if len(places) > 1:
            letters = ", ".join(get_column_letter(i + 1) for i in places)
            message = f"appears {len(places)} times (columns {letters}): keep one"
            problems.append(ImportProblem(number, name, message))
    for item in items:
        if item.required and item.key not in positions:
            problems.append(ImportProblem(number, item.key, "required column is missing"))
    return problems


def _unknown_column(questionnaire: Questionnaire, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "the columns are the item keys"
    return f"unknown column, not an item of {questionnaire.ident}: {hint}"


class _Choices:
    """Cell text -> option code: the code itself, or its code or English label in any case."""

    def __init__(self, scale: Scale):
        self.multiple = scale.kind == "multiple"
        self.codes = [option.code for option in scale.options]
        loose: dict[str, set[str]] = {}
        for option in scale.options:
            for name in (option.code, option.label.get(DEFAULT_LANGUAGE, "")):
                loose.setdefault(_fold(name), set()).add(option.code)
        # A folded spelling shared by two options would be a guess, so it is not accepted.
        self.loose = {name: codes.pop() for name, codes in loose.items() if len(codes) == 1}

    def code(self, text: str) -> str | None:
        """The option code this text names, or None."""
        return text if text in self.codes else self.loose.get(_fold(text))

    def answer(self, text: str) -> str | list[str] | None:
        """The cell's answer as clean_answer takes it; ValueError naming the allowed codes."""
        allowed = f"allowed: {', '.join(self.codes)}"
        if not self.multiple:
            if not text:
                return None
            if SEPARATOR in text:
                raise ValueError(f"only one option may be chosen here ({allowed})")
            code = self.code(text)
            if code is None:
                raise ValueError(f"unknown option '{text}' ({allowed})")
            return code
        parts = [part.strip() for part in text.split(SEPARATOR) if part.strip()]
        unknown = [f"'{part}'" for part in parts if self.code(part) is None]
        if unknown:
            raise ValueError(f"unknown option {', '.join(unknown)} "
                             f"({allowed}; separate several with '{SEPARATOR}')")
        return [code for part in parts if (code := self.code(part)) is not None]


def _fold(text: str) -> str:
    # Spreadsheets turn "Don't" into "Don’t" as it is typed; the labels' ranges take an
    # en dash ("born 1981–1996") that a file typed by hand writes as a hyphen.
    return " ".join(text.replace("\u2019", "'").replace("\u2013", "-").split()).casefold()


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _read_row(
    questionnaire: Questionnaire, columns: _Columns, choices: dict[int, _Choices], number: int,
    cells: list[str], locales: Collection[str], today: dt.date,
    window: CampaignWindow | None = None,
) -> ImportedResponse | list[ImportProblem]:
    """One respondent row in stored form, or every problem it has in column order."""
    found: dict[int, ImportProblem] = {}
    answers: dict[str, Any] = {}
    for index, item in columns.items.items():
        try:
            answers[item.key] = choices[index].answer(_cell(cells, index))
        except ValueError as exc:
            found[index] = ImportProblem(number, item.key, str(exc))
    position = {item.key: index for index, item in columns.items.items()}
    answered = [item for index, item in columns.items.items() if index not in found]
    for key, message in answer_problems(questionnaire, answers, answered).items():
        found[position[key]] = ImportProblem(number, key, message)
    extras: dict[str, Any] = {}
    for index, column in columns.extras.items():
        try:
            text = _cell(cells, index)
            extras[column] = _locale(text, locales) if column == LOCALE_COLUMN \
                else _day(text, today)
        except ValueError as exc:
            found[index] = ImportProblem(number, column, str(exc))
    day_column = next((i for i, c in columns.extras.items() if c == SUBMITTED_ON_COLUMN), None)
    if window is not None and (day_column is None or day_column not in found):
        day = extras.get(SUBMITTED_ON_COLUMN)
        outside = window.problem(day or today)
        if outside is not None:
            text = f"'{day.isoformat()}' {outside}" if day else (
                f"left blank, it means today ({today.isoformat()}), which {outside}: "
                "give the day the answers were given")
            found[day_column if day_column is not None else len(cells) + columns.width] = \
                ImportProblem(number, SUBMITTED_ON_COLUMN, text)
    for index in range(columns.width, len(cells)):
        if cells[index]:
            found[index] = ImportProblem(number, get_column_letter(index + 1),
                                         "has a value but its column has no header")
    if found:
        return [found[index] for index in sorted(found)]
    return ImportedResponse(
        row=number, answers=clean_answers(questionnaire, answers),
        locale=extras.get(LOCALE_COLUMN) or DEFAULT_LANGUAGE,
        submitted_on=extras.get(SUBMITTED_ON_COLUMN),
    )


def _locale(text: str, locales: Collection[str]) -> str:
    """The response's language: blank means English; ValueError if the app has no such one."""
    locale = text.strip().lower() or DEFAULT_LANGUAGE
    if locale not in locales:
        raise ValueError(f"unknown locale '{text}' (allowed: {', '.join(locales)})")
    return locale


def _day(text: str, today: dt.date) -> dt.date | None:
    """The day of submission (None: blank); only a day, since responses keep no time."""
    if not text:
        return None
    if _DAY_AND_TIME.match(text):
        raise ValueError(f"'{text}' has a time: give the day only (YYYY-MM-DD); "
                         "responses never store the time of day")
    if not _DAY.fullmatch(text):
        raise ValueError(f"'{text}' is not a date like 2026-03-31 (YYYY-MM-DD)")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None
    if day > today:
        raise ValueError(f"'{text}' is in the future")
    return day
