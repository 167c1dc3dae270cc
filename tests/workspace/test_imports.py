"""Importing answers from the campaign page: upload, preview, confirm (the file format
itself is tested through the CLI in tests/test_import.py, which is the oracle here)."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from assessment.extensions import db
from assessment.io.templates import csv_template, xlsx_template
from assessment.jobqueue import stop_thread_runner
from assessment.models import Campaign, ImportJob
from assessment.operations.imports import progress_path, upload_path
from tests.conftest import csrf_token
from tests.test_import import (
    ITEM_KEYS,
    Q,
    answers_csv,
    cells,
    response_count,
    run_import,
    stored,
    write_csv,
)
from tests.test_jobs import redis_app, run_burst_worker  # noqa: F401  (a fixture)
from tests.workspace.conftest import World, form_token

MakeAnswers = Callable[..., dict[str, Any]]
WAIT = 180  # seconds a big import may take on a busy machine
ROW = re.compile(r"<tr><td class=\"num\">(.*?)</td><td>(.*?)</td><td lang=\"en\">(.*?)</td></tr>",
                 re.S)


def post_file(client: FlaskClient, campaign_id: int, path: Path) -> Any:
    """Post a file through the campaign page's form."""
    # Encoded here in memory: the test client spools a big body to a temporary file
    # that it never closes (a ResourceWarning, an error under -W error).
    with path.open("rb") as handle:
        boundary, body = encode_multipart({"csrf_token": form_token(client),
                                           "file": FileStorage(handle, path.name)})
    return client.post(f"/campaigns/{campaign_id}/imports", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def upload(client: FlaskClient, campaign_id: int, path: Path) -> Any:
    """Post a file through the campaign page's form; the page it leads to."""
    posted = post_file(client, campaign_id, path)
    assert posted.status_code == 302, posted.text
    return posted.headers["Location"]


def confirm(client: FlaskClient, page_url: str, digest: str | None = None) -> Any:
    page = client.get(page_url).text
    found = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page)
    assert found, "the page offers no confirmation"
    return client.post(page_url + "/confirm", data={
        "csrf_token": csrf_token(page), "digest": digest or found.group(1)})


def page_problems(text: str) -> list[str]:
    """The problems a page lists, written as the CLI writes them."""
    lines = []
    for row, column, message in ROW.findall(text):
        where = [f"row {row}"] if row != "–" else []
        where += [f"column {html.unescape(column)}"] if column != "–" else []
        message = html.unescape(message)
        lines.append(f"{', '.join(where)}: {message}" if where else message)
    return lines


def bad_file(tmp_path: Path, full_answers: MakeAnswers) -> Path:
    columns = [*ITEM_KEYS, "locale", "submitted_on"]
    return write_csv(tmp_path / "bad.csv", [columns, *[
        cells(full_answers(), columns),
        cells(full_answers(cap_data="lots"), columns),
        cells(full_answers(seniority=None, voc_methods=["surveys", "telepathy"]), columns),
        cells(full_answers(locale="xx", submitted_on="2025-01-02 10:30"), columns),
        cells(full_answers(vision_clear="yes;no"), columns),
    ]])


def test_preview_lists_exactly_the_cli_s_problems(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    runner: FlaskCliRunner, full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    path = bad_file(tmp_path, full_answers)
    cli = run_import(runner, path, world.campaign)
    assert cli.exit_code == 1
    expected = [line.removeprefix(f"{path}: ") for line in cli.stderr.splitlines()[:-1]]
    assert len(expected) == 6
    client = signed_in("consultant")
    page_url = upload(client, world.campaign, path)
    page = client.get(page_url)
    assert page.status_code == 200
    assert page_problems(page.text) == expected
    assert "The file has 6 problems; nothing was stored." in page.text
    assert 'name="digest"' not in page.text  # nothing to confirm
    assert response_count(app, world.campaign) == 0
    # A refused file is not kept on the server.
    with app.app_context():
        job = db.session.scalars(select(ImportJob)).one()
        assert job.status == "rejected" and not upload_path(job).exists()
    # Confirming it anyway stores nothing.
    with app.app_context():
        digest = db.session.scalars(select(ImportJob.digest)).one()
    refused = client.post(page_url + "/confirm", data={"csrf_token": form_token(client),
                                                        "digest": digest})
    assert refused.status_code == 409
    assert response_count(app, world.campaign) == 0


def test_header_problems_and_whole_file_problems_match_the_cli(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    runner: FlaskCliRunner, full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    client = signed_in("hr")
    header = write_csv(tmp_path / "header.csv", [
        ["cap_dta", *ITEM_KEYS[1:], "Respondent name", "country"],
        [*cells(full_answers())[:-1], "PL", "Jan Kowalski", "PL"]])
    empty = write_csv(tmp_path / "empty.csv", [ITEM_KEYS])
    wrong = tmp_path / "answers.txt"
    wrong.write_text("cap_data\neveryone\n")
    for path in (header, empty, wrong):
        cli = run_import(runner, path, world.campaign)
        expected = [line.removeprefix(f"{path}: ") for line in cli.stderr.splitlines()[:-1]]
        assert expected
        page = client.get(upload(client, world.campaign, path))
        assert page_problems(page.text) == expected, path.name


def test_good_file_previews_then_stores_exactly_what_the_cli_stores(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    respondents = [full_answers(cap_data="everyone", generation="gen_z"),
                   full_answers(cap_data="few", voc_methods=["surveys", "reviews"]),
                   full_answers(seniority="staff", country=None)] * 4
    path = answers_csv(tmp_path / "answers.csv", respondents)
    client = signed_in("consultant")
    with app.app_context():
        version = db.session.get(Campaign, world.campaign).data_version
    page_url = upload(client, world.campaign, path)
    page = client.get(page_url + "?lang=pl").text
    assert "12" in page and response_count(app, world.campaign) == 0
    # The first rows, answers as the questionnaire's labels in the reader's language.
    rows = re.findall(r'<tr><th scope="row" class="num">(\d+)</th>(.*?)</tr>', page, re.S)
    assert [number for number, _ in rows] == [str(n) for n in range(2, 12)]
    first = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", rows[0][1])]
    labels = [item.key for item in Q.profile_items()] + [
        item.key for item in Q.items() if not item.profile]
    by_key = dict(zip(labels, first[2:], strict=True))
    spread = Q.scales[Q.item("cap_data").scale]
    assert by_key["cap_data"] == spread.option("everyone").label["pl"]
    generation = Q.scales[Q.item("generation").scale]
    assert by_key["generation"] == generation.option("gen_z").label["pl"]
    second = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", rows[1][1])]
    methods = Q.scales[Q.item("voc_methods").scale]
    assert dict(zip(labels, second[2:], strict=True))["voc_methods"] == "; ".join(
        methods.option(code).label["pl"] for code in ("surveys", "reviews"))
    assert response_count(app, world.campaign) == 0

    client.get(page_url + "?lang=en")  # the language is remembered: back to English
    stored_page = confirm(client, page_url)
    assert stored_page.status_code == 302
    assert stored_page.headers["Location"] == f"/campaigns/{world.campaign}"
    assert "12 responses imported." in client.get(f"/campaigns/{world.campaign}").text
    assert response_count(app, world.campaign) == 12
    with app.app_context():
        assert db.session.get(Campaign, world.campaign).data_version > version
        job = db.session.scalars(select(ImportJob)).one()
        assert job.status == "done" and job.preview is None
        assert not upload_path(job).exists() and not progress_path(job.id).exists()
    # The oracle: the CLI importing the same file into another campaign.
    other = make_campaign()
    assert run_import(runner, path, other.id).exit_code == 0
    assert stored(app, world.campaign) == stored(app, other.id)
    # Confirming again stores nothing more.
    again = client.post(page_url + "/confirm", data={"csrf_token": form_token(client),
                                                      "digest": job.digest})
    assert again.status_code == 409
    assert response_count(app, world.campaign) == 12


def test_stale_tampered_and_foreign_confirmations_are_refused(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    path = answers_csv(tmp_path / "answers.csv", [full_answers()] * 3)
    client = signed_in("consultant")
    page_url = upload(client, world.campaign, path)
    # A confirmation naming another file.
    assert confirm(client, page_url, digest="0" * 64).status_code == 409
    # Someone else, even of the same organisation, or of another: the same 404.
    for role in ("hr", "hr_other", "consultant_other", "admin"):
        other = signed_in(role)
        assert other.get(page_url).status_code == 404, role
        assert other.post(page_url + "/confirm", data={
            "csrf_token": form_token(other), "digest": "0" * 64}).status_code == 404, role
    # The same upload under another campaign of the organisation: not there.
    job_id = page_url.rsplit("/", 1)[1]
    assert client.get(f"/campaigns/{world.token_campaign}/imports/{job_id}").status_code == 404
    assert client.get(f"/campaigns/{world.campaign}/imports/not-a-job").status_code == 404
    # The kept file changed on the server since the preview.
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        file = upload_path(job)
    file.write_bytes(file.read_bytes() + b"\r\n")
    assert confirm(client, page_url).status_code == 409
    assert response_count(app, world.campaign) == 0
    # An expired preview.
    later_url = upload(client, world.campaign, path)
    with app.app_context():
        later = db.session.get(ImportJob, later_url.rsplit("/", 1)[1])
        later.expires_at = dt.datetime(2000, 1, 1)
        db.session.commit()
    assert client.get(later_url).status_code == 410
    assert client.post(later_url + "/confirm", data={
        "csrf_token": form_token(client), "digest": "0" * 64}).status_code == 410
    assert response_count(app, world.campaign) == 0
    # Expired uploads are deleted (with their files) by the next upload.
    with app.app_context():
        kept = upload_path(db.session.get(ImportJob, later_url.rsplit("/", 1)[1]))
    assert kept.exists()
    upload(client, world.campaign, path)
    assert not kept.exists()


def test_campaign_changed_after_the_preview_stores_nothing(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    path = answers_csv(tmp_path / "answers.csv", [full_answers()] * 3)
    client = signed_in("hr")
    page_url = upload(client, world.campaign, path)
    with app.app_context():  # closed the day before yesterday: today is outside it
        campaign = db.session.get(Campaign, world.campaign)
        campaign.opens_on = dt.date.today() - dt.timedelta(days=5)
        campaign.closes_on = dt.date.today() - dt.timedelta(days=2)
        db.session.commit()
    refused = confirm(client, page_url)
    assert refused.status_code == 302
    page = client.get(refused.headers["Location"]).text
    assert "nothing was stored" in page and len(page_problems(page)) == 3
    assert response_count(app, world.campaign) == 0


def test_import_pages_of_another_organisation_are_not_found(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    path = answers_csv(tmp_path / "answers.csv", [full_answers()])
    client = signed_in("consultant")
    assert post_file(client, world.other_campaign, path).status_code == 404
    assert client.get(f"/campaigns/{world.other_campaign}/import-template.csv"
                      ).status_code == 404
    assert signed_in("anonymous").get(f"/campaigns/{world.campaign}/import-template.csv"
                                      ).status_code == 302
    assert response_count(app, world.other_campaign) == 0


def test_campaign_page_offers_the_templates(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
) -> None:
    client = signed_in("hr")
    page = client.get(f"/campaigns/{world.campaign}").text
    assert f'action="/campaigns/{world.campaign}/imports"' in page
    assert 'enctype="multipart/form-data"' in page
    csv_file = client.get(f"/campaigns/{world.campaign}/import-template.csv")
    assert csv_file.status_code == 200 and csv_file.data == csv_template(Q)
    xlsx = client.get(f"/campaigns/{world.campaign}/import-template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:4] == b"PK\x03\x04"
    assert len(xlsx.data) == pytest.approx(len(xlsx_template(Q)), abs=64)
    assert client.get(f"/campaigns/{world.campaign}/import-template.xls").status_code == 404
    # No file chosen.
    missing = client.post(f"/campaigns/{world.campaign}/imports",
                          data={"csrf_token": form_token(client)})
    assert missing.status_code == 422
    assert "Choose a CSV or XLSX file to upload." in missing.text


def test_upload_over_the_limit_gets_a_clear_413(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient], tmp_path: Path,
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2**20
    path = tmp_path / "big.csv"
    path.write_bytes(b"cap_data\n" + b"everyone\n" * 200_000)
    client = signed_in("consultant")
    refused = post_file(client, world.campaign, path)
    assert refused.status_code == 413
    assert "The file is larger than 1 MB" in refused.text
    assert response_count(app, world.campaign) == 0


def _wait(client: FlaskClient, url: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        status = client.get(url).json
        if status["status"] in statuses:
            assert status["checked_text"] == f"{status['checked']:,}"  # as English writes it
            return {key: status[key] for key in ("status", "checked", "stored", "rows",
                                                 "responses")}
        time.sleep(0.3)
    raise AssertionError(f"the import did not reach {statuses} in {WAIT} s")


def test_large_file_goes_through_the_job_queue_with_progress(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    rows = 20_000
    variants = [cells(full_answers()), cells(full_answers(cap_data="few", country="GB")),
                cells(full_answers(seniority="staff", voc_methods=[]))]
    path = write_csv(tmp_path / "large.csv",
                     [ITEM_KEYS, *(variants[n % 3] for n in range(rows))])
    assert path.stat().st_size > app.config["IMPORT_INLINE_BYTES"]
    client = signed_in("consultant")
    page_url = upload(client, world.campaign, path)
    first = client.get(page_url).text
    assert "Check again" in first or 'name="digest"' in first
    status = _wait(client, page_url + "/status", ("ready", "rejected", "failed"))
    assert status == {"status": "ready", "checked": rows, "stored": 0, "rows": rows,
                      "responses": rows}
    assert response_count(app, world.campaign) == 0
    preview = client.get(page_url).text
    assert f"{rows:,}".replace(",", "") in preview.replace(",", "").replace("\u202f", "")
    stored_now = confirm(client, page_url)
    assert stored_now.status_code == 302 and stored_now.headers["Location"] == page_url
    status = _wait(client, page_url + "/status", ("done", "rejected", "failed"))
    assert status == {"status": "done", "checked": rows, "stored": rows, "rows": rows,
                      "responses": rows}
    assert response_count(app, world.campaign) == rows
    done = client.get(page_url).text
    assert "20,000 responses imported." in done, done
    stop_thread_runner(app)  # lets the task finish: it removes the file after its commit
    with app.app_context():
        job = db.session.get(ImportJob, page_url.rsplit("/", 1)[1])
        assert job.background and not upload_path(job).exists()
        assert not progress_path(job.id).exists()


def test_background_import_on_an_rq_worker(
    redis_app: Flask, world: World, signed_in: Callable[[str], FlaskClient],  # noqa: F811
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    redis_app.config["IMPORT_INLINE_BYTES"] = 0  # every file goes through the queue
    path = answers_csv(tmp_path / "answers.csv", [full_answers(), full_answers(cap_data="few")])
    client = signed_in("hr")
    page_url = upload(client, world.campaign, path)
    waiting = client.get(page_url).text
    assert "The file is being checked; nothing is stored yet." in waiting
    assert "Check again" in waiting
    run_burst_worker(redis_app)
    assert client.get(page_url + "/status").json["status"] == "ready"
    assert response_count(redis_app, world.campaign) == 0
    assert confirm(client, page_url).headers["Location"] == page_url
    assert "The responses are being stored" in client.get(page_url).text
    run_burst_worker(redis_app)
    status = client.get(page_url + "/status").json
    assert (status["status"], status["stored"]) == ("done", 2)
    assert response_count(redis_app, world.campaign) == 2


def test_background_import_that_stops_or_cannot_be_queued_says_so(
    redis_app: Flask, world: World, signed_in: Callable[[str], FlaskClient],  # noqa: F811
    full_answers: MakeAnswers, tmp_path: Path,
) -> None:
    redis_app.config["IMPORT_INLINE_BYTES"] = 0
    path = answers_csv(tmp_path / "answers.csv", [full_answers()])
    client = signed_in("consultant")
    # Queued, but no worker ever takes it up: after ten leases it is given up.
    page_url = upload(client, world.campaign, path)
    assert client.get(page_url + "/status").json["status"] == "checking"
    with redis_app.app_context():
        job = db.session.get(ImportJob, page_url.rsplit("/", 1)[1])
        job.updated_at = dt.datetime(2000, 1, 1)
        db.session.commit()
        kept = upload_path(job)
    assert kept.exists()
    assert client.get(page_url + "/status").json["status"] == "failed"
    assert "The import was interrupted; nothing was stored." in client.get(page_url).text
    assert not kept.exists()
    # The queue cannot be reached at all.
    redis_app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    redis_app.extensions.pop("assessment.redis", None)  # the client of the old URL
    page_url = upload(client, world.campaign, path)
    page = client.get(page_url).text
    assert "The job queue cannot be reached; upload the file again later." in page
    assert response_count(redis_app, world.campaign) == 0
