"""A small per-process cache for expensive, slowly-changing figures (the benchmark pool).

Hand-written rather than Flask-Caching: one dict with a time-to-live is all the pages
need, and the cached values are plain data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class TimedCache:
    """Values computed on first use and kept for `ttl` seconds."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._values: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        """The cached value for key, computing it when missing or expired."""
        now = time.monotonic()
        with self._lock:
            found = self._values.get(key)
        if found is not None and now - found[0] < self.ttl:
            return found[1]
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        """Forget everything (tests, or after loading new data)."""
        with self._lock:
            self._values.clear()
