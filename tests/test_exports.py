"""Exports: the columns and values are the stored answers, rare profiles cannot be singled
out (groups counted in the export itself), the JSON is the engine's, another
organisation's data never appear, and the CLI fails clearly."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.analysis.statistics import campaign_statistics
from assessment.cli.exports import FORMATS as CLI_FORMATS
from assessment.extensions import db
from assessment.io.exports import (
    FORMATS,
    HIDDEN,
    ExportRefused,
    coarsen_profiles,
    export_campaign,
    responses_csv,
    responses_xlsx,
    results_json,
)
from assessment.models import Campaign, utc_today
from assessment.operations.responses import submit_response

Answers = dict[str, Any]
PROFILE = ["seniority", "function", "generation", "country"]
# The item keys of digiskills@1 in questionnaire order, read off the definition file.
COLUMNS = [
    "cap_data", "cap_cyber", "cap_coding", "cap_social", "cap_analytics", "cap_mobile",
    "cap_ecommerce", "cap_collaboration", "vision_clear", "vision_priorities",
    "vision_communicated", "ld_understands", "ld_benchmarks", "ld_funded", "cu_everyone",
    "cu_feedback_loop", "cu_leader_insight", "cu_leader_guide", "cu_leader_exceed",
    "cu_leader_own", "voc_methods", "metrics_tracked", "metrics_acted",
    *PROFILE,
]
SPREAD = ["nobody", "few", "some", "most", "everyone"]
MULTIPLE = {"voc_methods", "metrics_tracked", "metrics_acted"}


def person(full_answers: Callable[..., Answers], n: int, **profile: str) -> Answers:
    """A respondent whose capability answers differ from every other's (n < 125)."""
    return full_answers(cap_data=SPREAD[n % 5], cap_cyber=SPREAD[n // 5 % 5],
                        cap_coding=SPREAD[n // 25 % 5],
                        voc_methods=["surveys", "reviews"][: n % 3],
                        **{"generation": "millennial", "country": "PL", **profile})


def store(app: Flask, campaign: Campaign, people: list[Answers]) -> None:
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        assert stored is not None
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        for answers in people:
            submit_response(stored, questionnaire, answers)
        db.session.commit()


def as_cell(key: str, value: Any) -> str:
    """How the export writes an answer, by hand: codes, several joined by ';'."""
    if key in MULTIPLE:
        return ";".join(value or [])
    return "" if value is None else str(value)


def export(app: Flask, campaign: Campaign, fmt: str) -> Any:
    with app.app_context():
        return export_campaign(db.session(), app.extensions["questionnaires"], campaign.id,
                               fmt)


def read_csv(content: bytes) -> tuple[str, list[str], list[list[str]]]:
    lines = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    return lines[0][0], lines[1], lines[2:]


@pytest.fixture
def crossed(app: Flask, make_campaign: Callable[..., Campaign],
            full_answers: Callable[..., Answers]) -> tuple[Campaign, list[Answers]]:
    """Ten respondents: five staff and five managers, five in sales and five in IT, so
    each column alone is safe, but one member of staff is the only one in IT and one
    manager the only one in sales."""
    campaign = make_campaign(org_name="Crossed Ltd")
    people = (
        [person(full_answers, n, seniority="staff", function="sales") for n in range(4)]
        + [person(full_answers, 4, seniority="staff", function="it")]
        + [person(full_answers, 5, seniority="manager", function="sales")]
        + [person(full_answers, n, seniority="manager", function="it") for n in range(6, 10)]
    )
    store(app, campaign, people)
    return campaign, people


def test_csv_has_the_stored_answers_and_no_small_profile_group(
    app: Flask, crossed: tuple[Campaign, list[Answers]],
) -> None:
    campaign, people = crossed
    raw = Counter(tuple(p[key] for key in PROFILE) for p in people)
    assert min(raw.values()) == 1  # without coarsening, two people would stand alone

    exported = export(app, campaign, "csv")
    rule_line, header, rows = read_csv(exported.content)
    assert header == COLUMNS
    assert len(rows) == len(people)
    # Every answer outside the profile is exactly what was stored, row for row.
    outside = [i for i, key in enumerate(COLUMNS) if key not in PROFILE]
    expected = sorted(tuple(as_cell(COLUMNS[i], p.get(COLUMNS[i])) for i in outside)
                      for p in people)
    assert sorted(tuple(row[i] for i in outside) for row in rows) == expected
    # The oracle: count the profile groups of the export itself.
    profile_at = [COLUMNS.index(key) for key in PROFILE]
    groups = Counter(tuple(row[i] for i in profile_at) for row in rows)
    assert min(groups.values()) >= 5, groups
    # Seniority is kept (the first of two equally useful columns), function hidden.
    assert groups == {("staff", HIDDEN, "millennial", "PL"): 5,
                      ("manager", HIDDEN, "millennial", "PL"): 5}
    by_answers = {tuple(as_cell(COLUMNS[i], p.get(COLUMNS[i])) for i in outside): p
                  for p in people}
    for row in rows:  # a value shown is the person's own
        truth = by_answers[tuple(row[i] for i in outside)]
        assert all(row[i] in (HIDDEN, truth[key]) for i, key in zip(profile_at, PROFILE,
                                                                     strict=True))
    assert rule_line.startswith("# Responses of campaign")
    assert ("Anonymity threshold 5: every combination of the profile columns shown is "
            "shared by at least 5 rows (seniority: shown; function: hidden (*); "
            "generation: shown; country: shown).") in rule_line
    assert exported.rule.as_dict()["profile_columns"] == {
        "seniority": "shown", "function": "hidden", "generation": "shown", "country": "shown"}


def test_rare_values_are_hidden_with_their_complement(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers],
) -> None:
    campaign = make_campaign(org_name="=HYPERLINK(\"http://example.invalid\")")
    people = (
        [person(full_answers, n, seniority="staff", function="sales") for n in range(5)]
        + [person(full_answers, n, seniority="manager", function="sales",
                  generation="gen_x") for n in range(5, 10)]
        # One senior leader in IT of the baby-boomer generation from Latvia, one member
        # of staff from the United Kingdom: each would stand alone.
        + [person(full_answers, 10, seniority="senior_leader", function="it",
                  generation="baby_boomer", country="LV")]
        + [person(full_answers, 11, seniority="staff", function="sales", country="GB")]
    )
    store(app, campaign, people)
    csv_export = export(app, campaign, "csv")
    _, header, rows = read_csv(csv_export.content)
    profile_at = [COLUMNS.index(key) for key in PROFILE]
    groups = Counter(tuple(row[i] for i in profile_at) for row in rows)
    # By hand: seniority staff 6, manager 5, senior leader 1 -> the one senior leader is
    # hidden, and with them the next rarest (managers), so '*' is not one person either;
    # the same for generation; function (11 + 1) and country (10 + 1 + 1) end up hidden.
    assert groups == {("staff", HIDDEN, "millennial", HIDDEN): 6,
                      (HIDDEN, HIDDEN, HIDDEN, HIDDEN): 6}
    assert csv_export.rule.as_dict()["profile_columns"] == {
        "seniority": "rare_values_hidden", "function": "hidden",
        "generation": "rare_values_hidden", "country": "hidden"}

    xlsx = export(app, campaign, "xlsx")
    assert xlsx.filename == f"campaign-{campaign.id}-responses.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["responses", "about"]
    sheet_rows = [[cell if cell is not None else "" for cell in row]
                  for row in workbook["responses"].iter_rows(values_only=True)]
    assert sheet_rows == [header, *rows]
    about = {row[0].value: row[1] for row in workbook["about"].iter_rows()}
    assert about["anonymity threshold"].value == 5
    assert about["rule"].value == csv_export.rule.describe()
    assert about["profile column seniority"].value == "rare_values_hidden"
    # The organisation's name is text, never a formula.
    assert about["organisation"].value.startswith("=HYPERLINK")
    assert about["organisation"].data_type == "s"


def test_json_is_the_engines_figures(
    app: Flask, crossed: tuple[Campaign, list[Answers]],
) -> None:
    campaign, people = crossed
    exported = export(app, campaign, "json")
    assert exported.media_type == "application/json"
    data = json.loads(exported.content)
    assert data.pop("export") == {
        "rule": "engine_suppression", "threshold": 5, "hidden_value": HIDDEN,
        "profile_columns": {}, "exported_on": utc_today().isoformat()}
    with app.app_context():
        figures = campaign_statistics(db.session(), app.extensions["questionnaires"],
                                      campaign.id)
    assert data == json.loads(json.dumps(figures, default=str))
    assert data["responses"]["n"] == len(people) and data["suppressed"] is False


def test_another_organisations_data_never_appear(
    app: Flask, crossed: tuple[Campaign, list[Answers]], make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers],
) -> None:
    campaign, people = crossed
    other = make_campaign(org_name="Elsewhere Holdings")
    # The other organisation answers what no one of ours does: everyone can code.
    store(app, other, [full_answers(cap_coding="everyone", seniority="staff")] * 6)
    assert not any(p["cap_coding"] == "everyone" for p in people)
    for fmt in FORMATS:
        content = export(app, campaign, fmt).content
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(content))
            cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True)
                     for c in row]
            assert "Elsewhere Holdings" not in cells
            assert len(list(book["responses"].iter_rows())) == len(people) + 1
        else:
            assert b"Elsewhere Holdings" not in content
    _, header, rows = read_csv(export(app, campaign, "csv").content)
    coding = header.index("cap_coding")
    assert len(rows) == len(people) and "everyone" not in {row[coding] for row in rows}


def test_under_the_threshold_no_row_is_exported(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers],
) -> None:
    campaign = make_campaign()
    store(app, campaign, [person(full_answers, n, seniority="staff") for n in range(4)])
    with app.app_context():
        for export_rows in (responses_csv, responses_xlsx):
            with pytest.raises(ExportRefused, match="4 responses, fewer than its anonymity "
                                                    "threshold of 5"):
                export_rows(db.session(), app.extensions["questionnaires"], campaign.id)
        data = json.loads(results_json(db.session(), app.extensions["questionnaires"],
                                       campaign.id).content)
    assert data["suppressed"] is True and "results" not in data


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.sampled_from(["x", "y"]),
                          st.sampled_from(["p", "q", "r", "s"])), min_size=3, max_size=40),
       st.integers(min_value=2, max_value=6))
def test_coarsened_profiles_never_show_a_small_group(
    rows: list[tuple[str | None, str, str]], threshold: int,
) -> None:
    if len(rows) < threshold:
        return
    keys = ["one", "two", "three"]
    profiles: list[dict[str, str | None]] = [dict(zip(keys, row, strict=True)) for row in rows]
    coarse, treatments = coarsen_profiles(profiles, keys, threshold)
    groups = Counter(tuple(p[k] for k in keys) for p in coarse)
    assert min(groups.values()) >= threshold
    for before, after in zip(profiles, coarse, strict=True):
        assert all(after[k] in (HIDDEN, before[k]) for k in keys)
    for key in keys:
        values = {p[key] for p in coarse}
        if treatments[key] == "shown":
            assert HIDDEN not in values
        elif treatments[key] == "hidden":
            assert values == {HIDDEN}


def test_cli_exports_and_refuses_clearly(
    app: Flask, runner: FlaskCliRunner, crossed: tuple[Campaign, list[Answers]],
    tmp_path: Path,
) -> None:
    assert CLI_FORMATS == FORMATS
    campaign, people = crossed
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", "--campaign", str(campaign.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "Anonymity threshold 5" in result.output
    assert out.read_bytes() == export(app, campaign, "csv").content
    xlsx = tmp_path / "data.bin"
    result = runner.invoke(args=["export", "--campaign", str(campaign.id), "--format",
                                 "xlsx", "-o", str(xlsx)])
    assert result.exit_code == 0 and xlsx.read_bytes()[:2] == b"PK"
    (tmp_path / "link.csv").symlink_to(tmp_path / "elsewhere.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    for args, code, message in (
        (["--campaign", "999999", "-o", str(tmp_path / "x.json")], 1,
         "no campaign with id 999999"),
        (["--campaign", str(campaign.id), "-o", str(tmp_path / "x.txt")], 2,
         "give --format json|csv|xlsx"),
        (["--campaign", str(campaign.id), "--format", "pdf", "-o", str(out)], 2,
         "'pdf' is not one of"),
        (["--campaign", str(campaign.id), "-o", str(tmp_path / "missing" / "x.csv")], 1,
         "does not exist"),
        (["--campaign", "abc", "-o", str(out)], 2, "'abc' is not a valid integer"),
        (["--campaign", str(campaign.id), "-o", str(tmp_path / "link.csv")], 1,
         "it is a symbolic link"),
        (["--campaign", str(campaign.id), "-o", str(tmp_path / "pipe.csv")], 1,
         "it is not a regular file"),
    ):
        result = runner.invoke(args=["export", *args])
        assert result.exit_code == code, result.output
        assert message in result.output
    assert not (tmp_path / "elsewhere.csv").exists()
    assert (tmp_path / "link.csv").is_symlink()


def test_exports_hold_names_with_control_characters_and_run_no_formula(
    app: Flask, crossed: tuple[Campaign, list[Answers]],
) -> None:
    from assessment.models import Organisation

    campaign, _ = crossed
    with app.app_context():
        # Names stored before names were cleaned (or written straight into the database).
        stored = db.session.get(Campaign, campaign.id)
        stored.name = "Spring\x1b[31m\x07 2026"
        db.session.get(Organisation, stored.organisation_id).name = "=HYPERLINK(\"x\")"
        db.session.commit()
    book = openpyxl.load_workbook(io.BytesIO(export(app, campaign, "xlsx").content))
    about = {row[0].value: row[1] for row in book["about"].iter_rows()}
    assert about["campaign"].value == f"{campaign.id}: Spring[31m 2026"
    assert about["organisation"].value == "=HYPERLINK(\"x\")"
    assert about["organisation"].data_type == "s"  # text, never a formula


def test_csv_cells_that_would_run_as_formulas_are_escaped_and_read_back() -> None:
    from assessment.io.exports import inert_csv_cell
    from assessment.io.importing import read_table

    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "plain", "it's", "'quoted", 5, None]
    escaped = [inert_csv_cell(value) for value in cells]
    assert escaped == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "plain", "it's",
                       "'quoted", 5, None]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([["a", "b", "c", "d"], escaped[:4]])
    table = read_table(out.getvalue().encode("utf-8"), "back.csv")
    assert table[1] == (2, ["=1+1", "+1", "-1", "@SUM(A1)"])
