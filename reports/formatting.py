"""How every figure in a report is written: one place, so tables, findings and charts agree.

Scores (0-100) and percentages have one decimal, correlations two, percentile ranks none;
negative numbers use the typographic minus (U+2212: the report's fonts set it in Noto Sans
Math, the companion of Noto Sans, which lacks it); a missing figure is an en dash; a group
under the anonymity threshold is written as "suppressed" (in the report's language),
never with a number; a range of plain numbers (a scale, a band of the index, a size
band) takes an en dash: 0–100, 250–999.

Every report is written in one language: a `Language` holds its gettext catalogue and
writes the figures as a reader of that language expects, through Babel's CLDR data
(babel.numbers) rather than rules of our own: the decimal separator (43.9 in English and
Chinese, 43,9 in Polish, Russian and Latvian), the grouping of whole counts (4,305 in
English and Chinese; 4 305, with a no-break space, in Polish, Russian and Latvian) and
where the percent sign goes. One house rule on top of CLDR: in Polish and Latvian, as in
Russian (where CLDR has it already), a no-break space separates the number from the
percent sign (43,9 %), following ISO 80000-1 and the Polish and Latvian typographic
norms; CLDR writes 43,9% for those two.
"""

from __future__ import annotations

import gettext as gettext_module
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal, parse_pattern

from assessment.stats.association import MONTE_CARLO_WARNING, SMALL_EXPECTED_WARNING
from assessment.stats.clustered import RAO_SCOTT
from assessment.stats.descriptive import ALL_SAME
from assessment.stats.privacy import is_suppressed

__all__ = ["ENGLISH", "MINUS", "MISSING", "N_", "SECTORS", "Language", "is_suppressed"]

MISSING = "–"
MINUS = "−"  # U+2212, set in Noto Sans Math (report.css, charts.SVG_FONT_FAMILIES)
RANGE_DASH = "–"  # en dash between the ends of a range of plain numbers
SUPPRESSED = "suppressed"
# The house rule above CLDR: a no-break space before the percent sign (CLDR has it for ru).
PERCENT_SPACED = {"pl", "lv"}
NO_BREAK_SPACE = "\u00a0"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a string for extraction; it is translated where it is shown."""
    return message


# The engine's test warnings, as messages for the catalogue.
WARNINGS = {SMALL_EXPECTED_WARNING: N_("small expected counts"),
            MONTE_CARLO_WARNING: N_("p-value estimated by Monte Carlo")}

# The sectors of the demo pool (assessment/demo/generator.py), which consultants also use,
# are messages of the catalogue, so a report names them in its language. Any other sector
# is free text and is shown as stored.
SECTORS = frozenset({
    N_("Retail"), N_("Financial services"), N_("Technology"), N_("Telecoms"),
    N_("Manufacturing"), N_("Logistics"), N_("Healthcare"), N_("Education"),
    N_("Public sector"), N_("Professional services"),
})


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number_ = float(value)
    return number_ if math.isfinite(number_) else None


class Language:
    """One report language: its catalogue (gettext, ngettext) and how figures are written.

    `gettext` and `ngettext` always apply %-formatting with the keyword values (as Jinja's
    newstyle gettext does), so every message with a literal % writes it %%.
    """

    def __init__(self, code: str = "en",
                 translations: gettext_module.NullTranslations | None = None) -> None:
        self.code = code
        self.translations = translations or gettext_module.NullTranslations()
        self.locale = Locale.parse(code)
        # Where CLDR puts the percent sign in this language (before or after the number,
        # with or without a space); only the positive pattern is needed (shares are >= 0).
        pattern = parse_pattern(self.locale.percent_formats[None].pattern)
        self.percent_prefix, self.percent_suffix = pattern.prefix[0], pattern.suffix[0]
        if code in PERCENT_SPACED and self.percent_suffix == "%":
            self.percent_suffix = NO_BREAK_SPACE + "%"

    # --- messages -------------------------------------------------------------------

    def gettext(self, message: str, **values: Any) -> str:
        """The message in this language, with its placeholders filled."""
        return self.translations.gettext(message) % values

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """The singular or plural form for `n` (%(num)s is n unless given)."""
        values.setdefault("num", n)
        return self.translations.ngettext(singular, plural, n) % values

    def inline(self, label: str) -> str:
        """A dimension label inside a sentence.

        English runs it into the sentence in lower case ("rate basic data software"),
        keeping acronyms ("L&D readiness"); the translations quote the label instead, so
        it keeps its own capital and its nominative form.
        """
        if self.code != "en" or len(label) < 2 or not label[1].islower():
            return label
        return label[0].lower() + label[1:]

    @property
    def suppressed(self) -> str:
        """The word written in place of a hidden group's figures."""
        return self.gettext("suppressed")

    # --- figures --------------------------------------------------------------------

    def number(self, value: Any, digits: int = 1, signed: bool = False) -> str:
        """A number with fixed decimals in this language's digits; en dash when missing.

        The decimal separator and grouping come from CLDR (babel.numbers); a negative
        number takes the typographic minus, a signed positive one a plus.
        """
        found = _finite(value)
        if found is None:
            return MISSING
        # Round first so that -0.04 is written 0.0, not -0.0.
        rounded = round(found, digits)
        if rounded == 0:
            rounded = 0.0
        pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
        text = str(format_decimal(abs(rounded), format=pattern, locale=self.locale))
        if rounded < 0:
            return MINUS + text
        return ("+" + text) if signed and rounded > 0 else text

    def span(self, low: Any, high: Any, digits: int = 0) -> str:
        """A range of plain numbers with an en dash, e.g. '0–100' or '1 000–4 999'."""
        if _finite(low) is None or _finite(high) is None:
            return MISSING
        return self.number(low, digits) + RANGE_DASH + self.number(high, digits)

    def size_band(self, band: str | None) -> str:
        """An organisation size band ('250-999', '5000+') written as a range of counts."""
        if not band:
            return MISSING
        plus = band.endswith("+")
        ends = band.rstrip("+").split("-")
        if not all(end.strip().isdigit() for end in ends) or len(ends) > 2:
            return band  # a band of another scheme: shown as stored
        text = RANGE_DASH.join(self.count(int(end)) for end in ends)
        return text + "+" if plus else text

    def listing(self, items: Iterable[str]) -> str:
        """Items joined as the language lists them ('A, B and C'; Chinese 'A、B和C')."""
        return str(format_list(list(items), locale=self.locale))

    def sector(self, name: str | None) -> str:
        """A sector in this language when it is a known one; otherwise as stored.

        Sectors are free text on organisations; the known ones (`SECTORS`) have
        translations in the catalogue.
        """
        if not name:
            return MISSING
        return self.translations.gettext(name) if name in SECTORS else name

    def score(self, value: Any) -> str:
        """A 0-100 score with one decimal."""
        return self.number(value, 1)

    def difference(self, value: Any) -> str:
        """A signed difference of scores (+4.2, −3.0)."""
        return self.number(value, 1, signed=True)

    def interval(self, low: Any, high: Any, digits: int = 1, unit: str = "") -> str:
        """A confidence interval written 'low to high' (en dash when either end is missing)."""
        if _finite(low) is None or _finite(high) is None:
            return MISSING
        return self.gettext("%(low)s to %(high)s", low=self.number(low, digits) + unit,
                            high=self.number(high, digits) + unit)

    def score_ci(self, cell: Mapping[str, Any] | None) -> str:
        """Mean with its 95% CI, e.g. '41.4 (35.2 to 47.5)'; suppressed for hidden cells."""
        if cell is None:
            return MISSING
        if is_suppressed(cell):
            return self.suppressed
        text = self.score(cell.get("mean"))
        bounds = self.interval(cell.get("ci_low"), cell.get("ci_high"))
        return text if bounds == MISSING else f"{text} ({bounds})"

    def percent(self, share: Any, digits: int = 1) -> str:
        """A share 0-1 as a percentage: 0.438 -> '43.8%' (en, zh), '43,8 %' (pl, ru, lv)."""
        found = _finite(share)
        if found is None:
            return MISSING
        return self.percent_prefix + self.number(100 * found, digits) + self.percent_suffix

    def percent_interval(self, low: Any, high: Any, digits: int = 1) -> str:
        """The interval of a share, e.g. '38.2% to 49.1%'."""
        if _finite(low) is None or _finite(high) is None:
            return MISSING
        return self.gettext("%(low)s to %(high)s", low=self.percent(low, digits),
                            high=self.percent(high, digits))

    def percent_ci(self, cell: Mapping[str, Any] | None, digits: int = 1) -> str:
        """A proportion with its Wilson 95% CI, e.g. '43.8% (38.2% to 49.1%)'."""
        if cell is None:
            return MISSING
        if is_suppressed(cell):
            return self.suppressed
        text = self.percent(cell.get("share"), digits)
        bounds = self.percent_interval(cell.get("ci_low"), cell.get("ci_high"), digits)
        return text if text == MISSING or bounds == MISSING else f"{text} ({bounds})"

    def share_of(self, cell: Mapping[str, Any] | None) -> str:
        """'8 of 60' for a proportion cell."""
        if cell is None or is_suppressed(cell):
            return MISSING
        return self.gettext("%(part)s of %(whole)s", part=self.count(cell.get("successes", 0)),
                            whole=self.count(cell.get("n", 0)))

    def correlation(self, value: Any) -> str:
        """A correlation coefficient with two decimals."""
        return self.number(value, 2)

    def correlation_ci(self, cell: Mapping[str, Any] | None) -> str:
        """A correlation with its 95% CI, e.g. '0.45 (0.21 to 0.64)'."""
        if cell is None:
            return MISSING
        if is_suppressed(cell):
            return self.suppressed
        text = self.correlation(cell.get("r"))
        bounds = self.interval(cell.get("ci_low"), cell.get("ci_high"), 2)
        return text if text == MISSING or bounds == MISSING else f"{text} ({bounds})"

    def p_value(self, value: Any) -> str:
        """'p < 0.001' or 'p = 0.023' (decimal comma where the language writes one)."""
        found = _finite(value)
        if found is None:
            return MISSING
        if found < 0.001:
            return f"p < {self.number(0.001, 3)}"
        return f"p = {self.number(found, 3)}"

    def rank(self, value: Any) -> str:
        """A percentile rank 0-100 without decimals."""
        return self.number(value, 0)

    def count(self, value: Any) -> str:
        """An integer count grouped as the language does (4,305), en dash when missing."""
        if value is None:
            return MISSING
        return str(format_decimal(int(value), locale=self.locale))

    def fewer_than(self, threshold: int, unit: str = "respondents") -> str:
        """The legend of a suppressed cell: 'fewer than 5 respondents' (or organisations)."""
        if unit == "organisations":
            return self.ngettext("fewer than %(num)s organisation",
                                 "fewer than %(num)s organisations", threshold)
        return self.ngettext("fewer than %(num)s respondent", "fewer than %(num)s respondents",
                             threshold)

    def test_summary(self, test: Mapping[str, Any] | None) -> str:
        """One line for a test of association: name, statistic, p and Cramér's V."""
        if not test or test.get("test") is None:
            return self.gettext("no test (fewer than two groups with answers)")
        parts = []
        if test["test"] == "chi-square":
            parts.append(self.gettext("chi-square %(statistic)s, df %(dof)s",
                                      statistic=self.number(test.get("statistic"), 1),
                                      dof=test.get("dof")))
        elif test["test"] == RAO_SCOTT:
            # Respondents clustered in organisations (the pool): X² over the design effect.
            parts.append(self.gettext(
                "Rao-Scott chi-square %(statistic)s, df %(dof)s, design effect %(deff)s",
                statistic=self.number(test.get("statistic"), 1), dof=test.get("dof"),
                deff=self.number(test.get("design_effect"), 1)))
        else:
            parts.append(self.gettext("Fisher's exact test"))
        parts.append(self.p_value(test.get("p_value")))
        if test.get("cramers_v") is not None:
            parts.append(self.gettext("Cramér's V %(v)s", v=self.number(test["cramers_v"], 2)))
        parts.append(f"n {self.count(test.get('n'))}")
        if test.get("warning"):
            warning = str(test["warning"])
            parts.append(self.gettext(WARNINGS[warning]) if warning in WARNINGS else warning)
        return ", ".join(parts)

    def spread(self, cell: Mapping[str, Any] | None) -> str:
        """The 95% CI of a mean, or what replaces it when every answer was the same:
        'all answered “everyone”' (a one-item dimension) or 'all scored 100.0'."""
        if cell is None or is_suppressed(cell):
            return MISSING
        if cell.get("interval") == ALL_SAME:
            if cell.get("answer"):
                return self.gettext("all answered “%(answer)s”", answer=cell["answer"])
            return self.gettext("all scored %(score)s", score=self.score(cell.get("mean")))
        return self.interval(cell.get("ci_low"), cell.get("ci_high"))

    def difference_spread(self, cell: Mapping[str, Any] | None) -> str:
        """The 95% CI of a difference, or 'no spread in either group' when neither varies."""
        if cell is None or is_suppressed(cell):
            return MISSING
        if cell.get("interval") == ALL_SAME:
            return self.gettext("no spread in either group")
        return self.interval(cell.get("ci_low"), cell.get("ci_high"))

    def rank_range(self, marks: Mapping[str, Any] | None) -> str:
        """A percentile rank with the ranks of the score's 95% CI limits: '32 (18–47)'."""
        if not marks or is_suppressed(marks):
            return MISSING
        rank = self.rank(marks.get("percentile_rank"))
        low, high = marks.get("percentile_rank_low"), marks.get("percentile_rank_high")
        if rank == MISSING or low is None or high is None or \
                self.rank(low) == self.rank(high):
            return rank
        return f"{rank} ({self.rank(low)}{RANGE_DASH}{self.rank(high)})"

    def filters(self) -> dict[str, Callable[..., str]]:
        """The Jinja filters of a report template in this language."""
        return {
            "score": self.score, "difference": self.difference, "score_ci": self.score_ci,
            "percent": self.percent, "percent_ci": self.percent_ci, "share_of": self.share_of,
            "correlation": self.correlation, "correlation_ci": self.correlation_ci,
            "p_value": self.p_value, "rank": self.rank, "count": self.count,
            "test_summary": self.test_summary, "number": self.number,
            "size_band": self.size_band, "sector": self.sector, "span": self.span,
            "listing": self.listing,
            "spread": self.spread, "difference_spread": self.difference_spread,
            "rank_range": self.rank_range,
        }


# English without a catalogue: the default of every function that writes words.
ENGLISH = Language()
