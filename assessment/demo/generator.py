"""A synthetic benchmark pool that reproduces the published Digiskills findings.

Pure generation: plain organisations and their respondents' answers, no database
(``assessment.demo.loader`` stores them). The same seed and size give the same pool.

* **Organisations.** A sector, size band and country (the seeds' countries plus GB), a
  headcount inside the band, a number of respondents (10-400, log-normal, so most are
  small and larger organisations have more) and how many were invited (a response rate
  of about 45%), and a campaign window in 2026. Its latent digital maturity ``M`` is
  normal around sector, size and country shifts (technology and finance ahead, the
  public sector behind); leadership's vision, L&D readiness and customer focus are
  partly driven by ``M`` and partly the organisation's own.
* **Respondents.** Seniority, business function, generation (older among senior
  leaders), country (mostly the organisation's), language and the day they answered
  (most in the first days). How they answer the scored items is the latent model in
  ``assessment.demo.answers``, which carries the published figures.
* **Voice of the customer.** An organisation uses each method and tracks each metric
  with a probability rising with ``M`` (behavioural data and A/B tests, social listening,
  NPS and, rarely, CES need mature organisations; surveys and retention are common) and
  acts on a tracked metric more often when mature; respondents report what they know of,
  senior and customer-facing people more completely. So more capable organisations use
  more VoC methods and more of NPS / CSAT / CES, and act on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.random import Generator

from assessment.demo import DEFAULT_ORGANISATIONS, DEFAULT_SEED
from assessment.demo.answers import SENIORITY, RespondentLatents, draw_answers
from assessment.instrument.attributes import SIZE_BANDS

NAME_PREFIX = "Synthetic "


class Sector(NamedTuple):
    name: str
    stem: str  # how its organisations are named
    maturity: float
    weight: float


SECTORS = (
    Sector("Retail", "Retail Co", 0.10, 0.14),
    Sector("Financial services", "Finance Group", 0.35, 0.12),
    Sector("Technology", "Tech Ltd", 0.60, 0.10),
    Sector("Telecoms", "Telecom", 0.40, 0.06),
    Sector("Manufacturing", "Manufacturing Co", -0.20, 0.14),
    Sector("Logistics", "Logistics Co", -0.15, 0.08),
    Sector("Healthcare", "Health Trust", -0.30, 0.09),
    Sector("Education", "College", -0.25, 0.07),
    Sector("Public sector", "Public Agency", -0.45, 0.10),
    Sector("Professional services", "Consulting", 0.20, 0.10),
)


class SizeBand(NamedTuple):
    weight: float
    headcount: tuple[int, int]
    median_respondents: float
    maturity: float


SIZES = dict(zip(SIZE_BANDS, (
    SizeBand(0.14, (20, 49), 14, -0.15),
    SizeBand(0.28, (50, 249), 26, -0.05),
    SizeBand(0.26, (250, 999), 45, 0.0),
    SizeBand(0.19, (1000, 4999), 75, 0.10),
    SizeBand(0.13, (5000, 60000), 120, 0.15),
), strict=True))
COUNTRIES = {"GB": (0.26, 0.10), "PL": (0.24, 0.0), "RU": (0.18, -0.05),
             "CN": (0.18, 0.10), "LV": (0.14, -0.05)}  # code: (weight, maturity shift)
MIN_RESPONDENTS, MAX_RESPONDENTS = 10, 400
LANGUAGES = {"GB": "en", "PL": "pl", "RU": "ru", "CN": "zh", "LV": "lv"}

SENIORITY_WEIGHTS = (0.12, 0.28, 0.60)
FUNCTIONS = ("marketing", "sales", "customer_service", "it", "operations", "finance", "hr",
             "other")
FUNCTION_WEIGHTS = (0.12, 0.15, 0.15, 0.12, 0.18, 0.10, 0.08, 0.10)
CUSTOMER_FACING = ("marketing", "sales", "customer_service")
GENERATIONS = ("baby_boomer", "gen_x", "millennial", "gen_z", "prefer_not")
GENERATION_WEIGHTS = {  # by seniority: leaders are older
    "senior_leader": (0.30, 0.50, 0.18, 0.0, 0.02),
    "manager": (0.15, 0.45, 0.36, 0.01, 0.03),
    "staff": (0.08, 0.30, 0.45, 0.13, 0.04),
}

VOC_METHODS = {  # method: (intercept, maturity slope) of an organisation using it
    "surveys": (1.2, 0.6), "social_listening": (-0.3, 0.9), "reviews": (0.5, 0.5),
    "behavioural": (-1.2, 1.1), "recorded_calls": (-0.2, 0.4),
    "competitor_analysis": (0.2, 0.5),
}
METRICS = {"nps": (-0.4, 0.9), "csat": (0.4, 0.7), "ces": (-2.0, 1.0), "retention": (0.6, 0.5)}
ACTED_ON = (0.3, 0.8)  # a tracked metric leads to action
FIRST_OPENING = dt.date(2026, 1, 5)


@dataclass(frozen=True)
class SyntheticResponse:
    """One synthetic respondent's answers (raw codes) and the day they were submitted."""

    answers: dict[str, Any]
    submitted_on: dt.date
    locale: str


@dataclass(frozen=True)
class SyntheticOrganisation:
    """A synthetic organisation, its one campaign's window and invitations, its responses."""

    name: str
    sector: str
    size_band: str
    country: str
    headcount: int
    invited: int
    opens_on: dt.date
    closes_on: dt.date
    responses: list[SyntheticResponse]


@dataclass(frozen=True)
class _Organisations:
    sector: np.ndarray
    size: np.ndarray
    country: np.ndarray
    headcount: np.ndarray
    respondents: np.ndarray
    invited: np.ndarray
    maturity: np.ndarray
    vision: np.ndarray
    learning: np.ndarray
    customer: np.ndarray
    opens: np.ndarray  # days after FIRST_OPENING
    duration: np.ndarray  # days the campaign stays open


@dataclass(frozen=True)
class _Respondents:
    organisation: np.ndarray
    seniority: np.ndarray
    function: np.ndarray
    generation: np.ndarray
    country: np.ndarray
    submitted: np.ndarray  # days after the campaign opened


def generate_pool(
    organisations: int = DEFAULT_ORGANISATIONS, seed: int = DEFAULT_SEED
) -> list[SyntheticOrganisation]:
    """The synthetic pool: the same seed and size always give the same organisations."""
    rng = np.random.default_rng(seed)
    orgs = _draw_organisations(rng, organisations)
    people = _draw_respondents(rng, orgs)
    org = people.organisation
    answers = draw_answers(rng, RespondentLatents(
        maturity=orgs.maturity[org], vision=orgs.vision[org], learning=orgs.learning[org],
        customer=orgs.customer[org], seniority=people.seniority,
        function=np.array(FUNCTIONS)[people.function],
    ))
    practices = _draw_practices(rng, orgs, people)
    # Most answer in their country's language, the rest in English.
    native = rng.random(len(people.organisation)) < 0.8
    locales = np.where(native, [LANGUAGES.get(c, "en") for c in people.country], "en")
    return _assemble(orgs, people, answers, practices, locales)


def organisation_name(sector: str, number: int) -> str:
    """A name that says the organisation is synthetic, e.g. 'Synthetic Retail Co 017'."""
    stem = next(s.stem for s in SECTORS if s.name == sector)
    return f"{NAME_PREFIX}{stem} {number:03d}"


def _draw_organisations(rng: Generator, count: int) -> _Organisations:
    sector = rng.choice(len(SECTORS), size=count, p=[s.weight for s in SECTORS])
    bands = list(SIZES.values())
    size = rng.choice(len(bands), size=count, p=[b.weight for b in bands])
    country = rng.choice(len(COUNTRIES), size=count, p=[w for w, _ in COUNTRIES.values()])
    low = np.array([b.headcount[0] for b in bands])[size]
    high = np.array([b.headcount[1] for b in bands])[size]
    headcount = np.round(np.exp(rng.uniform(np.log(low), np.log(high)))).astype(int)
    median = np.array([b.median_respondents for b in bands])[size]
    wanted = np.round(median * np.exp(0.6 * rng.standard_normal(count))).astype(int)
    # Never everyone: even a small organisation has some who do not answer.
    most = np.minimum(MAX_RESPONDENTS, np.floor(0.85 * headcount).astype(int))
    respondents = np.clip(wanted, MIN_RESPONDENTS, most)
    rate = np.clip(rng.beta(4, 5, size=count), 0.15, 0.9)
    invited = np.clip(np.round(respondents / rate).astype(int), respondents, headcount)
    maturity = (
        np.array([s.maturity for s in SECTORS])[sector]
        + np.array([b.maturity for b in bands])[size]
        + np.array([m for _, m in COUNTRIES.values()])[country]
        + 0.75 * rng.standard_normal(count)
    )
    return _Organisations(
        sector=sector, size=size, country=country, headcount=headcount,
        respondents=respondents, invited=invited, maturity=maturity,
        vision=0.6 * maturity + 0.8 * rng.standard_normal(count),
        learning=0.5 * maturity + 0.8 * rng.standard_normal(count),
        customer=0.3 * maturity + 0.3 * rng.standard_normal(count),
        opens=rng.integers(0, 240, size=count), duration=rng.integers(14, 43, size=count),
    )


def _draw_respondents(rng: Generator, orgs: _Organisations) -> _Respondents:
    organisation = np.repeat(np.arange(len(orgs.respondents)), orgs.respondents)
    n = len(organisation)
    seniority = rng.choice(len(SENIORITY), size=n, p=SENIORITY_WEIGHTS)
    generation = np.empty(n, dtype=int)
    for level, code in enumerate(SENIORITY):
        chosen = seniority == level
        generation[chosen] = rng.choice(
            len(GENERATIONS), size=int(chosen.sum()), p=GENERATION_WEIGHTS[code])
    codes = list(COUNTRIES)
    # Most respondents work in the organisation's own country; a few abroad.
    abroad = rng.random(n) < 0.08
    elsewhere = np.array(codes + ["other"])[rng.integers(0, len(codes) + 1, size=n)]
    country = np.where(abroad, elsewhere, np.array(codes)[orgs.country[organisation]])
    # Most answers come in the first days, then tail off until the campaign closes.
    duration = orgs.duration[organisation]
    submitted = np.minimum(np.floor(rng.beta(1.1, 2.2, size=n) * (duration + 1)), duration)
    return _Respondents(
        organisation=organisation, seniority=seniority,
        function=rng.choice(len(FUNCTIONS), size=n, p=FUNCTION_WEIGHTS),
        generation=generation, country=country, submitted=submitted.astype(int),
    )

def _reported(rng: Generator, used: np.ndarray, people: _Respondents) -> np.ndarray:
    """Which of the organisation's practices (columns) each respondent reports."""
    informed = (0.65 + 0.15 * (people.seniority == 0)
                + 0.10 * np.isin(np.array(FUNCTIONS)[people.function], CUSTOMER_FACING))
    draw = rng.random((len(people.organisation), used.shape[1]))
    # Someone who knows reports what is used; a few report what is not.
    return np.where(used[people.organisation], draw < informed[:, None], draw < 0.03)


def _draw_practices(
    rng: Generator, orgs: _Organisations, people: _Respondents
) -> dict[str, np.ndarray]:
    """Voice-of-customer methods used and customer metrics tracked and acted on."""
    count = len(orgs.maturity)

    def uses(table: dict[str, tuple[float, float]]) -> np.ndarray:
        logits = np.array([a + b * orgs.maturity for a, b in table.values()]).T
        return rng.random((count, len(table))) < 1 / (1 + np.exp(-logits))

    methods, tracked = uses(VOC_METHODS), uses(METRICS)
    acting = 1 / (1 + np.exp(-(ACTED_ON[0] + ACTED_ON[1] * orgs.maturity)))
    acted = tracked & (rng.random(tracked.shape) < acting[:, None])
    reported_tracked = _reported(rng, tracked, people)
    # Only a metric one knows is tracked can be one known to lead to action.
    reported_acted = reported_tracked & acted[people.organisation] & (
        rng.random(reported_tracked.shape) < 0.9)
    return {"voc_methods": _reported(rng, methods, people),
            "metrics_tracked": reported_tracked, "metrics_acted": reported_acted}


def _chosen(codes: tuple[str, ...], rows: np.ndarray) -> list[list[str]]:
    """Multiple-choice answers in option order; "none" when nothing is chosen."""
    return [[c for c, r in zip(codes, row, strict=True) if r] or ["none"]
            for row in rows.tolist()]


def _assemble(
    orgs: _Organisations, people: _Respondents, answers: dict[str, np.ndarray],
    practices: dict[str, np.ndarray], locales: np.ndarray,
) -> list[SyntheticOrganisation]:
    columns: dict[str, list[Any]] = {key: codes.tolist() for key, codes in answers.items()}
    columns["voc_methods"] = _chosen(tuple(VOC_METHODS), practices["voc_methods"])
    for key in ("metrics_tracked", "metrics_acted"):
        columns[key] = _chosen(tuple(METRICS), practices[key])
    columns["seniority"] = np.array(SENIORITY)[people.seniority].tolist()
    columns["function"] = np.array(FUNCTIONS)[people.function].tolist()
    columns["generation"] = np.array(GENERATIONS)[people.generation].tolist()
    columns["country"] = people.country.tolist()
    submitted, languages = people.submitted.tolist(), locales.tolist()
    countries, bands = list(COUNTRIES), list(SIZES)
    pool: list[SyntheticOrganisation] = []
    start = 0
    for i, size in enumerate(orgs.respondents.tolist()):
        opens_on = FIRST_OPENING + dt.timedelta(days=int(orgs.opens[i]))
        rows = range(start, start + size)
        start += size
        sector = SECTORS[orgs.sector[i]].name
        pool.append(SyntheticOrganisation(
            name=organisation_name(sector, i + 1), sector=sector,
            size_band=bands[orgs.size[i]], country=countries[orgs.country[i]],
            headcount=int(orgs.headcount[i]), invited=int(orgs.invited[i]), opens_on=opens_on,
            closes_on=opens_on + dt.timedelta(days=int(orgs.duration[i])),
            responses=[
                SyntheticResponse(
                    answers={key: values[r] for key, values in columns.items()},
                    submitted_on=opens_on + dt.timedelta(days=submitted[r]),
                    locale=languages[r])
                for r in rows
            ],
        ))
    return pool
