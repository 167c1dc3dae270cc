"""A consultant in a real browser (Playwright driving Debian's Chromium, axe-core on every
page): signs in, creates a client organisation and invites its HR admin, compares two
organisations side by side and downloads the comparison PDF made on the report queue."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tests.test_browser import (  # noqa: F401  (fixtures used by name)
    assert_accessible,
    browser,
    live_server,
    watch_for_csp_reports,
)

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


def _consultant_with_two_clients(app: Flask, full_answers: Callable[..., dict[str, Any]]
                                 ) -> None:
    from assessment.extensions import db
    from assessment.operations.accounts import create_user, grant
    from assessment.operations.campaigns import open_campaign
    from assessment.operations.organisations import create_organisation
    from assessment.operations.responses import submit_response

    spread = ["nobody", "few", "some", "most", "everyone"]
    with app.app_context():
        user = create_user("consultant@firm.example", password=PASSWORD)
        q = app.extensions["questionnaires"].get("digiskills")
        for name, shift in (("Acme", 0), ("Borealis", 2)):
            organisation = create_organisation(name, "Retail", "50-249", "PL",
                                               benchmark_consent=True)
            grant(user, "consultant", organisation)
            campaign = open_campaign(organisation, q, f"{name} 2026",
                                     dt.date.today() - dt.timedelta(days=5))
            for i in range(8):
                submit_response(campaign, q, full_answers(
                    cap_data=spread[(i + shift) % 5], cap_coding=spread[(i + 2 * shift) % 5]))
        db.session.commit()


def test_consultant_creates_a_client_and_compares_two_organisations(
    app: Flask, live_server: str, browser: Any,  # noqa: F811
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    from playwright.sync_api import expect

    _consultant_with_two_clients(app, full_answers)
    visited: list[str] = []
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    page = context.new_page()
    refused = watch_for_csp_reports(page)
    page.goto(f"{live_server}/login?lang=en")
    page.fill("#email", "consultant@firm.example")
    page.fill("#password", PASSWORD)
    page.locator("main form button.primary").click()
    page.wait_for_url("**/campaigns/")

    page.get_by_role("link", name="Portfolio").click()
    page.wait_for_url("**/portfolio/")
    assert_accessible(page, visited)
    expect(page.locator("table.portfolio tbody tr")).to_have_count(2)
    # Sort by index, highest first, through the column heading (no script needed).
    page.get_by_role("link", name="Index").click()
    page.wait_for_url("**/portfolio/?sort=index*")
    assert_accessible(page, visited)

    page.get_by_role("link", name="New client organisation").click()
    page.wait_for_url("**/portfolio/new")
    assert_accessible(page, visited)
    page.fill("#name", "Cirrus Logistics")
    page.fill("#sector", "Logistics")
    page.select_option("#size_band", "250-999")
    page.fill("#country", "lv")
    page.check("#benchmark_consent")
    page.locator("main form button.primary").click()
    page.wait_for_url(re.compile(r".*/portfolio/\d+$"))
    assert_accessible(page, visited)
    expect(page.get_by_role("heading", name="Cirrus Logistics")).to_be_visible()
    page.fill("#email", "hr@cirrus.example")
    page.get_by_role("button", name="Invite the HR admin").click()
    expect(page.locator("[data-invite-link]")).to_contain_text("/reset/")
    assert_accessible(page, visited)
    page.get_by_role("link", name="Back to the portfolio").click()
    expect(page.locator("table.portfolio tbody tr")).to_have_count(3)

    page.get_by_role("link", name="Compare organisations").click()
    page.wait_for_url("**/portfolio/compare")
    assert_accessible(page, visited)
    page.get_by_label("Acme: newest campaign (Acme 2026)").check()
    page.get_by_label("Borealis: newest campaign (Borealis 2026)").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url("**/portfolio/compare?*")
    expect(page.get_by_role("heading", name="Scores side by side")).to_be_visible()
    charts = page.locator("figure.chart img")
    assert charts.count() == 3
    assert all(charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
               for i in range(charts.count()))
    assert_accessible(page, visited)

    page.get_by_role("button", name="Download the comparison PDF").click()
    page.wait_for_url("**/portfolio/compare/reports/*")
    assert_accessible(page, visited)
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=180_000)  # static/workspace.js polls the job
    with page.expect_download() as download:
        link.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Acme" in text and "Borealis" in text
    assert refused == []
    context.close()


@pytest.mark.parametrize("language", ["pl", "ru", "lv", "zh"])
def test_portfolio_pages_pass_axe_in_the_other_languages(
    app: Flask, live_server: str, browser: Any, language: str,  # noqa: F811
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    from sqlalchemy import select

    from assessment.extensions import db
    from assessment.models import Campaign, Organisation
    from tests.workspace.conftest import finished_report

    _consultant_with_two_clients(app, full_answers)
    with app.app_context():
        organisations = list(db.session.scalars(select(Organisation.id)
                                                .order_by(Organisation.id)))
        campaigns = list(db.session.scalars(select(Campaign.id).order_by(Campaign.id)))
        job = finished_report(*campaigns)
    context = browser.new_context()
    page = context.new_page()
    refused = watch_for_csp_reports(page)
    visited: list[str] = []
    page.goto(f"{live_server}/login?lang={language}")
    page.fill("#email", "consultant@firm.example")
    page.fill("#password", PASSWORD)
    page.locator("main form button.primary").click()
    page.wait_for_url("**/campaigns/")
    for path in ("/portfolio/", "/portfolio/?sort=change&dir=desc&sector=Retail",
                 "/portfolio/new", f"/portfolio/{organisations[0]}", "/portfolio/compare",
                 "/portfolio/compare?" + "&".join(f"org={i}" for i in organisations),
                 f"/portfolio/compare/reports/{job}"):
        page.goto(live_server + path)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, visited)
    assert len(visited) == 7
    assert refused == []
    context.close()
