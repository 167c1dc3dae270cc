"""A TCP relay between the app and PostgreSQL that the test controls.

The app connects to the relay's port; the relay forwards to the real server and can,
at the moment a test chooses: drop a connection right after the server has answered a
COMMIT (so the commit happened, but the app never hears so), cut every open connection
(as a database restart does), or refuse new connections (as a database that is down).
Only 127.0.0.1 is involved; the shared PostgreSQL server itself is never restarted.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from sqlalchemy.engine import make_url

COMMIT = b"COMMIT\x00"  # the simple-query message psycopg sends for commit()


class _Pair:
    def __init__(self, client: socket.socket, server: socket.socket):
        self.client, self.server = client, server
        self.swallow_reply = False

    def close(self) -> None:
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class Relay:
    """Forwards 127.0.0.1:<port> to the target; see the module docstring."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pairs: list[_Pair] = []
        self.lock = threading.Lock()
        self.refusing = False
        self.drop_next_commit = False
        self.commit_dropped = threading.Event()
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url_for(self, database_url: str) -> str:
        """The database URL with its host and port pointed at the relay."""
        url = make_url(database_url).set(host="127.0.0.1", port=self.port)
        return url.render_as_string(hide_password=False)

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            pair = _Pair(client, server)
            with self.lock:
                self.pairs.append(pair)
            threading.Thread(target=self._upstream, args=(pair,), daemon=True).start()
            threading.Thread(target=self._downstream, args=(pair,), daemon=True).start()

    def _upstream(self, pair: _Pair) -> None:
        try:
            while data := pair.client.recv(65536):
                if self.drop_next_commit and COMMIT in data:
                    self.drop_next_commit = False
                    pair.swallow_reply = True
                pair.server.sendall(data)
        except OSError:
            pass
        pair.close()

    def _downstream(self, pair: _Pair) -> None:
        try:
            while data := pair.server.recv(65536):
                if pair.swallow_reply:
                    # The server has committed and answered: the app never hears it.
                    self.commit_dropped.set()
                    pair.close()
                    return
                pair.client.sendall(data)
        except OSError:
            pass
        pair.close()

    def cut_all(self) -> None:
        """Close every open connection, as a database restart does."""
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            pair.close()

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        with contextlib.suppress(OSError):
            self.listener.close()
        self.cut_all()
        self.thread.join(timeout=5)


@contextlib.contextmanager
def relay_to(database_url: str) -> Iterator[Relay]:
    """A relay to the PostgreSQL server of `database_url`, closed afterwards."""
    url = make_url(database_url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield relay
    finally:
        relay.close()
