"""URL converters."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from assessment.models import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs, bounded to what a database key can hold.

    Werkzeug's own converter takes any number of digits; a number past 2**63 - 1 then
    failed in the database driver (SQLite's OverflowError: a 500) instead of being a page
    that does not exist (404).
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)
