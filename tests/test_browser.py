"""A real browser (Playwright driving Debian's Chromium): a respondent fills in the
questionnaire, leaves halfway, comes back, submits and sees the profile; HR signs in,
creates a campaign, watches the count rise as someone answers, reads the dashboard and
downloads the PDF report, in English and Polish, with axe-core (from npm) checking WCAG
2.1 AA on every page visited.

Chromium and axe-core are required: without them these tests fail rather than skip (CI
installs both; `make test` runs `npm ci`).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from assessment.models import Campaign

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free local port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def answer_page(page: Any, choices: dict[str, str]) -> None:
    for item, code in choices.items():
        page.check(f"input[name='{item}'][value='{code}']")


PAGE1 = {"cap_data": "everyone", "cap_cyber": "most", "cap_coding": "few", "cap_social": "some",
         "cap_analytics": "nobody", "cap_mobile": "dont_know", "cap_ecommerce": "most",
         "cap_collaboration": "everyone"}


def test_fill_leave_resume_submit(
    app: Flask, live_server: str, browser: Any, make_campaign: Callable[..., Campaign],
    tmp_path: Path,
) -> None:
    campaign = make_campaign()
    refused: list[str] = []  # what the Content-Security-Policy blocked, if anything
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    phone.on("console", lambda message: refused.append(message.text)
             if "Content Security Policy" in message.text else None)
    page = phone.new_page()
    page.goto(f"{live_server}/s/{campaign.slug}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/page/1")
    # Submitting with nothing answered shows the message next to each item.
    page.get_by_role("button", name="Next").click()
    assert page.locator("#q-cap_data .field-error").inner_text() == "Please choose an answer."
    answer_page(page, PAGE1)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/page/2")
    answer_page(page, {"vision_clear": "yes", "vision_priorities": "some"})
    page.get_by_role("button", name="Back").click()
    page.wait_for_url("**/page/1")
    assert page.is_checked("input[name='cap_coding'][value='few']")
    page.get_by_role("button", name="Next").click()
    assert page.is_checked("input[name='vision_clear'][value='yes']")
    page.get_by_text("Continue later").click()
    resume_link = page.locator("input.resume-link").input_value()
    phone.close()  # leave halfway

    laptop = browser.new_context()
    laptop.on("console", lambda message: refused.append(message.text)
              if "Content Security Policy" in message.text else None)
    page = laptop.new_page()
    page.goto(resume_link.replace("http://localhost", live_server))
    page.wait_for_url("**/page/2")
    assert page.is_checked("input[name='vision_priorities'][value='some']")
    # Keyboard only for this page: focus the first radio group and pick with arrows.
    page.focus("input[name='vision_communicated'][value='strongly_disagree']")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name='vision_communicated'][value='agree']")
    page.get_by_role("button", name="Next").click()
    answer_page(page, {"ld_understands": "no", "ld_benchmarks": "disagree", "ld_funded": "neutral"})
    page.get_by_role("button", name="Next").click()
    answer_page(page, {"cu_everyone": "partly", "cu_feedback_loop": "agree",
                       "cu_leader_insight": "agree", "cu_leader_guide": "neutral",
                       "cu_leader_exceed": "disagree", "cu_leader_own": "strongly_agree"})
    page.check("input[name='voc_methods'][value='surveys']")
    page.get_by_role("button", name="Next").click()
    answer_page(page, {"seniority": "manager", "function": "marketing"})
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/thanks")
    assert "Your capability profile" in page.content()
    # Same answers as the hand-worked example in test_scoring: index 55.36 -> "55".
    assert page.locator("p.index strong").first.inner_text() == "55"
    page.screenshot(path=str(tmp_path / "thanks.png"), full_page=True)
    laptop.close()
    assert refused == []


# --- the HR workspace -------------------------------------------------------------------

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one line each (none: [])."""
    assert AXE.is_file(), f"axe-core not found at {AXE}: run `npm ci` (make test does)"
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
    # (no inline script) does not govern, so the pages are checked as they are served.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => v.id + ': ' + v.help + ' -> ' + "
        "v.nodes.map(n => n.target.join(' ')).join(', ')))", WCAG_21_AA)
    return list(found)


def watch_for_csp_reports(page: Any) -> list[str]:
    """The Content-Security-Policy refusals Chromium reports on the page's console."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    return refused


def assert_accessible(page: Any, visited: list[str]) -> None:
    """No axe-core violation on the page; remembers the page as visited."""
    visited.append(page.url)
    problems = axe_violations(page)
    assert problems == [], f"{page.url}: {problems}"


SURVEY_PAGES = [
    PAGE1,
    {"vision_clear": "yes", "vision_priorities": "some", "vision_communicated": "agree"},
    {"ld_understands": "no", "ld_benchmarks": "disagree", "ld_funded": "neutral"},
    {"cu_everyone": "partly", "cu_feedback_loop": "agree", "cu_leader_insight": "agree",
     "cu_leader_guide": "neutral", "cu_leader_exceed": "disagree",
     "cu_leader_own": "strongly_agree"},
    {"seniority": "manager", "function": "marketing"},
]
# What the pages say, in the two languages the flow runs in.
WORDS = {
    "en": {"new": "New campaign for Acme", "count": "Responses", "dashboard": "Open the dashboard",
           "summary": "Executive summary", "thanks": "Thank you",
           "report": "Download the report", "pdf": "Download the PDF"},
    "pl": {"new": "Nowe badanie: Acme", "count": "Odpowiedzi", "dashboard": "Otwórz pulpit",
           "summary": "Podsumowanie dla kierownictwa", "thanks": "Dziękujemy",
           "report": "Pobierz raport", "pdf": "Pobierz plik PDF"},
}


def _hr_account(app: Flask) -> None:
    from assessment.extensions import db
    from assessment.operations.accounts import create_user, grant
    from assessment.operations.organisations import create_organisation

    with app.app_context():
        organisation = create_organisation("Acme", "Retail", "50-249", "PL")
        user = create_user("hr@acme.example", password="correct horse battery staple")
        grant(user, "hr", organisation)
        db.session.commit()


def _nine_more_answers(app: Flask, campaign_id: int,
                       full_answers: Callable[..., dict[str, Any]]) -> None:
    """5 staff and 4 managers: with the browser's manager, two groups of 5 to filter by."""
    from assessment.extensions import db
    from assessment.operations.responses import submit_response

    spread = ["nobody", "few", "some", "most", "everyone"]
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        for i in range(9):
            submit_response(campaign, questionnaire, full_answers(
                cap_data=spread[i % 5], cap_coding=spread[(i + 2) % 5],
                seniority="staff" if i < 5 else "manager", cu_everyone=["yes", "no"][i % 2]))
        db.session.commit()


@pytest.mark.parametrize("language", ["en", "pl"])
def test_hr_runs_a_campaign_and_reads_the_dashboard(
    app: Flask, live_server: str, browser: Any, language: str,
    full_answers: Callable[..., dict[str, Any]], tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    _hr_account(app)
    words = WORDS[language]
    visited: list[str] = []
    hr = browser.new_context(locale="pl-PL" if language == "pl" else "en-GB")
    page = hr.new_page()
    refused = watch_for_csp_reports(page)
    page.goto(f"{live_server}/login?lang={language}")
    assert_accessible(page, visited)
    # Sign in with the keyboard only.
    page.focus("#email")
    page.keyboard.type("hr@acme.example")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.wait_for_url("**/campaigns/")
    assert_accessible(page, visited)

    page.get_by_role("link", name=words["new"]).click()
    page.wait_for_url("**/campaigns/new/*")
    assert_accessible(page, visited)
    page.fill("#name", "Autumn survey")
    page.fill("#invited", "10")
    page.check("input[name='mode'][value='open']")
    page.locator("main form button.primary").click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    assert_accessible(page, visited)
    campaign_id = int(page.url.rsplit("/", 1)[1])
    open_link = page.locator("#open-link").input_value()
    counts = page.locator("[data-count='responses']")
    expect(counts).to_have_text("0")

    # A respondent answers in another browser context (no account, any language).
    respondent = browser.new_context()
    survey = respondent.new_page()
    survey.goto(open_link.replace("http://localhost", live_server) + f"?lang={language}")
    assert_accessible(survey, visited)
    survey.locator("button[name='start']").click()
    for number, choices in enumerate(SURVEY_PAGES, start=1):
        survey.wait_for_url(f"**/page/{number}")
        answer_page(survey, choices)
        if number == 1:
            assert_accessible(survey, visited)
        survey.locator("button[name='action'][value='next']").click()
    survey.wait_for_url("**/thanks")
    assert words["thanks"] in survey.content()
    assert_accessible(survey, visited)
    respondent.close()

    # The count on HR's open page rises by itself (static/workspace.js polls).
    expect(counts).to_have_text("1", timeout=15_000)
    expect(page.locator("[data-count='rate_text']")).to_have_text("10.0%")

    _nine_more_answers(app, campaign_id, full_answers)
    page.get_by_role("link", name=words["dashboard"]).click()
    page.wait_for_url(f"**/campaigns/{campaign_id}/dashboard")
    expect(page.get_by_role("heading", name=words["summary"])).to_be_visible()
    charts = page.locator("figure.chart img")
    assert charts.count() >= 4
    assert all(charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
               for i in range(charts.count()))  # the SVG charts really load
    assert_accessible(page, visited)
    page.screenshot(path=str(tmp_path / f"dashboard-{language}.png"), full_page=True)
    # One group at a time, from the offered list only (keyboard: choose and submit).
    page.select_option("#group", "seniority:staff")
    page.locator(".filter-form button").press("Enter")
    page.wait_for_url("**/dashboard?group=seniority*")
    assert page.locator("#group").input_value() == "seniority:staff"
    assert_accessible(page, visited)

    # Download the report in the page's language: queued, rendered, offered.
    page.get_by_role("button", name=words["report"]).click()
    page.wait_for_url(f"**/campaigns/{campaign_id}/reports/*")
    assert_accessible(page, visited)
    link = page.get_by_role("link", name=words["pdf"])
    expect(link).to_be_visible(timeout=120_000)  # static/workspace.js polls the job
    with page.expect_download() as download:
        link.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and download.value.suggested_filename == (
        f"campaign-{campaign_id}-report-{language}.pdf")
    assert_accessible(page, visited)

    page.goto(f"{live_server}/campaigns/{campaign_id}/edit")
    assert_accessible(page, visited)
    page.goto(f"{live_server}/account")
    assert_accessible(page, visited)
    # An API token: made on the account page, shown once, used by a script, revoked.
    page.fill("#name", "export script")
    page.click("form[action$='/account/tokens'] button")
    token = page.input_value("#new-token")
    assert_accessible(page, visited)
    api = page.request.get(f"{live_server}/api/v1/organisations",
                           headers={"Authorization": f"Bearer {token}"})
    assert api.status == 200 and [o["name"] for o in api.json()["items"]] == ["Acme"]
    page.click("form[action$='/revoke'] button")
    assert page.locator("#new-token").count() == 0
    assert page.request.get(f"{live_server}/api/v1/organisations", headers={
        "Authorization": f"Bearer {token}"}).status == 401
    assert len(visited) == 14
    assert refused == []  # nothing the pages need is blocked by their own policy
    hr.close()


@pytest.mark.parametrize("language", ["ru", "zh", "lv"])
def test_workspace_pages_pass_axe_in_the_other_languages(
    app: Flask, live_server: str, browser: Any, language: str,
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    import datetime as dt

    from sqlalchemy import select

    from assessment.extensions import db
    from assessment.models import Organisation
    from assessment.operations.campaigns import open_campaign
    from tests.workspace.conftest import finished_report

    _hr_account(app)
    with app.app_context():
        acme = db.session.scalar(select(Organisation).where(Organisation.name == "Acme"))
        assert acme is not None
        campaign = open_campaign(acme, app.extensions["questionnaires"].get("digiskills"),
                                 "Spring", dt.date.today(), invited=20)
        db.session.commit()
        campaign_id, organisation_id = campaign.id, acme.id
        job = finished_report(campaign_id)
    _nine_more_answers(app, campaign_id, full_answers)
    context = browser.new_context()
    page = context.new_page()
    refused = watch_for_csp_reports(page)
    visited: list[str] = []
    page.goto(f"{live_server}/login?lang={language}")
    assert_accessible(page, visited)
    page.fill("#email", "hr@acme.example")
    page.fill("#password", "correct horse battery staple")
    page.locator("main form button.primary").click()
    page.wait_for_url("**/campaigns/")
    for path in ("/campaigns/", f"/campaigns/new/{organisation_id}",
                 f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/edit",
                 f"/campaigns/{campaign_id}/delete", f"/campaigns/{campaign_id}/dashboard",
                 f"/campaigns/{campaign_id}/dashboard?group=seniority:staff",
                 f"/campaigns/{campaign_id}/reports/{job}", "/account"):
        page.goto(live_server + path)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, visited)
    assert len(visited) == 10
    assert refused == []
    context.close()
