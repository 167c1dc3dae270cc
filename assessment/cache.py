"""A small per-process cache for figures that are expensive to compute and change only
when answers arrive (benchmark pools, a campaign's statistics).

Each value is stored under its key *and the version of the data it was computed from*
(see `operations.campaigns.data_version` / `pool_version`, bumped in the same
transaction as every new response or import), so a new response or an import makes
every process compute afresh on its next read, with no time-to-live to wait out.
Hand-written rather than Flask-Caching: a bounded dict is all the pages need, and the
values are plain data.

A caller may accept a value computed from older data for a few seconds (`stale_seconds`):
the thank-you page shows the pool's medians, which every response anywhere moves by a
hair, and recomputing the pool for every respondent who finishes would cost more than
storing the answers. Such a value is recomputed by one request at a time; the others are
served the value they would have seen a moment earlier.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class VersionedCache:
    """Values computed on first use for (key, version); the oldest are evicted first."""

    def __init__(self, size: int = 256):
        self.size = size
        # key -> (data version, value, when computed (monotonic seconds))
        self._values: OrderedDict[Hashable, tuple[Hashable, Any, float]] = OrderedDict()
        self._computing: set[Hashable] = set()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable | Callable[[], Hashable],
            compute: Callable[[], T], *, stale_seconds: float = 0.0) -> T:
        """The value of key at this data version, computing it when missing or stale.

        With `stale_seconds`, a value computed less than that long ago is served as it
        is, whatever the data's version now (`version` may be a function giving it, then
        called only when needed: reading the version is a query), and while one request
        recomputes a stale value the others are served the old one.
        """
        with self._lock:
            found = self._values.get(key)
            if found is not None and stale_seconds and (
                time.monotonic() - found[2] < stale_seconds or key in self._computing
            ):
                self._values.move_to_end(key)
                return found[1]
        current = version() if callable(version) else version
        with self._lock:
            found = self._values.get(key)
            if found is not None and found[0] == current:
                if stale_seconds:  # checked current now: good for another grace period
                    self._values[key] = (current, found[1], time.monotonic())
                self._values.move_to_end(key)
                return found[1]
            if stale_seconds:
                if found is not None and key in self._computing:
                    return found[1]
                self._computing.add(key)
        try:
            value = compute()
        finally:
            if stale_seconds:
                with self._lock:
                    self._computing.discard(key)
        with self._lock:
            self._values[key] = (current, value, time.monotonic())
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._values.clear()
