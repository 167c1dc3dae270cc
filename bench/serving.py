"""Starting and stopping the project's gunicorn (gunicorn.conf.py) on 127.0.0.1 for the
benches that measure over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(target: list[str], port: int, env: dict[str, str], log: Path,
                   workers: int = 2) -> subprocess.Popen[bytes]:
    """gunicorn with the project's settings on 127.0.0.1:port; the access log is off, the
    error log and the workers' output go to `log`."""
    environment = {**os.environ, **env, "BIND": f"127.0.0.1:{port}", "ACCESS_LOG": "/dev/null",
                   "ERROR_LOG": str(log), "WEB_CONCURRENCY": str(workers)}
    with open(log, "ab") as output:  # the workers' own output too (warnings), not ours
        return subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
             *target], cwd=ROOT, env=environment, start_new_session=True, stdout=output,
            stderr=subprocess.STDOUT)


def wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Wait until /healthz answers 200 (every worker has imported the app by then only
    if there is one worker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn on port {port} exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn on port {port} did not answer in {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a gunicorn started here (its own process group: the master and workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fresh_database(app: Any) -> None:
    """Migrate the app's database to the newest schema from empty (on PostgreSQL the public
    schema is dropped first), inside the app's context: the benches start from nothing."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from assessment.extensions import db, init_migrations

    init_migrations(app)
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade()
