"""Headline findings, priorities and page layout, read from the rendered PDFs.

The figures expected are computed here by hand or with scipy from the answers stored,
never taken from the report's own output; the page test measures each page with
pdfplumber's word boxes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pdfplumber
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from scipy import stats

from assessment.extensions import db
from assessment.instrument.questionnaire import load_file
from assessment.models import Campaign, Organisation
from assessment.operations.campaigns import open_campaign
from reports import findings
from reports.formatting import ENGLISH
from tests.conftest import PROJECT_ROOT
from tests.test_reports import (
    AGREE_SCORE,
    SPREAD_SCORE,
    YES_NO_SCORE,
    Answers,
    one_decimal,
    percentile,
    pool_answers,
    render,
    respondent_index,
    store,
)

INSTRUMENT = PROJECT_ROOT / "questionnaires" / "digiskills-1.yaml"
THRESHOLD = 5
MM = 72 / 25.4
MARGIN = 20 * MM  # report.css: the page's top and bottom margins
MIN_PAGE_USE = 0.30
# "n = 12" or "n = 12 and 48" in a finding: every count a sentence cites.
COUNTS = re.compile(r"n = ([\d,]+)(?: and ([\d,]+))?")


def vision_score(answers: Answers) -> float:
    """The digital-vision dimension by hand: the mean of its answered items' scores
    ("don't know" left out)."""
    scores = [YES_NO_SCORE.get(answers["vision_clear"]),
              SPREAD_SCORE.get(answers["vision_priorities"]),
              AGREE_SCORE.get(answers["vision_communicated"])]
    return float(np.mean([s for s in scores if s is not None]))


def headline_section(text: str) -> str:
    """The executive summary's findings: from their heading to the priority call-out."""
    start = text.index("Headline findings")
    return text[start:text.index("Priority.", start)]


def page_use(path: Path) -> list[float]:
    """Share of each page's body (inside the top and bottom margins) that its words span,
    from the highest word's top to the lowest word's bottom."""
    shares = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            body = page.height - 2 * MARGIN
            words = [w for w in page.extract_words()
                     if w["top"] >= MARGIN - 1 and w["bottom"] <= page.height - MARGIN + 1]
            if not words:
                shares.append(0.0)
                continue
            spanned = max(w["bottom"] for w in words) - min(w["top"] for w in words)
            shares.append(spanned / body)
    return shares


def assert_pages_used(path: Path) -> None:
    """Every page but the last uses at least MIN_PAGE_USE of its body."""
    shares = page_use(path)
    thin = [(number, f"{share:.0%}") for number, share in enumerate(shares[:-1], start=1)
            if share < MIN_PAGE_USE]
    assert thin == [], f"pages under {MIN_PAGE_USE:.0%} used: {thin}"


@pytest.fixture
def pool_of_ten(app: Flask, make_campaign: Callable[..., Campaign],
                full_answers: Callable[..., Answers]) -> list[tuple[Campaign, list[Answers]]]:
    """Ten organisations of six respondents: enough for the links the priorities need."""
    built = []
    for org in range(10):
        campaign = make_campaign(org_name=f"Pool Org {org}", invited=12)
        people = pool_answers(full_answers, org)
        store(app, campaign, people)
        built.append((campaign, people))
    return built


def earlier_campaign(app: Flask, campaign: Campaign, days: int) -> Campaign:
    """A campaign of the same organisation that opened and closed `days` earlier."""
    with app.app_context():
        organisation = db.session.get(Organisation, campaign.organisation_id)
        assert organisation is not None
        opens = campaign.opens_on - dt.timedelta(days=days)
        earlier = open_campaign(organisation, app.extensions["questionnaires"].get("digiskills"),
                                "Last year", opens, opens + dt.timedelta(days=20))
        db.session.commit()
        db.session.refresh(earlier)
        db.session.expunge(earlier)
        return earlier


def collapsing_vision(full_answers: Callable[..., Answers]) -> tuple[list[Answers],
                                                                   list[Answers]]:
    """Eight people who saw a clear, shared vision last year and eight who see none now."""
    spread = ["most", "some", "everyone", "few"]
    before = [full_answers(vision_clear="yes", vision_priorities=["everyone", "most"][i % 2],
                           vision_communicated=["strongly_agree", "agree"][i % 3 % 2],
                           cap_data=spread[i % 4], cap_cyber=spread[(i + 1) % 4],
                           cap_analytics="most")
              for i in range(8)]
    after = [full_answers(vision_clear="no", vision_priorities=["nobody", "few"][i % 2],
                          vision_communicated=["strongly_disagree", "disagree"][i % 3 % 2],
                          cap_data=spread[i % 4], cap_cyber=spread[(i + 1) % 4],
                          cap_analytics="most")
             for i in range(8)]
    return before, after


def test_a_vision_collapse_leads_the_headline_findings(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], pool_of_ten: list[tuple[Campaign, list[Answers]]],
    tmp_path: Path,
) -> None:
    current = make_campaign(org_name="Collapse Ltd")
    previous = earlier_campaign(app, current, 365)
    before, after = collapsing_vision(full_answers)
    store(app, previous, before)
    store(app, current, after)
    output = tmp_path / "collapse.pdf"
    text = render(runner, ["org", "--campaign", str(current.id)], output)

    now, then = [vision_score(a) for a in after], [vision_score(b) for b in before]
    welch = stats.ttest_ind(now, then, equal_var=False)
    low, high = welch.confidence_interval(0.95)
    change = float(np.mean(now) - np.mean(then))
    assert change < -findings.MATERIAL_POINTS and high < 0  # the fixture is a collapse
    sentence = (f"Digital vision fell {one_decimal(abs(change))} points since “Last year” "
                f"(from {one_decimal(np.mean(then))} to {one_decimal(np.mean(now))}; 95% CI of "
                f"the change {one_decimal(low)} to {one_decimal(high)}; n = 8 and 8)")
    assert sentence in headline_section(text)

    # The band is qualified by the weakest component: vision, ranked among the pool's
    # newest campaigns (the ten organisations and this one).
    pool_vision = [np.mean([vision_score(p) for p in people]) for _, people in pool_of_ten]
    own = float(np.mean(now))
    rank = percentile(own, [*pool_vision, own])
    assert re.search(rf"Its weakest component is digital vision, at percentile rank "
                     rf"{rank:.0f}\b", text)
    assert_pages_used(output)


def test_nothing_significant_says_so(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], tmp_path: Path,
) -> None:
    # Six organisations answering alike: every score sits on the benchmark median, the
    # customer answers do not vary (no correlation), no group is large enough for a gap.
    people = [full_answers(cap_data=level, cap_cyber=level, vision_priorities=level,
                           seniority=["staff", "manager", "senior_leader"][i % 3])
              for i, level in enumerate(["few", "some", "most", "some", "few", "most"])]
    campaigns = []
    for org in range(6):
        campaign = make_campaign(org_name=f"Alike {org}")
        store(app, campaign, people)
        campaigns.append(campaign)
    output = tmp_path / "nothing.pdf"
    text = render(runner, ["org", "--campaign", str(campaigns[0].id)], output)
    section = headline_section(text)
    assert "Nothing stands out" in section
    for claim in ("points above", "points below", "fell", "rose", "Senior leaders rate",
                  "Within the organisation"):
        assert claim not in section
    assert_pages_used(output)


def test_no_finding_cites_a_group_under_the_threshold(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], pool_of_ten: list[tuple[Campaign, list[Answers]]],
    tmp_path: Path,
) -> None:
    # Four senior leaders who rate everything at the top, beside eight staff who rate it
    # low: a large gap, but from a group under the threshold, so no finding may cite it.
    # Everyone doubts that customers are understood, far below the pool: a finding on
    # the whole organisation (n = 12), which is allowed.
    doubt = [{"cu_everyone": "no", "cu_feedback_loop": level, "cu_leader_insight": level,
              "cu_leader_guide": "disagree", "cu_leader_exceed": level,
              "cu_leader_own": "strongly_disagree"}
             for level in ["strongly_disagree", "disagree"] * 6]
    leaders = [full_answers(seniority="senior_leader", cap_data="everyone",
                            cap_cyber="everyone", cap_coding="everyone", **doubt[i])
               for i in range(4)]
    staff = [full_answers(seniority="staff", cap_data=level, cap_cyber=level, cap_coding="few",
                          **doubt[4 + i])
             for i, level in enumerate(["nobody", "few", "nobody", "few", "nobody", "few",
                                        "some", "few"])]
    campaign = make_campaign(org_name="Small Leaders")
    store(app, campaign, leaders + staff)
    output = tmp_path / "small-groups.pdf"
    text = render(runner, ["org", "--campaign", str(campaign.id)], output)
    section = headline_section(text)
    assert "Senior leaders rate" not in section
    counts = [int(n.replace(",", "")) for pair in COUNTS.findall(section) for n in pair if n]
    assert counts and min(counts) >= THRESHOLD
    # The leaders' own mean (100.0 on three capabilities) is printed nowhere.
    leaders_data = np.mean([SPREAD_SCORE[p["cap_data"]] for p in leaders])
    staff_data = np.mean([SPREAD_SCORE[p["cap_data"]] for p in staff])
    assert f"{one_decimal(leaders_data)} against {one_decimal(staff_data)}" not in text
    assert_pages_used(output)


def test_findings_recheck_the_threshold_of_every_figure() -> None:
    # A cell the engine did not mark as hidden but whose n is under the threshold (a
    # defence in depth): no sentence is built on it; at the threshold, one is.
    def campaign(n: int) -> dict[str, Any]:
        cell = {"n": n, "mean": 20.0, "ci_low": 10.0, "ci_high": 30.0, "interval": "t",
                "label": "Digital vision"}
        marks = {"median": 60.0, "percentile_rank": 5.0, "percentile_rank_low": 1.0,
                 "percentile_rank_high": 9.0}
        return {"threshold": THRESHOLD, "results": {"dimensions": {"vision": cell}},
                "benchmark": {"all": {"organisations": 40, "dimensions": {"vision": marks}}}}

    assert findings.benchmark_candidates(campaign(THRESHOLD - 1), ENGLISH) == []
    found = findings.benchmark_candidates(campaign(THRESHOLD), ENGLISH)
    assert [f.sentence for f in found] == [
        "Digital vision scores 20.0, 40.0 points below the benchmark median of 60.0 (95% CI "
        "10.0 to 30.0; n = 5; percentile rank 5 (1–9) among 40 organisations): a gap larger "
        "than the margin of error, and a place to start."]
    gap = {"dimension": "vision", "label": "Digital vision", "n_a": THRESHOLD - 1,
           "n_b": 20, "mean_a": 90.0, "mean_b": 30.0, "difference": 60.0, "ci_low": 40.0,
           "ci_high": 80.0, "p_value": 0.001, "p_adjusted": 0.002, "interval": "welch"}
    assert findings.gap_candidates({"threshold": THRESHOLD, "seniority_gap": [gap]}) == []
    assert len(findings.gap_candidates({"threshold": THRESHOLD,
                                        "seniority_gap": [gap | {"n_a": THRESHOLD}]})) == 1


def test_findings_rank_the_index_first_then_by_strength() -> None:
    made = [findings.Finding(findings.BENCHMARK, "cap_data", 4.0, "a"),
            findings.Finding(findings.BENCHMARK, "cap_cyber", 3.0, "b"),
            findings.Finding(findings.BENCHMARK, "index", 1.5, "index"),
            findings.Finding(findings.LINK, "vision", 1.2, "link"),
            findings.Finding(findings.CHANGE, "vision", 8.0, "change")]
    # The index first; then by strength, two at most of one kind, four in all.
    assert [f.sentence for f in findings.rank_findings(made)] == ["index", "change", "a",
                                                                   "link"]


def test_priorities_carry_the_action_library_text(
    runner: FlaskCliRunner, pool_of_ten: list[tuple[Campaign, list[Answers]]], tmp_path: Path,
) -> None:
    campaign, _ = pool_of_ten[0]
    output = tmp_path / "priorities.pdf"
    text = render(runner, ["org", "--campaign", str(campaign.id)], output)
    library = {action.dimension: " ".join(action.text["en"].split())
               for action in load_file(INSTRUMENT).actions}
    printed = [dimension for dimension, action in library.items() if action in text]
    assert printed, "no recommended action of the library is printed"
    assert "Recommended action:" in text
    assert_pages_used(output)


def test_study_and_comparison_pages_are_used_and_say_what_they_compute(
    runner: FlaskCliRunner, pool_of_ten: list[tuple[Campaign, list[Answers]]], tmp_path: Path,
) -> None:
    study = tmp_path / "study.pdf"
    text = render(runner, ["study"], study)
    assert "cluster-bootstrap 95% intervals" in text
    assert "Rao-Scott chi-square" in text
    assert "Wilson 95% score intervals" not in text
    assert "(no 0, partly 50, yes 100)" not in text
    assert_pages_used(study)

    compare = tmp_path / "compare.pdf"
    ids = [str(campaign.id) for campaign, _ in pool_of_ten[:4]]
    text = render(runner, ["compare", *[f"--campaign={i}" for i in ids]], compare)
    indexes = {f"Pool Org {org}": float(np.mean([respondent_index(p) for p in people]))
               for org, (_, people) in enumerate(pool_of_ten[:4])}
    leader = max(indexes, key=lambda name: indexes[name])
    trailer = min(indexes, key=lambda name: indexes[name])
    assert f"{leader} leads on the digital maturity index with " \
           f"{one_decimal(indexes[leader])}" in text
    assert f"{trailer} trails with {one_decimal(indexes[trailer])}" in text
    assert_pages_used(compare)
