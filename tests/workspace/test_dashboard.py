"""The dashboard: figures, filters under the anonymity rules, the cache, the heatmap
colours and the five languages."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats
from sqlalchemy import select

from assessment.analysis.filters import FilterUnavailable, offered_values
from assessment.analysis.statistics import campaign_statistics
from assessment.extensions import db
from assessment.models import Response
from assessment.stats.privacy import suppress_groups
from reports.charts import heat_colours
from tests.conftest import PROJECT_ROOT
from tests.workspace.conftest import World, add_responses

SPREAD = ["nobody", "few", "some", "most", "everyone"]


def _answers(full_answers: Callable[..., dict[str, Any]], i: int, **profile: Any) -> dict:
    """Varied answers (so that means have spread), with the given profile."""
    return full_answers(
        cap_data=SPREAD[i % 5], cap_cyber=SPREAD[(i * 2) % 5], cap_coding=SPREAD[(i * 3) % 5],
        cap_social=SPREAD[(i + 1) % 5], vision_clear=["yes", "no"][i % 2],
        cu_everyone=["yes", "partly", "no"][i % 3], **profile)


def _rows(**sizes: int) -> dict[str, Any]:
    """The engine's breakdown of one field for these group sizes (threshold 5)."""
    hidden = suppress_groups(sizes, 5)
    return {"rows": {code: {"suppressed": True} if code in hidden else {"n": n, "means": {}}
                     for code, n in sizes.items()}}


@pytest.mark.parametrize(("sizes", "total", "offered"), [
    # 3 senior leaders are hidden, and managers (the smallest shown) to protect them.
    ({"senior_leader": 3, "manager": 10, "staff": 12}, 25, ["staff"]),
    # All three shown, but 2 people did not answer: senior leaders (smallest) withheld.
    ({"senior_leader": 5, "manager": 10, "staff": 12}, 29, ["manager", "staff"]),
    # Ties go by code: manager before senior_leader.
    ({"senior_leader": 5, "manager": 5, "staff": 12}, 24, ["senior_leader", "staff"]),
    # One group that is everyone, or everyone but 3: nothing to filter.
    ({"staff": 20}, 20, []),
    ({"staff": 20}, 23, []),
    ({"staff": 20}, 25, ["staff"]),
    ({"manager": 5, "staff": 5}, 10, ["manager", "staff"]),
])
def test_offered_values_by_hand(sizes: dict[str, int], total: int, offered: list[str]) -> None:
    assert sorted(offered_values(_rows(**sizes), total, 5)) == offered


@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 30),
                       max_size=5), st.integers(0, 12), st.integers(2, 10))
def test_no_combination_of_filtered_views_isolates_a_small_group(
    sizes: dict[str, int], unanswered: int, threshold: int,
) -> None:
    hidden = suppress_groups(sizes, threshold)
    groups = {"rows": {code: {"suppressed": True} if code in hidden else {"n": n, "means": {}}
                       for code, n in sizes.items() if n > 0 or code not in hidden}}
    total = sum(sizes.values()) + unanswered
    assume(total >= threshold)  # below it the campaign shows nothing at all
    offered = offered_values(groups, total, threshold)
    for code in offered:
        assert sizes[code] >= threshold and total - sizes[code] >= threshold
    # Subtracting any set of filtered views from the whole leaves none or enough people.
    for count in range(1, len(offered) + 1):
        for chosen in itertools.combinations(offered, count):
            rest = total - sum(sizes[c] for c in chosen)
            assert rest == 0 or rest >= threshold


@pytest.fixture
def answered(app: Flask, world: World, full_answers: Callable[..., dict[str, Any]]) -> World:
    """Campaign A: 10 managers and 6 staff; 4 of the staff say "don't know" about mobile."""
    answers = [_answers(full_answers, i, seniority="manager", function="marketing",
                        cap_mobile="most") for i in range(10)]
    answers += [_answers(full_answers, i, seniority="staff", function="sales",
                         cap_mobile="dont_know" if i < 4 else "few") for i in range(6)]
    add_responses(app, world.campaign, answers)
    return world


def _index_scores(app: Flask, campaign_id: int, seniority: str | None = None) -> list[float]:
    with app.app_context():
        query = select(Response.index_score).where(Response.campaign_id == campaign_id)
        if seniority:
            query = query.where(Response.seniority == seniority)
        return [float(s) for s in db.session.scalars(query)]


def test_filtered_figures_are_the_group_s_own(app: Flask, answered: World) -> None:
    with app.app_context():
        registry = app.extensions["questionnaires"]
        whole = campaign_statistics(db.session(), registry, answered.campaign)
        managers = campaign_statistics(db.session(), registry, answered.campaign,
                                       only=("seniority", "manager"))
    scores = _index_scores(app, answered.campaign, "manager")
    index = managers["results"]["dimensions"]["index"]
    low, high = stats.t.interval(0.95, len(scores) - 1, loc=np.mean(scores),
                                 scale=stats.sem(scores))
    assert index["n"] == 10 and index["mean"] == pytest.approx(np.mean(scores))
    assert (index["ci_low"], index["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert managers["responses"]["n"] == 10 and managers["responses"]["response_rate"] is None
    assert managers["filter"] == {"field": "seniority", "value": "manager", "n": 10}
    assert whole["results"]["dimensions"]["index"]["mean"] == pytest.approx(
        np.mean(_index_scores(app, answered.campaign)))
    # Breakdowns by another field are left out of a filtered view.
    assert managers["groups"] == {} and managers["seniority_gap"] == []


def test_a_figure_whose_complement_is_small_is_suppressed(app: Flask, answered: World) -> None:
    with app.app_context():
        registry = app.extensions["questionnaires"]
        whole = campaign_statistics(db.session(), registry, answered.campaign)
        managers = campaign_statistics(db.session(), registry, answered.campaign,
                                       only=("seniority", "manager"))
    # Mobile: 10 managers and 2 staff answered; the whole shows 12 answers. Showing the
    # managers' mean would give the 2 staff members' mean away by subtraction.
    assert whole["results"]["dimensions"]["cap_mobile"]["n"] == 12
    mobile = managers["results"]["dimensions"]["cap_mobile"]
    assert mobile["suppressed"] is True and "mean" not in mobile
    # The share saying "everyone" counts "don't know" answers too (6 staff): shown.
    assert managers["results"]["everyone_can"]["cap_mobile"]["n"] == 10
    for pool in managers["benchmark"].values():
        if "dimensions" in pool:
            assert pool["dimensions"]["cap_mobile"]["value"] is None
            assert pool["dimensions"]["cap_mobile"]["percentile_rank"] is None
    mobile_priority = next(p for p in managers["priorities"] if p["dimension"] == "cap_mobile")
    assert mobile_priority["score"] is None and mobile_priority["reason"] == "not_enough_data"
    # Data software: 10 and 6 answered, so both sides reach the threshold: shown.
    data = managers["results"]["dimensions"]["cap_data"]
    assert data["n"] == 10 and "suppressed" not in data


def test_a_group_that_may_not_be_shown_is_refused(app: Flask, world: World,
                                                  full_answers: Callable[..., dict]) -> None:
    # 12 managers and 3 staff: staff are hidden, managers with them.
    add_responses(app, world.campaign,
                  [_answers(full_answers, i, seniority="manager") for i in range(12)]
                  + [_answers(full_answers, i, seniority="staff") for i in range(3)])
    with app.app_context():
        registry = app.extensions["questionnaires"]
        for only in [("seniority", "manager"), ("seniority", "staff"), ("country", "PL"),
                     ("seniority", "nonexistent")]:
            with pytest.raises(FilterUnavailable):
                campaign_statistics(db.session(), registry, world.campaign, only=only)


def _options(page: str) -> list[str]:
    return re.findall(r'<option value="([a-z_]+:[a-z_]+)"', page)


def test_dashboard_page_and_its_filters(app: Flask, answered: World,
                                        signed_in: Callable[[str], FlaskClient]) -> None:
    client = signed_in("hr")
    page = client.get(f"/campaigns/{answered.campaign}/dashboard")
    assert page.status_code == 200
    # Seniority: managers (10) and staff (6); function: marketing (10) and sales (6);
    # generation: all 16 are millennials, so that filter would be the whole.
    assert _options(page.text) == ["seniority:manager", "seniority:staff",
                                   "function:marketing", "function:sales"]
    for section in ("summary", "capabilities", "vision", "customers", "groups", "priorities"):
        assert f'id="{section}"' in page.text
    assert page.text.count('src="data:image/svg+xml;base64,') >= 4
    assert "By generation" in page.text and 'class="num heat-' in page.text
    assert " style=" not in page.text  # the CSP allows no inline styles
    mean = np.mean(_index_scores(app, answered.campaign))
    assert f"{mean:.1f}" in page.text
    filtered = client.get(f"/campaigns/{answered.campaign}/dashboard?group=seniority:manager")
    assert filtered.status_code == 200
    assert "Respondents in the group “Manager”: 10." in filtered.text
    assert f"{np.mean(_index_scores(app, answered.campaign, 'manager')):.1f}" in filtered.text
    assert "By generation" not in filtered.text
    assert '<option value="seniority:manager" selected>' in filtered.text
    for bad in ("generation:millennial", "seniority:senior_leader", "seniority", ":",
                "country:PL", "x" * 200):
        refused = client.get(f"/campaigns/{answered.campaign}/dashboard?group={bad}")
        assert refused.status_code == 400, bad
        assert "This group cannot be shown on its own" in refused.text


def test_dashboard_under_the_threshold_shows_no_figures(
    app: Flask, world: World, signed_in: Callable[[str], FlaskClient],
    full_answers: Callable[..., dict[str, Any]],
) -> None:
    add_responses(app, world.campaign, [_answers(full_answers, i) for i in range(4)])
    page = signed_in("consultant").get(f"/campaigns/{world.campaign}/dashboard")
    assert page.status_code == 200
    assert "Results withheld" in page.text
    assert "Fewer than 5 responses" in page.text
    assert "<table" not in page.text and 'name="group"' not in page.text  # nor filters


def test_figures_are_cached_until_an_answer_arrives(
    app: Flask, answered: World, signed_in: Callable[[str], FlaskClient],
    full_answers: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assessment.analysis.statistics as statistics

    calls: list[Any] = []
    real = statistics.campaign_statistics

    def counted(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs.get("only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(statistics, "campaign_statistics", counted)
    client = signed_in("hr")
    url = f"/campaigns/{answered.campaign}/dashboard"
    def page(query: str = "") -> str:  # without the CSRF token, which changes each time
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "",
                      client.get(url + query).text)

    first = page()
    assert calls == [None]
    assert page() == first and page("?lang=pl") != first
    assert calls == [None]  # the statistics are shared by every language
    page("?lang=en&group=seniority:manager")
    assert calls == [None, ("seniority", "manager")]
    add_responses(app, answered.campaign, [_answers(full_answers, 1, seniority="staff")])
    after = page()
    assert calls[-1] is None and len(calls) == 3
    assert "17 of 20 invited" in after and "16 of 20 invited" in first


def _luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of #RRGGBB."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_heatmap_classes_follow_the_report_scale_and_contrast() -> None:
    css = (PROJECT_ROOT / "assessment" / "static" / "dashboard.css").read_text()
    found = dict((int(step), (background, ink)) for step, background, ink in re.findall(
        r"\.heat-(\d+) \{ background: (#[0-9A-F]{6}); color: (#[0-9A-F]{6}); \}", css))
    assert sorted(found) == list(range(0, 101, 5))
    for step, (background, ink) in found.items():
        assert background == heat_colours(step)[0]
        light, dark = sorted([_luminance(background), _luminance(ink)])
        assert (dark + 0.05) / (light + 0.05) >= 4.5, step


EXECUTIVE_SUMMARY = {"en": "Executive summary", "pl": "Podsumowanie dla kierownictwa",
                     "ru": "Резюме для руководства", "zh": "执行摘要",
                     "lv": "Kopsavilkums vadībai"}


@pytest.mark.parametrize("language", sorted(EXECUTIVE_SUMMARY))
def test_dashboard_in_every_language(app: Flask, answered: World,
                                     signed_in: Callable[[str], FlaskClient],
                                     language: str) -> None:
    page = signed_in("hr").get(f"/campaigns/{answered.campaign}/dashboard?lang={language}")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert EXECUTIVE_SUMMARY[language] in page.text
    if language != "en":
        assert "Executive summary" not in page.text and "Everyone who answered" not in page.text


def test_static_files_exist() -> None:
    static = Path(PROJECT_ROOT / "assessment" / "static")
    assert (static / "workspace.js").is_file() and (static / "dashboard.css").is_file()


def test_heatmap_says_why_a_group_is_hidden(app: Flask, world: World,
                                            signed_in: Callable[[str], FlaskClient],
                                            full_answers: Callable[..., dict[str, Any]]) -> None:
    # 3 senior leaders (too few), 6 managers (hidden to protect them), 12 staff.
    add_responses(app, world.campaign,
                  [_answers(full_answers, i, seniority="senior_leader") for i in range(3)]
                  + [_answers(full_answers, i, seniority="manager") for i in range(6)]
                  + [_answers(full_answers, i, seniority="staff") for i in range(12)])
    page = signed_in("hr").get(f"/campaigns/{world.campaign}/dashboard").text
    assert "Senior leader: suppressed, fewer than 5 respondents." in page
    assert "Manager: suppressed to protect a smaller group." in page
    # Seniority offers only staff on its own: 12 shown, 9 others.
    assert "seniority:staff" in _options(page) and "seniority:manager" not in _options(page)
