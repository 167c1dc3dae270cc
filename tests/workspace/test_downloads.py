"""The report's job page and the exports, through the pages (the queue itself is tested
in tests/test_jobs.py)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from assessment.extensions import db
from assessment.models import ReportJob
from tests.workspace.conftest import World, add_responses, form_token

WAIT = 120  # seconds a rendering may take on a busy machine


def _wait(client: FlaskClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        status = client.get(url).json
        if status["ready"] or status["status"] == "failed":
            return dict(status)
        time.sleep(0.5)
    raise AssertionError(f"the job did not finish in {WAIT} s")


def test_report_is_rendered_in_the_chosen_language(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    add_responses(app, world.campaign, [full_answers()] * 5)
    client = signed_in("hr")
    asked = client.post(f"/campaigns/{world.campaign}/report",
                        data={"csrf_token": form_token(client), "language": "pl"})
    assert asked.status_code == 302
    page_url = asked.headers["Location"]
    page = client.get(page_url)
    assert page.status_code == 200 and "workspace.js" in page.text
    assert "data-report-job=" in page.text
    assert _wait(client, page_url + "/status") == {"status": "done", "ready": True,
                                                   "error": None}
    ready = client.get(page_url).text
    link = ready.split("data-job-file")[1].split(">")[0]
    assert "The report is ready." in ready and "hidden" not in link
    pdf = client.get(page_url + "/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == (
        f'attachment; filename="campaign-{world.campaign}-report-pl.pdf"')
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Acme" in text and "Podsumowanie dla kierownictwa" in " ".join(text.split())
    # Asked again with the same data and language: the same finished job.
    again = client.post(f"/campaigns/{world.campaign}/report",
                        data={"csrf_token": form_token(client), "language": "pl"})
    assert again.headers["Location"] == page_url


def test_job_pages_refuse_what_is_not_there(app: Flask, world: World,
                                            signed_in: Callable[[str], FlaskClient]) -> None:
    client = signed_in("consultant")
    # The finished job of campaign A, asked for under another campaign of the same
    # organisation: not there.
    wrong = client.get(f"/campaigns/{world.token_campaign}/reports/{world.job}")
    assert wrong.status_code == 404
    assert client.get(f"/campaigns/{world.campaign}/reports/not-a-job").status_code == 404
    bad = client.post(f"/campaigns/{world.campaign}/report",
                      data={"csrf_token": form_token(client), "language": "de"})
    assert bad.status_code == 422
    assert "Choose one of the options on the list." in bad.text


def test_a_failed_job_says_why_in_the_reader_s_language(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
) -> None:
    with app.app_context():
        job = db.session.get(ReportJob, world.job)
        job.status, job.error_code, job.error = "failed", "render_failed", "boom"
        db.session.commit()
    client = signed_in("hr")
    url = f"/campaigns/{world.campaign}/reports/{world.job}"
    assert client.get(url + "/status").json == {
        "status": "failed", "ready": False, "error": "The report could not be rendered."}
    page = client.get(url + "?lang=pl").text
    assert "Nie udało się przygotować raportu." in page
    assert client.get(url + "/file").status_code == 409
    assert "Ask again" not in page and 'action="/campaigns/' in page


def test_exports_of_the_organisation_s_own_data(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    add_responses(app, world.campaign, [full_answers(seniority="staff")] * 6)
    add_responses(app, world.other_campaign, [full_answers(seniority="manager")] * 5)
    client = signed_in("hr")
    results = client.get(f"/campaigns/{world.campaign}/export.json")
    assert results.status_code == 200 and results.mimetype == "application/json"
    figures = json.loads(results.data)
    assert figures["responses"]["n"] == 6 and figures["campaign"]["organisation"] == "Acme"
    assert figures["export"]["threshold"] == 5
    table = client.get(f"/campaigns/{world.campaign}/export.csv")
    assert table.status_code == 200
    lines = table.text.splitlines()
    assert lines[0].lstrip('"').startswith("# Responses of campaign")  # and its rule
    rows = list(csv.reader(lines[1:]))
    assert len(rows) == 1 + 6 and "cap_data" in rows[0]
    book = load_workbook(io.BytesIO(client.get(f"/campaigns/{world.campaign}/export.xlsx").data))
    assert book.sheetnames[0] == "responses" and book["responses"].max_row == 1 + 6
    assert client.get(f"/campaigns/{world.campaign}/export.pdf").status_code == 404
