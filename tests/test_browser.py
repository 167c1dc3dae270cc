"""A real browser (Playwright driving Debian's Chromium) fills in the questionnaire,
leaves halfway, comes back, submits and sees the profile.

Chromium is required: without it this test fails rather than skips (CI installs it).
"""

from __future__ import annotations

import os
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
