"""Issue 9, points 1 and 2: a personal token submits once, whatever path its holder
takes; and nothing stored links a token to its answers, for someone who holds the list
of personal links and reads the whole database, system columns included.

The linking test is an indistinguishability test. The same five people (positions) start,
answer and submit in the same order in two campaigns; only which personal token each
one holds is swapped around. An administrator's view of everything stored (every column
of every row of the campaign, transaction ids as PostgreSQL's xmin included, tokens and
key hashes named by the token of the attacker's list they derive from) must come out the
same for both campaigns: then the database cannot tell who answered what.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from assessment.extensions import db
from assessment.models import Campaign, Draft, InvitationToken, Response
from tests.conftest import csrf_token
from tests.test_survey import complete, count, post_page, start

POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
ANSWER_OF_POSITION = ["everyone", "most", "some", "few", "nobody"]  # cap_data per person
STARTS = [0, 1, 2, 3, 4]
SUBMITS = [3, 0, 4, 1]  # position 2 saves page 1 and leaves


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --- point 1 ----------------------------------------------------------------------------

def test_a_token_submits_once_whatever_the_path(
    app: Flask, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign(mode="token")
    token = make_tokens(campaign, 1)[0]
    answers = full_answers()
    # The token is not a resume key: before or after it is spent, it resumes nothing.
    stranger = app.test_client()
    assert stranger.get(f"/s/{campaign.slug}/resume/{token}").status_code == 404
    # The open intro of a token campaign lets nobody in.
    assert stranger.get(f"/s/{campaign.slug}").status_code == 403
    assert stranger.post(f"/s/{campaign.slug}", data={}).status_code in (400, 403)
    owner, other = app.test_client(), app.test_client()
    start_form = {"csrf_token": csrf_token(owner.get(f"/s/t/{token}").text)}
    other_form = {"csrf_token": csrf_token(other.get(f"/s/t/{token}").text)}
    assert owner.post(f"/s/t/{token}", data=start_form).status_code == 302
    assert stranger.get(f"/s/{campaign.slug}/resume/{token}").status_code == 404
    # A replayed Start: this browser goes back to its own draft, another is refused.
    again = owner.post(f"/s/t/{token}", data=start_form)
    assert again.status_code == 302 and again.headers["Location"].endswith("/page/1")
    refused = other.post(f"/s/t/{token}", data=other_form)
    assert refused.status_code == 410 and "already been used" in refused.text
    assert count(app, Draft) == 1
    assert complete(owner, campaign.slug, answers).headers["Location"].endswith("/thanks")
    # Every path afterwards is refused, and exactly one response is stored.
    for client in (owner, other, app.test_client()):
        assert client.get(f"/s/t/{token}").status_code in (302, 410)
        fresh = client.get(f"/s/{campaign.slug}/page/1")
        assert fresh.status_code in (302, 409)
        assert not fresh.headers.get("Location", "").endswith("/page/1")
    assert count(app, Response) == 1 and count(app, Draft) == 0


def test_token_campaign_cannot_be_answered_without_spending_a_token(
    app: Flask, client: FlaskClient, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # Today's exploit: the holder starts; a browser without the token flag opens
    # /resume/<token> (the token was its draft's key), answers and submits without
    # spending the token, again and again.
    campaign = make_campaign(mode="token")
    token = make_tokens(campaign, 1)[0]
    start(client, f"/s/t/{token}")
    post_page(client, campaign.slug, 1, full_answers())
    for _ in range(3):
        browser = app.test_client()
        assert browser.get(f"/s/{campaign.slug}/resume/{token}").status_code == 404
        # With no draft of its own, no page of the questionnaire opens for it.
        assert browser.get(f"/s/{campaign.slug}/page/1").status_code == 302
        assert browser.post(f"/s/{campaign.slug}/page/5", data={"action": "next"}
                            ).status_code in (302, 400)
    assert count(app, Response) == 0 and count(app, Draft) == 1
    assert complete(client, campaign.slug, full_answers()).headers["Location"].endswith(
        "/thanks")
    assert count(app, Response) == 1


# --- point 2 ----------------------------------------------------------------------------

def run_campaign(
    app: Flask, campaign: Campaign, tokens: list[str], holder_of: list[int],
    full_answers: Callable[..., dict[str, Any]], snapshot: Callable[[], None],
) -> None:
    """Positions start, answer and submit in a fixed order; position p holds the token
    tokens[holder_of[p]]. `snapshot` is called once everyone has started."""
    clients = {p: app.test_client() for p in STARTS}
    for p in STARTS:
        start(clients[p], f"/s/t/{tokens[holder_of[p]]}")
    for p in STARTS:  # everyone saves page 1, in turn
        post_page(clients[p], campaign.slug, 1,
                  full_answers(cap_data=ANSWER_OF_POSITION[p]))
    snapshot()
    for number in range(2, 5):
        for p in SUBMITS:
            post_page(clients[p], campaign.slug, number, full_answers())
    for p in SUBMITS:
        result = post_page(clients[p], campaign.slug, 5, full_answers())
        assert result.headers["Location"].endswith("/thanks")


def admin_view(campaign_id: int, tokens: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Everything stored about one campaign, as its administrator can read it.

    Values derived from a listed token (the token itself or its SHA-256) are named by
    the token's place in the list; other 64-hex key hashes are random ("<random>").
    Transaction ids (xmin) and row ids are replaced by their rank, which is all an
    administrator can compare between two runs.
    """
    known = {value: f"token#{i}" for i, t in enumerate(tokens) for value in (t, sha256(t))}
    engine = db.engine
    system = "xmin::text::bigint AS _xmin, " if POSTGRES else ""
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in inspect(engine).get_table_names():
        columns = [c["name"] for c in inspect(engine).get_columns(table)]
        if table == "campaigns":
            where = "WHERE id = :c"
        elif "campaign_id" in columns:
            where = "WHERE campaign_id = :c"
        else:
            continue
        query = text(f"SELECT {system}* FROM {table} {where}")  # noqa: S608 - table names
        rows[table] = [dict(r._mapping) for r in db.session.execute(query, {"c": campaign_id})]
    xmins = sorted({r["_xmin"] for table in rows.values() for r in table if "_xmin" in r})
    id_rank = {
        (table, column): {v: i for i, v in enumerate(sorted({r[column] for r in found}))}
        for table, found in rows.items()
        for column in ("id",) if found and column in found[0]
    }
    view: dict[str, list[tuple[Any, ...]]] = {}
    for table, found in rows.items():
        normal = []
        for row in found:
            values = []
            for column, value in sorted(row.items()):
                if column in ("slug", "name", "organisation_id", "created_at"):
                    continue  # differ between two campaigns by construction
                if column == "campaign_id" or (table == "campaigns" and column == "id"):
                    value = "C"
                elif column == "_xmin":
                    value = f"x{xmins.index(value)}"
                elif column == "id":
                    value = f"{table}#{id_rank[(table, 'id')][value]}"
                elif column == "response_id":
                    value = f"responses#{id_rank[('responses', 'id')][value]}"
                elif isinstance(value, str) and value in known:
                    value = known[value]
                elif isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
                    value = "<random>"
                values.append((column, repr(value)))
            normal.append(tuple(values))
        view[table] = sorted(normal)
    return view


def test_database_cannot_link_a_token_to_its_answers(
    app: Flask, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    views = []
    for holder_of in ([0, 1, 2, 3, 4], [3, 4, 0, 1, 2]):
        campaign = make_campaign(mode="token")
        tokens = make_tokens(campaign, 6)  # token 5 is never used
        in_progress: list[dict[str, list[tuple[Any, ...]]]] = []

        def snapshot(campaign_id: int = campaign.id, tokens: list[str] = tokens,
                     into: list[Any] = in_progress) -> None:
            with app.app_context():
                into.append(admin_view(campaign_id, tokens))

        run_campaign(app, campaign, tokens, holder_of, full_answers, snapshot)
        with app.app_context():
            views.append((in_progress[0], admin_view(campaign.id, tokens)))
            everything = " ".join(
                str(value) for table in inspect(db.engine).get_table_names()
                for row in db.session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
                for value in row)
            # No plain token anywhere, and no spent token's hash.
            assert not any(t in everything for t in tokens)
            assert not any(sha256(t) in everything for t in tokens[:5])
            assert sha256(tokens[5]) in everything
    (during_a, after_a), (during_b, after_b) = views
    # What is stored is the same whoever held which token: nothing links them.
    assert during_a == during_b
    assert after_a == after_b
    # The only token-derived value left is the unused token's row.
    labels = {v for table in after_a.values() for row in table for _, v in row
              if "token#" in v}
    assert labels == {"'token#5'"}
    assert len(after_a["responses"]) == 4 and len(after_a["drafts"]) == 1


def test_old_xmin_join_finds_nothing(
    app: Flask, runner: Any, make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    # The join that linked 17 of 17 used tokens to their responses.
    campaign = make_campaign(mode="token")
    tokens = make_tokens(campaign, 3)
    for token in tokens[:2]:
        client = app.test_client()
        start(client, f"/s/t/{token}")
        complete(client, campaign.slug, full_answers())
    with app.app_context():
        if POSTGRES:
            joined = db.session.execute(text(
                "SELECT count(*) FROM invitation_tokens t JOIN responses r "
                "ON t.xmin = r.xmin")).scalar()
            assert joined == 0
            drafts_joined = db.session.execute(text(
                "SELECT count(*) FROM submissions s JOIN invitation_tokens t "
                "ON t.xmin = s.xmin")).scalar()
            assert drafts_joined == 0
        remaining = db.session.scalars(select(InvitationToken.token_hash)).all()
        assert remaining == [sha256(tokens[2])]
        # Used tokens are counted as issued minus remaining.
        from assessment.operations.campaigns import response_counts

        stored = db.session.get(Campaign, campaign.id)
        assert response_counts(stored)["tokens_used"] == 2
    status = runner.invoke(args=["campaign", "status", str(campaign.id)])
    assert "personal links used: 2 of 3" in status.output
