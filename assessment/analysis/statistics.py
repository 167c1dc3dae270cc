"""Everything the engine says about a campaign, the pool or a set of campaigns, as one
JSON-ready dict with stable keys (documented in the README). The CLI, the API and the
PDF reports all read these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from assessment.analysis import (
    MAX_COMPARED,
    MIN_COMPARED,
    digiskills,
    filters,
    groups,
    loading,
    relations,
)
from assessment.analysis.benchmark import (
    PoolMember,
    build_pool,
    compare,
    own_member,
    pool_cut,
    summarise,
    values_cell,
    with_member,
)
from assessment.analysis.digiskills import respondent_findings
from assessment.analysis.filters import FilterUnavailable
from assessment.analysis.groups import BREAKDOWNS, breakdown, score_columns, seniority_gaps
from assessment.analysis.priorities import capability_links, change, priorities
from assessment.analysis.records import CampaignInfo, PoolTallies, Respondent, TallyPlan
from assessment.analysis.relations import correlations, reliability
from assessment.analysis.results import dimension_summaries, everyone_shares, item_answer_shares
from assessment.instrument.questionnaire import Questionnaire, Registry
from assessment.instrument.scoring import INDEX
from assessment.stats.clustered import shared_resamples
from assessment.stats.privacy import DEFAULT_THRESHOLD

# 2: keys and codes only; readers apply the words. 3: every figure carries its own n and
# suppression reason; group cells are {n, mean}; priorities cover vision and L&D, with
# actions and ranks only above 0; intervals say how they were found; the pool's
# respondent-level figures allow for clustering.
SCHEMA = "assessment-stats/3"


class UnknownCampaign(LookupError):
    """No campaign with that id."""


def _dimension_keys(questionnaire: Questionnaire) -> list[str]:
    return [d.key for d in questionnaire.dimensions] + [INDEX]


def _pool(
    session: Session, questionnaire: Questionnaire
) -> tuple[list[CampaignInfo], list[PoolMember]]:
    """The pool's campaigns and their members (means per dimension), from the campaign
    summaries."""
    campaigns = loading.pool_campaigns(session, questionnaire.key)
    means = loading.pool_means(session, questionnaire.key)
    counts = loading.pool_response_counts(session, questionnaire.key)
    return campaigns, build_pool(campaigns, means, counts)


def benchmark_pool(session: Session, questionnaire: Questionnaire) -> dict[str, Any]:
    """The benchmark figures of the whole pool (what the bench script times): the
    quantiles of the pool's means per dimension, read from the campaign summaries
    without building a member per organisation (the same figures as `summarise` over
    the pool `_pool` builds)."""
    organisations, values = loading.pool_dimension_values(session, questionnaire.key)
    return {"organisations": organisations,
            "dimensions": {key: values_cell(values.get(key, ()))
                           for key in _dimension_keys(questionnaire)}}


def campaign_statistics(
    session: Session, registry: Registry, campaign_id: int, *,
    pool: Sequence[PoolMember] | None = None, only: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """One campaign: results, benchmark, Digiskills analyses, links, gaps, priorities.

    `pool` is the benchmark pool when the caller has built it already (a comparison
    builds it once for every campaign it covers). `only` = (profile field, value) gives
    the figures of that group of respondents alone, under the rules of
    `analysis.filters` (FilterUnavailable if the group may not be shown on its own).
    """
    info = loading.campaign_info(session, campaign_id)
    if info is None:
        raise UnknownCampaign(f"no campaign with id {campaign_id}")
    q = registry.get(info.questionnaire_key, info.questionnaire_version)
    threshold = info.anonymity_threshold
    respondents = loading.respondents(session, [info.id])
    n = len(respondents)
    out = _header(info, n)
    if n < threshold:
        if only is not None:
            raise FilterUnavailable("the campaign has fewer responses than its threshold")
        return out
    if pool is None:
        _campaigns, pool = _pool(session, q)
    previous = loading.previous_campaign(session, info)
    before = loading.respondents(session, [previous.id]) if previous else None
    if only is None:
        out.update(describe_campaign(q, info, respondents, pool, previous, before))
        return out
    # A group is ranked in the pool as it stands with the whole organisation in it, so the
    # benchmark's figures are the unfiltered view's.
    whole = dimension_summaries(q, respondents, threshold)
    ranked_in = with_member(pool, own_member(info, n, whole))
    return filters.filtered_figures(
        q, *only, respondents, before, threshold,
        max(threshold, previous.anonymity_threshold) if previous else threshold,
        lambda group, select: _header(info, len(group)) | describe_campaign(
            q, info, group, pool, previous, select(before) if before is not None else None,
            ranked_in=ranked_in))


def _header(info: CampaignInfo, n: int) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "synthetic": info.synthetic,
        "campaign": info.as_dict(),
        "threshold": info.anonymity_threshold,
        "responses": {
            "n": n, "invited": info.invited,
            "response_rate": n / info.invited if info.invited else None,
        },
        "suppressed": n < info.anonymity_threshold,
    }


def describe_campaign(
    q: Questionnaire, info: CampaignInfo, respondents: Sequence[Respondent],
    pool: Sequence[PoolMember], previous: CampaignInfo | None = None,
    before: Sequence[Respondent] | None = None, *,
    ranked_in: Sequence[PoolMember] | None = None,
) -> dict[str, Any]:
    """The figures of one campaign that has reached its threshold, from plain records:
    results, benchmark, Digiskills analyses, correlations, reliability, groups, gaps,
    priorities and the change since `previous` (whose respondents are `before`).

    `ranked_in`: the pool the campaign is ranked in, when the organisation already stands
    in it (a group of its respondents is ranked among the organisations as they are)."""
    threshold = info.anonymity_threshold
    keys = _dimension_keys(q)
    summaries = dimension_summaries(q, respondents, threshold)
    # The campaign stands for its organisation in the pool it is ranked in, with the
    # very means it reports, so its rank ties with itself exactly.
    if ranked_in is None:
        ranked_in = with_member(pool, own_member(info, len(respondents), summaries))
    standing = compare(summaries, info, ranked_in, keys)
    own = {k: summaries[k].get("mean") for k in keys}
    a = q.analysis
    columns = score_columns(respondents, keys)  # read once for the groups and the gaps
    return {
        "results": {
            "dimensions": summaries,
            "everyone_can": everyone_shares(q, respondents, threshold),
            "customer_understanding": item_answer_shares(
                q, respondents, a.outcome_item, threshold) if a else None,
        },
        "benchmark": standing,
        "digiskills": respondent_findings(q, respondents, threshold) if a else None,
        "correlations": correlations(q, respondents, threshold),
        "reliability": reliability(q, respondents, threshold),
        "seniority_gap": seniority_gaps(q, respondents, threshold, columns=columns),
        "groups": {
            name: breakdown(q, respondents, attribute, name, threshold, columns)
            for name, attribute in BREAKDOWNS.items()
            if any(i.key == name for i in q.profile_items())
        },
        "priorities": priorities(q, own, standing["all"].get("dimensions", {}),
                                 capability_links(q, ranked_in)),
        "change": _change(q, respondents, previous, before, threshold),
    }


def _change(
    q: Questionnaire, respondents: Sequence[Respondent], previous: CampaignInfo | None,
    before: Sequence[Respondent] | None, threshold: int,
) -> dict[str, Any] | None:
    if previous is None or before is None:
        return None
    result = change(q, respondents, before, max(threshold, previous.anonymity_threshold))
    return {"previous_campaign": previous.as_dict()} | result


Keep = Callable[[PoolTallies], object] | None


def _pool_tallies(
    session: Session, q: Questionnaire, plan: TallyPlan, keep: Keep
) -> tuple[list[CampaignInfo], list[PoolMember], PoolTallies]:
    """The pool's campaigns, benchmark members and per-organisation tallies of `plan`
    (those computed afresh handed to `keep`, when given, to be kept)."""
    campaigns, pool = _pool(session, q)
    included = {m.campaign_id for m in pool}
    infos = [c for c in campaigns if c.id in included]
    tallies = loading.pool_tallies(session, q.key, plan, keep)
    return infos, pool, tallies.restricted(sorted(included))


def _outline(synthetic: Sequence[bool], countries: Sequence[str], organisations: int,
             benchmark: dict[str, Any]) -> dict[str, Any]:
    """The pool's size, places and benchmark, as the headlines give them (`synthetic`:
    whether each organisation, or each distinct value, is synthetic)."""
    return {"synthetic": any(synthetic), "all_synthetic": bool(synthetic) and all(synthetic),
            "organisations": organisations, "countries": sorted(set(countries)),
            "benchmark": benchmark}


def _headlines(q: Questionnaire, outline: dict[str, Any], tallies: PoolTallies,
               ) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "questionnaire": q.ident,
        "synthetic": outline["synthetic"],
        "all_synthetic": outline["all_synthetic"],
        "organisations": outline["organisations"],
        "respondents": tallies.count(("respondents",)),
        "countries": outline["countries"],
        "benchmark": outline["benchmark"],
        "digiskills": {"respondent": digiskills.respondent_findings_from_tallies(
            q, tallies, DEFAULT_THRESHOLD)},
    }


def pool_headlines(
    session: Session, registry: Registry, questionnaire_key: str = "digiskills",
    keep: Keep = None,
) -> dict[str, Any]:
    """The pool's size, benchmark and respondent-level Digiskills findings (what the landing
    page shows): the first keys of `pool_statistics`, without its heavier analyses.
    `keep`: see `pool_statistics`.

    Read from aggregates only: the benchmark as `benchmark_pool` reads it (a dozen rows),
    the pool's countries as distinct values, and the per-organisation tallies; no
    record per organisation is built (at 10,000 organisations those took half the time
    and 70 MB of the page's first request).
    """
    q = registry.get(questionnaire_key)
    benchmark = benchmark_pool(session, q)
    countries, synthetic = loading.pool_places(session, q.key)
    tallies = loading.pool_tallies(session, q.key, digiskills.tally_plan(q), keep)
    outline = _outline(synthetic, countries, benchmark["organisations"],
                       benchmark["dimensions"])
    return shared_resamples(lambda: _headlines(q, outline, tallies))


def pool_plan(q: Questionnaire) -> TallyPlan:
    """The per-organisation tallies `pool_statistics` computes its figures from."""
    return digiskills.tally_plan(q).merged(relations.tally_plan(q)).merged(
        groups.tally_plan(q))


def pool_statistics(
    session: Session, registry: Registry, questionnaire_key: str = "digiskills",
    keep: Keep = None,
) -> dict[str, Any]:
    """The whole pool, in the manner of the Digiskills report.

    Every respondent-level figure comes from per-organisation counts and sums the
    database computes (`loading.pool_tallies`), never from the respondents' rows: the
    same figures as `respondent_findings`, `organisation_findings`, `correlations`,
    `reliability` and `seniority_gaps` give over the pool's respondents. `keep` (e.g.
    `operations.tallies.keep_tallies`) is handed the tallies, to keep those computed
    afresh, so the next call reads one row per organisation.
    """
    q = registry.get(questionnaire_key)
    infos, pool, tallies = _pool_tallies(session, q, pool_plan(q), keep)
    keys = _dimension_keys(q)
    threshold = DEFAULT_THRESHOLD
    by = {"sector": sorted({c.sector for c in infos}),
          "size_band": sorted({c.size_band for c in infos})}
    distributions: dict[str, Any] = {}
    for attribute, values in by.items():
        distributions[attribute] = {}
        for value in values:
            members = [m for m in pool if getattr(m, attribute) == value]
            cut = pool_cut(members, value, keys)
            if not cut.get("suppressed"):
                cut["respondents"] = sum(m.respondents for m in members)
            distributions[attribute][value] = cut

    outline = _outline([c.synthetic for c in infos], [c.country for c in infos], len(pool),
                       summarise(pool, keys))

    def clustered() -> dict[str, Any]:
        return _headlines(q, outline, tallies) | {
            "correlations": relations.correlations_from_tallies(q, tallies, threshold),
            "reliability": relations.reliability_from_tallies(q, tallies, threshold),
            "seniority_gap": groups.seniority_gaps_from_tallies(q, tallies, threshold),
        }

    # The figures with cluster-bootstrap intervals share passes over the resamples.
    result = shared_resamples(clustered)
    result["digiskills"]["organisation"] = digiskills.organisation_findings_from_tallies(
        q, tallies, threshold, threshold)
    result.update({
        "capability_links": capability_links(q, pool),
        "distributions": distributions,
    })
    return result


def comparison_statistics(
    session: Session, registry: Registry, campaign_ids: Sequence[int]
) -> dict[str, Any]:
    """Several organisations side by side against the benchmark (2 to 20 campaigns)."""
    if not MIN_COMPARED <= len(campaign_ids) <= MAX_COMPARED:
        raise ValueError(f"compare between {MIN_COMPARED} and {MAX_COMPARED} campaigns "
                         f"(got {len(campaign_ids)})")
    if len(set(campaign_ids)) != len(campaign_ids):
        raise ValueError("each campaign can be compared once")
    infos = [loading.campaign_info(session, i) for i in campaign_ids]
    missing = [i for i, info in zip(campaign_ids, infos, strict=True) if info is None]
    if missing:
        raise UnknownCampaign(f"no campaign with id {missing[0]}")
    keys = {info.questionnaire_key for info in infos if info is not None}
    if len(keys) != 1:
        raise ValueError("the campaigns use different questionnaires")
    q = registry.get(keys.pop())
    _campaigns, pool = _pool(session, q)
    each = [campaign_statistics(session, registry, i, pool=pool) for i in campaign_ids]
    return {
        "schema": SCHEMA,
        "synthetic": any(s["synthetic"] for s in each),
        "questionnaire": q.ident,
        "benchmark": {"organisations": len(pool),
                      "dimensions": summarise(pool, _dimension_keys(q))},
        "campaigns": each,
    }
