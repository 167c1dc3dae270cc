"""PDF reports in Polish, Russian, Chinese and Latvian.

The headings expected are read from the catalogues (babel's read_po) and the dimension
labels from the questionnaire YAML, so the tests follow the translations. Most checks
render HTML only (cheap), including the comparison of every figure with the English
report's; one organisation report per language goes through WeasyPrint.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import weasyprint
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Flask
from flask.testing import FlaskCliRunner
from pypdf import PdfReader

from assessment.analysis.statistics import campaign_statistics
from assessment.cli.reports import report_cli
from assessment.extensions import db
from assessment.instrument.questionnaire import load_file
from assessment.models import Campaign
from reports.instrument import instrument_facts
from reports.organisation import SPLITS, organisation_html
from reports.render import LANGUAGES, css_content, language
from tests.conftest import PROJECT_ROOT
from tests.test_i18n import compiled_catalogues  # noqa: F401 - compiles the .mo files
from tests.test_report_typography import set_in
from tests.test_reports import Answers, pool_answers, render, store

TRANSLATIONS = PROJECT_ROOT / "assessment" / "translations"
INSTRUMENT = PROJECT_ROOT / "questionnaires" / "digiskills-1.yaml"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
WEASYPRINT = weasyprint.__version__
DOCUMENT_LANGUAGE = {"zh": "zh-Hans"}
HEADINGS = ["Executive summary", "Capabilities against the benchmark", "Methodology",
            "Headline findings"]
# Figures as the reports print them: scores, percentages, correlations, ranges; a decimal
# point (en, zh) or comma (pl, ru, lv), a percent sign after a no-break space in pl, ru, lv.
FIGURE = re.compile(r"[−-]?\d+[.,]\d+(?:\u00a0?%)?")


def msgstr(code: str, msgid: str) -> str:
    """The catalogue's translation of one message, %% written as the report shows it."""
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=code)
    message = catalog.get(msgid)
    assert message is not None and message.string and not message.fuzzy, msgid
    assert isinstance(message.string, str)
    return message.string.replace("%%", "%")


def figures(html: str) -> list[str]:
    """The figures of a report page's text, sorted (charts, which are images, aside),
    written the English way so that two languages' reports can be compared."""
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return sorted(f.replace(",", ".").replace("\u00a0", "") for f in FIGURE.findall(text))


def dimension_label(key: str, code: str) -> str:
    return load_file(INSTRUMENT).dimension(key).label[code]


@pytest.fixture
def small_pool(app: Flask, make_campaign: Callable[..., Campaign],
               full_answers: Callable[..., Answers]) -> list[Campaign]:
    """Five organisations of six respondents: a benchmark pool above the threshold."""
    built = []
    for org in range(5):
        campaign = make_campaign(org_name=f"Pool Org {org}", invited=12)
        store(app, campaign, pool_answers(full_answers, org))
        built.append(campaign)
    return built


def organisation_page(app: Flask, campaign_id: int, code: str) -> str:
    """The organisation report's HTML in one language (no PDF)."""
    with app.app_context():
        registry = app.extensions["questionnaires"]
        stats = campaign_statistics(db.session(), registry, campaign_id)
        facts = instrument_facts(registry.get("digiskills"), code)
        return organisation_html(stats, facts, code)


@pytest.mark.parametrize("code", TRANSLATED)
def test_organisation_html_is_in_the_report_language(
    app: Flask, small_pool: list[Campaign], code: str
) -> None:
    html = organisation_page(app, small_pool[-1].id, code)
    assert f'<html lang="{DOCUMENT_LANGUAGE.get(code, code)}">' in html
    for heading in HEADINGS:
        assert msgstr(code, heading) in html, heading
    assert dimension_label("cap_data", code) in html
    assert dimension_label("learning", code) in html
    # The page footer is a CSS string in the report's language, with the page counters.
    footer = str(css_content(language(code), "Page %(page)s of %(pages)s"))
    assert "counter(page)" in footer and "counter(pages)" in footer
    assert f"content: {footer};" in html
    # The same figures as the English report (a translation may reorder a sentence's).
    assert figures(html) == figures(organisation_page(app, small_pool[-1].id, "en"))
    # No English heading, table header or caption is left behind.
    english = ["Executive summary", "Percentile rank", "Headline findings", "Say yes",
               "Page \" counter", "95% CI", "Senior leaders and staff", "fewer than 5",
               "Against the median of", "Digital maturity index"]
    assert [text for text in english if text in html] == []


@pytest.mark.slow
@pytest.mark.parametrize("code", TRANSLATED)
def test_organisation_pdf_in_each_language(
    app: Flask, runner: FlaskCliRunner, small_pool: list[Campaign], tmp_path: Path, code: str
) -> None:
    campaign = str(small_pool[-1].id)
    output = tmp_path / f"{code}.pdf"
    text = render(runner, ["org", "--campaign", campaign, "--lang", code], output)
    for heading in ("Executive summary", "Methodology"):
        assert msgstr(code, heading) in text
    assert dimension_label("cap_cyber", code) in text
    pages = len(PdfReader(output).pages)
    footer = msgstr(code, "Page %(page)s of %(pages)s") % {"page": pages, "pages": pages}
    assert footer in text
    # Every minus sign (the correlation chart's axis has some) is set in Noto Sans Math,
    # never in the CJK fallback; no CJK character is slanted.
    minus, slanted = set_in(output)
    assert minus and all("Noto-Sans-Math" in font for font in minus["\u2212"]), minus
    assert slanted == []
    figures_as_the_reader_writes_them(app, small_pool[-1].id, code, text)
    if code == "zh":
        fonts = subprocess.run([shutil.which("pdffonts") or "pdffonts", str(output)],
                               capture_output=True, text=True, check=True).stdout
        cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK" in line]
        assert cjk and all(" yes " in line for line in cjk), fonts
        assert "Oblique" not in fonts and "Italic" not in fonts
        # "Percentile rank 98 among 31", not "ranked 98th of 31"; the sector in Chinese.
        # The rank may carry, in brackets, the ranks of the score's interval limits.
        assert re.search(r"零售：\s*百分位排名 \d+(?: \(\d+–\s?\d+\))?（共 \d+ 家）", text), text
    if code == "lv":
        assert msgstr("lv", "Capabilities against the benchmark") in text
        assert "Prasme" not in text and "prasmju" not in text


def figures_as_the_reader_writes_them(app: Flask, campaign_id: int, code: str,
                                      text: str) -> None:
    """The index and the response rate as babel.numbers writes them for this language."""
    with app.app_context():
        registry = app.extensions["questionnaires"]
        stats = campaign_statistics(db.session(), registry, campaign_id)
    index = stats["results"]["dimensions"]["index"]["mean"]
    rate = stats["responses"]["response_rate"]
    # pdf_text collapses whitespace, so the no-break space before % reads as a space.
    space = " " if code in ("pl", "ru", "lv") else ""
    assert format_decimal(round(index, 1), format="0.0", locale=code) in text
    assert f"{format_decimal(round(100 * rate, 1), format='0.0', locale=code)}{space}%" in text
    points = re.findall(r"(?<![\w.])\d+\.\d+", text.replace(f"WeasyPrint {WEASYPRINT}", ""))
    commas = re.findall(r"(?<![\w,])\d+,\d+", text)
    if code in ("pl", "ru", "lv"):
        assert points == [] and len(commas) > 50
        assert re.search(r"\d+,\d %", text)
    else:
        assert len(points) > 50


def test_representative_rows_say_how_many_of_the_three_everyone_has(
    app: Flask, small_pool: list[Campaign],
) -> None:
    """'None' is none of the three held by everyone, not nobody holding any of them."""
    labels = SPLITS["by_representative"][1]
    inverted = {"en": "can do none", "pl": "Wszyscy nie potrafią", "ru": "Все не владеют",
                "zh": "所有人都未掌握", "lv": "Visi neprot"}
    for code, expected in CORRECTED_SPLITS.items():
        lang = language(code)
        assert [lang.gettext(labels[group]) for group in ("all", "some", "none")] == expected
        html = organisation_page(app, small_pool[-1].id, code)
        assert all(label in html for label in expected)
        assert inverted[code] not in html


# The three groups of the Digiskills split, read by a native reader of each language:
# all / only some / none of the three representative capabilities is held by everyone.
CORRECTED_SPLITS = {
    "en": ["All three held by everyone", "Only some of the three held by everyone",
           "None of the three held by everyone"],
    "pl": ["Wszystkie trzy są opanowane przez wszystkich",
           "Tylko niektóre z trzech są opanowane przez wszystkich",
           "Żadna z trzech nie jest opanowana przez wszystkich"],
    "ru": ["Все три освоены всеми", "Лишь некоторые из трёх освоены всеми",
           "Ни одна из трёх не освоена всеми"],
    "zh": ["三项能力均为所有人掌握", "仅部分能力为所有人掌握", "没有一项能力为所有人掌握"],
    "lv": ["Visas trīs ir apguvuši visi", "Tikai dažas no trim ir apguvuši visi",
           "Nevienu no trim nav apguvuši visi"],
}


def test_latvian_headings_say_kompetence_not_prasme(
    app: Flask, small_pool: list[Campaign],
) -> None:
    """Capability is "kompetence" (as the questionnaire says); "prasme" is a skill, so it
    is left only where the English speaks of skills ("the digital skills needed")."""
    html = organisation_page(app, small_pool[-1].id, "lv")
    headings = re.findall(r"<(h[1-3]|caption|thead)[^>]*>(.*?)</\1>", html, flags=re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", body).split()) for _tag, body in headings]
    with (TRANSLATIONS / "lv" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        skills = {m.string for m in read_po(handle, locale="lv")
                  if isinstance(m.id, str) and "skills" in m.id}
    assert [text for text in texts if "prasm" in text.lower() and text not in skills] == []
    assert sum("ompetenc" in text for text in texts) >= 4


def test_study_and_comparison_reports_translate(
    runner: FlaskCliRunner, small_pool: list[Campaign], tmp_path: Path
) -> None:
    text = render(runner, ["study", "--lang", "lv"], tmp_path / "study.pdf")
    assert msgstr("lv", "The Digiskills analyses") in text
    ids = [str(c.id) for c in small_pool[:2]]
    text = render(runner, ["compare", "--campaign", ids[0], "--campaign", ids[1],
                           "--lang", "ru"], tmp_path / "compare.pdf")
    assert msgstr("ru", "Scores side by side") in text


def test_short_report_in_polish(
    app: Flask, runner: FlaskCliRunner, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., Answers], tmp_path: Path,
) -> None:
    campaign = make_campaign()
    store(app, campaign, [full_answers(), full_answers()])
    text = render(runner, ["org", "--campaign", str(campaign.id), "--lang", "pl"],
                  tmp_path / "pl.pdf")
    assert msgstr("pl", "Results withheld") in text
    assert "Mniej niż 5 odpowiedzi" in text


def test_unknown_language_is_a_clear_cli_error(runner: FlaskCliRunner, tmp_path: Path) -> None:
    for command in (["org", "--campaign", "1"], ["study"],
                    ["compare", "--campaign", "1", "--campaign", "2"]):
        result = runner.invoke(report_cli, [*command, "--lang", "xx", "-o",
                                            str(tmp_path / "out.pdf")])
        assert result.exit_code == 2, result.output
        assert "Invalid value for '--lang'" in result.output and "'xx'" in result.output
        assert "Traceback" not in result.output
        assert not (tmp_path / "out.pdf").exists()


def test_counts_are_grouped_as_the_language_does() -> None:
    assert language("en").count(4305) == "4,305"
    assert language("zh").count(4305) == "4,305"
    assert language("ru").count(4305) == "4\xa0305"
    # Decimals as the reader writes them: a point in English and Chinese, a comma in
    # Polish, Russian and Latvian.
    assert [language(code).score(41.25) for code in LANGUAGES] == [
        "41.2", "41,2", "41,2", "41.2", "41,2"]


def test_plural_forms_follow_the_language(app: Flask) -> None:
    pl = language("pl")
    assert pl.fewer_than(5) == "mniej niż 5 respondentów"
    assert pl.fewer_than(3) == "mniej niż 3 respondentów"
    assert language("ru").fewer_than(3, "organisations") == "меньше 3 организаций"
    assert language("en").fewer_than(1) == "fewer than 1 respondent"

