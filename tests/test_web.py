"""The landing page's benchmark overview and the thank-you page's benchmark column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from scipy import stats
from sqlalchemy import select

from assessment.extensions import db
from assessment.io.importing import ImportedResponse
from assessment.models import Campaign
from assessment.operations.responses import import_responses, submit_response


def fill_pool(app: Flask, make_campaign: Callable[..., Campaign],
              full_answers: Callable[..., dict[str, Any]], organisations: int) -> None:
    """Organisations with 5 responses each; in each, 2 of 5 say everyone understands."""
    for _ in range(organisations):
        campaign = make_campaign()
        with app.app_context():
            stored = db.session.get(Campaign, campaign.id)
            q = app.extensions["questionnaires"].get("digiskills")
            for i in range(5):
                submit_response(
                    stored, q, full_answers(cu_everyone="yes" if i < 2 else "no"))
            db.session.commit()


def test_landing_page_shows_pool_findings(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    fill_pool(app, make_campaign, full_answers, 5)
    page = client.get("/").text
    assert "5 organisations, 25 respondents." in page
    low, high = stats.binomtest(10, 25).proportion_ci(method="wilson")
    # 10 of 25 = 40%, Wilson interval rounded to whole percent
    assert f"40%<span class=\"ci\"> ({100 * low:.0f}–{100 * high:.0f}%, n = 25)" in page
    assert "Synthetic demonstration data" not in page


def test_landing_page_without_pool(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "The benchmark" not in page.text


def test_health(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_thanks_page_compares_with_benchmark(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    from tests.test_survey import complete, start

    fill_pool(app, make_campaign, full_answers, 5)
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    complete(client, campaign.slug, full_answers(cu_everyone="yes"))
    page = client.get(f"/s/{campaign.slug}/thanks").text
    assert "Benchmark median" in page and "Benchmark: 5 organisations." in page
    # Every pool organisation answered like full_answers(): index 0.5*425/7 + 25 = 55.36.
    assert "The median organisation in the benchmark scores 55." in page


def test_thanks_page_hides_small_benchmark(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    from tests.test_survey import complete, start

    fill_pool(app, make_campaign, full_answers, 4)
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    complete(client, campaign.slug, full_answers())
    page = client.get(f"/s/{campaign.slug}/thanks").text
    assert "Your capability profile" in page and "Benchmark median" not in page


def test_benchmark_can_be_kept_private(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    fill_pool(app, make_campaign, full_answers, 5)
    app.config["PUBLIC_BENCHMARK"] = False
    assert "The benchmark" not in client.get("/").text


def test_landing_page_links_to_demo_campaign(
    app: Flask, runner: Any, client: FlaskClient
) -> None:
    assert "Try the questionnaire" not in client.get("/").text
    runner.invoke(args=["demo-campaign"])
    with app.app_context():
        slug = db.session.scalars(select(Campaign.slug)).one()
    page = client.get("/").text
    assert f'href="/s/{slug}"' in page


def test_landing_page_follows_new_answers_and_imports_at_once(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # The figures are cached per process, keyed by the version of the answers: a new
    # response or an import shows on the next page view, with no time-to-live to wait.
    fill_pool(app, make_campaign, full_answers, 5)
    assert "5 organisations, 25 respondents." in client.get("/").text
    assert "5 organisations, 25 respondents." in client.get("/").text  # from the cache
    with app.app_context():
        stored = db.session.scalar(select(Campaign).order_by(Campaign.id))
        q = app.extensions["questionnaires"].get("digiskills")
        submit_response(stored, q, full_answers(cu_everyone="yes"))
        db.session.commit()
    assert "5 organisations, 26 respondents." in client.get("/").text
    with app.app_context():
        stored = db.session.scalar(select(Campaign).order_by(Campaign.id))
        imported = [ImportedResponse(row=2 + i, answers=full_answers(), locale="en",
                                     submitted_on=None)
                    for i in range(3)]
        import_responses(stored, q, imported)
        db.session.commit()
    assert "5 organisations, 29 respondents." in client.get("/").text


def test_landing_page_writes_figures_as_the_reader_s_language_does(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # Polish puts a no-break space before the percent sign (the reports' house rule),
    # English does not; the sign-in link for HR and consultants is on the page.
    fill_pool(app, make_campaign, full_answers, 5)
    english = client.get("/?lang=en").text
    assert "40%<span" in english and 'href="/login"' in english
    polish = client.get("/?lang=pl").text
    assert "40\u00a0%<span" in polish
    assert "zaloguj się do obszaru roboczego" in polish
