"""`assessment stats`: the engine's figures for a campaign, a comparison or the pool."""

from __future__ import annotations

import json
import math
from typing import Any

import click
from flask.cli import with_appcontext

from assessment.analysis import MAX_COMPARED, MIN_COMPARED
from assessment.extensions import db
from assessment.instrument.questionnaire import translate
from assessment.instruments import registry


def to_json(data: Any) -> str:
    """Stable JSON: sorted keys, NaN refused (the engine never produces it)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False,
                      default=str)


@click.command("stats")
@click.option("--campaign", "campaign_ids", multiple=True, type=int,
              help=f"Campaign id; give it {MIN_COMPARED}-{MAX_COMPARED} times to compare "
              "organisations.")
@click.option("--pool", "questionnaire_key", default=None,
              help="Statistics of the whole benchmark pool of this questionnaire key.")
@click.option("--json", "as_json", is_flag=True, help="Print the full JSON form.")
@with_appcontext
def stats_command(campaign_ids: tuple[int, ...], questionnaire_key: str | None,
                  as_json: bool) -> None:
    """Results, benchmark, Digiskills analyses, correlations, reliability and priorities."""
    from assessment.analysis.statistics import (
        UnknownCampaign,
        campaign_statistics,
        comparison_statistics,
        pool_statistics,
    )
    from assessment.operations.tallies import commit_kept, keep_tallies

    if bool(campaign_ids) == bool(questionnaire_key):
        raise click.UsageError("give --campaign ID (once or several times) or --pool KEY")
    try:
        if questionnaire_key:
            data = pool_statistics(db.session(), registry(), questionnaire_key,
                                   keep=keep_tallies)
            commit_kept()
        elif len(campaign_ids) == 1:
            data = campaign_statistics(db.session(), registry(), campaign_ids[0])
        else:
            data = comparison_statistics(db.session(), registry(), list(campaign_ids))
    except UnknownCampaign as exc:
        raise click.ClickException(str(exc)) from None
    except KeyError:
        raise click.ClickException(f"no questionnaire '{questionnaire_key}'") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(to_json(data))
    elif questionnaire_key:
        _print_pool(data)
    else:
        for each in data["campaigns"] if "campaigns" in data else [data]:
            _print_campaign(each, _labels(each["campaign"]["questionnaire"]))
            click.echo("")


def _pct(cell: dict[str, Any] | None) -> str:
    if not cell or cell.get("suppressed"):
        return "suppressed"
    share = cell.get("share")
    if share is None:
        return "n/a"
    return f"{100 * share:.1f}% (n={cell['n']}, 95% CI {100 * cell['ci_low']:.1f}-" \
           f"{100 * cell['ci_high']:.1f})"


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _labels(ident: str) -> dict[str, str]:
    """English labels of an instrument's dimensions and maturity bands, by key."""
    key, _, version = ident.partition("@")
    questionnaire = registry().get(key, int(version) if version else None)
    labels = {d.key: translate(d.label, "en") for d in questionnaire.dimensions}
    labels |= {f"band:{b.key}": translate(b.label, "en") for b in questionnaire.bands}
    return labels | {"index": "Digital maturity index"}


def _print_campaign(data: dict[str, Any], labels: dict[str, str]) -> None:
    c = data["campaign"]
    label = " [synthetic data]" if data["synthetic"] else ""
    click.echo(f"campaign {c['id']}: {c['organisation']} - {c['name']}{label}")
    r = data["responses"]
    rate = f", response rate {100 * r['response_rate']:.0f}%" if r["response_rate"] else ""
    click.echo(f"responses: {r['n']}{rate}; anonymity threshold {data['threshold']}")
    if data["suppressed"]:
        click.echo(f"Fewer than {data['threshold']} responses: no results are shown until "
                   "the campaign reaches the anonymity threshold.")
        return
    dims = data["results"]["dimensions"]
    index = dims["index"]
    band = index.get("band") or {}
    rank = data["benchmark"]["all"].get("dimensions", {}).get("index", {}).get("percentile_rank")
    band_label = labels.get(f"band:{band.get('key')}", "n/a")
    click.echo(f"index: {_num(index.get('mean'))} ({band_label}), "
               f"percentile rank {_num(rank, 0)}")
    for key, d in dims.items():
        if key == "index":
            continue
        shown = "suppressed" if d.get("suppressed") else (
            f"{_num(d['mean'])} [{_num(d['ci_low'])}, {_num(d['ci_high'])}] n={d['n']}")
        click.echo(f"  {labels.get(key, key):<36} {shown}")
    click.echo("top priorities (gap to the benchmark's top quartile x link to customers):")
    for p in data["priorities"][:3]:
        click.echo(f"  {p['rank']}. {labels.get(p['dimension'], p['dimension'])}: "
                   f"gap {_num(p['gap'])}, link r {_num(p['link'], 2)} ({p['reason']})")


def _print_pool(data: dict[str, Any]) -> None:
    label = " [synthetic data]" if data["synthetic"] else ""
    click.echo(f"pool {data['questionnaire']}: {data['organisations']} organisations, "
               f"{data['respondents']} respondents{label}")
    d = data["digiskills"]["respondent"]
    click.echo(f"everyone fully understands customers: {_pct(d['understands_customers'])}")
    for name, split in (("representative capabilities", d["by_representative"]),
                        ("clear digital vision", d["by_vision"]),
                        ("L&D understands skills", d["by_learning"])):
        for group, cell in split["groups"].items():
            shown = _pct(cell.get("says_yes")) if "says_yes" in cell else "suppressed"
            click.echo(f"  {name} = {group}: {shown}")
