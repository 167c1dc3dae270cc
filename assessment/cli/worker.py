"""`assessment worker`: an RQ worker that renders the report jobs queued on Redis.

Run as many as you like, on as many machines as share the database, REDIS_URL and
REPORTS_DIR: each takes one job at a time, in a forked process of its own.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from assessment import jobqueue
from assessment.operations.reports import SWEEP_TASK


@click.command("worker")
@click.option("--burst", is_flag=True, help="Quit once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Render queued PDF reports (needs REDIS_URL)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "REDIS_URL is not set: without Redis the app renders reports in a background "
            "thread of its own, and no worker is needed")
    from redis.exceptions import RedisError

    import reports.documents  # noqa: F401  loaded once here, not in every job's process
    from assessment.jobqueue.worker import AppWorker

    connection = jobqueue.redis_connection(app)
    try:
        connection.ping()
    except RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at {jobqueue.redacted(url)}: {exc}"
                                   ) from None
    worker = AppWorker([app.config["REPORT_QUEUE"]], connection=connection, app=app,
                       periodic_task=SWEEP_TASK,
                       every=max(1, app.config["REPORT_LEASE_SECONDS"] // 2))
    click.echo(f"worker {worker.name}: queue '{app.config['REPORT_QUEUE']}' on "
               f"{jobqueue.redacted(url)}", err=True)
    worker.work(burst=burst, logging_level="INFO", with_scheduler=False)
