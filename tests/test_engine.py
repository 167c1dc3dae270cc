"""The analysis engine on hand-worked data, oracles called directly, and privacy."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from assessment.analysis.benchmark import PoolMember, compare
from assessment.analysis.digiskills import respondent_findings
from assessment.analysis.groups import BREAKDOWNS, breakdown, seniority_gaps
from assessment.analysis.priorities import priorities
from assessment.analysis.records import CampaignInfo, Respondent
from assessment.analysis.relations import correlations, reliability
from assessment.analysis.statistics import campaign_statistics
from assessment.extensions import db
from assessment.instrument.questionnaire import load_file
from assessment.instrument.scoring import item_score, score_response
from assessment.models import Campaign
from assessment.operations.campaigns import open_campaign
from assessment.operations.responses import submit_response
from reports.priorities import reason_text

Q = load_file(Path(__file__).resolve().parent.parent / "questionnaires" / "digiskills-1.yaml")
BASE = {
    "cap_data": "most", "cap_cyber": "most", "cap_coding": "few", "cap_social": "some",
    "cap_analytics": "few", "cap_mobile": "some", "cap_ecommerce": "most",
    "cap_collaboration": "most", "vision_clear": "yes", "vision_priorities": "some",
    "vision_communicated": "agree", "ld_understands": "yes", "ld_benchmarks": "neutral",
    "ld_funded": "agree", "cu_everyone": "yes", "cu_feedback_loop": "agree",
    "cu_leader_insight": "agree", "cu_leader_guide": "agree", "cu_leader_exceed": "agree",
    "cu_leader_own": "agree", "seniority": "staff", "function": "sales",
}


def respondent(campaign_id: int = 1, **answers: Any) -> Respondent:
    merged = BASE | answers
    return Respondent(campaign_id=campaign_id, answers=merged, scores=score_response(Q, merged),
                      seniority=merged.get("seniority"), function=merged.get("function"))


REP_ALL = {"cap_data": "everyone", "cap_cyber": "everyone", "cap_coding": "everyone"}
REP_NONE = {"cap_data": "most", "cap_cyber": "few", "cap_coding": "nobody"}
REP_SOME = {"cap_data": "everyone", "cap_cyber": "few", "cap_coding": "nobody"}


def test_digiskills_split_by_hand() -> None:
    people = (
        [respondent(**REP_ALL, cu_everyone="yes")] * 8
        + [respondent(**REP_ALL, cu_everyone="partly")] * 2
        + [respondent(**REP_NONE, cu_everyone="yes")] * 2
        + [respondent(**REP_NONE, cu_everyone="no")] * 4
        + [respondent(**REP_NONE, cu_everyone="partly")] * 4
        + [respondent(**REP_SOME, cu_everyone="no")] * 6
    )
    found = respondent_findings(Q, people, threshold=5)
    groups = found["by_representative"]["groups"]
    # all: 8 of 10 say yes; none: 2 of 10 say yes, 4 of 10 say no; some: 0 of 6.
    assert groups["all"]["says_yes"]["share"] == pytest.approx(0.8)
    assert groups["none"]["says_yes"]["share"] == pytest.approx(0.2)
    assert groups["none"]["says_no"]["share"] == pytest.approx(0.4)
    assert groups["some"]["says_yes"]["successes"] == 0
    low, high = stats.binomtest(8, 10).proportion_ci(method="wilson")
    assert groups["all"]["says_yes"]["ci_low"] == pytest.approx(low)
    assert groups["all"]["says_yes"]["ci_high"] == pytest.approx(high)
    # 2 x 3 table [[8, 0, 2], [2, 6, 8]]: expected counts under 5, so Fisher's exact test.
    test = found["by_representative"]["test"]
    assert test["test"] == "fisher-exact"
    chi2 = stats.chi2_contingency([[8, 0, 2], [2, 6, 8]], correction=False).statistic
    assert test["cramers_v"] == pytest.approx(np.sqrt(chi2 / (26 * 1)))
    # 26 answered; 10 of them yes.
    assert found["understands_customers"]["share"] == pytest.approx(10 / 26)
    assert found["everyone_can"]["cap_data"]["share"] == pytest.approx(16 / 26)


def test_small_class_is_suppressed_with_its_complement() -> None:
    people = ([respondent(**REP_ALL)] * 12 + [respondent(**REP_NONE)] * 7
              + [respondent(**REP_SOME)] * 3)
    groups = respondent_findings(Q, people, threshold=5)["by_representative"]["groups"]
    # "some" (3) is under the threshold; hiding it alone would let total - 12 - 7 reveal it,
    # so the next smallest class ("none", 7) is hidden too.
    assert groups["some"] == {"suppressed": True, "reason": "below_threshold", "n": None}
    assert groups["none"] == {"suppressed": True, "reason": "protects_smaller_group",
                              "n": None}
    assert groups["all"]["n"] == 12


def test_correlations_match_scipy() -> None:
    rng = np.random.default_rng(7)
    codes = ["nobody", "few", "some", "most", "everyone"]
    agree = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    people = [respondent(cap_data=codes[int(rng.integers(0, 5))],
                         cu_everyone=["no", "partly", "yes"][int(rng.integers(0, 3))],
                         cu_feedback_loop=agree[int(rng.integers(0, 5))])
              for _ in range(40)]
    rows = {row["dimension"]: row for row in correlations(Q, people, threshold=5)}
    x = [p.scores["cap_data"] for p in people]
    # The outcome is the customer-understanding dimension: the mean of its six items,
    # computed here from the answers by hand.
    agree_points = dict(zip(agree, [0, 25, 50, 75, 100], strict=True))
    y = [np.mean([{"no": 0, "partly": 50, "yes": 100}[p.answers["cu_everyone"]],
                  agree_points[p.answers["cu_feedback_loop"]]] + [75.0] * 4) for p in people]
    expected = stats.spearmanr(x, y)
    assert rows["cap_data"]["outcome"] == "customer"
    assert rows["cap_data"]["spearman"]["r"] == pytest.approx(expected.statistic)
    assert rows["cap_data"]["spearman"]["p_value"] == pytest.approx(expected.pvalue)
    assert rows["cap_data"]["pearson"]["r"] == pytest.approx(stats.pearsonr(x, y).statistic)
    # Constant capabilities have no correlation; the family adjusts the rest.
    assert rows["cap_cyber"]["spearman"]["r"] is None
    p_values = [row["spearman"]["p_value"] for row in rows.values()
                if row["spearman"]["p_value"] is not None]
    adjusted = stats.false_discovery_control(p_values)
    assert rows["cap_data"]["spearman"]["p_adjusted"] == pytest.approx(adjusted[0])


def test_reliability_matches_formula() -> None:
    rng = np.random.default_rng(3)
    codes = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
    people = [respondent(ld_understands=["yes", "no"][int(rng.integers(0, 2))],
                         ld_benchmarks=codes[int(rng.integers(0, 5))],
                         ld_funded=codes[int(rng.integers(0, 5))]) for _ in range(30)]
    matrix = np.array([[item_score(Q, k, p.answers[k]) for k in
                        ("ld_understands", "ld_benchmarks", "ld_funded")] for p in people])
    k = 3
    expected = k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum()
                              / matrix.sum(axis=1).var(ddof=1))
    found = reliability(Q, people, threshold=5)
    assert found["learning"]["alpha"] == pytest.approx(expected)
    assert found["learning"]["n"] == 30 and found["learning"]["k"] == 3
    assert found["capabilities"]["k"] == 8


def test_benchmark_quantiles_and_rank() -> None:
    info = CampaignInfo(1, "c", 1, "Org", "Retail", "50-249", "PL", False, "digiskills", 1,
                        dt.date(2026, 1, 1), None, 5, None)
    values = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    pool = [PoolMember(i, "Retail" if i < 5 else "Banking", "50-249", 10, {"index": v})
            for i, v in enumerate(values)]
    own = {"index": {"mean": 40.0, "ci_low": 25.0, "ci_high": 55.0, "n": 12}}
    result = compare(own, info, pool, ["index"])
    overall = result["all"]["dimensions"]["index"]
    assert overall["median"] == pytest.approx(35.0)      # (30 + 40) / 2
    assert overall["top25"] == pytest.approx(47.5)       # type 7: 10 + 3.75 * 10
    assert overall["top10"] == pytest.approx(55.0)       # 10 + 4.5 * 10
    # 3 of 6 below, 1 equal: (3 + 0.5) / 6
    assert overall["percentile_rank"] == pytest.approx(100 * 3.5 / 6)
    # The interval's limits ranked in the same pool: 25 has 2 below, 55 has 5 below.
    assert overall["percentile_rank_low"] == pytest.approx(
        stats.percentileofscore(values, 25.0, kind="mean"))
    assert overall["percentile_rank_high"] == pytest.approx(100 * 5 / 6)
    assert overall["few_respondents"] is True  # 12 < 30
    assert result["sector"]["organisations"] == 5
    assert result["size_band"]["organisations"] == 6
    # A sector of a single organisation would reveal it: suppressed.
    banking = compare(own, info.__class__(**{**info.__dict__, "sector": "Banking"}),
                      pool, ["index"])
    assert banking["sector"]["suppressed"] is True
    assert banking["sector"]["reason"] == "below_threshold"


def test_priorities_by_hand() -> None:
    own = {"cap_data": 50.0, "cap_cyber": 70.0, "cap_coding": 20.0, "cap_social": 90.0,
           "vision": 30.0}
    marks = {"cap_data": {"top25": 80.0, "median": 60.0},
             "cap_cyber": {"top25": 75.0, "median": 72.0},
             "cap_coding": {"top25": 40.0, "median": 10.0},
             "cap_social": {"top25": 80.0, "median": 70.0},
             "vision": {"top25": 70.0, "median": 50.0},
             "learning": {"top25": 70.0, "median": 50.0}}
    links = {"cap_data": {"r": 0.5}, "cap_cyber": {"r": 0.9}, "cap_coding": {"r": -0.2},
             "cap_social": {"r": 0.8}, "vision": {"r": 0.6}}
    ranked = priorities(Q, own, marks, links)
    # vision: 40 * 0.6 = 24; data: 30 * 0.5 = 15; cyber: 5 * 0.9 = 4.5;
    # coding: 20 * 0 = 0; social: gap 0 -> 0.
    assert [p["dimension"] for p in ranked[:5]] == ["vision", "cap_data", "cap_cyber",
                                                    "cap_coding", "cap_social"]
    assert ranked[0]["priority"] == pytest.approx(24.0)
    assert ranked[1]["priority"] == pytest.approx(15.0)
    assert ranked[2]["priority"] == pytest.approx(4.5)
    # Only priorities above 0 are ranked.
    assert [p["rank"] for p in ranked[:5]] == [1, 2, 3, None, None]
    # The engine gives reason codes; the reports phrase them in the reader's language.
    assert [p["reason"] for p in ranked[:5]] == [
        "gap_linked", "gap_linked", "gap_linked", "gap_not_linked", "at_top_quartile"]
    assert ranked[1]["gap"] == pytest.approx(30.0)
    assert ranked[1]["gap_median"] == pytest.approx(10.0)  # 60 - 50
    assert ranked[4]["gap_median"] == 0.0  # 90 is above the median of 70
    # Each carries its action from the instrument's action library.
    assert ranked[0]["action"] == "vision_statement"
    assert ranked[1]["action"] == "data_tools_practice"
    rest = ranked[5:]
    assert {p["dimension"] for p in rest} == {"cap_analytics", "cap_mobile", "cap_ecommerce",
                                              "cap_collaboration", "learning"}
    assert all(p["priority"] is None and p["rank"] is None
               and p["reason"] == "not_enough_data" for p in rest)
    phrased = [reason_text(p | {"label": p["dimension"]}) for p in ranked]
    assert "30.0 points below the top quartile and 10.0 below the median" in phrased[1]
    assert "do not understand customers better" in phrased[3]
    assert "already at or above" in phrased[4]
    assert "not enough data to rank" in phrased[5]


def test_seniority_gap_matches_welch() -> None:
    senior = [respondent(seniority="senior_leader", cap_data=c)
              for c in ["everyone", "most", "everyone", "most", "everyone", "some"]]
    staff = [respondent(seniority="staff", cap_data=c)
             for c in ["few", "some", "most", "few", "nobody", "some", "few"]]
    gaps = {g["dimension"]: g for g in seniority_gaps(Q, senior + staff, threshold=5)}
    a = [p.scores["cap_data"] for p in senior]
    b = [p.scores["cap_data"] for p in staff]
    welch = stats.ttest_ind(a, b, equal_var=False)
    assert gaps["cap_data"]["difference"] == pytest.approx(np.mean(a) - np.mean(b))
    assert gaps["cap_data"]["p_value"] == pytest.approx(welch.pvalue)
    ci = welch.confidence_interval()
    assert gaps["cap_data"]["ci_low"] == pytest.approx(ci.low)
    assert gaps["cap_data"]["ci_high"] == pytest.approx(ci.high)


def _visible_groups(output: dict[str, Any]) -> list[int]:
    return [row["n"] for row in output["rows"].values() if not row.get("suppressed")]


def _hidden_groups(output: dict[str, Any]) -> list[str]:
    return [k for k, row in output["rows"].items() if row.get("suppressed")]


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=3),
       functions=st.lists(st.sampled_from(["sales", "it", "hr", "finance"]), min_size=40,
                          max_size=40),
       threshold=st.integers(min_value=2, max_value=10))
def test_no_small_group_gets_through(sizes: list[int], functions: list[str],
                                     threshold: int) -> None:
    levels = ["senior_leader", "manager", "staff"]
    people = []
    for level, size in zip(levels, sizes, strict=True):
        people += [respondent(seniority=level, function=functions[len(people) % 40])
                   for _ in range(size)]
    for name in ("seniority", "function"):
        output = breakdown(Q, people, BREAKDOWNS[name], name, threshold)
        assert all(n >= threshold for n in _visible_groups(output))
        counts: dict[str, int] = {}
        for p in people:
            key = p.seniority if name == "seniority" else p.function
            counts[str(key)] = counts.get(str(key), 0) + 1
        hidden_total = sum(counts.get(k, 0) for k in _hidden_groups(output))
        if len(people) < threshold:
            # The whole campaign is under the threshold (and is suppressed as a whole).
            assert _visible_groups(output) == []
        else:
            # Total minus the visible groups never isolates fewer than `threshold` people.
            assert hidden_total == 0 or hidden_total >= threshold
    gaps = seniority_gaps(Q, people, threshold)
    if sizes[0] < threshold or sizes[2] < threshold:
        assert all(g.get("suppressed") for g in gaps)
    for gap in gaps:  # complementary suppression may hide a gap of two large groups too
        assert gap.get("suppressed") or (gap["n_a"] >= threshold and gap["n_b"] >= threshold)
    found = respondent_findings(Q, people, threshold)
    for split in ("by_representative", "by_vision", "by_learning"):
        for cell in found[split]["groups"].values():
            assert cell.get("suppressed") or cell["n"] == 0 or cell["n"] >= threshold


def test_campaign_statistics_from_database(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    campaign = make_campaign()
    small = make_campaign()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        q = app.extensions["questionnaires"].get("digiskills")
        levels = ["staff"] * 6 + ["senior_leader"] * 5 + ["manager"] * 2
        for i, level in enumerate(levels):
            answers = full_answers(seniority=level, cap_data=["few", "most"][i % 2])
            submit_response(stored, q, answers)
        submit_response(db.session.get(Campaign, small.id), q, full_answers())
        db.session.commit()
        data = campaign_statistics(db.session, app.extensions["questionnaires"], campaign.id)
        tiny = campaign_statistics(db.session, app.extensions["questionnaires"], small.id)
    assert data["responses"]["n"] == 13 and data["suppressed"] is False
    values = [[25.0, 75.0][i % 2] for i in range(13)]
    cap = data["results"]["dimensions"]["cap_data"]
    assert cap["mean"] == pytest.approx(np.mean(values))
    assert cap["sd"] == pytest.approx(np.std(values, ddof=1))
    t_low, t_high = stats.t.interval(0.95, 12, loc=np.mean(values), scale=stats.sem(values))
    assert (cap["ci_low"], cap["ci_high"]) == (pytest.approx(t_low), pytest.approx(t_high))
    rows = data["groups"]["seniority"]["rows"]
    # Managers (2) are under the threshold; senior leaders (5) are hidden with them.
    assert rows["manager"]["suppressed"] and rows["senior_leader"]["suppressed"]
    assert rows["staff"]["n"] == 6
    # The pool holds only this organisation (the other has 1 response): one member < 5.
    assert data["benchmark"]["all"]["suppressed"] is True
    assert tiny["suppressed"] is True and "results" not in tiny
    text = json.dumps(data)
    assert "NaN" not in text
    result = runner.invoke(args=["stats", "--campaign", str(campaign.id), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["results"]["dimensions"]["cap_data"]["mean"] == \
        pytest.approx((7 * 25 + 6 * 75) / 13)
    human = runner.invoke(args=["stats", "--campaign", str(campaign.id)])
    assert "responses: 13" in human.output
    missing = runner.invoke(args=["stats", "--campaign", "999999"])
    assert missing.exit_code != 0 and "no campaign with id 999999" in missing.output
    neither = runner.invoke(args=["stats"])
    assert neither.exit_code != 0 and "give --campaign" in neither.output


def test_new_empty_campaign_keeps_organisation_in_pool(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    from assessment.analysis.loading import pool_campaigns

    campaign = make_campaign()
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        q = app.extensions["questionnaires"].get("digiskills")
        for _ in range(5):
            submit_response(stored, q, full_answers())
        newer = open_campaign(stored.organisation, q, "Next round",
                                         dt.date.today())
        submit_response(newer, q, full_answers())  # 1 < threshold
        db.session.commit()
        assert [c.id for c in pool_campaigns(db.session(), "digiskills")] == [campaign.id]


def test_change_since_previous_campaign_matches_welch(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    first = make_campaign()
    before_codes = ["few", "some", "few", "nobody", "some", "few"]
    after_codes = ["most", "everyone", "some", "most", "most", "everyone", "some"]
    with app.app_context():
        stored = db.session.get(Campaign, first.id)
        q = app.extensions["questionnaires"].get("digiskills")
        for code in before_codes:
            submit_response(stored, q, full_answers(cap_data=code))
        second = open_campaign(stored.organisation, q, "Round 2", dt.date.today())
        for code in after_codes:
            submit_response(second, q, full_answers(cap_data=code))
        db.session.commit()
        data = campaign_statistics(db.session(), app.extensions["questionnaires"], second.id)
    rows = {row["dimension"]: row for row in data["change"]["dimensions"]}
    points = {"nobody": 0, "few": 25, "some": 50, "most": 75, "everyone": 100}
    after = [points[c] for c in after_codes]
    before = [points[c] for c in before_codes]
    welch = stats.ttest_ind(after, before, equal_var=False)
    assert data["change"]["previous_campaign"]["id"] == first.id
    assert rows["cap_data"]["difference"] == pytest.approx(np.mean(after) - np.mean(before))
    assert rows["cap_data"]["p_value"] == pytest.approx(welch.pvalue)
    assert rows["cap_data"]["ci_low"] == pytest.approx(welch.confidence_interval().low)
    # Unchanged answers: no difference, and a dimension both campaigns answered alike.
    assert rows["vision"]["difference"] == pytest.approx(0.0)
