"""`assessment stats`: the engine's figures for a campaign, a comparison or the pool."""

from __future__ import annotations

import json
import math
from typing import Any

import click
from flask.cli import with_appcontext

from assessment.analysis.statistics import (
    UnknownCampaign,
    campaign_statistics,
    comparison_statistics,
    pool_statistics,
)
from assessment.extensions import db
from assessment.instruments import registry


def to_json(data: Any) -> str:
    """Stable JSON: sorted keys, NaN refused (the engine never produces it)."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False,
                      default=str)


@click.command("stats")
@click.option("--campaign", "campaign_ids", multiple=True, type=int,
              help="Campaign id; give it 2-20 times to compare organisations.")
@click.option("--pool", "questionnaire_key", default=None,
              help="Statistics of the whole benchmark pool of this questionnaire key.")
@click.option("--json", "as_json", is_flag=True, help="Print the full JSON form.")
@with_appcontext
def stats_command(campaign_ids: tuple[int, ...], questionnaire_key: str | None,
                  as_json: bool) -> None:
    """Results, benchmark, Digiskills analyses, correlations, reliability and priorities."""
    if bool(campaign_ids) == bool(questionnaire_key):
        raise click.UsageError("give --campaign ID (once or several times) or --pool KEY")
    try:
        if questionnaire_key:
            data = pool_statistics(db.session(), registry(), questionnaire_key)
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
    elif len(campaign_ids) == 1:
        _print_campaign(data)
    else:
        for each in data["campaigns"]:
            _print_campaign(each)
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


def _print_campaign(data: dict[str, Any]) -> None:
    c = data["campaign"]
    label = " [synthetic data]" if data["synthetic"] else ""
    click.echo(f"campaign {c['id']}: {c['organisation']} - {c['name']}{label}")
    r = data["responses"]
    rate = f", response rate {100 * r['response_rate']:.0f}%" if r["response_rate"] else ""
    click.echo(f"responses: {r['n']}{rate}; anonymity threshold {data['threshold']}")
    if data["suppressed"]:
        click.echo(data["message"])
        return
    dims = data["results"]["dimensions"]
    index = dims["index"]
    band = index.get("band") or {}
    rank = data["benchmark"]["all"].get("dimensions", {}).get("index", {}).get("percentile_rank")
    click.echo(f"index: {_num(index.get('mean'))} ({band.get('label', 'n/a')}), "
               f"percentile rank {_num(rank, 0)}")
    for key, d in dims.items():
        if key == "index":
            continue
        shown = "suppressed" if d.get("suppressed") else (
            f"{_num(d['mean'])} [{_num(d['ci_low'])}, {_num(d['ci_high'])}] n={d['n']}")
        click.echo(f"  {d['label']:<36} {shown}")
    click.echo("top priorities:")
    for p in data["priorities"][:3]:
        click.echo(f"  {p['rank']}. {p['reason']}")


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
