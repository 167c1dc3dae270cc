"""A consultant imports answers in a real browser (Playwright driving Debian's Chromium):
uploads a file with one error, sees it by row and column, uploads the corrected file
(checked on the job queue, the page following it by itself), confirms and sees the
campaign's response count rise; axe-core checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.test_browser import (  # noqa: F401  (fixtures)
    assert_accessible,
    browser,
    live_server,
    watch_for_csp_reports,
)
from tests.test_import import ITEM_KEYS, cells, write_csv

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


def _consultant_with_a_campaign(app: Flask) -> int:
    from assessment.extensions import db
    from assessment.operations.accounts import create_user, grant
    from assessment.operations.campaigns import open_campaign
    from assessment.operations.organisations import create_organisation

    with app.app_context():
        organisation = create_organisation("Client Ltd", "Retail", "50-249", "PL")
        campaign = open_campaign(organisation, app.extensions["questionnaires"].get("digiskills"),
                                 "Paper survey", dt.date.today() - dt.timedelta(days=3))
        user = create_user("consultant@example.org", password=PASSWORD)
        grant(user, "consultant", organisation)
        db.session.commit()
        return campaign.id


def test_consultant_imports_a_file_after_fixing_its_error(
    app: Flask, live_server: str, browser: Any,  # noqa: F811
    full_answers: Callable[..., dict[str, Any]], tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    campaign_id = _consultant_with_a_campaign(app)
    respondents = [full_answers(), full_answers(cap_data="few"), full_answers(country="GB")]
    rows = [cells(answers) for answers in respondents]
    bad_rows = [list(row) for row in rows]
    bad_rows[1][ITEM_KEYS.index("vision_clear")] = "perhaps"
    bad = write_csv(tmp_path / "answers.csv", [ITEM_KEYS, *bad_rows])
    visited: list[str] = []
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    refused = watch_for_csp_reports(page)
    page.goto(f"{live_server}/login")
    page.fill("#email", "consultant@example.org")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/campaigns/")
    page.get_by_role("link", name="Paper survey", exact=True).click()
    page.wait_for_url(f"**/campaigns/{campaign_id}")
    expect(page.locator("[data-count='responses']")).to_have_text("0")
    assert_accessible(page, visited)

    page.set_input_files("#file", str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(rf".*/campaigns/{campaign_id}/imports/[\w-]+$"))
    expect(page.get_by_text("The file has 1 problem; nothing was stored.")).to_be_visible()
    cells_shown = page.locator("#problems-heading ~ div table tbody tr td")
    assert cells_shown.all_inner_texts() == [
        "3", "vision_clear", "unknown option 'perhaps' (allowed: no, yes, dont_know)"]
    assert page.get_by_role("button", name="Store these responses").count() == 0
    assert_accessible(page, visited)

    # The corrected file, big enough (here: any file) to be checked on the job queue.
    app.config["IMPORT_INLINE_BYTES"] = 0
    fixed = write_csv(tmp_path / "answers-fixed.csv", [ITEM_KEYS, *rows])
    page.set_input_files("#file", str(fixed))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(rf".*/campaigns/{campaign_id}/imports/[\w-]+$"))
    confirm = page.get_by_role("button", name="Store these responses")
    expect(confirm).to_be_visible(timeout=60_000)  # static/workspace.js follows the check
    expect(page.get_by_text("3 responses would be stored")).to_be_visible()
    preview = page.locator("table.preview tbody tr")
    assert preview.count() == 3
    assert preview.nth(1).locator("td").all_inner_texts()[2:4] == ["Manager", "Marketing"]
    assert_accessible(page, visited)
    confirm.click()
    expect(page.get_by_text("3 responses imported.")).to_be_visible(timeout=60_000)
    assert_accessible(page, visited)
    page.get_by_role("link", name="Back to the campaign").click()
    page.wait_for_url(f"**/campaigns/{campaign_id}")
    expect(page.locator("[data-count='responses']")).to_have_text("3")
    assert refused == []
    context.close()
