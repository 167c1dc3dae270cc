"""Scoring against hand-calculated examples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assessment.instrument.questionnaire import load_file
from assessment.instrument.scoring import item_score, overall_index, score_response

Q = load_file(Path(__file__).resolve().parent.parent / "questionnaires" / "digiskills-1.yaml")


@pytest.mark.parametrize(("item", "answer", "expected"), [
    ("cap_data", "nobody", 0.0), ("cap_data", "few", 25.0), ("cap_data", "some", 50.0),
    ("cap_data", "most", 75.0), ("cap_data", "everyone", 100.0),
    ("cap_data", "dont_know", None), ("cap_data", None, None),
    ("vision_clear", "yes", 100.0), ("vision_clear", "no", 0.0),
    ("cu_everyone", "partly", 50.0), ("ld_funded", "disagree", 25.0),
])
def test_item_score(item: str, answer: str | None, expected: float | None) -> None:
    assert item_score(Q, item, answer) == expected


def test_full_response_by_hand(full_answers: Callable[..., dict[str, Any]]) -> None:
    scores = score_response(Q, full_answers())
    # cap_mobile is "don't know": left out, not zero.
    assert scores["cap_mobile"] is None
    assert scores["cap_cyber"] == 75.0
    # vision: yes (100), some (50), agree (75) -> 225 / 3
    assert scores["vision"] == pytest.approx(75.0)
    # learning: no (0), disagree (25), neutral (50) -> 75 / 3
    assert scores["learning"] == pytest.approx(25.0)
    # customer: partly 50, agree 75, agree 75, neutral 50, disagree 25, strongly agree 100
    assert scores["customer"] == pytest.approx(375 / 6)
    # capabilities: (100 + 75 + 25 + 50 + 0 + 75 + 100) / 7 of the seven answered;
    # index = 0.5 * that + 0.25 * 75 + 0.25 * 25
    assert scores["index"] == pytest.approx(0.5 * 425 / 7 + 0.25 * 75 + 0.25 * 25)


def test_index_renormalises_missing_groups() -> None:
    # Only capabilities and vision scored: weights 0.5 and 0.25 -> 2/3 and 1/3.
    scores = {"cap_data": 100.0, "vision": 40.0}
    assert overall_index(Q, scores) == pytest.approx((0.5 * 100 + 0.25 * 40) / 0.75)
    assert overall_index(Q, {}) is None


def test_all_dont_know_scores_nothing() -> None:
    answers = {i.key: "dont_know" for i in Q.items() if i.dimension}
    scores = score_response(Q, answers)
    assert all(v is None for v in scores.values())


def test_bands() -> None:
    assert Q.band_for(0).key == "beginning"
    assert Q.band_for(19.99).key == "beginning"
    assert Q.band_for(20).key == "emerging"
    assert Q.band_for(59.9).key == "developing"
    assert Q.band_for(80).key == "leading"
    assert Q.band_for(None) is None
