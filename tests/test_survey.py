"""The respondent's journey through the Flask test client, including every bad case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Campaign, Draft, InvitationToken, Response, ResponseScore
from assessment.operations.tokens import hash_secret
from assessment.web.survey.forms import section_form
from tests.conftest import csrf_token

SECTION_ITEMS = {
    1: ["cap_data", "cap_cyber", "cap_coding", "cap_social", "cap_analytics", "cap_mobile",
        "cap_ecommerce", "cap_collaboration"],
    2: ["vision_clear", "vision_priorities", "vision_communicated"],
    3: ["ld_understands", "ld_benchmarks", "ld_funded"],
    4: ["cu_everyone", "cu_feedback_loop", "cu_leader_insight", "cu_leader_guide",
        "cu_leader_exceed", "cu_leader_own", "voc_methods", "metrics_tracked", "metrics_acted"],
    5: ["seniority", "function", "generation", "country"],
}


def start(client: FlaskClient, url: str) -> str:
    """Open the intro page and press Start; returns the first page's URL."""
    page = client.get(url)
    assert page.status_code == 200
    started = client.post(url, data={"csrf_token": csrf_token(page.text)})
    assert started.status_code == 302
    return started.headers["Location"]


def post_page(client: FlaskClient, slug: str, number: int, answers: dict[str, Any],
              action: str = "next") -> Any:
    page = client.get(f"/s/{slug}/page/{number}")
    data: dict[str, Any] = {"csrf_token": csrf_token(page.text), "action": action}
    for key in SECTION_ITEMS[number]:
        if key in answers and answers[key] not in (None, []):
            data[key] = answers[key]
    return client.post(f"/s/{slug}/page/{number}", data=data)


def complete(client: FlaskClient, slug: str, answers: dict[str, Any]) -> Any:
    for number in range(1, 6):
        result = post_page(client, slug, number, answers)
    return result


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_whole_journey_scores_and_shows_profile(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    intro = client.get(f"/s/{campaign.slug}")
    assert "about 10 minutes" in intro.text
    assert "never ask for your name" in intro.text
    first = start(client, f"/s/{campaign.slug}")
    assert first.endswith(f"/s/{campaign.slug}/page/1")
    page = client.get(first)
    assert 'aria-valuenow="0"' in page.text and "Part 1 of 5" in page.text
    result = complete(client, campaign.slug, full_answers())
    assert result.status_code == 302
    assert result.headers["Location"].endswith(f"/s/{campaign.slug}/thanks")
    thanks = client.get(f"/s/{campaign.slug}/thanks")
    assert thanks.status_code == 200
    # Index by hand (see test_scoring): 0.5 * 425/7 + 0.25 * 75 + 0.25 * 25 = 55.36
    assert "<strong>55</strong> / 100" in thanks.text
    assert "Developing" in thanks.text
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.answers == {k: v for k, v in full_answers().items() if v != []}
        assert response.seniority == "manager" and response.function == "marketing"
        assert response.index_score == pytest.approx(0.5 * 425 / 7 + 25)
        assert response.submitted_on == dt.datetime.now(dt.UTC).date()
        stored = dict(db.session.execute(
            select(ResponseScore.dimension, ResponseScore.score)).all())
        assert stored["vision"] == pytest.approx(75.0)
        assert "cap_mobile" not in stored  # don't know only: no score row
        assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_required_item_message_is_next_to_item(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    answers = full_answers()
    del answers["cap_coding"]
    result = post_page(client, campaign.slug, 1, answers)
    assert result.status_code == 422
    block = re.search(r'<fieldset class="question has-error" id="q-cap_coding".*?</fieldset>',
                      result.text, re.S)
    assert block and "Please choose an answer." in block.group(0)
    assert result.text.count("has-error") == 1
    # What was answered is kept on the re-shown page.
    assert re.search(r'value="everyone"[^>]*checked|checked[^>]*value="everyone"', result.text)


def test_invalid_choice_is_rejected(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    result = post_page(client, campaign.slug, 1, full_answers(cap_data="all of them"))
    assert result.status_code == 422
    assert "Not a valid choice" in result.text


def test_back_and_next_keep_answers(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    answers = full_answers()
    post_page(client, campaign.slug, 1, answers)
    # Half-answered page 2, then back: nothing required is enforced, answers are kept.
    back = post_page(client, campaign.slug, 2, {"vision_clear": "no"}, action="back")
    assert back.headers["Location"].endswith("/page/1")
    page2 = client.get(f"/s/{campaign.slug}/page/2")
    assert re.search(r'<input[^>]*checked[^>]*value="no"|<input[^>]*value="no"[^>]*checked',
                     page2.text)
    page1 = client.get(f"/s/{campaign.slug}/page/1")
    assert page1.text.count("checked") == 8


def test_leave_and_resume_with_link_on_another_device(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    first_device = app.test_client()
    start(first_device, f"/s/{campaign.slug}")
    post_page(first_device, campaign.slug, 1, full_answers())
    page2 = first_device.get(f"/s/{campaign.slug}/page/2")
    resume = re.search(r'value="(http://localhost/s/[^"]+/resume/[^"]+)"', page2.text)
    assert resume
    second_device = app.test_client()
    again = second_device.get(resume.group(1).replace("http://localhost", ""))
    assert again.headers["Location"].endswith(f"/s/{campaign.slug}/page/2")
    result = complete_from(second_device, campaign.slug, 2, full_answers())
    assert result.headers["Location"].endswith("/thanks")
    assert count(app, Response) == 1
    # The first device's draft is gone: going on there cannot submit a second time. Its
    # key was spent by the submission, so it is told its answers are in (issue 9, point 3:
    # the same draft submitted again lands on the thank-you page).
    stale = first_device.get(f"/s/{campaign.slug}/page/3")
    assert stale.status_code == 302 and stale.headers["Location"].endswith("/thanks")
    assert "Your answers have been submitted." in first_device.get(stale.headers["Location"]).text
    again = first_device.get(f"/s/{campaign.slug}/page/5")
    assert again.status_code == 409 and "already been submitted" in again.text
    assert count(app, Response) == 1


def complete_from(client: FlaskClient, slug: str, number: int, answers: dict[str, Any]) -> Any:
    for n in range(number, 6):
        result = post_page(client, slug, n, answers)
    return result


def test_second_submit_is_refused(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    for number in range(1, 5):
        post_page(client, campaign.slug, number, full_answers())
    page = client.get(f"/s/{campaign.slug}/page/5")
    data = {"csrf_token": csrf_token(page.text), "action": "next", "seniority": "staff",
            "function": "it"}
    assert client.post(f"/s/{campaign.slug}/page/5", data=data).status_code == 302
    again = client.post(f"/s/{campaign.slug}/page/5", data=data)
    assert again.status_code == 409
    assert "already been submitted" in again.text
    assert count(app, Response) == 1


def test_skipping_pages_cannot_submit_incomplete(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    result = post_page(client, campaign.slug, 5, full_answers())
    assert result.status_code == 302
    assert result.headers["Location"].endswith("/page/1?incomplete=1")
    assert "still unanswered" in client.get(result.headers["Location"]).text
    assert count(app, Response) == 0
    # The last page's answers were kept in the draft: page 5 shows them ticked (a browser
    # posts them again with the submit).
    last = client.get(f"/s/{campaign.slug}/page/5").text
    assert re.search(r'<input checked id="seniority-\d+" name="seniority" required '
                     r'type="radio" value="manager"', last)
    with app.app_context():
        kept = db.session.scalars(select(Draft.answers)).one()
    assert {key: kept[key] for key in SECTION_ITEMS[5]} == {
        key: full_answers()[key] for key in SECTION_ITEMS[5]}
    for number in range(1, 5):
        result = post_page(client, campaign.slug, number, full_answers())
    assert result.headers["Location"].endswith("/page/5")
    submitted = post_page(client, campaign.slug, 5, full_answers())
    assert submitted.headers["Location"].endswith(f"/s/{campaign.slug}/thanks")
    assert count(app, Response) == 1 and count(app, Draft) == 0


def test_personal_token_journey_and_reuse(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign(mode="token")
    tokens = make_tokens(campaign, 2)
    with app.app_context():
        stored = db.session.scalars(select(InvitationToken.token_hash)).all()
    assert tokens[0] not in stored and hash_secret(tokens[0]) in stored
    # The open link of a token campaign does not let anyone in.
    assert client.get(f"/s/{campaign.slug}").status_code == 403
    start(client, f"/s/t/{tokens[0]}")
    result = complete(client, campaign.slug, full_answers())
    assert result.headers["Location"].endswith("/thanks")
    used = app.test_client().get(f"/s/t/{tokens[0]}")
    assert used.status_code == 410 and "already been used" in used.text
    with app.app_context():
        # A spent token is deleted (issue 9): only the unused one is left, and a token
        # row holds nothing that could point at a response.
        rows = db.session.execute(select(InvitationToken.token_hash)).scalars().all()
        assert rows == [hash_secret(tokens[1])]
        assert set(InvitationToken.__table__.columns.keys()) == {
            "id", "campaign_id", "token_hash"}


def test_token_draft_resumes_by_its_own_key_not_the_token(
    app: Flask, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign(mode="token")
    token = make_tokens(campaign, 1)[0]
    first = app.test_client()
    start(first, f"/s/t/{token}")
    post_page(first, campaign.slug, 1, full_answers())
    page2 = first.get(f"/s/{campaign.slug}/page/2").text
    assert "starts the questionnaire only once" in page2
    resume = re.search(r'value="http://localhost(/s/[^"]+/resume/([^"]+))"', page2)
    assert resume and resume.group(2) != token
    # The same browser opening its spent link again carries on with its draft ...
    assert first.get(f"/s/t/{token}").headers["Location"].endswith("/page/2")
    # ... another browser cannot use the link again, but the resume link takes it there.
    later = app.test_client()
    spent = later.get(f"/s/t/{token}")
    assert spent.status_code == 410 and "resume link" in spent.text
    assert later.get(resume.group(1)).headers["Location"].endswith("/page/2")
    with app.app_context():
        draft_hashes = db.session.scalars(select(Draft.key_hash)).all()
    assert draft_hashes == [hash_secret(resume.group(2))]
    assert hash_secret(token) not in draft_hashes


@pytest.mark.parametrize(("path", "status", "text"), [
    ("/s/no-such-campaign", 404, "does not lead to an assessment"),
    ("/s/t/not-a-real-token", 404, "not valid"),
    ("/s/no-such-campaign/page/1", 404, "does not lead to an assessment"),
    ("/s/no-such-campaign/resume/whatever", 404, "does not lead to an assessment"),
    ("/nowhere", 404, "Not Found"),
])
def test_unknown_links(client: FlaskClient, path: str, status: int, text: str) -> None:
    result = client.get(path)
    assert result.status_code == status
    assert text in result.text


def test_closed_and_not_yet_open(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    closed = make_campaign(opens_on=today - dt.timedelta(days=30),
                           closes_on=today - dt.timedelta(days=1))
    result = client.get(f"/s/{closed.slug}")
    assert result.status_code == 410 and "closed on" in result.text
    assert client.get(f"/s/{closed.slug}/page/1").status_code == 410
    later = make_campaign(opens_on=today + dt.timedelta(days=3))
    result = client.get(f"/s/{later.slug}")
    assert result.status_code == 403
    assert (today + dt.timedelta(days=3)).isoformat() in result.text


def test_post_without_csrf_is_refused(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    result = client.post(f"/s/{campaign.slug}", data={})
    assert result.status_code == 400
    assert "Form expired" in result.text
    assert count(app, Draft) == 0


def test_page_out_of_range(client: FlaskClient, make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    assert client.get(f"/s/{campaign.slug}/page/9").status_code == 404
    assert client.get(f"/s/{campaign.slug}/page/0").status_code == 404


def test_pages_are_labelled(client: FlaskClient, make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    page = client.get(f"/s/{campaign.slug}/page/1").text
    ids = re.findall(r'<input[^>]*id="([^"]+)"[^>]*type="radio"', page)
    ids += re.findall(r'<input[^>]*type="radio"[^>]*id="([^"]+)"', page)
    assert len(set(ids)) == 8 * 6
    for input_id in set(ids):
        assert f'for="{input_id}"' in page
    assert '<html lang="en">' in page and 'name="viewport"' in page


def test_options_are_written_as_the_wtforms_widgets_write_them(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # The page template writes each option's <input> from the field's choices (faster
    # than a widget call per option): the markup is the radio and checkbox widgets' own,
    # ticked options included.
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    answers = full_answers()
    for number in range(1, 5):
        post_page(client, campaign.slug, number, answers)
    questionnaire = app.extensions["questionnaires"].get("digiskills")
    for number, section in enumerate(questionnaire.sections, start=1):
        page = client.get(f"/s/{campaign.slug}/page/{number}").text
        written = re.findall(r"<input [^>]*>", page)[1:]  # the CSRF token's input first
        with app.test_request_context():
            form = section_form(questionnaire, section, "en",
                                data=answers if number < 5 else {})
            expected = [
                str(option(**({"required": True} if item.required
                               and form[item.key].type != "MultiCheckboxField" else {})))
                for item in section.items for option in form[item.key]
            ]
        assert written[:len(expected)] == expected
        assert any("checked" in tag for tag in expected) == (number < 5)


def test_none_of_these_cannot_be_ticked_with_other_methods(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # "None of these" is marked exclusive in the instrument: the page says so next to the
    # question and keeps the respondent on it; nothing contradictory is stored.
    campaign = make_campaign()
    start(client, f"/s/{campaign.slug}")
    answers = full_answers(voc_methods=["none", "surveys"])
    for number in range(1, 4):
        post_page(client, campaign.slug, number, answers)
    refused = post_page(client, campaign.slug, 4, answers)
    assert refused.status_code == 422
    assert "“None of these” cannot be ticked together with other answers." in refused.text
    accepted = post_page(client, campaign.slug, 4, full_answers(voc_methods=["none"]))
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith(f"/s/{campaign.slug}/page/5")
