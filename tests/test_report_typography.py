"""How the reports write figures and set type in each language.

The oracle for figures is CLDR, read through babel.numbers directly (not through the
report code): the decimal separator, grouping and percent pattern of each language, plus
the house rule the reports add (a no-break space before % in Polish and Latvian, as in
Russian). Fonts are read back from PDFs with pdfplumber: which font each character was
set in, and whether a CJK character was slanted.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from assessment.demo.generator import SECTORS as DEMO_SECTORS
from reports.charts import IntervalRow, interval_chart
from reports.formatting import SECTORS
from reports.render import LANGUAGES, STYLESHEET, language, svg_data_uri, write_pdf
from tests.conftest import PROJECT_ROOT
from tests.test_i18n import compiled_catalogues  # noqa: F401 - compiles the .mo files

NBSP = "\u00a0"
DECIMAL_COMMA = ["pl", "ru", "lv"]
TRANSLATIONS = PROJECT_ROOT / "assessment" / "translations"


def one_decimal_percent(share: float, code: str) -> str:
    """A share with one decimal in CLDR's percent pattern for `code`, called directly."""
    pattern = Locale.parse(code).percent_formats[None].pattern
    with_decimal = re.sub(r"0(?=[^0#,]*$)", "0.0", pattern)
    return format_percent(share, format=with_decimal, locale=code)


# --- figures --------------------------------------------------------------------------

@pytest.mark.parametrize("code", LANGUAGES)
def test_decimals_and_counts_follow_cldr(code: str) -> None:
    lang = language(code)
    assert lang.score(43.94) == format_decimal(43.9, format="#,##0.0", locale=code)
    assert lang.correlation(0.456) == format_decimal(0.46, format="0.00", locale=code)
    assert lang.count(14911) == format_decimal(14911, locale=code)
    assert lang.rank(97.6) == "98"
    # Negative numbers take the typographic minus, whatever CLDR's sign (a hyphen).
    assert lang.number(-3.21) == "\u2212" + format_decimal(3.2, format="0.0", locale=code)
    assert lang.difference(4.25) == "+" + format_decimal(4.2, format="0.0", locale=code)
    assert lang.p_value(0.0234) == "p = " + format_decimal(0.023, format="0.000", locale=code)
    assert lang.p_value(0.0002) == "p < " + format_decimal(0.001, format="0.000", locale=code)


def test_decimal_comma_in_polish_russian_and_latvian() -> None:
    separators = {code: Locale.parse(code).number_symbols["latn"]["decimal"]
                  for code in LANGUAGES}
    assert [code for code, symbol in separators.items() if symbol == ","] == DECIMAL_COMMA
    assert [language(code).score(43.9) for code in LANGUAGES] == [
        "43.9", "43,9", "43,9", "43.9", "43,9"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_percentages_as_the_reader_writes_them(code: str) -> None:
    written = language(code).percent(0.4391)
    if code in ("pl", "lv"):
        # CLDR writes 43,9% here; the reports space the sign as in Russian (the issue's
        # "43,9 %"), so the number comes from babel and the space is the house rule.
        assert one_decimal_percent(0.439, code) == "43,9%"
        assert written == format_decimal(43.9, format="0.0", locale=code) + NBSP + "%"
    else:
        assert written == one_decimal_percent(0.439, code)
    assert written == {"en": "43.9%", "zh": "43.9%"}.get(code, "43,9\u00a0%")
    assert language(code).percent(0.44, 0) == written.replace("43" + written[2] + "9", "44")


@pytest.mark.parametrize("code", LANGUAGES)
def test_ranges_take_an_en_dash(code: str) -> None:
    lang = language(code)
    assert lang.span(0, 100) == "0\u2013100"
    thousand, upper = (format_decimal(n, locale=code) for n in (1000, 4999))
    assert lang.size_band("1000-4999") == f"{thousand}\u2013{upper}"
    assert lang.size_band("5000+") == format_decimal(5000, locale=code) + "+"
    assert lang.size_band("1-49") == "1\u201349"


def test_chart_ticks_are_written_in_the_report_language() -> None:
    row = IntervalRow("Coding", 0.2, -0.1, 0.5)
    svg = interval_chart([row], axis=(-1, 1), axis_label="r", threshold=5,
                         value_format="correlation", zero_line=0.0, lang=language("ru"))
    ticks = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert "\u22121,00" in ticks and "0,50" in ticks and "0,20" in ticks
    assert not [tick for tick in ticks if re.fullmatch(r"[\u2212-]?\d+\.\d+", tick)]


# --- sectors --------------------------------------------------------------------------

def test_every_demo_sector_is_a_catalogue_message() -> None:
    assert {sector.name for sector in DEMO_SECTORS} == SECTORS
    for code in ("pl", "ru", "zh", "lv"):
        with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=code)
        for sector in SECTORS:
            message = catalog.get(sector)
            assert message is not None and message.string and message.string != sector
            assert language(code).sector(sector) == message.string


def test_unknown_sector_is_shown_as_entered() -> None:
    assert language("pl").sector("Agritech & drones") == "Agritech & drones"
    assert language("zh").sector("Retail") == "零售"
    assert language("en").sector("Retail") == "Retail"


# --- fonts ----------------------------------------------------------------------------

def set_in(pdf: Path) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    """The fonts each minus sign is set in, and the CJK characters set slanted."""
    minus: dict[str, set[str]] = {}
    slanted = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for char in page.chars:
                text, font = char["text"], char["fontname"]
                if text == "\u2212":
                    minus.setdefault("\u2212", set()).add(font)
                if len(text) == 1 and unicodedata.east_asian_width(text) in "WF":
                    _, shear_b, shear_c, *_ = char["matrix"]
                    if "Oblique" in font or "Italic" in font or shear_b or shear_c:
                        slanted.append((text, font))
    return minus, slanted


def test_minus_and_chinese_emphasis_are_set_in_real_fonts(tmp_path: Path) -> None:
    """The minus comes from Noto Sans Math, never the CJK font; Chinese stays upright."""
    lang = language("zh")
    chart = interval_chart([IntervalRow("编程", -0.3, -0.6, 0.1)], axis=(-1, 1),
                           axis_label="r", threshold=5, value_format="correlation",
                           lang=lang)
    html = (f'<html lang="zh-Hans"><head><link rel="stylesheet" href="{STYLESHEET.as_uri()}">'
            f"</head><body><p>差值 {lang.difference(-3.2)}</p>"
            f'<p class="band-meaning">大多数人具备核心能力</p>'
            f'<table><tr><td class="suppressed">已隐藏</td></tr></table>'
            f'<img src="{svg_data_uri(chart)}" alt="r"></body></html>')
    pdf = tmp_path / "fonts.pdf"
    pdf.write_bytes(write_pdf(html))
    minus, slanted = set_in(pdf)
    assert minus and all("Noto-Sans-Math" in font for font in minus["\u2212"]), minus
    assert slanted == []
