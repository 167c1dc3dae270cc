"""Issue 9, point 11 (and the server side of 4 and 9): the shipped production set-up,
gunicorn with gunicorn.conf.py, started on 127.0.0.1. Four uploads that announce a body
and never send it do not stop /healthz from answering; a malformed chunked body is a
400; a stalled body is cut off; the access and error logs hold no personal token.

Traffic goes only to 127.0.0.1, and every loop is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from assessment.models import Campaign
from tests.conftest import PROJECT_ROOT

STALLED_UPLOADS = 4
RESPONDS_AT_ALL = 20.0  # seconds: a generous bound for "answers", not a speed target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gunicorn(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """gunicorn serving the app with the repository's gunicorn.conf.py; yields the base
    URL and the folder of its logs."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "BODY_READ_TIMEOUT": "3",
           "ACCESS_LOG": str(tmp_path / "access.log"), "ERROR_LOG": str(tmp_path / "error.log"),
           "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8"}
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn_bin), "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "error.log").read_text()
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.3)
        yield base, tmp_path
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def stalled_upload(port: int, path: str) -> socket.socket:
    """A POST that announces 100 kB and sends 10 bytes, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=RESPONDS_AT_ALL)
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/x-www-form-urlencoded\r\n"
                  "Content-Length: 100000\r\n\r\ncsrf_token").encode("ascii"))
    return sock


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=RESPONDS_AT_ALL) as sock:
        sock.sendall(request)
        received = b""
        with contextlib.suppress(TimeoutError):
            while chunk := sock.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and b"</html>" in received.lower():
                    break
        return received


def test_site_answers_while_uploads_stall(
    gunicorn: tuple[str, Path], make_campaign: Callable[..., Campaign],
    make_tokens: Callable[[Campaign, int], list[str]],
) -> None:
    base, logs = gunicorn
    port = int(base.rsplit(":", 1)[1])
    campaign = make_campaign()
    token = make_tokens(make_campaign(mode="token"), 1)[0]
    stalled = [stalled_upload(port, f"/s/{campaign.slug}") for _ in range(STALLED_UPLOADS)]
    try:
        time.sleep(0.5)  # the uploads have reached the workers
        with urllib.request.urlopen(f"{base}/healthz", timeout=RESPONDS_AT_ALL) as answer:
            assert answer.status == 200 and answer.read() == b'{"status":"ok"}\n'
        with urllib.request.urlopen(f"{base}/s/{campaign.slug}",
                                    timeout=RESPONDS_AT_ALL) as page:
            assert page.status == 200
            assert page.headers["Content-Security-Policy"]
        with urllib.request.urlopen(f"{base}/s/t/{token}", timeout=RESPONDS_AT_ALL) as intro:
            assert intro.status == 200
        # A malformed chunked body is the client's mistake: 400, not 500.
        malformed = raw_request(port, (
            f"POST /s/{campaign.slug} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
        ).encode("ascii"))
        assert malformed.startswith(b"HTTP/1.1 400"), malformed[:200]
        # The stalled uploads are cut off (BODY_READ_TIMEOUT=3 s), each with a 408.
        for sock in stalled:
            reply = sock.recv(65536)
            assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    finally:
        for sock in stalled:
            sock.close()
    with urllib.request.urlopen(f"{base}/healthz", timeout=RESPONDS_AT_ALL) as answer:
        assert answer.status == 200
    time.sleep(0.5)  # the access log is written after each response
    access = (logs / "access.log").read_text()
    error = (logs / "error.log").read_text()
    assert "GET /s/t/[redacted] HTTP/1.1" in access and "408" in access
    assert token not in access + error
    assert "127.0.0.1 " not in access.replace("Host: 127.0.0.1", "")


def test_a_worker_compiles_every_template_before_its_first_page(app: Flask) -> None:
    """wsgi.py's background preparation: every page template compiled, the charts'
    fonts looked up, and the maths of a worker single-threaded unless set otherwise."""
    from assessment.preload import WORKER_ENVIRONMENT, warm_app

    names = set(app.jinja_env.list_templates(extensions=("html",)))
    assert "survey/page.html" in names and "base.html" in names
    assert app.jinja_env.cache is not None
    warm_app(app)
    compiled = {key[1] for key in app.jinja_env.cache.keys()}
    assert names <= compiled
    assert WORKER_ENVIRONMENT["OPENBLAS_NUM_THREADS"] == "1"


def test_a_worker_sets_its_maths_threads_and_collector(monkeypatch: pytest.MonkeyPatch,
                                                       ) -> None:
    import gc

    from assessment.preload import GC_THRESHOLD, WORKER_ENVIRONMENT, worker_environment

    for name in WORKER_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # what a deployment sets stays
    before = gc.get_threshold()
    try:
        worker_environment()
        assert gc.get_threshold() == (GC_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "3"
