"""The engine's rules of issue 10 and the engine parts of issue 11, each on a fixture
built for it, against a hand calculation or scipy called directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from flask import Flask
from scipy import stats

from assessment.analysis.benchmark import PoolMember, compare, summarise, with_member
from assessment.analysis.digiskills import (
    organisation_findings,
    representative_class,
    respondent_findings,
)
from assessment.analysis.groups import BREAKDOWNS, breakdown, seniority_gaps
from assessment.analysis.loading import newest_campaign_ids, pool_campaigns, previous_campaign
from assessment.analysis.priorities import capability_links
from assessment.analysis.records import CampaignInfo, Respondent
from assessment.analysis.results import dimension_summaries
from assessment.analysis.statistics import campaign_statistics, describe_campaign
from assessment.extensions import db
from assessment.models import Campaign
from assessment.operations.campaigns import open_campaign
from assessment.operations.responses import submit_response
from assessment.stats.benchmark import percentile_rank
from assessment.stats.clustered import clustered_difference, clustered_share
from reports.organisation import organisation_html
from tests.test_engine import Q, respondent

INFO = CampaignInfo(1, "c", 1, "Org", "Retail", "50-249", "PL", False, "digiskills", 1,
                    dt.date(2026, 1, 1), None, 5, None)


def people(count: int, **answers: Any) -> list[Respondent]:
    return [respondent(**answers) for _ in range(count)]


# Point 1: a group's figure needs `threshold` answers that enter it.

def test_group_cell_hidden_when_too_few_members_answered() -> None:
    sales = people(3, function="sales", cap_analytics="most") + people(
        2, function="sales", cap_analytics="dont_know")
    it = people(6, function="it", cap_analytics="few") + people(
        4, function="it", cap_analytics="everyone")
    hr = people(6, function="hr", cap_analytics="some")
    found = breakdown(Q, sales + it + hr, BREAKDOWNS["function"], "function", 5)
    rows = found["rows"]
    # Sales (5 people) is shown, but only 3 of them scored analytics.
    assert rows["sales"]["n"] == 5
    assert rows["sales"]["dimensions"]["cap_analytics"] == {
        "suppressed": True, "reason": "below_threshold", "n": None}
    assert rows["sales"]["dimensions"]["cap_data"]["n"] == 5
    # 13 scored analytics in all: showing IT (10) and HR (6) would leave Sales' 3 as the
    # difference, so the smaller one (HR) is hidden to protect them.
    assert rows["hr"]["dimensions"]["cap_analytics"]["reason"] == "protects_smaller_group"
    assert rows["it"]["dimensions"]["cap_analytics"] == {
        "n": 10, "mean": pytest.approx((6 * 25 + 4 * 100) / 10)}


def test_campaign_dimension_rests_on_its_own_answers() -> None:
    crowd = people(6, cap_mobile="dont_know") + people(4, cap_mobile="most")
    summaries = dimension_summaries(Q, crowd, threshold=5)
    assert summaries["cap_mobile"]["suppressed"] is True
    assert summaries["cap_mobile"]["n"] is None
    # ... while its "don't know" share rests on all ten who answered the item.
    assert summaries["cap_mobile"]["dont_know"]["n"] == 10
    assert summaries["cap_mobile"]["dont_know"]["share"] == pytest.approx(0.6)


# Point 2: each side of a gap needs `threshold` answers; point 9 of issue 11: BH.

def test_seniority_gap_sides_and_adjusted_p_values() -> None:
    codes = ["everyone", "most", "some", "most", "everyone", "few"]
    senior = [respondent(seniority="senior_leader", cap_data=c, cap_cyber=c,
                         cap_coding="dont_know" if i < 2 else "most")
              for i, c in enumerate(codes)]
    staff = [respondent(seniority="staff", cap_data=c, cap_cyber=d, cap_coding="few")
             for c, d in zip(["few", "some", "nobody", "few", "some", "most", "few", "some"],
                             ["some", "most", "few", "few", "some", "most", "nobody", "few"],
                             strict=True)]
    gaps = {g["dimension"]: g for g in seniority_gaps(Q, senior + staff, threshold=5)}
    # Six senior leaders, two of whom do not know about coding: 4 answers < 5.
    assert gaps["cap_coding"]["suppressed"] is True
    assert gaps["cap_coding"]["reason"] == "below_threshold"
    a = [p.scores["cap_data"] for p in senior]
    b = [p.scores["cap_data"] for p in staff]
    welch = stats.ttest_ind(a, b, equal_var=False)
    assert gaps["cap_data"]["p_value"] == pytest.approx(welch.pvalue)
    shown = [g for g in gaps.values() if not g.get("suppressed") and g["p_value"] is not None]
    adjusted = stats.false_discovery_control([g["p_value"] for g in shown], method="bh")
    assert [g["p_adjusted"] for g in shown] == pytest.approx(list(adjusted))
    assert gaps["cap_data"]["interval"] == "welch"


# Point 3: the "don't know" respondents are a group when protecting others.

def test_dont_know_respondents_count_for_complementary_suppression() -> None:
    crowd = (people(7, ld_understands="yes", cu_everyone="yes")
             + people(3, ld_understands="yes", cu_everyone="no")
             + people(4, ld_understands="no", cu_everyone="partly")
             + people(2, ld_understands="no", cu_everyone="no")
             + people(3, ld_understands="dont_know", cu_everyone="yes")
             + people(1, ld_understands="dont_know", cu_everyone="no"))
    split = respondent_findings(Q, crowd, threshold=5)["by_learning"]
    # Answers table (20) - yes (10) - no (6) would describe the 4 "don't know": "no" goes.
    assert split["groups"]["no"] == {"suppressed": True, "reason": "protects_smaller_group",
                                     "n": None}
    assert split["groups"]["yes"]["n"] == 10
    assert split["groups"]["yes"]["says_yes"]["share"] == pytest.approx(0.7)
    assert split["test"] is None


# Point 4: no benchmark figure from fewer than 5 organisations, in any output.

def test_benchmark_dimension_of_few_organisations_is_hidden() -> None:
    pool = [PoolMember(i, "Retail", "50-249", 10, {"index": 10.0 * i}
                       | ({"cap_mobile": 50.0 + i} if i < 2 else {}), i)
            for i in range(6)]
    summary = summarise(pool, ["index", "cap_mobile"])
    assert summary["index"]["median"] == pytest.approx(np.percentile([0, 10, 20, 30, 40, 50],
                                                                     50))
    assert summary["cap_mobile"] == {"suppressed": True, "reason": "below_threshold",
                                     "n": None}
    own = {"index": {"mean": 25.0, "ci_low": 20.0, "ci_high": 30.0, "n": 40},
           "cap_mobile": {"mean": 51.0, "ci_low": 50.0, "ci_high": 52.0, "n": 40}}
    standing = compare(own, INFO, pool, ["index", "cap_mobile"])["all"]["dimensions"]
    assert standing["cap_mobile"]["suppressed"] is True
    assert "percentile_rank" not in standing["cap_mobile"]
    assert standing["index"]["percentile_rank"] == pytest.approx(
        stats.percentileofscore([0, 10, 20, 30, 40, 50], 25.0, kind="mean"))
    assert summarise(pool[:4], ["index"])["index"]["suppressed"] is True


# Point 5: the caption of a group hidden only to protect another.

def test_report_caption_for_a_group_hidden_to_protect_another() -> None:
    from reports.instrument import instrument_facts

    crowd = (people(2, seniority="senior_leader") + people(8, seniority="manager")
             + people(20, seniority="staff"))
    data = {"schema": "x", "synthetic": False, "threshold": 5, "suppressed": False,
            "campaign": INFO.as_dict(), "responses": {"n": 30, "invited": None,
                                                      "response_rate": None}}
    data |= describe_campaign(Q, INFO, crowd, [])
    rows = data["groups"]["seniority"]["rows"]
    assert rows["senior_leader"]["reason"] == "below_threshold"
    assert rows["manager"]["reason"] == "protects_smaller_group"
    html = organisation_html(data, instrument_facts(Q, "en"))
    assert "Senior leader: suppressed, fewer than 5 respondents." in html
    assert "Manager: suppressed to protect a smaller group." in html


# Point 6: newest and previous campaign by date, not id.

def test_campaign_order_is_by_date(
    app: Flask, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    current = make_campaign(opens_on=dt.date(2026, 3, 1))
    with app.app_context():
        stored = db.session.get(Campaign, current.id)
        assert stored is not None
        q = app.extensions["questionnaires"].get("digiskills")
        for code in ["most"] * 7:
            submit_response(stored, q, full_answers(cap_data=code), submitted_on=None)
        # Created later, but back-dated: an import of an older round.
        older = open_campaign(stored.organisation, q, "2025 round", dt.date(2025, 1, 1),
                              closes_on=dt.date(2025, 1, 31))
        for code in ["few"] * 6:
            submit_response(older, q, full_answers(cap_data=code))
        db.session.commit()
        assert older.id > current.id
        session = db.session()
        assert [c.id for c in pool_campaigns(session, "digiskills")] == [current.id]
        assert newest_campaign_ids(session) == [current.id]
        info = campaign_statistics(session, app.extensions["questionnaires"], current.id)
        assert info["change"]["previous_campaign"]["id"] == older.id
        rows = {r["dimension"]: r for r in info["change"]["dimensions"]}
        assert rows["cap_data"]["difference"] == pytest.approx(75.0 - 25.0)
        from assessment.analysis.loading import campaign_info
        back = campaign_info(session, older.id)
        assert back is not None and previous_campaign(session, back) is None


# Point 7: a campaign ties with its own pool entry.

def test_percentile_rank_ties_across_floating_point_paths() -> None:
    own = 200 / 3  # Python's mean of 50, 50, 100
    from_database = 66.66666666666669  # the database's sum-then-divide of the same
    assert own != from_database
    pool = [40.0, 50.0, from_database, 80.0, 90.0]
    # 2 below, 1 equal, of 5: (2 + 0.5) / 5.
    assert percentile_rank(own, pool) == pytest.approx(50.0)
    assert percentile_rank(own, pool) == pytest.approx(
        stats.percentileofscore([40.0, 50.0, own, 80.0, 90.0], own, kind="mean"))
    members = [PoolMember(i, "Retail", "50-249", 10, {"vision": v}, organisation_id=i)
               for i, v in enumerate(pool)]
    mine = PoolMember(99, "Retail", "50-249", 10, {"vision": own}, organisation_id=2)
    ranked_in = with_member(members, mine)
    assert len(ranked_in) == 5 and [m.means["vision"] for m in ranked_in].count(own) == 1
    summary = {"vision": {"mean": own, "ci_low": 55.0, "ci_high": 78.0, "n": 10}}
    cell = compare(summary, INFO, ranked_in, ["vision"])["all"]["dimensions"]["vision"]
    assert cell["percentile_rank"] == pytest.approx(50.0)


# Point 8: organisation-level priorities_everyone is computed.

def test_organisation_level_priorities_everyone() -> None:
    crowd: list[Respondent] = []
    for org in range(6):
        # Organisations 0-2: 3 of 5 say everyone can state the priorities (a majority).
        said = 3 if org < 3 else 2
        crowd += [respondent(campaign_id=org, vision_priorities="everyone")
                  for _ in range(said)]
        crowd += [respondent(campaign_id=org, vision_priorities="most")
                  for _ in range(5 - said)]
    found = organisation_findings(Q, crowd, minimum=5, threshold=5)
    assert found["priorities_everyone"]["n"] == 6
    assert found["priorities_everyone"]["share"] == pytest.approx(3 / 6)


# Point 9: the documented choices.

def test_representative_class_settled_by_the_known_answers() -> None:
    a = Q.analysis
    assert a is not None
    assert representative_class(a, {"cap_data": "everyone", "cap_cyber": "few",
                                     "cap_coding": "dont_know"}) == "some"
    assert representative_class(a, {"cap_data": "everyone", "cap_cyber": "everyone",
                                     "cap_coding": "dont_know"}) is None
    assert representative_class(a, {"cap_data": "few", "cap_cyber": "most",
                                     "cap_coding": None}) is None
    assert representative_class(a, {"cap_data": "few", "cap_cyber": "most",
                                     "cap_coding": "nobody"}) == "none"


def test_links_need_ten_organisations() -> None:
    rng = np.random.default_rng(5)
    pool = [PoolMember(i, "Retail", "50-249", 10,
                       {"cap_data": float(rng.uniform(0, 100)),
                        "customer": float(rng.uniform(0, 100))}, i) for i in range(10)]
    assert capability_links(Q, pool[:9])["cap_data"]["suppressed"] is True
    link = capability_links(Q, pool)["cap_data"]
    expected = stats.spearmanr([m.means["cap_data"] for m in pool],
                               [m.means["customer"] for m in pool])
    assert link["n"] == 10 and link["r"] == pytest.approx(expected.statistic)


def test_constant_answers_give_the_all_same_code() -> None:
    summaries = dimension_summaries(Q, people(6, cap_data="everyone"), threshold=5)
    cell = summaries["cap_data"]
    assert cell["mean"] == 100.0 and cell["interval"] == "all_same"
    assert cell["ci_low"] is None and cell["ci_high"] is None
    varied = dimension_summaries(Q, people(5, cap_data="everyone") + people(1, cap_data="most"),
                                 threshold=5)["cap_data"]
    values = [100.0] * 5 + [75.0]
    low, high = stats.t.interval(0.95, 5, loc=np.mean(values), scale=stats.sem(values))
    assert varied["interval"] == "t"
    assert varied["ci_low"] == pytest.approx(low)
    assert varied["ci_high"] == 100.0 and high > 100.0  # clipped to the scale


# Issue 11, point 5: the "don't know" share of each dimension.

def test_dont_know_share_and_flag() -> None:
    crowd = (people(3, vision_clear="dont_know") + people(1, vision_communicated="dont_know")
             + people(6))
    summaries = dimension_summaries(Q, crowd, threshold=5)
    vision = summaries["vision"]["dont_know"]
    low, high = stats.binomtest(4, 10).proportion_ci(method="wilson")
    assert (vision["successes"], vision["n"]) == (4, 10)
    assert (vision["ci_low"], vision["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert summaries["vision"]["dont_know_high"] is True  # 40% > 20%
    assert summaries["cap_data"]["dont_know"]["share"] == 0.0
    assert summaries["cap_data"]["dont_know_high"] is False
    assert summaries["index"]["dont_know"] is None


# Issue 11, point 10: the pool's intervals allow for clustering.

def test_cluster_bootstrap_design_effects_follow_kish() -> None:
    rng = np.random.default_rng(11)
    # Independent respondents, one per organisation: design effect about 1.
    hits = rng.random(400) < 0.4
    alone = clustered_share(list(hits), list(range(400)))
    assert alone["interval"] == "cluster_bootstrap" and alone["clusters"] == 400
    assert 0.8 < alone["design_effect"] < 1.25
    # Organisations of 10 whose members all answer alike (intra-class correlation 1):
    # Kish's design effect 1 + (m - 1) * ICC = 10.
    alike = np.repeat(rng.random(60) < 0.4, 10)
    together = clustered_share(list(alike), list(np.repeat(np.arange(60), 10)))
    assert 7 < together["design_effect"] < 14
    wilson = stats.binomtest(int(alike.sum()), alike.size).proportion_ci(method="wilson")
    assert together["ci_high"] - together["ci_low"] > 2 * (wilson.high - wilson.low)


def test_cluster_bootstrap_difference_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(60, 15, 120), rng.normal(50, 15, 150)
    ids_a, ids_b = list(range(120)), list(range(120, 270))
    found = clustered_difference(list(a), ids_a, list(b), ids_b)
    welch = stats.ttest_ind(a, b, equal_var=False).confidence_interval()
    # Every respondent their own organisation: close to Welch's interval.
    assert found["ci_low"] == pytest.approx(welch.low, abs=1.5)
    assert found["ci_high"] == pytest.approx(welch.high, abs=1.5)
    assert found["p_value"] < 0.001
