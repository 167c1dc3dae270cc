"""The same personal token submitted from several threads at once: one response only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Campaign, InvitationToken, Response
from tests.conftest import csrf_token
from tests.test_survey import SECTION_ITEMS, post_page, start

THREADS = 8


def test_one_token_many_threads_one_response(
    app: Flask, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign(mode="token")
    token = make_tokens(campaign, 1)[0]
    answers = full_answers()
    # Every "window" opens the same personal link and fills in pages 1-4.
    clients = [app.test_client() for _ in range(THREADS)]
    for client in clients:
        start(client, f"/s/t/{token}")
    for number in range(1, 5):
        post_page(clients[0], campaign.slug, number, answers)
    forms = []
    for client in clients:
        page = client.get(f"/s/{campaign.slug}/page/5")
        data = {"csrf_token": csrf_token(page.text), "action": "next"}
        data.update({k: answers[k] for k in SECTION_ITEMS[5]})
        forms.append(data)

    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    locations: list[str] = []
    errors: list[BaseException] = []

    def submit(index: int) -> None:
        try:
            barrier.wait()
            result = clients[index].post(f"/s/{campaign.slug}/page/5", data=forms[index])
            statuses.append(result.status_code)
            locations.append(result.headers.get("Location", ""))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(statuses) == THREADS
    # Exactly one window reaches the thank-you page; every other one is told it was
    # already submitted (409) or that the link was used (410).
    assert statuses.count(302) == 1, statuses
    assert [loc for loc in locations if loc.endswith("/thanks")] != []
    assert all(s in (302, 409, 410) for s in statuses), statuses
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1
        assert db.session.scalar(select(InvitationToken.used)) is True
