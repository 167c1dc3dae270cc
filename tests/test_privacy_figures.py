"""Property tests of the promise: no figure anywhere in the engine's JSON rests on fewer
than `threshold` answers, and no hidden cell can be recovered by subtracting shown cells
from a shown total. Campaigns are generated with random "don't know" and unanswered
patterns; the same check runs on `assessment stats --json` for a campaign, a comparison
and the pool."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.analysis.benchmark import MIN_ORGANISATIONS, PoolMember
from assessment.analysis.records import CampaignInfo, Respondent
from assessment.analysis.statistics import describe_campaign
from assessment.extensions import db
from assessment.instrument.scoring import score_response
from assessment.models import Campaign
from assessment.operations.responses import submit_response
from tests.test_engine import BASE, Q

COUNTS = ("n", "n_a", "n_b")
# Parts of the JSON whose n counts organisations, not respondents.
ORGANISATION_PARTS = ("benchmark", "capability_links", "distributions", "organisation")
ITEMS = [i.key for i in Q.items() if i.dimension and not i.profile]


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, path)


def _shown(cell: Any) -> bool:
    return isinstance(cell, Mapping) and not cell.get("suppressed")


def _rest_is_safe(total: int, shown: list[int], threshold: int) -> bool:
    rest = total - sum(shown)
    return rest == 0 or rest >= threshold


def check_campaign(data: Mapping[str, Any]) -> None:
    """Every rule of the promise on one campaign's JSON."""
    if data["suppressed"]:
        assert "results" not in data
        return
    threshold = data["threshold"]
    for path, node in _walk(data):
        if not isinstance(node, Mapping) or node.get("suppressed"):
            continue
        minimum = MIN_ORGANISATIONS if any(p in ORGANISATION_PARTS for p in path) \
            else threshold
        for key in COUNTS:
            n = node.get(key)
            if isinstance(n, int) and n > 0:
                assert n >= minimum, (path, key, n)
    dimensions = data["results"]["dimensions"]
    for name, found in data["groups"].items():
        rows = [row for row in found["rows"].values() if _shown(row)]
        assert _rest_is_safe(data["responses"]["n"], [r["n"] for r in rows], threshold), name
        for key, total in dimensions.items():
            cells = [row["dimensions"][key] for row in rows if _shown(row["dimensions"][key])]
            if not _shown(total):
                assert all(c["n"] == 0 for c in cells), (name, key)
                continue
            assert _rest_is_safe(total["n"], [c["n"] for c in cells], threshold), (name, key)
    seniority = data["groups"].get("seniority", {}).get("rows", {})
    for gap in data["seniority_gap"]:
        if _shown(gap):  # a gap shows only what the heatmap shows
            assert seniority["senior_leader"]["dimensions"][gap["dimension"]]["n"] == gap["n_a"]
            assert seniority["staff"]["dimensions"][gap["dimension"]]["n"] == gap["n_b"]
    answers = data["results"]["customer_understanding"]
    for split in ("by_representative", "by_vision", "by_learning"):
        groups = [g for g in data["digiskills"][split]["groups"].values() if _shown(g)]
        if _shown(answers):
            assert _rest_is_safe(answers["n"], [g["n"] for g in groups], threshold), split
        else:
            assert not groups


def check_pool(data: Mapping[str, Any]) -> None:
    """The pool's JSON: organisation figures from 5 or more, respondent figures likewise."""
    for path, node in _walk(data):
        if not isinstance(node, Mapping) or node.get("suppressed"):
            continue
        for key in COUNTS:
            n = node.get(key)
            if isinstance(n, int) and n > 0:
                assert n >= MIN_ORGANISATIONS, (path, key, n)


ANSWER = st.sampled_from(["everyone", "most", "few", "dont_know", None])
PERSON = st.fixed_dictionaries({
    "dont_know": st.lists(st.sampled_from(ITEMS), max_size=6),
    "cap_data": ANSWER, "cap_coding": ANSWER,
    "seniority": st.sampled_from(["senior_leader", "manager", "staff"]),
    "function": st.sampled_from(["sales", "it", "hr"]),
    "generation": st.sampled_from(["gen_x", "millennial", "prefer_not", None]),
    "vision_clear": st.sampled_from(["yes", "no", "dont_know"]),
    "ld_understands": st.sampled_from(["yes", "no", "dont_know"]),
    "cu_everyone": st.sampled_from(["yes", "partly", "no", "dont_know"]),
})


def _respondent(drawn: Mapping[str, Any]) -> Respondent:
    answers = dict(BASE)
    for key, value in drawn.items():
        if key != "dont_know":
            answers[key] = value
    for key in drawn["dont_know"]:
        answers[key] = "dont_know"
    answers = {k: v for k, v in answers.items() if v is not None}
    return Respondent(campaign_id=1, answers=answers, scores=score_response(Q, answers),
                      seniority=answers.get("seniority"), function=answers.get("function"),
                      generation=answers.get("generation"))


@settings(max_examples=80, deadline=None)
@given(crowd=st.lists(PERSON, min_size=5, max_size=40),
       threshold=st.integers(min_value=2, max_value=8),
       pool_values=st.lists(st.floats(min_value=0, max_value=100), min_size=0, max_size=12))
def test_no_figure_rests_on_fewer_than_the_threshold(
    crowd: list[dict[str, Any]], threshold: int, pool_values: list[float],
) -> None:
    people = [_respondent(p) for p in crowd]
    info = CampaignInfo(1, "c", 1, "Org", "Retail", "50-249", "PL", False, "digiskills", 1,
                        dt.date(2026, 1, 1), None, threshold, None)
    # Other organisations: some score every dimension, one in three only the index.
    pool = [PoolMember(10 + i, "Retail" if i % 2 else "Banking", "50-249", 20,
                       {d.key: v for d in Q.dimensions} | {"index": v} if i % 3
                       else {"index": v}, 10 + i) for i, v in enumerate(pool_values)]
    data: dict[str, Any] = {"threshold": threshold, "suppressed": len(people) < threshold,
                            "responses": {"n": len(people)}}
    if not data["suppressed"]:
        data |= describe_campaign(Q, info, people, pool)
    json.dumps(data, allow_nan=False)
    check_campaign(data)


def test_stats_json_of_campaign_comparison_and_pool_keeps_the_promise(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    import random

    chance = random.Random(2015)
    campaigns = [make_campaign() for _ in range(6)]
    with app.app_context():
        q = app.extensions["questionnaires"].get("digiskills")
        for number, campaign in enumerate(campaigns):
            stored = db.session.get(Campaign, campaign.id)
            for _ in range(6 + 3 * number):
                answers = full_answers(
                    seniority=chance.choice(["senior_leader", "manager", "staff"]),
                    function=chance.choice(["sales", "it", "hr", "finance"]),
                    generation=chance.choice(["gen_x", "millennial", None]))
                for key in chance.sample(ITEMS, chance.randint(0, 5)):
                    answers[key] = "dont_know"
                submit_response(stored, q, answers)
        db.session.commit()
    ids = [str(c.id) for c in campaigns]
    for args in (["--campaign", ids[-1]], ["--campaign", ids[0], "--campaign", ids[3]]):
        result = runner.invoke(args=["stats", *args, "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        for each in data.get("campaigns", [data]):
            check_campaign(each)
        if "campaigns" in data:
            check_pool({"benchmark": data["benchmark"]})
    result = runner.invoke(args=["stats", "--pool", "digiskills", "--json"])
    assert result.exit_code == 0, result.output
    pool = json.loads(result.output)
    check_pool(pool)
    assert pool["digiskills"]["respondent"]["understands_customers"]["interval"] in (
        "cluster_bootstrap", "wilson")
