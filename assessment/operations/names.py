"""Names people give things (organisations, campaigns): one spelling, bounded length."""

from __future__ import annotations

import unicodedata

from assessment.operations import OperationError

NAME_MAX_LENGTH = 200  # the columns' size (String(200))
SECTOR_MAX_LENGTH = 80
# Invisible characters that reorder the text around them: a name holding one can show as
# another name's look-alike in lists and reports.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class NameRefused(OperationError):
    """A name that cannot be stored; `reason` is "empty", "too_long" or "control"."""

    def __init__(self, what: str, reason: str, limit: int):
        messages = {"empty": f"the {what} needs a name",
                    "too_long": f"the {what}'s name is longer than {limit} characters",
                    "control": f"the {what}'s name holds control characters"}
        super().__init__(messages[reason])
        self.reason, self.limit = reason, limit


def spelling(value: str) -> str:
    """One spelling of a text: NFC, whitespace runs as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def clean_name(value: str, what: str, limit: int = NAME_MAX_LENGTH) -> str:
    """The name in one spelling: NFC, whitespace runs (tabs, line breaks) as one space,
    trimmed; raises NameRefused when empty, too long or holding control characters.

    NFC so that "Łódź" typed on two keyboards is one name (and one unique key); the
    length is counted after that, so it is what the database column holds.
    """
    name = spelling(value)
    if not name:
        raise NameRefused(what, "empty", limit)
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in BIDI_CONTROLS for c in name):
        raise NameRefused(what, "control", limit)
    if len(name) > limit:
        raise NameRefused(what, "too_long", limit)
    return name
