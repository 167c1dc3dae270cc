"""The comparison page against the CLI's comparison JSON (the oracle), the comparison PDF
through the report queue, and the benchmark pool by consent (recomputed with numpy from
the consenting organisations' answers)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader

from assessment.extensions import db
from assessment.models import Campaign, Organisation, User
from tests.workspace.conftest import add_responses, add_user, form_token, sign_in_as
from tests.workspace.test_portfolio import high, low

WAIT = 180  # seconds a rendering may take on a busy machine


def _client(app: Flask, user_id: int) -> FlaskClient:
    client = app.test_client()
    sign_in_as(app, client, user_id)
    return client


@pytest.fixture
def pool(app: Flask, make_campaign: Callable[..., Campaign],
         full_answers: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Six organisations, ten respondents each, k of them scoring 100 and the rest 0 on
    the index: consenting ones with index 30, 40, 50, 60, 70 and one that has not agreed
    with 100; a seventh, consenting, under its threshold (3 responses); and a
    consultant of all of them."""
    made = {}
    for name, highs, consent in (("Org 30", 3, True), ("Org 40", 4, True),
                                 ("Org 50", 5, True), ("Org 60", 6, True),
                                 ("Org 70", 7, True), ("Holdout", 10, False)):
        campaign = make_campaign(org_name=name, benchmark_consent=consent)
        add_responses(app, campaign.id,
                      [high(full_answers)] * highs + [low(full_answers)] * (10 - highs))
        made[name] = campaign
    small = make_campaign(org_name="Small", benchmark_consent=True)
    add_responses(app, small.id, [full_answers()] * 3)
    made["Small"] = small
    with app.app_context():
        organisations = [db.session.get(Organisation, c.organisation_id) for c in made.values()]
        consultant = add_user("consultant@compare.example",
                              [("consultant", o) for o in organisations])
        db.session.commit()
        made_ids = {name: c.id for name, c in made.items()}
        return {"campaigns": made_ids, "consultant": consultant.id,
                "organisations": {name: c.organisation_id for name, c in made.items()}}


def _cli_json(runner: FlaskCliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(args=["stats", *args, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def _page_values(page: str) -> dict[int, dict[str, float]]:
    """campaign id -> dimension -> the raw mean in the page's data attributes."""
    values: dict[int, dict[str, float]] = {}
    for campaign, body in re.findall(r'<tr data-campaign="(\d+)">(.*?)</tr>', page, re.S):
        for key, value in re.findall(r'data-dimension="(\w+)" data-value="([^"]+)"', body):
            values.setdefault(int(campaign), {})[key] = float(value)
    return values


def test_comparison_page_shows_the_cli_s_figures(app: Flask, runner: FlaskCliRunner,
                                                 pool: dict[str, Any]) -> None:
    ids = [pool["campaigns"][n] for n in ("Org 30", "Org 70", "Small", "Holdout")]
    oracle = _cli_json(runner, *[a for i in ids for a in ("--campaign", str(i))])
    client = _client(app, pool["consultant"])
    page = client.get("/portfolio/compare?" + "&".join(f"campaign={i}" for i in ids))
    assert page.status_code == 200, page.text[:500]
    shown = _page_values(page.text)
    expected: dict[int, dict[str, float]] = {}
    for stats in oracle["campaigns"]:
        if stats["suppressed"]:
            continue
        expected[stats["campaign"]["id"]] = {
            key: cell["mean"] for key, cell in stats["results"]["dimensions"].items()
            if not cell.get("suppressed")}
    assert shown == expected
    # Under its threshold: on the page, but withheld (as in the JSON).
    assert pool["campaigns"]["Small"] not in shown
    assert "fewer than 5 responses: results withheld" in page.text
    assert f'data-pool-size="{oracle["benchmark"]["organisations"]}"' in page.text
    # By organisation (their newest campaign), the same figures.
    organisations = [pool["organisations"][n] for n in ("Org 30", "Org 70")]
    by_org = client.get("/portfolio/compare?" + "&".join(f"org={i}" for i in organisations))
    assert _page_values(by_org.text) == {i: expected[i] for i in ids[:2]}


@pytest.mark.parametrize("query", ["campaign=1", "campaign=x", "campaign=-3",
                                   "org=1.5", "campaign=" + "9" * 30])
def test_comparison_refuses_bad_choices(app: Flask, pool: dict[str, Any], query: str) -> None:
    client = _client(app, pool["consultant"])
    own = pool["campaigns"]["Org 30"]
    if query == "campaign=1":
        query = f"campaign={own}"  # one only
    assert client.get("/portfolio/compare?" + query).status_code in (400, 404)


def test_more_than_twenty_is_refused(app: Flask, pool: dict[str, Any]) -> None:
    client = _client(app, pool["consultant"])
    own = list(pool["campaigns"].values())
    page = client.get("/portfolio/compare?" + "&".join(f"campaign={i}" for i in own * 3))
    assert page.status_code == 200  # repeated ids count once: 7 campaigns
    with app.app_context():
        organisation = db.session.get(Organisation, pool["organisations"]["Org 30"])
        q = app.extensions["questionnaires"].get("digiskills")
        from assessment.operations.campaigns import open_campaign

        extra = [open_campaign(organisation, q, f"Round {i}", dt.date(2020, 1, 1) +
                               dt.timedelta(days=i)).id for i in range(15)]
        db.session.commit()
    many = client.get("/portfolio/compare?" + "&".join(f"campaign={i}" for i in own + extra))
    assert many.status_code == 400 and "from 2 to 20" in many.text


def _wait(client: FlaskClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        status = client.get(url).json
        if status["ready"] or status["status"] == "failed":
            return dict(status)
        time.sleep(0.5)
    raise AssertionError(f"the job did not finish in {WAIT} s")


def test_comparison_pdf_is_rendered_on_the_queue(app: Flask, pool: dict[str, Any]) -> None:
    client = _client(app, pool["consultant"])
    ids = [pool["campaigns"]["Org 40"], pool["campaigns"]["Org 60"]]
    page = client.get(f"/portfolio/compare?campaign={ids[0]}&campaign={ids[1]}")
    assert "Download the comparison PDF" in page.text
    asked = client.post("/portfolio/compare/report", data={
        "csrf_token": form_token(client), "campaigns": f"{ids[0]},{ids[1]}",
        "language": "en"})
    assert asked.status_code == 302
    job_url = asked.headers["Location"]
    assert client.get(job_url).status_code == 200
    assert _wait(client, job_url + "/status") == {"status": "done", "ready": True,
                                                  "error": None}
    pdf = client.get(job_url + "/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Org 40" in text and "Org 60" in text
    assert "Only organisations that agreed to share their results are in the pool" in text
    # Asked again with the same data: the same finished job.
    again = client.post("/portfolio/compare/report", data={
        "csrf_token": form_token(client), "campaigns": f"{ids[0]},{ids[1]}",
        "language": "en"})
    assert again.headers["Location"] == job_url
    # Someone who may not open one of the campaigns: the job is not there for them.
    with app.app_context():
        stranger = add_user("stranger@compare.example", [
            ("consultant", db.session.get(Organisation, pool["organisations"]["Org 40"]))])
        db.session.commit()
        stranger_id = stranger.id
    other = _client(app, stranger_id)
    for suffix in ("", "/status", "/file"):
        assert other.get(job_url + suffix).status_code == 404
    refused = other.post("/portfolio/compare/report", data={
        "csrf_token": form_token(other), "campaigns": f"{ids[0]},{ids[1]}", "language": "en"})
    assert refused.status_code == 404


def test_pool_holds_only_consenting_organisations(app: Flask, runner: FlaskCliRunner,
                                                  pool: dict[str, Any]) -> None:
    consenting = [30.0, 40.0, 50.0, 60.0, 70.0]  # each organisation's index, by hand
    figures = _cli_json(runner, "--pool", "digiskills")
    assert figures["organisations"] == 5
    index = figures["benchmark"]["index"]
    assert index["median"] == pytest.approx(np.percentile(consenting, 50))
    assert index["top25"] == pytest.approx(np.percentile(consenting, 75))
    assert index["top10"] == pytest.approx(np.percentile(consenting, 90))
    client = _client(app, pool["consultant"])
    ids = [pool["campaigns"]["Org 30"], pool["campaigns"]["Holdout"]]
    compare_url = f"/portfolio/compare?campaign={ids[0]}&campaign={ids[1]}"
    assert 'data-pool-size="5"' in client.get(compare_url).text  # cached from here on
    # The holdout organisation agrees, through its page.
    holdout = pool["organisations"]["Holdout"]
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    saved = client.post(f"/portfolio/{holdout}/benchmark",
                        data={"csrf_token": form_token(client), "benchmark_consent": "y"})
    assert saved.status_code == 302
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with app.app_context():
        organisation = db.session.get(Organisation, holdout)
        assert organisation.benchmark_consent is True
        assert organisation.benchmark_consent_by == pool["consultant"]
        assert before <= organisation.benchmark_consent_at <= after
        email = db.session.get(User, pool["consultant"]).email
    settings = client.get(f"/portfolio/{holdout}").text
    assert f"by {email}" in settings
    everyone = [*consenting, 100.0]
    figures = _cli_json(runner, "--pool", "digiskills")
    assert figures["organisations"] == 6
    assert figures["benchmark"]["index"]["median"] == pytest.approx(
        np.percentile(everyone, 50))
    # The page's cached figures follow (the pool's version moved on).
    assert 'data-pool-size="6"' in client.get(compare_url).text
    # And out again: unticked.
    client.post(f"/portfolio/{holdout}/benchmark", data={"csrf_token": form_token(client)})
    assert _cli_json(runner, "--pool", "digiskills")["organisations"] == 5
    assert 'data-pool-size="5"' in client.get(compare_url).text


def test_new_organisations_start_outside_the_pool_unless_synthetic(app: Flask) -> None:
    from assessment.operations.organisations import create_organisation

    with app.app_context():
        real = create_organisation("Real Ltd", "Retail", "1-49", "PL")
        demo = create_organisation("Synthetic X", "Retail", "1-49", "PL", synthetic=True)
        assert (real.benchmark_consent, demo.benchmark_consent) == (False, True)
        assert real.benchmark_consent_at is None


def test_cli_records_consent(app: Flask, runner: FlaskCliRunner) -> None:
    created = runner.invoke(args=["org", "create", "--name", "Acme", "--sector", "Retail",
                                  "--size", "1-49", "--country", "PL"])
    assert created.exit_code == 0
    listed = runner.invoke(args=["org", "list"]).output
    assert "\tPL\t-" in listed
    result = runner.invoke(args=["org", "benchmark", "--org", "Acme", "--in"])
    assert result.exit_code == 0 and "Acme is in the benchmark pool" in result.output
    assert "\tPL\tpool" in runner.invoke(args=["org", "list"]).output
    missing = runner.invoke(args=["org", "benchmark", "--org", "Nobody", "--in"])
    assert missing.exit_code != 0
