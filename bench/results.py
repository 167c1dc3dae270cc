"""The benches' one output convention, collected by `make bench` (bench/run_all.py).

Each bench prints its headline figures as lines

    RESULT {"bench": ..., "figure": ..., "target": ..., "value": ..., "met": ...}

(`met`: true, false, or null for a figure without a target), optionally with "unit" and
"database" ("sqlite" or "postgresql"). This module writes such a line; a bench may as
well print it itself.
"""

from __future__ import annotations

import json
from typing import Any

PREFIX = "RESULT "


def print_result(bench: str, figure: str, value: float | int | str, *, target: str | None = None,
           met: bool | None = None, unit: str = "", database: str | None = None) -> None:
    """Print one RESULT line (flushed, so a bench stopped later keeps what it printed)."""
    line: dict[str, Any] = {"bench": bench, "figure": figure, "target": target,
                            "value": value, "met": met}
    if unit:
        line["unit"] = unit
    if database:
        line["database"] = database
    print(PREFIX + json.dumps(line, ensure_ascii=False), flush=True)
