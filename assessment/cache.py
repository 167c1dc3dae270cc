"""A small per-process cache for figures that are expensive to compute and change only
when answers arrive (benchmark pools, a campaign's statistics).

Each value is stored under its key *and the version of the data it was computed from*
(see `operations.campaigns.data_version` / `pool_version`, bumped in the same
transaction as every new response or import), so a new response or an import makes
every process compute afresh on its next read, with no time-to-live to wait out.
Hand-written rather than Flask-Caching: a bounded dict is all the pages need, and the
values are plain data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class VersionedCache:
    """Values computed on first use for (key, version); the oldest are evicted first."""

    def __init__(self, size: int = 256):
        self.size = size
        self._values: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        """The value of key at this data version, computing it when missing or stale."""
        with self._lock:
            found = self._values.get(key)
            if found is not None and found[0] == version:
                self._values.move_to_end(key)
                return found[1]
        value = compute()
        with self._lock:
            self._values[key] = (version, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._values.clear()
