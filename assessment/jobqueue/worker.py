"""The RQ worker behind `assessment worker` (imported by that command only: rq is slow to
import).

Each job runs in RQ's forked work horse, in a fresh application context with database
connections of its own (a forked process must not use its parent's). Between jobs, and at
least every `every` seconds while idle, the worker runs a periodic task: the sweep that
takes up jobs whose worker went away.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from rq import Worker
from rq.serializers import JSONSerializer

from assessment.extensions import db
from assessment.jobqueue.threads import resolve


class AppWorker(Worker):
    """An RQ worker that runs jobs in the app's context and a periodic task between them."""

    def __init__(self, queues: Any, *, app: Flask, periodic_task: str, every: int,
                 **options: Any):
        # Set before RQ's constructor, which reads dequeue_timeout.
        self.app = app
        self.periodic_task = periodic_task
        self.every = max(1, int(every))
        self.parent_pid = os.getpid()
        super().__init__(queues, maintenance_interval=self.every, serializer=JSONSerializer,
                         **options)

    @property
    def dequeue_timeout(self) -> int:
        # Wake up at least every `every` seconds, so the periodic task runs while idle too.
        return max(1, min(super().dequeue_timeout, self.every))

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        try:
            with self.app.app_context():
                resolve(self.periodic_task)()
        except Exception:
            self.log.exception("periodic task %s failed", self.periodic_task)

    def perform_job(self, job: Any, queue: Any, execution: Any) -> bool:
        with self.app.app_context():
            if os.getpid() != self.parent_pid:
                # The work horse: drop the pooled connections it inherited (still the
                # parent's) without closing them, and open its own.
                db.engine.dispose(close=False)
            performed: bool = super().perform_job(job, queue, execution)
            return performed
