"""PDF reports: the figures printed match an independent calculation, small groups never
appear, charts survive edge cases, assets are fenced in, CJK fonts are embedded, and the
CLI fails clearly."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any, SupportsFloat

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from pypdf import PdfReader
from scipy import stats

from assessment.cli.reports import report_cli, slugify
from assessment.extensions import db
from assessment.io.files import write_atomically
from assessment.models import Campaign, Organisation
from assessment.operations.campaigns import open_campaign
from assessment.operations.responses import submit_response
from reports import charts, charts_benchmark
from reports.render import STYLESHEET, AssetFetcher, AssetRefused, ReportError, write_pdf

SPREAD = ["nobody", "few", "some", "most", "everyone"]
SPREAD_SCORE = {"nobody": 0.0, "few": 25.0, "some": 50.0, "most": 75.0, "everyone": 100.0}
AGREE_SCORE = {"strongly_disagree": 0.0, "disagree": 25.0, "neutral": 50.0, "agree": 75.0,
               "strongly_agree": 100.0}
YES_NO_SCORE = {"no": 0.0, "yes": 100.0}
CAPABILITIES = ["cap_data", "cap_cyber", "cap_coding", "cap_social", "cap_analytics",
                "cap_mobile", "cap_ecommerce", "cap_collaboration"]
SVG = "{http://www.w3.org/2000/svg}svg"

Answers = dict[str, Any]


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, whitespace collapsed, so figures can be searched for."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def one_decimal(value: SupportsFloat) -> str:
    """One decimal, negatives with the typographic minus the reports use."""
    number = float(value)
    text = f"{abs(number):.1f}"
    return "\u2212" + text if round(number, 1) < 0 else text


def percentile(value: float, pool: list[float]) -> float:
    """The 'mean' percentile rank by hand: % below plus half the % equal (README)."""
    below = sum(m < value - 1e-9 for m in pool)
    equal = sum(abs(m - value) <= 1e-9 for m in pool)
    return 100 * (below + 0.5 * equal) / len(pool)


def respondent_index(answers: Answers) -> float:
    """The index by hand: 50% capabilities, 25% vision, 25% L&D (README's formula)."""
    def mean(values: list[float | None]) -> float | None:
        kept = [v for v in values if v is not None]
        return sum(kept) / len(kept) if kept else None

    capability = mean([SPREAD_SCORE.get(answers[k]) for k in CAPABILITIES])
    vision = mean([YES_NO_SCORE.get(answers["vision_clear"]),
                   SPREAD_SCORE.get(answers["vision_priorities"]),
                   AGREE_SCORE.get(answers["vision_communicated"])])
    learning = mean([YES_NO_SCORE.get(answers["ld_understands"]),
                     AGREE_SCORE.get(answers["ld_benchmarks"]),
                     AGREE_SCORE.get(answers["ld_funded"])])
    parts = [(w, v) for w, v in ((0.5, capability), (0.25, vision), (0.25, learning))
             if v is not None]
    return sum(w * v for w, v in parts) / sum(w for w, _ in parts)


def store(app: Flask, campaign: Campaign, people: list[Answers]) -> None:
    """Submit responses through the real operation and commit."""
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        assert stored is not None
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        for answers in people:
            submit_response(stored, questionnaire, answers)
        db.session.commit()


def pool_answers(full_answers: Callable[..., Answers], org: int) -> list[Answers]:
    """Six respondents of organisation `org`, each different, deterministic."""
    people = []
    for j in range(6):
        people.append(full_answers(
            cap_data=SPREAD[(org + j) % 5], cap_cyber=SPREAD[(2 * org + j) % 5],
            cap_coding=SPREAD[(org * j) % 5], cap_analytics=SPREAD[(org + 2 * j) % 5],
            vision_clear=["yes", "no", "dont_know"][(org + j) % 3],
            ld_understands=["yes", "no"][(org * j + j) % 2],
            cu_everyone=["yes", "partly", "no", "yes"][(org + j) % 4],
            seniority=["staff", "manager", "senior_leader"][j % 3],
            function=["sales", "marketing"][j % 2],
        ))
    return people


@pytest.fixture
def pool(app: Flask, make_campaign: Callable[..., Campaign],
         full_answers: Callable[..., Answers]) -> list[tuple[Campaign, list[Answers]]]:
    """Six organisations of six respondents each: a benchmark pool above the threshold."""
    built = []
    for org in range(6):
        campaign = make_campaign(org_name=f"Pool Org {org}", invited=12)
        people = pool_answers(full_answers, org)
        store(app, campaign, people)
        built.append((campaign, people))
    return built


def render(runner: FlaskCliRunner, args: list[str], output: Path) -> str:
    """Run `report ...`, check it succeeded, return the PDF's text."""
    result = runner.invoke(report_cli, [*args, "-o", str(output)])
    assert result.exit_code == 0, result.output
    pdf = output.read_bytes()
    assert pdf.startswith(b"%PDF-")
    return pdf_text(pdf)


def test_organisation_report_prints_the_right_numbers(
    runner: FlaskCliRunner, pool: list[tuple[Campaign, list[Answers]]], tmp_path: Path,
) -> None:
    campaign, people = pool[-1]
    text = render(runner, ["org", "--campaign", str(campaign.id)], tmp_path / "org.pdf")

    data = [SPREAD_SCORE[p["cap_data"]] for p in people]
    low, high = stats.t.interval(0.95, len(data) - 1, loc=np.mean(data), scale=stats.sem(data))
    low, high = max(0.0, low), min(100.0, high)  # the interval is clipped to the scale
    assert f"Basic data software {one_decimal(np.mean(data))} " in text
    assert f"{one_decimal(low)} to {one_decimal(high)} {len(data)}" in text

    index = [respondent_index(p) for p in people]
    assert f"DIGITAL MATURITY INDEX {one_decimal(np.mean(index))}" in text.upper()

    # Benchmark: type-7 quantiles and the 'mean' percentile rank over the six organisations.
    org_means = [np.mean([SPREAD_SCORE[p["cap_data"]] for p in group]) for _, group in pool]
    median, top25, top10 = np.percentile(org_means, [50, 75, 90])
    own = org_means[-1]
    # The rank, and in brackets the ranks of the score's 95% CI limits in the same pool.
    ranks = f"{percentile(own, org_means):.0f} ({percentile(low, org_means):.0f}–" \
        f"{percentile(high, org_means):.0f})"
    row = (f"Basic data software {one_decimal(own)} {one_decimal(median)} {one_decimal(top25)} "
           f"{one_decimal(top10)} {ranks} {ranks} {ranks}")
    assert row in text

    says_yes = sum(p["cu_everyone"] == "yes" for p in people)
    wilson = stats.binomtest(says_yes, len(people)).proportion_ci(method="wilson")
    assert (f"Yes {100 * says_yes / len(people):.1f}% {100 * wilson.low:.1f}% to "
            f"{100 * wilson.high:.1f}% {says_yes} of {len(people)}") in text
    assert "6 of 12 invited (50.0%)" in text
    assert "Contents" in text and "Methodology" in text
    pages = len(PdfReader(tmp_path / "org.pdf").pages)
    assert f"Page 2 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Synthetic demonstration data" not in text


def test_suppressed_group_figures_appear_nowhere(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], tmp_path: Path,
) -> None:
    campaign = make_campaign()
    people = ([full_answers(function="sales", cap_data="few")] * 5
              + [full_answers(function="marketing", cap_data="few")] * 5
              # Two people in finance with a score no one else can produce: 87.5.
              + [full_answers(function="finance", cap_data="everyone"),
                 full_answers(function="finance", cap_data="most")])
    store(app, campaign, people)
    result = runner.invoke(report_cli, ["org", "--campaign", str(campaign.id), "-o",
                                        str(tmp_path / "r.pdf")])
    assert result.exit_code == 0, result.output
    text = pdf_text((tmp_path / "r.pdf").read_bytes())
    hidden = np.mean([100.0, 75.0])
    assert one_decimal(hidden) not in text and f"{hidden:.0f}" not in text.split()
    # The whole campaign's mean is shown; the groups' are not.
    assert one_decimal(np.mean([SPREAD_SCORE[p["cap_data"]] for p in people])) in text
    assert "Finance: suppressed" in text or "Finance suppressed" in text
    assert "fewer than 5 respondents" in text


def test_edge_case_campaign_renders(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], tmp_path: Path,
) -> None:
    # One organisation in the pool, one group everywhere, identical answers, and a
    # capability nobody could rate ("don't know" from all); it is the organisation's
    # second campaign, so the report has a change section.
    previous = make_campaign(org_name="Edge Ltd")
    store(app, previous, [full_answers(cap_data="few")] * 5)
    with app.app_context():
        organisation = db.session.get(Organisation, previous.organisation_id)
        assert organisation is not None
        campaign = open_campaign(organisation, app.extensions["questionnaires"]
                                            .get("digiskills"), "Second", previous.opens_on)
        db.session.commit()
        db.session.refresh(campaign)
        db.session.expunge(campaign)
    store(app, campaign, [full_answers(cap_mobile="dont_know", cap_data="everyone")] * 6)
    text = render(runner, ["org", "--campaign", str(campaign.id)], tmp_path / "edge.pdf")
    assert "No benchmark yet" in text
    assert "Mobile suppressed" in text  # no answers: no figure
    assert "Change since the previous campaign" in text
    assert "Basic data software 25.0 100.0 +75.0" in text
    # Every answer the same: no zero-width interval, but what everyone answered.
    assert "Basic data software 100.0 all answered “Everyone” 6" in text
    assert "100.0 to 100.0" not in text
    # Nobody could rate mobile: its score is hidden, its "don't know" share (6 of 6) is
    # shown and flagged above 20%.
    assert "Mobile suppressed 100.0% †" in text


def valid_svg(svg: str) -> None:
    root = ET.fromstring(svg)
    assert root.tag == SVG
    assert "Date" not in svg.split("</metadata>")[0].split("<metadata>")[-1]


def test_charts_for_edge_cases_are_valid_repeatable_svg() -> None:
    labels = ["A", "B", "C"]
    cases = [
        lambda: charts_benchmark.radar(labels, [(charts.ORGANISATION, [None, None, None])]),
        lambda: charts_benchmark.radar(labels, [(charts.ORGANISATION, [50.0, 50.0, 50.0]),
                                                (charts.MEDIAN, [50.0, None, 50.0])]),
        lambda: charts.interval_chart([charts.IntervalRow("only", None)], axis=(-1, 1),
                                      axis_label="r", threshold=5, value_format="correlation"),
        lambda: charts.interval_chart([charts.IntervalRow("one", 1.0, 1.0, 1.0),
                                       charts.IntervalRow("hidden", suppressed=True)],
                                      axis=(0, 100), axis_label="%", threshold=5,
                                      value_format="percent"),
        lambda: charts_benchmark.benchmark_strips(
            [charts_benchmark.StripRow("x", None, None, None, suppressed=True)], 5),
        lambda: charts_benchmark.small_multiples(labels, [None] * 3, [
            charts_benchmark.Panel("数字化 测试", [0.0, 100.0, None])], 5),
        lambda: charts_benchmark.ranking(["only"], [None], {"median": None}),
        lambda: charts.change_chart([charts.ChangeRow("x", None, None, suppressed=True)], 5),
    ]
    for draw in cases:
        svg = draw()
        valid_svg(svg)
        assert draw() == svg  # fixed hash salt, no date: byte-identical


def test_heat_colours_stay_readable() -> None:
    assert charts.heat_colours(None) == ("#FFFFFF", charts.TEXT)
    dark, ink = charts.heat_colours(0.0)
    assert ink == "#FFFFFF" and dark != "#FFFFFF"
    assert charts.heat_colours(100.0)[1] == charts.TEXT


def test_fetcher_serves_only_our_assets(tmp_path: Path) -> None:
    fetcher = AssetFetcher()
    assert fetcher.fetch(STYLESHEET.as_uri()).read().startswith(b"/*")
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    outside = tmp_path / "secret.css"
    outside.write_text("body {}")
    for url in ("http://example.com/a.css", "https://example.com/a.png",
                outside.as_uri(), "file:///etc/passwd",
                STYLESHEET.parent.as_uri() + "/../render.py", "ftp://example.com/x"):
        with pytest.raises(AssetRefused):
            fetcher.fetch(url)
    page = '<html lang="en"><title>t</title><img alt="x" src="http://example.com/x.png"></html>'
    with pytest.raises(ReportError, match="example.com"):
        write_pdf(page)


def test_short_report_in_chinese_embeds_cjk_font(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], tmp_path: Path,
) -> None:
    campaign = make_campaign(org_name="数字化 测试")
    store(app, campaign, [full_answers(), full_answers()])
    with app.app_context():
        organisation = db.session.get(Organisation, campaign.organisation_id)
        assert organisation is not None
        organisation.synthetic = True
        db.session.commit()
    output = tmp_path / "zh.pdf"
    text = render(runner, ["org", "--campaign", str(campaign.id)], output)
    assert "数字化 测试" in text
    assert "Results withheld" in text and "Fewer than 5 responses" in text
    assert "Executive summary" not in text  # a short report, no figures
    pages = len(PdfReader(output).pages)
    assert text.count("Synthetic demonstration data") >= pages  # cover and every footer
    fonts = subprocess.run([shutil.which("pdffonts") or "pdffonts", str(output)],
                           capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    assert any("Noto-Sans" in line and "CJK" not in line for line in fonts.splitlines())


@pytest.mark.parametrize(("args", "message"), [
    (["org", "--campaign", "999999"], "no campaign with id 999999"),
    (["org"], "give --campaign ID or --all"),
    (["compare", "--campaign", "1"], "give --campaign 2 to 20 times (got 1)"),
    (["compare", *[f"--campaign={i}" for i in range(1, 22)]], "(got 21)"),
    (["compare", "--campaign", "999998", "--campaign", "999999"], "no campaign with id"),
    (["study", "--questionnaire", "nonesuch"], "no questionnaire 'nonesuch'"),
])
def test_cli_reports_bad_input_clearly(
    runner: FlaskCliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(report_cli, [*args, "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code != 0
    assert message in result.output
    assert isinstance(result.exception, SystemExit)  # click's clean exit, no traceback
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.pdf").exists()


def test_cli_refuses_unwritable_output(
    runner: FlaskCliRunner, make_campaign: Callable[..., Campaign], tmp_path: Path
) -> None:
    campaign = make_campaign()
    for target, message in ((tmp_path / "missing" / "r.pdf", "does not exist"),
                            (tmp_path, "is a directory")):
        result = runner.invoke(report_cli, ["org", "--campaign", str(campaign.id), "-o",
                                            str(target)])
        assert result.exit_code != 0 and message in result.output
        assert isinstance(result.exception, SystemExit)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(report_cli, ["org", "--all", "-o", str(blocker / "reports")])
    assert result.exit_code != 0 and "cannot create" in result.output


def test_study_report_reproduces_pool_findings(
    runner: FlaskCliRunner, pool: list[tuple[Campaign, list[Answers]]], tmp_path: Path,
) -> None:
    text = render(runner, ["study"], tmp_path / "study.pdf")
    everyone = [p for _, people in pool for p in people]
    yes = sum(p["cu_everyone"] == "yes" for p in everyone)
    # Respondents are clustered in organisations: the interval is a cluster bootstrap
    # (organisations resampled), computed here with scipy on each organisation's counts.
    said = np.array([sum(p["cu_everyone"] == "yes" for p in people) for _, people in pool],
                    dtype=float)
    sizes = np.array([len(people) for _, people in pool], dtype=float)
    ci = stats.bootstrap((said, sizes), lambda a, b, axis=-1: a.sum(axis) / b.sum(axis),
                         paired=True, vectorized=True, n_resamples=1999, batch=500,
                         method="percentile", rng=np.random.default_rng(20151231),
                         axis=-1).confidence_interval
    assert (f"{100 * yes / len(everyone):.1f}% of {len(everyone)} respondents (95% CI "
            f"{100 * ci.low:.1f}% to {100 * ci.high:.1f}%)") in text
    with_vision = [p for p in everyone if p["vision_clear"] == "yes"]
    share = sum(p["cu_everyone"] == "yes" for p in with_vision) / len(with_vision)
    assert f"{100 * share:.1f}% (n = {len(with_vision)};" in text
    org_index = [np.mean([respondent_index(p) for p in people]) for _, people in pool]
    median, top25, top10 = np.percentile(org_index, [50, 75, 90])
    assert (f"Retail 6 {len(everyone)} {one_decimal(median)} {one_decimal(top25)} "
            f"{one_decimal(top10)}") in text
    assert "Cronbach" in text and "Spearman" in text


def test_comparison_report_sets_organisations_side_by_side(
    runner: FlaskCliRunner, pool: list[tuple[Campaign, list[Answers]]], tmp_path: Path,
) -> None:
    ids = [str(campaign.id) for campaign, _ in pool[:2]]
    text = render(runner, ["compare", "--campaign", ids[0], "--campaign", ids[1]],
                  tmp_path / "compare.pdf")
    # Numbered in rank order of the index, highest first, wherever they appear.
    indexes = {f"Pool Org {org}": np.mean([respondent_index(p) for p in people])
               for org, (_, people) in enumerate(pool[:2])}
    ranked = sorted(indexes, key=lambda name: -indexes[name])
    for number, name in enumerate(ranked, start=1):
        assert f"{number}. {name}" in text
        assert one_decimal(indexes[name]) in text
    org_index = [np.mean([respondent_index(p) for p in people]) for _, people in pool]
    # The index is the last column: the median row ends just before the next row's label.
    assert f"{one_decimal(np.percentile(org_index, 50))} Top 25% threshold" in text


def test_slugify() -> None:
    assert slugify("Łódź Software Sp. z o.o.") == "lodz-software-sp-z-o-o"
    assert slugify("Rīgas Ūdens") == "rigas-udens"
    assert slugify("数字化 测试") == "organisation"


@pytest.mark.slow
def test_every_organisation_in_parallel(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], tmp_path: Path,
) -> None:
    first = make_campaign(org_name="Alpha Łódź")
    older = make_campaign(org_name="Beta")
    with app.app_context():
        # Beta's newest campaign is a second one; the first must not be rendered.
        organisation = db.session.get(Organisation, older.organisation_id)
        questionnaire = app.extensions["questionnaires"].get("digiskills")
        assert organisation is not None
        newer = open_campaign(organisation, questionnaire, "Again",
                                         older.opens_on)
        db.session.commit()
        newer_id = newer.id
    store(app, first, [full_answers()] * 2)
    out = tmp_path / "all"
    result = runner.invoke(report_cli, ["org", "--all", "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    expected = [out / f"{first.id}-alpha-lodz.pdf", out / f"{newer_id}-beta.pdf"]
    assert result.output.split() == [str(path) for path in expected]
    assert sorted(out.iterdir()) == sorted(expected)
    assert all(re.match(rb"%PDF-", path.read_bytes()[:5]) for path in expected)


def test_a_written_report_is_as_readable_as_any_file_the_user_writes(tmp_path: Path) -> None:
    # The oracle: a file created the ordinary way in the same folder (mode 0o666 less
    # the umask); the atomic write's temporary file starts 0o600 and must not stay so.
    ordinary = tmp_path / "ordinary.pdf"
    ordinary.write_bytes(b"%PDF-")
    written = tmp_path / "report.pdf"
    write_atomically(written, b"%PDF-1.7 whole")
    assert written.read_bytes() == b"%PDF-1.7 whole"
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(ordinary.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_atomic_writes_refuse_links_and_special_files(tmp_path: Path) -> None:
    target = tmp_path / "target.pdf"
    target.write_bytes(b"kept")
    link = tmp_path / "link.pdf"
    link.symlink_to(target)
    os.mkfifo(tmp_path / "pipe.pdf")
    for path, message in ((link, "symbolic link"), (tmp_path / "pipe.pdf", "not a regular"),
                          (tmp_path, "directory")):
        with pytest.raises(OSError, match=message):
            write_atomically(path, b"%PDF-1.7")
    assert link.is_symlink() and target.read_bytes() == b"kept"
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe.pdf").st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
