"""The per-process figures cache: versions, the grace period for stale values, one
recomputation at a time."""

from __future__ import annotations

import threading

import pytest

from assessment import cache as cache_module
from assessment.cache import VersionedCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(cache_module.time, "monotonic", found)
    return found


def test_a_new_version_is_computed_at_once_without_grace(clock: Clock) -> None:
    cache = VersionedCache()
    assert cache.get("k", 1, lambda: "one") == "one"
    assert cache.get("k", 1, lambda: "never") == "one"
    assert cache.get("k", 2, lambda: "two") == "two"


def test_a_stale_value_is_served_within_its_grace_period_only(clock: Clock) -> None:
    cache = VersionedCache()
    assert cache.get("k", 1, lambda: "one", stale_seconds=30) == "one"
    clock.now += 29.9
    assert cache.get("k", 2, lambda: "two", stale_seconds=30) == "one"
    clock.now += 0.1  # 30 s after "one" was computed
    assert cache.get("k", 2, lambda: "two", stale_seconds=30) == "two"
    clock.now += 100
    assert cache.get("k", 2, lambda: "never", stale_seconds=30) == "two"  # still current


def test_one_request_recomputes_a_stale_value_the_others_get_the_old_one(
    clock: Clock,
) -> None:
    cache = VersionedCache()
    cache.get("k", 1, lambda: "one", stale_seconds=5)
    clock.now += 60
    started, release = threading.Event(), threading.Event()
    computed: list[str] = []

    def slow() -> str:
        computed.append("two")
        started.set()
        release.wait(10)
        return "two"

    worker = threading.Thread(target=lambda: cache.get("k", 2, slow, stale_seconds=5))
    worker.start()
    assert started.wait(10)
    assert cache.get("k", 2, lambda: "other", stale_seconds=5) == "one"
    release.set()
    worker.join(10)
    assert computed == ["two"]
    assert cache.get("k", 2, lambda: "never", stale_seconds=5) == "two"


def test_a_failed_computation_lets_the_next_request_try_again(clock: Clock) -> None:
    cache = VersionedCache()
    cache.get("k", 1, lambda: "one", stale_seconds=5)
    clock.now += 60

    def broken() -> str:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cache.get("k", 2, broken, stale_seconds=5)
    assert cache.get("k", 2, lambda: "two", stale_seconds=5) == "two"


def test_the_version_is_read_only_when_the_grace_period_is_over(clock: Clock) -> None:
    cache = VersionedCache()
    reads: list[int] = []

    def version() -> int:
        reads.append(1)
        return 7

    assert cache.get("k", version, lambda: "seven", stale_seconds=30) == "seven"
    clock.now += 10
    assert cache.get("k", version, lambda: "never", stale_seconds=30) == "seven"
    assert len(reads) == 1
    clock.now += 30
    assert cache.get("k", version, lambda: "never", stale_seconds=30) == "seven"  # same
    assert len(reads) == 2
    clock.now += 29  # checked 29 s ago: still within the grace period
    assert cache.get("k", version, lambda: "never", stale_seconds=30) == "seven"
    assert len(reads) == 2
