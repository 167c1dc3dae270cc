"""The job queue: RQ on Redis when REDIS_URL is set, else a thread of this process.

A task is named by its dotted path ('package.module.function'), so the code that queues
it never imports it: RQ stores the path and a worker imports it; the thread runner
imports it when it runs it. Every task runs in an application context of its own and
commits its own work. rq (slow to import) is loaded only when Redis is used.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask

from assessment.jobqueue.threads import ThreadRunner, resolve, stop_thread_runner, thread_runner

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

__all__ = ["ThreadRunner", "enqueue", "redacted", "redis_connection", "resolve", "rq_queue",
           "stop_thread_runner", "thread_runner"]

log = logging.getLogger(__name__)
JOB_TIMEOUT = 15 * 60  # seconds an RQ worker lets one task run before stopping it
FAILED_TTL = 24 * 3600  # seconds RQ keeps a failed task's record (the database keeps ours)
_CONNECTION = "assessment.redis"  # app.extensions key of the app's Redis client


def redacted(url: str) -> str:
    """A Redis URL fit for messages and logs: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def redis_connection(app: Flask) -> Redis:
    """The app's Redis client (one connection pool per process, made on first use)."""
    from redis import Redis

    client: Redis | None = app.extensions.get(_CONNECTION)
    if client is None:
        client = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
        app.extensions[_CONNECTION] = client
    return client


def rq_queue(app: Flask) -> Queue:
    """The RQ queue of report jobs. Jobs are stored as JSON, not pickle, so whoever can
    write to Redis still cannot make a worker run code of their choosing."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(app.config["REPORT_QUEUE"], connection=redis_connection(app),
                 serializer=JSONSerializer)


def enqueue(app: Flask, path: str, *args: Any, description: str = "") -> bool:
    """Run a task soon: on an RQ worker with Redis, else in this process's runner thread.

    Returns False (and logs why) when Redis cannot be reached; the caller's records stay
    as they are, so the task can be queued again later.
    """
    if not app.config.get("REDIS_URL"):
        thread_runner(app).submit(path, *args)
        return True
    from redis.exceptions import RedisError

    try:
        rq_queue(app).enqueue(path, *args, job_timeout=JOB_TIMEOUT, result_ttl=0,
                              failure_ttl=FAILED_TTL, description=description or path)
    except RedisError as exc:
        log.error("could not queue %s on %s: %s", path, redacted(app.config["REDIS_URL"]), exc)
        return False
    return True
