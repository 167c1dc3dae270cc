"""Importing answers collected elsewhere: `assessment import` and `import-template`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.instrument.answers import clean_answer, clean_answers
from assessment.instrument.questionnaire import load_file
from assessment.instrument.scoring import score_response
from assessment.io import importing
from assessment.io.importing import ImportProblem, ImportRejected, read_upload
from assessment.io.templates import csv_template, template_columns
from assessment.models import Campaign, InvitationToken, Response, ResponseScore
from assessment.operations.responses import import_responses, submit_response
from assessment.operations.tokens import issue_tokens

Q = load_file(Path(__file__).resolve().parent.parent / "questionnaires" / "digiskills-1.yaml")
ITEM_KEYS = [item.key for item in Q.items()]
# full_answers() by hand (tests/test_scoring.py): capabilities 425/7, vision 75, learning 25.
FULL_ANSWERS_INDEX = 0.5 * 425 / 7 + 0.25 * 75 + 0.25 * 25
SPREAD = "allowed: nobody, few, some, most, everyone, dont_know"

Answers = dict[str, Any]
MakeAnswers = Callable[..., Answers]


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def cells(answers: Answers, columns: Sequence[str] = ITEM_KEYS) -> list[str]:
    """One CSV row: multiple choices joined with ';', missing answers blank."""
    values = [answers.get(column) for column in columns]
    return [";".join(v) if isinstance(v, list) else "" if v is None else str(v) for v in values]


def write_csv(path: Path, rows: Sequence[Sequence[str]], delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def answers_csv(path: Path, answer_rows: Sequence[Answers], **options: Any) -> Path:
    return write_csv(path, [ITEM_KEYS, *(cells(a) for a in answer_rows)], **options)


def run_import(runner: FlaskCliRunner, path: Path, campaign_id: int) -> Any:
    return runner.invoke(args=["import", str(path), "--campaign", str(campaign_id)])


def campaign_row(campaign_id: int) -> Campaign:
    """The campaign in the current session (the factory's copy is detached)."""
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    return campaign


def response_count(app: Flask, campaign_id: int) -> int:
    with app.app_context():
        return int(db.session.scalar(
            select(func.count(Response.id)).where(Response.campaign_id == campaign_id)) or 0)


def stored(app: Flask, campaign_id: int) -> list[dict[str, Any]]:
    """Every stored response of a campaign with its score rows, in a comparable form."""
    with app.app_context():
        responses = db.session.scalars(
            select(Response).where(Response.campaign_id == campaign_id)).all()
        found = []
        for r in responses:
            score_rows = db.session.execute(
                select(ResponseScore.dimension, ResponseScore.score, ResponseScore.campaign_id)
                .where(ResponseScore.response_id == r.id)).all()
            assert {row.campaign_id for row in score_rows} == {campaign_id}
            found.append({
                "answers": r.answers, "scores": r.scores, "index_score": r.index_score,
                "score_rows": {row.dimension: row.score for row in score_rows},
                "profile": (r.seniority, r.function, r.generation, r.country),
                "locale": r.locale, "submitted_on": r.submitted_on,
            })
    return sorted(found, key=lambda f: json.dumps(f["answers"], sort_keys=True))


def expected(answers: Answers, locale: str = "en", submitted_on: dt.date | None = None
             ) -> dict[str, Any]:
    """What the web journey would store for these answers."""
    cleaned = clean_answers(Q, answers)
    scores = score_response(Q, cleaned)
    return {
        "answers": cleaned, "scores": scores, "index_score": scores["index"],
        "score_rows": {d: s for d, s in scores.items() if s is not None},
        "profile": tuple(cleaned.get(k) for k in ("seniority", "function", "generation",
                                                    "country")),
        "locale": locale, "submitted_on": submitted_on or today(),
    }


def assert_stored(app: Flask, campaign_id: int, wanted: list[dict[str, Any]]) -> None:
    found = stored(app, campaign_id)
    wanted = sorted(wanted, key=lambda f: json.dumps(f["answers"], sort_keys=True))
    assert len(found) == len(wanted)
    for got, want in zip(found, wanted, strict=True):
        assert got["score_rows"] == pytest.approx(want.pop("score_rows"))
        got.pop("score_rows")
        assert got == want


def three_respondents(full_answers: MakeAnswers) -> list[Answers]:
    return [
        full_answers(),
        full_answers(cap_data="few", vision_clear="no", country="GB", generation="gen_z"),
        full_answers(cap_mobile="most", metrics_acted=["nps", "csat"], generation=None,
                     country=None, voc_methods=[]),
    ]


def test_csv_import_stores_what_the_web_journey_stores(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    respondents = three_respondents(full_answers)
    result = run_import(runner, answers_csv(tmp_path / "answers.csv", respondents), campaign.id)
    assert result.exit_code == 0, result.output
    assert result.output == f"imported 3 responses into campaign {campaign.id}\n"
    assert_stored(app, campaign.id, [expected(a) for a in respondents])
    with app.app_context():
        index = db.session.scalar(select(Response.index_score).where(
            Response.campaign_id == campaign.id, Response.generation == "millennial",
            Response.country == "PL"))
    assert index == pytest.approx(FULL_ANSWERS_INDEX)


def test_xlsx_import_with_locale_and_day(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign(opens_on=dt.date(2025, 1, 1))
    respondents = three_respondents(full_answers)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([*ITEM_KEYS, "locale", "submitted_on"])
    sheet.append([*cells(respondents[0]), "pl", dt.date(2025, 1, 15)])
    sheet.append([*cells(respondents[1]), "", "2025-02-01"])
    sheet.append([*cells(respondents[2]), "EN", None])
    sheet.append([None] * 5)  # a blank trailing row, as spreadsheets often keep
    path = tmp_path / "answers.xlsx"
    workbook.save(path)
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 0, result.output
    assert result.output == f"imported 3 responses into campaign {campaign.id}\n"
    assert_stored(app, campaign.id, [
        expected(respondents[0], "pl", dt.date(2025, 1, 15)),
        expected(respondents[1], "en", dt.date(2025, 2, 1)),
        expected(respondents[2], "en"),
    ])


def test_every_bad_row_is_reported_and_nothing_stored(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    good = answers_csv(tmp_path / "good.csv", [full_answers()])
    assert run_import(runner, good, campaign.id).exit_code == 0
    columns = [*ITEM_KEYS, "locale", "submitted_on"]
    rows = [
        cells(full_answers(), columns),
        cells(full_answers(cap_data="lots"), columns),
        cells(full_answers(seniority=None, voc_methods=["surveys", "telepathy"]), columns),
        cells(full_answers(locale="xx", submitted_on="2025-01-02 10:30"), columns),
        cells(full_answers(vision_clear="yes;no"), columns),
    ]
    path = write_csv(tmp_path / "bad.csv", [columns, *rows])
    before = response_count(app, campaign.id)
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: row 3, column cap_data: unknown option 'lots' ({SPREAD})",
        f"{path}: row 4, column voc_methods: unknown option 'telepathy' (allowed: surveys, "
        "social_listening, reviews, behavioural, recorded_calls, competitor_analysis, none; "
        "separate several with ';')",
        f"{path}: row 4, column seniority: an answer is required",
        f"{path}: row 5, column locale: unknown locale 'xx' (allowed: en, pl, ru, zh, lv)",
        f"{path}: row 5, column submitted_on: '2025-01-02 10:30' has a time: give the day "
        "only (YYYY-MM-DD); responses never store the time of day",
        f"{path}: row 6, column vision_clear: only one option may be chosen here "
        "(allowed: no, yes, dont_know)",
        "Error: nothing imported: correct the file and import it again",
    ]
    assert response_count(app, campaign.id) == before == 1


def test_header_problems(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    header = ["cap_dta", *ITEM_KEYS[1:], "Respondent name", "country"]
    path = write_csv(tmp_path / "answers.csv",
                     [header, [*cells(full_answers())[:-1], "PL", "Jan Kowalski", "PL"]])
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        f"{path}: row 1, column cap_dta: unknown column, not an item of digiskills@1: "
        "did you mean 'cap_data'?",
        f"{path}: row 1, column Respondent name: unknown column, not an item of "
        "digiskills@1: the columns are the item keys",
        f"{path}: row 1, column country: appears 2 times (columns AA, AC): keep one",
        f"{path}: row 1, column cap_data: required column is missing",
    ]
    assert response_count(app, campaign.id) == 0


def test_value_outside_the_header(
    runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    path = write_csv(tmp_path / "answers.csv",
                     [[*ITEM_KEYS, ""], [*cells(full_answers()), "", "stray"]])
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 1
    assert f"{path}: row 2, column AC: has a value but its column has no header" \
        in result.stderr.splitlines()


def test_semicolon_delimited_csv(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    respondents = three_respondents(full_answers)
    # Semicolon CSV, as European spreadsheets save it: multiple choices end up quoted.
    path = answers_csv(tmp_path / "answers.csv", respondents, delimiter=";")
    assert '"surveys;reviews"' in path.read_text(encoding="utf-8")
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 0, result.output
    assert_stored(app, campaign.id, [expected(a) for a in respondents])


def test_utf8_with_bom(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    path = answers_csv(tmp_path / "answers.csv", [full_answers()], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfcap_data,")
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 0, result.output
    assert_stored(app, campaign.id, [expected(full_answers())])


def test_english_labels_instead_of_codes(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    labelled = full_answers(
        cap_data="Everyone", cap_cyber="most people", cap_coding="A FEW PEOPLE",
        cap_mobile="Don\u2019t know", vision_communicated="Agree", ld_funded="neither agree "
        "nor  disagree", cu_everyone="Partly", voc_methods="Customer surveys; online reviews",
        metrics_tracked="Net Promoter Score (NPS)", seniority="Manager", function="marketing",
        generation="Millennial (born 1981-1996)", country="poland",
    )
    path = answers_csv(tmp_path / "answers.csv", [labelled])
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 0, result.output
    assert_stored(app, campaign.id, [expected(full_answers())])


def test_unknown_campaign(runner: FlaskCliRunner, full_answers: MakeAnswers,
                          tmp_path: Path) -> None:
    path = answers_csv(tmp_path / "answers.csv", [full_answers()])
    result = run_import(runner, path, 999999)
    assert result.exit_code == 1
    assert "no campaign with id 999999" in result.stderr


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("answers.pdf", b"%PDF-1.7\n", "'answers.pdf' is not a CSV or XLSX file: give a .csv or "
                                   ".xlsx file"),
    ("answers.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel .xls files cannot be read"),
    ("answers.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     "the file is not UTF-8 text: save it as 'CSV UTF-8'"),
    ("answers.csv", "cap_data\nWszyscy \u017cyj\u0105\n".encode("cp1250"),
     "the file is not UTF-8 text (line 2): save it as 'CSV UTF-8'"),
    ("answers.csv", b'cap_data\n"unclosed\n',
     "the file is not valid CSV near line 2: unexpected end of data"),
    ("answers.csv", _zip_without_workbook(),
     "the file is an XLSX workbook with a .csv name: rename it to .xlsx"),
    ("answers.xlsx", b"cap_data\neveryone\n", "the file is not an XLSX workbook"),
    ("answers.xlsx", _zip_without_workbook(), "the file is not a readable XLSX workbook"),
    ("answers.csv", b"", "the file is empty"),
    ("answers.csv", b"\r\n,,\r\n", "the file is empty"),
    ("answers.csv", ",".join(ITEM_KEYS).encode() + b"\r\n,,,\r\n",
     "the file has a header row but no respondent rows"),
])
def test_unreadable_files(runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
                          tmp_path: Path, name: str, content: bytes, message: str) -> None:
    campaign = make_campaign()
    path = tmp_path / name
    path.write_bytes(content)
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"{path}: {message}"), result.stderr


def test_missing_file(runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
                      tmp_path: Path) -> None:
    campaign = make_campaign()
    result = run_import(runner, tmp_path / "nowhere.csv", campaign.id)
    assert result.exit_code == 1
    assert "nowhere.csv: the file cannot be read (No such file or directory)" in result.stderr


def test_empty_workbook(runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
                        tmp_path: Path) -> None:
    campaign = make_campaign()
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 1
    assert f"{path}: the file is empty" in result.stderr


def test_csv_template_round_trip(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    path = tmp_path / "template.csv"
    result = runner.invoke(args=["import-template", "--campaign", str(campaign.id),
                                 "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == (f"template for campaign {campaign.id} (digiskills@1, 29 columns) "
                             f"written to {path}\n")
    with path.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [*ITEM_KEYS, "locale", "submitted_on"]
    respondents = three_respondents(full_answers)
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(cells(a, header) for a in respondents)
    assert run_import(runner, path, campaign.id).exit_code == 0
    assert_stored(app, campaign.id, [expected(a) for a in respondents])


def test_xlsx_template_round_trip(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    path = tmp_path / "template.xlsx"
    result = runner.invoke(args=["import-template", "--campaign", str(campaign.id),
                                 "--out", str(path)])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["responses", "codes"]
    codes = [row for row in workbook["codes"].iter_rows(values_only=True)]
    assert codes[0] == ("column", "question", "required", "answers", "code", "label")
    assert ("cap_data", "Use basic data-manipulation software (for example spreadsheets)",
            "yes", "one", "everyone", "Everyone") in codes
    assert ("voc_methods", "Which of these voice-of-customer methods does the organisation "
            "use?", "no", "several, separated by ';'", "reviews", "Online reviews") in codes
    sheet = workbook["responses"]
    header = [cell.value for cell in sheet[1]]
    assert header == [*ITEM_KEYS, "locale", "submitted_on"]
    respondents = three_respondents(full_answers)
    for answers in respondents:
        sheet.append(cells(answers, header))
    workbook.save(path)
    assert run_import(runner, path, campaign.id).exit_code == 0
    assert_stored(app, campaign.id, [expected(a) for a in respondents])


def test_template_needs_a_known_suffix(runner: FlaskCliRunner,
                                      make_campaign: Callable[..., Campaign],
                                      tmp_path: Path) -> None:
    campaign = make_campaign()
    result = runner.invoke(args=["import-template", "--campaign", str(campaign.id),
                                 "-o", str(tmp_path / "template.ods")])
    assert result.exit_code == 2
    assert "give a file name ending in .csv or .xlsx" in result.stderr


def test_import_matches_submit_response(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    web, imported = make_campaign(), make_campaign()
    answers = full_answers(cap_data="nobody", metrics_acted=["nps"])
    with app.app_context():
        submit_response(campaign_row(web.id), Q, answers)
        db.session.commit()
    path = answers_csv(tmp_path / "answers.csv", [answers])
    assert run_import(runner, path, imported.id).exit_code == 0
    assert stored(app, imported.id) == stored(app, web.id)


def test_token_and_closed_campaigns_accept_imports(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign(mode="token", opens_on=dt.date(2024, 1, 1),
                             closes_on=dt.date(2024, 2, 1))
    with app.app_context():
        issue_tokens(campaign_row(campaign.id), 3)
        db.session.commit()
    # A closed campaign's answers carry the day they were given, within its dates.
    rows = [[*cells(a), "2024-01-15"] for a in three_respondents(full_answers)]
    path = write_csv(tmp_path / "answers.csv", [[*ITEM_KEYS, "submitted_on"], *rows])
    result = run_import(runner, path, campaign.id)
    assert result.exit_code == 0, result.output
    with app.app_context():
        # No token is spent by an import: all three are still stored (a spent one is
        # deleted, issue 9).
        unspent = db.session.scalars(select(InvitationToken.token_hash)).all()
        invited = campaign_row(campaign.id).invited
    assert len(unspent) == 3 and invited == 3
    assert response_count(app, campaign.id) == 3


def upload(rows: Sequence[Sequence[str]], **options: Any) -> list[importing.ImportedResponse]:
    """The pure path the API uses: bytes and a file name in, cleaned rows out."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return read_upload(Q, out.getvalue().encode("utf-8"), "upload.csv",
                       locales=("en", "pl"), today=dt.date(2026, 3, 31), **options)


def problems_of(rows: Sequence[Sequence[str]], **options: Any) -> list[ImportProblem]:
    with pytest.raises(ImportRejected) as caught:
        upload(rows, **options)
    return caught.value.problems


def test_blank_rows_are_skipped_and_numbers_kept(full_answers: MakeAnswers) -> None:
    blank = [""] * len(ITEM_KEYS)
    imported = upload([ITEM_KEYS, cells(full_answers()), blank,
                       cells(full_answers(cap_data="few")), blank, blank])
    assert [r.row for r in imported] == [2, 4]
    assert imported[1].answers == clean_answers(Q, full_answers(cap_data="few"))
    assert (imported[0].locale, imported[0].submitted_on) == ("en", None)


@pytest.mark.parametrize(("day", "message"), [
    ("2026-02-30", "'2026-02-30' is not a real date"),
    ("31/03/2026", "'31/03/2026' is not a date like 2026-03-31 (YYYY-MM-DD)"),
    ("20260331", "'20260331' is not a date like 2026-03-31 (YYYY-MM-DD)"),
    ("2026-04-01", "'2026-04-01' is in the future"),
    ("2026-03-01T09:00", "'2026-03-01T09:00' has a time"),
])
def test_submission_day_is_a_past_day(full_answers: MakeAnswers, day: str,
                                      message: str) -> None:
    columns = [*ITEM_KEYS, "submitted_on"]
    problems = problems_of([columns, cells(full_answers(submitted_on=day), columns)])
    assert len(problems) == 1
    assert (problems[0].row, problems[0].column) == (2, "submitted_on")
    assert problems[0].message.startswith(message)


def test_too_many_rows(full_answers: MakeAnswers) -> None:
    rows = [ITEM_KEYS, *[cells(full_answers())] * 3]
    assert len(upload(rows, max_rows=3)) == 3
    assert problems_of(rows, max_rows=2) == [
        ImportProblem(None, None, "the file has more than 2 respondent rows; import it in parts")]


def test_problem_list_is_capped(monkeypatch: pytest.MonkeyPatch,
                                full_answers: MakeAnswers) -> None:
    monkeypatch.setattr(importing, "MAX_LISTED_PROBLEMS", 3)
    bad = cells(full_answers(cap_data="x", cap_cyber="y"))
    problems = problems_of([ITEM_KEYS, bad, bad, bad])
    assert [str(p) for p in problems] == [
        f"row 2, column cap_data: unknown option 'x' ({SPREAD})",
        f"row 2, column cap_cyber: unknown option 'y' ({SPREAD})",
        f"row 3, column cap_data: unknown option 'x' ({SPREAD})",
        "... and 3 more problems",
    ]


def test_template_columns_are_every_item_then_the_extras() -> None:
    assert template_columns(Q) == [*ITEM_KEYS, "locale", "submitted_on"]
    assert csv_template(Q).decode("utf-8") == ",".join(template_columns(Q)) + "\r\n"


def test_campaign_with_unloaded_questionnaire(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign], tmp_path: Path,
) -> None:
    campaign = make_campaign()
    with app.app_context():
        db.session.get(Campaign, campaign.id).questionnaire_version = 99
        db.session.commit()
    path = tmp_path / "answers.csv"
    path.write_text("cap_data\neveryone\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--campaign", str(campaign.id)])
    assert result.exit_code == 1
    assert "uses digiskills@99, which is not loaded" in result.output


def test_progress_is_reported_for_every_row_checked_and_stored(
    app: Flask, make_campaign: Callable[..., Campaign], full_answers: Callable[..., Answers],
    tmp_path: Path,
) -> None:
    # 2,345 rows: two full steps of the reader's 1,000 and a remainder, then the store's
    # batches; what the CLI's progress bar is advanced by adds up to the rows.
    rows = 2_345
    path = answers_csv(tmp_path / "many.csv", [full_answers()] * rows)
    checked: list[int] = []
    imported = importing.read_path(Q, path, today=today(), progress=checked.append)
    assert sum(checked) == rows and len(imported) == rows
    campaign = make_campaign()
    with app.app_context():
        stored_steps: list[int] = []
        import_responses(campaign_row(campaign.id), Q, imported, progress=stored_steps.append)
        db.session.commit()
    assert stored_steps == [1_000, 1_000, 345]
    assert response_count(app, campaign.id) == rows


# Issue 10, points 10-12: nothing wrong is stored silently.

def _formula_workbook(path: Path, answers: Answers, formula_column: str) -> Path:
    """A workbook as a program writes it without calculating: a formula, no cached value."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(ITEM_KEYS)
    row = cells(answers)
    row[ITEM_KEYS.index(formula_column)] = '=LOWER("MOST")'
    sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("column", ["cap_data", "generation"])  # required, optional
def test_formula_without_value_is_an_error_naming_the_cell(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path, column: str,
) -> None:
    campaign = make_campaign()
    path = _formula_workbook(tmp_path / "formula.xlsx", full_answers(), column)
    result = run_import(runner, path, campaign.id)
    letter = openpyxl.utils.get_column_letter(ITEM_KEYS.index(column) + 1)
    assert result.exit_code != 0
    assert (f"row 2, column {column}: cell {letter}2 holds a formula (=LOWER(\"MOST\")) "
            "with no calculated value") in result.output
    assert "an answer is required" not in result.output
    assert response_count(app, campaign.id) == 0


def test_exclusive_option_cannot_be_combined(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign()
    rows = [full_answers(voc_methods=["surveys"]), full_answers(voc_methods=["none"]),
            full_answers(voc_methods=["none", "surveys"])]
    path = answers_csv(tmp_path / "answers.csv", rows)
    result = run_import(runner, path, campaign.id)
    assert result.exit_code != 0
    assert "row 4, column voc_methods: 'none' cannot be chosen together with other " \
        "options (here surveys): choose it alone" in result.output
    assert "row 2" not in result.output and "row 3" not in result.output
    assert response_count(app, campaign.id) == 0
    # The instrument marks the option, so every path that checks answers refuses it.
    scale = Q.scales["voc_methods"]
    assert [o.code for o in scale.options if o.exclusive] == ["none"]
    with pytest.raises(ValueError, match="cannot be chosen together"):
        clean_answer(Q, Q.item("metrics_tracked"), ["nps", "none"])


def test_submitted_on_outside_the_campaign_is_refused(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    campaign = make_campaign(opens_on=dt.date(2025, 3, 1), closes_on=dt.date(2025, 3, 31))
    days = ["2025-02-28", "2025-03-01", "2025-03-31", "2025-04-01", ""]
    rows = [[*cells(full_answers()), day] for day in days]
    path = write_csv(tmp_path / "answers.csv", [[*ITEM_KEYS, "submitted_on"], *rows])
    result = run_import(runner, path, campaign.id)
    assert result.exit_code != 0
    assert "row 2, column submitted_on: '2025-02-28' is before the campaign opened on " \
        "2025-03-01" in result.output
    assert "row 5, column submitted_on: '2025-04-01' is after the campaign closed on " \
        "2025-03-31" in result.output
    assert "row 6, column submitted_on: left blank, it means today" in result.output
    assert "row 3" not in result.output and "row 4" not in result.output
    assert response_count(app, campaign.id) == 0
    window = importing.CampaignWindow(dt.date(2025, 3, 1), None)
    assert window.problem(dt.date(2030, 1, 1)) is None  # still open: no closing day


def test_a_workbook_that_unpacks_hugely_is_refused_before_it_is_read(
    runner: FlaskCliRunner, make_campaign: Callable[..., Campaign], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small file that inflates far past the limit (the limit lowered for speed: the
    # check is the same at 512 MB). The padding is XML whitespace in the sheet itself.
    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 4 * 2**20)
    book = openpyxl.Workbook()
    book.active.append(["cap_data"])
    book.active.append(["everyone"])
    plain = io.BytesIO()
    book.save(plain)
    bomb = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w",
                                                           zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * 5 * 2**20)
            target.writestr(entry.filename, content)
    assert len(bomb.getvalue()) < 64 * 1024
    path = tmp_path / "answers.xlsx"
    path.write_bytes(bomb.getvalue())
    result = run_import(runner, path, make_campaign().id)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}: the workbook unpacks to 5 MB, more than 4 MB: import it in parts")
