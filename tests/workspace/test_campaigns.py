"""Campaigns in the browser: create, personal links, live counts, edit, close, reopen,
delete."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Campaign, InvitationToken, Response, ResponseScore
from tests.conftest import csrf_token
from tests.workspace.conftest import World, add_responses, form_token

TODAY = dt.date.today()


def _create(client: FlaskClient, organisation: int, **fields: str) -> Any:
    page = client.get(f"/campaigns/new/{organisation}")
    data = {"csrf_token": csrf_token(page.text), "name": "Autumn survey",
            "questionnaire": "digiskills@1", "opens_on": TODAY.isoformat(), "closes_on": "",
            "anonymity_threshold": "5", "mode": "open", "invited": "40"} | fields
    return client.post(f"/campaigns/new/{organisation}", data=data)


def test_create_an_open_campaign(app: Flask, world: World,
                                 signed_in: Callable[[str], FlaskClient]) -> None:
    client = signed_in("hr")
    response = _create(client, world.organisation)
    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Autumn survey"))
        assert campaign is not None
        assert (campaign.mode, campaign.invited, campaign.anonymity_threshold) == (
            "open", 40, 5)
        assert campaign.organisation_id == world.organisation
        slug, campaign_id = campaign.slug, campaign.id
    assert response.headers["Location"] == f"/campaigns/{campaign_id}"
    page = client.get(response.headers["Location"]).text
    assert "Campaign created." in page
    # The open link uses PUBLIC_BASE_URL, never the request's host.
    assert f'value="http://localhost/s/{slug}"' in page
    # A respondent can open it.
    assert app.test_client().get(f"/s/{slug}").status_code == 200


def test_create_refuses_bad_input(world: World,
                                  signed_in: Callable[[str], FlaskClient]) -> None:
    client = signed_in("consultant")
    cases = [
        ({"anonymity_threshold": "4"}, "Give a number from 5 to 100."),
        ({"anonymity_threshold": "five"}, "Give a whole number."),
        ({"opens_on": "31/12/2026"}, "Give a date like 2026-12-31."),
        ({"closes_on": (TODAY - dt.timedelta(days=1)).isoformat()},
         "The closing day cannot be before the opening day."),
        ({"name": ""}, "Give the campaign a name."),
        ({"name": "x" * 201}, "Use at most 200 characters."),
        ({"name": " \t\r\n "}, "Give the campaign a name."),
        ({"name": "Spring\x00"}, "The name cannot hold control characters."),
        ({"name": "evil\u202egnp.exe"}, "The name cannot hold control characters."),
        ({"questionnaire": "nonexistent@9"}, "Choose one of the options on the list."),
        ({"mode": "everyone"}, "Choose one of the options on the list."),
        ({"invited": "0"}, "Give a number from 1 to 1000000."),
    ]
    for fields, message in cases:
        response = _create(client, world.organisation, **fields)
        assert response.status_code == 422, fields
        assert message in response.text, fields


def test_campaign_names_are_stored_in_one_spelling(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
) -> None:
    client = signed_in("hr")
    # "ó" as o + combining accent, a run of spaces and a tab, spaces around; 200 letters
    # after the runs are collapsed fits the limit.
    response = _create(client, world.organisation, name=" Jesien\u0301  \t" + "y" * 192 + " ")
    assert response.status_code == 302, response.text
    with app.app_context():
        names = set(db.session.scalars(select(Campaign.name)))
    assert "Jesie\u0144 " + "y" * 192 in names


def test_personal_links_are_issued_and_downloaded(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
) -> None:
    client = signed_in("hr")
    response = _create(client, world.organisation, mode="token", invited="12")
    location = response.headers["Location"]
    assert location.endswith("?links=12")
    page = client.get(location)
    assert 'value="12"' in page.text  # the number asked for, ready to download
    campaign_id = int(location.split("/")[2].split("?")[0])
    download = client.post(f"/campaigns/{campaign_id}/links.csv",
                           data={"csrf_token": csrf_token(page.text), "count": "12"})
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="campaign-{campaign_id}-links.csv"')
    assert download.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["link"] and len(rows) == 13
    links = [row[0] for row in rows[1:]]
    assert len(set(links)) == 12 and all(link.startswith("http://localhost/s/t/")
                                         for link in links)
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).invited == 12
        stored = db.session.scalars(select(InvitationToken.token_hash).where(
            InvitationToken.campaign_id == campaign_id)).all()
    assert len(stored) == 12
    assert not any(link.rsplit("/", 1)[1] in stored for link in links)  # hashes only
    respondent = app.test_client()
    assert respondent.get(links[0].replace("http://localhost", "")).status_code == 200
    assert "Links issued so far: 12; used: 0." in client.get(location).text
    # An open-link campaign has no personal links to issue.
    refused = client.post(f"/campaigns/{world.campaign}/links.csv",
                          data={"csrf_token": form_token(client), "count": "3"})
    assert refused.status_code == 409
    too_many = client.post(f"/campaigns/{campaign_id}/links.csv",
                           data={"csrf_token": form_token(client), "count": "10001"})
    assert too_many.status_code == 422


def test_live_counts(app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
                     full_answers: Callable[..., dict[str, Any]]) -> None:
    client = signed_in("consultant")
    assert client.get(f"/campaigns/{world.campaign}/count").json == {
        "responses": 0, "in_progress": 0, "invited": 20, "tokens_used": 0,
        "response_rate": 0.0, "rate_text": "0.0%"}
    add_responses(app, world.campaign, [full_answers()] * 3)
    counts = client.get(f"/campaigns/{world.campaign}/count").json
    assert (counts["responses"], counts["response_rate"], counts["rate_text"]) == (
        3, 3 / 20, "15.0%")
    page = client.get(f"/campaigns/{world.campaign}").text
    assert '<dd data-count="responses">3</dd>' in page
    assert '<dd data-count="rate_text">15.0%</dd>' in page
    assert "workspace.js" in page
    listing = client.get("/campaigns/").text
    assert "3 / 20" in listing and "15.0%" in listing


def _edit(client: FlaskClient, campaign_id: int, **fields: str) -> Any:
    page = client.get(f"/campaigns/{campaign_id}/edit")
    data = {"csrf_token": csrf_token(page.text), "name": "Spring survey",
            "questionnaire": "digiskills@1",
            "opens_on": (TODAY - dt.timedelta(days=1)).isoformat(), "closes_on": "",
            "anonymity_threshold": "5", "invited": "20"} | fields
    return client.post(f"/campaigns/{campaign_id}/edit", data=data)


def test_edit_before_and_after_answers(app: Flask, world: World,
                                       signed_in: Callable[[str], FlaskClient],
                                       full_answers: Callable[..., dict[str, Any]]) -> None:
    client = signed_in("hr")
    earlier = (TODAY - dt.timedelta(days=3)).isoformat()
    assert _edit(client, world.campaign, opens_on=earlier, anonymity_threshold="7",
                 name="Spring 2026").status_code == 302
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        assert (campaign.name, campaign.opens_on.isoformat(), campaign.anonymity_threshold) == (
            "Spring 2026", earlier, 7)
        version = campaign.data_version
    add_responses(app, world.campaign, [full_answers()])
    page = client.get(f"/campaigns/{world.campaign}/edit").text
    assert "the opening day and the questionnaire are fixed" in page
    assert ('<input disabled id="opens_on" name="opens_on" required type="date" '
            f'value="{earlier}">') in page
    assert '<select disabled id="questionnaire"' in page
    # Lowering the threshold is refused; raising it, renaming and a closing day are fine.
    lowered = _edit(client, world.campaign, opens_on=earlier, anonymity_threshold="5")
    assert lowered.status_code == 422
    assert "cannot be lowered once people have answered" in lowered.text
    closes = (TODAY + dt.timedelta(days=30)).isoformat()
    # The disabled opening day is not sent by the browser: the stored one is kept.
    kept = _edit(client, world.campaign, opens_on="", anonymity_threshold="9",
                 closes_on=closes, name="Renamed")
    assert kept.status_code == 302
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        assert (campaign.name, campaign.anonymity_threshold, campaign.opens_on.isoformat(),
                campaign.closes_on.isoformat()) == ("Renamed", 9, earlier, closes)
        assert campaign.data_version > version  # cached figures are rebuilt


def test_close_and_reopen(app: Flask, world: World, signed_in: Callable[[str], FlaskClient]) \
        -> None:
    client = signed_in("hr")
    respondent = app.test_client()
    with app.app_context():
        slug = db.session.get(Campaign, world.campaign).slug
    assert respondent.get(f"/s/{slug}").status_code == 200
    closed = client.post(f"/campaigns/{world.campaign}/close",
                         data={"csrf_token": form_token(client)})
    assert closed.status_code == 302
    refused = respondent.get(f"/s/{slug}")
    assert refused.status_code == 410
    assert f"closed on {TODAY.isoformat()}" in refused.text
    again = client.post(f"/campaigns/{world.campaign}/close",
                        data={"csrf_token": form_token(client)})
    assert again.status_code == 409
    past = client.post(f"/campaigns/{world.campaign}/reopen", data={
        "csrf_token": form_token(client),
        "closes_on": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert past.status_code == 409
    assert "cannot be in the past" in past.text
    until = (TODAY + dt.timedelta(days=7)).isoformat()
    reopened = client.post(f"/campaigns/{world.campaign}/reopen",
                           data={"csrf_token": form_token(client), "closes_on": until})
    assert reopened.status_code == 302
    assert respondent.get(f"/s/{slug}").status_code == 200
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        assert campaign.closed_on is None and campaign.closes_on.isoformat() == until


def test_delete_needs_the_typed_name(app: Flask, world: World,
                                     signed_in: Callable[[str], FlaskClient],
                                     full_answers: Callable[..., dict[str, Any]]) -> None:
    add_responses(app, world.campaign, [full_answers()] * 2)
    client = signed_in("consultant")
    page = client.get(f"/campaigns/{world.campaign}/delete")
    assert "with its 2 responses" in page.text
    wrong = client.post(f"/campaigns/{world.campaign}/delete",
                        data={"csrf_token": csrf_token(page.text), "confirm": "spring"})
    assert wrong.status_code == 422
    assert "nothing was deleted" in wrong.text
    with app.app_context():
        assert db.session.get(Campaign, world.campaign) is not None
    done = client.post(f"/campaigns/{world.campaign}/delete",
                       data={"csrf_token": csrf_token(page.text), "confirm": "Spring survey"})
    assert done.headers["Location"] == "/campaigns/"
    assert "deleted with its 2 responses" in client.get("/campaigns/").text
    with app.app_context():
        assert db.session.get(Campaign, world.campaign) is None
        for model in (Response, ResponseScore):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                model.campaign_id == world.campaign)) == 0
        assert db.session.get(Campaign, world.token_campaign) is not None  # others kept
    assert client.get(f"/campaigns/{world.campaign}").status_code == 404


def test_administrator_sees_every_organisation_but_not_the_synthetic_pool(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
) -> None:
    from assessment.operations.organisations import create_organisation

    with app.app_context():
        create_organisation("Synthetic Example 001", "Retail", "50-249", "PL", synthetic=True)
        db.session.commit()
    listing = signed_in("admin").get("/campaigns/").text
    assert "Acme" in listing and "Other Org" in listing
    assert "Synthetic Example 001" not in listing
    assert "1 synthetic demonstration organisation is not listed." in listing
    hr_listing = signed_in("hr").get("/campaigns/").text
    assert "Acme" in hr_listing and "Other Org" not in hr_listing
