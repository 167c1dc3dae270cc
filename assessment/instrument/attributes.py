"""Organisation attributes set by HR or the consultant (not asked of respondents)."""

from __future__ import annotations

from typing import Final

# Headcount bands, smallest first: the order reports and benchmarks list them in.
SIZE_BANDS: Final = ("1-49", "50-249", "250-999", "1000-4999", "5000+")
