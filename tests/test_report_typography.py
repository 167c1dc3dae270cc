"""How the reports set type in each language.

Fonts are read back from PDFs with pdfplumber: which font each character was set in, and
whether a CJK character was slanted.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pdfplumber

from reports.charts import IntervalRow, interval_chart
from reports.render import STYLESHEET, language, svg_data_uri, write_pdf
from tests.test_i18n import compiled_catalogues  # noqa: F401 - compiles the .mo files


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
