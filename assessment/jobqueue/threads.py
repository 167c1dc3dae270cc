"""Tasks in a background thread of the app process, for when there is no Redis.

One thread per process runs the tasks one after another (rendering is CPU-bound, so more
threads would not finish sooner under the GIL) and, between them, the periodic tasks
(the sweep that takes up jobs whose worker went away). Hand-written rather than a thread
pool executor: the periodic tasks and the app context each task needs are the whole of it.
"""

from __future__ import annotations

import importlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)
_RUNNER = "assessment.thread_runner"  # app.extensions key
_runners_lock = threading.Lock()
Task = tuple[str, tuple[Any, ...]]


def resolve(path: str) -> Callable[..., Any]:
    """The function a dotted path names."""
    module, _, name = path.rpartition(".")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


class ThreadRunner:
    """A daemon thread that runs named tasks, each in an application context of its own."""

    def __init__(self, app: Flask):
        self.app = app
        self.pid = os.getpid()
        self._tasks: queue.Queue[Task | None] = queue.Queue()
        self._periodic: dict[str, float] = {}  # path -> seconds between runs
        self._due: dict[str, float] = {}  # path -> monotonic time of the next run
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, path: str, *args: Any) -> None:
        """Run the task at `path` with these arguments after the ones already waiting."""
        self._tasks.put((path, args))
        self._start()

    def every(self, seconds: float, path: str) -> None:
        """Run the task at `path` now and then every `seconds` (once per path)."""
        with self._lock:
            if path not in self._periodic:
                self._periodic[path] = seconds
                self._due[path] = 0.0
        self._start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the task in hand, then stop (the waiting ones are dropped)."""
        self._stopping.set()
        self._tasks.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def _start(self) -> None:
        with self._lock:
            if self._stopping.is_set() or (self._thread and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._loop, name="assessment-jobs",
                                            daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._run_due()
            try:
                task = self._tasks.get(timeout=self._wait())
            except queue.Empty:
                continue
            if task is None:
                break
            self._call(*task)

    def _wait(self) -> float:
        with self._lock:
            soonest = min(self._due.values(), default=time.monotonic() + 60)
        return max(0.05, soonest - time.monotonic())

    def _run_due(self) -> None:
        with self._lock:
            due = [path for path, when in self._due.items() if when <= time.monotonic()]
            for path in due:
                self._due[path] = time.monotonic() + self._periodic[path]
        for path in due:
            self._call(path, ())

    def _call(self, path: str, args: tuple[Any, ...]) -> None:
        try:
            with self.app.app_context():
                resolve(path)(*args)
        except Exception:
            # A task records its own failures; this is only for the ones it could not.
            log.exception("task %s%r failed", path, args)


def thread_runner(app: Flask) -> ThreadRunner:
    """This process's runner for the app (a new one after a fork: threads do not survive)."""
    with _runners_lock:
        runner: ThreadRunner | None = app.extensions.get(_RUNNER)
        if runner is None or runner.pid != os.getpid():
            runner = ThreadRunner(app)
            app.extensions[_RUNNER] = runner
        return runner


def stop_thread_runner(app: Flask, timeout: float = 30.0) -> None:
    """Stop the app's runner thread, if it has one (tests, shutdown)."""
    with _runners_lock:
        runner: ThreadRunner | None = app.extensions.pop(_RUNNER, None)
    if runner is not None and runner.pid == os.getpid():
        runner.stop(timeout)
