"""How synthetic respondents answer: the latent model behind the demo pool's answers.

Each respondent brings their organisation's latent digital maturity, vision, L&D
readiness and customer focus (see ``assessment.demo``) and their own profile:

* **Capabilities.** A respondent perceives the maturity with noise plus *seniority
  optimism* (senior leaders see more than managers, managers more than staff); each
  capability answer cuts that perception, shifted by the function's own strengths (IT
  for coding and cyber security, marketing for social media and analytics, ...), at cut
  points from "nobody" to "everyone". The top cut sits at the pool's own quantile so the
  published "everyone" shares (57.8% data software, 12.2% coding) hold for any seed; the
  other capabilities get plausible shares.
* **Vision and L&D.** Answers cut the organisation's vision and L&D latents (plus
  optimism and noise) the same way: 38% say a clear vision is set, 25% that everyone can
  state the priorities (both published), half that L&D understands the skills needed
  (not published; it is what lets both L&D splits and the overall 44% hold together).
  "Don't know" is most common among staff. About a quarter do not know whether a vision
  is set: with 38% at 63% and everyone else at 20%, only 36% could say "yes" overall, so
  the published 44% needs a group in between.
* **Customer understanding** (the outcome, yes > partly > no) is an ordered logit over
  the respondent's own answers - all, some or none of the three representative
  capabilities "everyone", the vision answer, the L&D answer - plus a small
  organisation effect. Its coefficients were fitted by least squares so that, in
  expectation over a 5,000-organisation pool (seed 12345), the engine's
  respondent-level figures are the published ones: 44% yes overall; 83% where all three
  are everyone's and 18% (47% "no") where none is; 63% / 20% by a clear vision; 65% /
  18% by L&D. The outcome is drawn with stratified uniforms within each (class, vision,
  L&D) cell, so each cell's count sits on its expectation instead of wandering
  binomially. The feedback-loop and leadership items follow the same latent customer
  focus, so the customer dimension score moves with capability too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.random import Generator

SENIORITY = ("senior_leader", "manager", "staff")
OPTIMISM = np.array([0.55, 0.25, 0.0])  # how much more each level sees than staff

SPREAD = ("nobody", "few", "some", "most", "everyone")
AGREE = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
# Cut points below an item's "everyone" (or "strongly agree") threshold, in latent units.
SPREAD_CUTS = np.array([-2.6, -1.6, -0.7, 0.0])
AGREE_CUTS = np.array([-2.8, -1.8, -0.8, 0.0])

# Capability: share of all respondents (don't know included) who say "everyone" - the
# published ones for data software and coding, plausible ones for the rest - and the
# item's extra don't-know rate (harder items are less known).
CAPABILITIES = {
    "cap_data": (0.578, 0.0), "cap_cyber": (0.30, 0.01), "cap_coding": (0.122, 0.03),
    "cap_social": (0.33, 0.0), "cap_analytics": (0.10, 0.03), "cap_mobile": (0.20, 0.01),
    "cap_ecommerce": (0.17, 0.01), "cap_collaboration": (0.45, 0.0),
}
# Published: 38% a clear vision, 25% everyone can state the priorities. The L&D share is
# not published; half is what lets both L&D splits and the overall 44% hold together.
VISION_CLEAR, PRIORITIES_EVERYONE, LEARNING_UNDERSTANDS = 0.38, 0.25, 0.50
FUNCTION_STRENGTHS = {  # function: {capability: shift}
    "it": {"cap_coding": 0.9, "cap_cyber": 0.8, "cap_data": 0.3, "cap_analytics": 0.4,
           "cap_collaboration": 0.3},
    "marketing": {"cap_social": 0.7, "cap_analytics": 0.5, "cap_ecommerce": 0.4,
                  "cap_mobile": 0.3},
    "sales": {"cap_mobile": 0.3, "cap_ecommerce": 0.3, "cap_social": 0.2},
    "customer_service": {"cap_social": 0.3},
    "finance": {"cap_data": 0.5, "cap_social": -0.3, "cap_coding": -0.1},
    "hr": {"cap_coding": -0.3, "cap_analytics": -0.2},
    "operations": {"cap_social": -0.2},
}
# Don't know by seniority (senior leader, manager, staff).
CAPABILITY_DONT_KNOW = np.array([0.01, 0.02, 0.05])
VISION_DONT_KNOW = np.array([0.05, 0.18, 0.34])
LEARNING_DONT_KNOW = np.array([0.03, 0.08, 0.15])
OUTCOME_DONT_KNOW = np.array([0.01, 0.03, 0.05])
AGREE_DONT_KNOW = 0.02


@dataclass(frozen=True)
class OutcomeModel:
    """Ordered logit of "does everyone understand customers" (yes > partly > no)."""

    intercept: float
    all_representative: float
    no_representative: float
    vision_yes: float
    vision_no: float
    learning_yes: float
    learning_no: float
    partly_band: float  # logit gap between "yes" and "at least partly"
    organisation: float  # weight of the organisation's own customer focus


OUTCOME = OutcomeModel(
    intercept=0.41, all_representative=1.62, no_representative=-1.72, vision_yes=0.41,
    vision_no=-1.90, learning_yes=1.30, learning_no=-1.31, partly_band=2.27, organisation=0.3,
)


@dataclass(frozen=True)
class RespondentLatents:
    """What drives each respondent's answers: their organisation's latents, their profile."""

    maturity: np.ndarray
    vision: np.ndarray
    learning: np.ndarray
    customer: np.ndarray
    seniority: np.ndarray  # index into SENIORITY
    function: np.ndarray  # function codes


def _ordinal(latent: np.ndarray, threshold: float, cuts: np.ndarray) -> np.ndarray:
    """Category index 0..len(cuts): how many cut points the latent value passes."""
    return (latent[:, None] > threshold + cuts[None, :]).sum(axis=1)


def _top_threshold(latent: np.ndarray, unknown: np.ndarray, share: float) -> float:
    """The cut above which `share` of all respondents fall, those who don't know included.

    At the pool's own quantile the published shares hold for any seed; a fixed cut would
    let the organisation-level spread move them by a few points.
    """
    known = np.sort(latent[~unknown])[::-1]
    top = int(round(share * len(latent)))
    return float(known[top]) if top < len(known) else -np.inf


def _spread(latent: np.ndarray, unknown: np.ndarray, everyone: float) -> np.ndarray:
    """Answers on the nobody..everyone scale with `everyone` of them at the top."""
    threshold = _top_threshold(latent, unknown, everyone)
    return _codes(SPREAD, _ordinal(latent, threshold, SPREAD_CUTS), unknown)


def _yes_no(latent: np.ndarray, unknown: np.ndarray, yes: float) -> np.ndarray:
    """Yes / no answers with `yes` of them yes."""
    threshold = _top_threshold(latent, unknown, yes)
    return _codes(("no", "yes"), (latent > threshold).astype(int), unknown)


def _codes(
    categories: tuple[str, ...], index: np.ndarray, dont_know: np.ndarray
) -> np.ndarray:
    return np.where(dont_know, "dont_know", np.array(categories)[index])


def draw_answers(
    rng: Generator, people: RespondentLatents, outcome: OutcomeModel = OUTCOME
) -> dict[str, np.ndarray]:
    """Every scored item's answer code (or "dont_know") per respondent."""
    n = len(people.seniority)
    optimism = OPTIMISM[people.seniority]
    perceived = people.maturity + optimism + 0.55 * rng.standard_normal(n)
    answers: dict[str, np.ndarray] = {}
    for key, (everyone, extra_dont_know) in CAPABILITIES.items():
        shift = np.zeros(n)
        for function, strengths in FUNCTION_STRENGTHS.items():
            shift[people.function == function] = strengths.get(key, 0.0)
        latent = perceived + shift + 0.6 * rng.standard_normal(n)
        unknown = rng.random(n) < CAPABILITY_DONT_KNOW[people.seniority] + extra_dont_know
        answers[key] = _spread(latent, unknown, everyone)

    vision = people.vision + optimism + 0.7 * rng.standard_normal(n)
    unknown = rng.random(n) < VISION_DONT_KNOW[people.seniority]
    answers["vision_clear"] = _yes_no(vision, unknown, VISION_CLEAR)
    priorities = 0.7 * vision + 0.3 * perceived + 0.6 * rng.standard_normal(n)
    answers["vision_priorities"] = _spread(
        priorities, rng.random(n) < CAPABILITY_DONT_KNOW[people.seniority], PRIORITIES_EVERYONE)
    answers["vision_communicated"] = _agree(rng, vision + 0.7 * rng.standard_normal(n), 1.3)

    learning = people.learning + 0.6 * optimism + 0.7 * rng.standard_normal(n)
    unknown = rng.random(n) < LEARNING_DONT_KNOW[people.seniority]
    answers["ld_understands"] = _yes_no(learning, unknown, LEARNING_UNDERSTANDS)
    answers["ld_benchmarks"] = _agree(rng, learning + 0.8 * rng.standard_normal(n), 1.8)
    answers["ld_funded"] = _agree(rng, learning + 0.8 * rng.standard_normal(n), 1.2)

    answers |= _customer_answers(rng, answers, people, outcome)
    return answers


def _agree(rng: Generator, latent: np.ndarray, threshold: float) -> np.ndarray:
    unknown = rng.random(len(latent)) < AGREE_DONT_KNOW
    return _codes(AGREE, _ordinal(latent, threshold, AGREE_CUTS), unknown)


def _representative_class(answers: dict[str, np.ndarray]) -> np.ndarray:
    """0 some, 1 all, 2 none of the representative capabilities "everyone"; 3 don't know."""
    representative = np.stack([answers[k] for k in ("cap_data", "cap_cyber", "cap_coding")])
    everyone = (representative == "everyone").sum(axis=0)
    found = np.select([everyone == 3, everyone == 0], [1, 2], default=0)
    return np.where((representative == "dont_know").any(axis=0), 3, found)


def outcome_logits(
    answers: dict[str, np.ndarray], people: RespondentLatents, outcome: OutcomeModel
) -> np.ndarray:
    """The ordered logit's linear predictor for each respondent."""
    representative = _representative_class(answers)
    return (
        outcome.intercept
        + outcome.all_representative * (representative == 1)
        + outcome.no_representative * (representative == 2)
        + outcome.vision_yes * (answers["vision_clear"] == "yes")
        + outcome.vision_no * (answers["vision_clear"] == "no")
        + outcome.learning_yes * (answers["ld_understands"] == "yes")
        + outcome.learning_no * (answers["ld_understands"] == "no")
        + outcome.organisation * people.customer
    )


def _stratified_uniforms(rng: Generator, cells: np.ndarray) -> np.ndarray:
    """Uniform draws, one in each 1/n slice of [0, 1) within every cell, in random order.

    Each cell's count of answers then sits on its expected count instead of wandering
    binomially: a pool of a few hundred organisations reproduces the published splits
    without relying on luck.
    """
    draws = np.empty(len(cells))
    for cell in np.unique(cells):
        members = np.flatnonzero(cells == cell)
        slices = rng.permutation(len(members)) + rng.random(len(members))
        draws[members] = slices / len(members)
    return draws


def _customer_answers(
    rng: Generator, answers: dict[str, np.ndarray], people: RespondentLatents,
    outcome: OutcomeModel,
) -> dict[str, np.ndarray]:
    n = len(people.seniority)
    logit = outcome_logits(answers, people, outcome)
    says_yes = 1 / (1 + np.exp(-logit))
    at_least_partly = 1 / (1 + np.exp(-(logit + outcome.partly_band)))
    cells = (_representative_class(answers) * 9
             + np.searchsorted(["dont_know", "no", "yes"], answers["vision_clear"]) * 3
             + np.searchsorted(["dont_know", "no", "yes"], answers["ld_understands"]))
    draw = _stratified_uniforms(rng, cells)
    known = 1 - OUTCOME_DONT_KNOW[people.seniority]
    # The top slice of each cell's draws is "don't know"; the rest are the ordered logit's.
    unknown = draw >= known
    draw = draw / known
    level = (draw < at_least_partly).astype(int) + (draw < says_yes)
    customer = {"cu_everyone": _codes(("no", "partly", "yes"), level, unknown)}
    # The leadership and feedback-loop items follow the same latent customer focus.
    focus = logit + 1.2 * rng.standard_normal(n)
    for key, threshold in (("cu_feedback_loop", 2.2), ("cu_leader_insight", 1.2),
                           ("cu_leader_guide", 1.8), ("cu_leader_exceed", 2.0),
                           ("cu_leader_own", 1.5)):
        customer[key] = _agree(rng, focus + 0.8 * rng.standard_normal(n), threshold)
    return customer

