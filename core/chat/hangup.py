"""Hanging up a reply's HTTP stream from another thread, at once, even while upstream is silent.

Closing a streaming response from the thread that reads it waits for that read to return, which
during a long think can be minutes. Shutting the socket down wakes the blocked read at once
(it fails, and the reader sees the hang-up), so Stop closes the upstream connection in
milliseconds. The client learns each response's socket through an httpx response hook.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Hangup:
    """Tracks the sockets of one reply's responses; calling it shuts them all down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._done = threading.Event()

    def __repr__(self) -> str:
        return f"Hangup(done={self.done}, sockets={len(self._sockets)})"

    @property
    def done(self) -> bool:
        """Whether the reply was hung up."""
        return self._done.is_set()

    def track(self, response) -> None:
        """httpx response hook: remember this response's socket (or cut it if already hung up)."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
        if self.done:  # hung up while this request was connecting
            _shut(sock)

    def __call__(self) -> None:
        """Hang up: every tracked socket is shut down now, and waits end."""
        self._done.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def sleep(self, seconds: float) -> None:
        """Sleep that a hang-up cuts short (a retry's wait is over when the reply is stopped)."""
        self._done.wait(seconds)

    def hooks(self) -> dict:
        """The ``event_hooks`` an httpx client takes to report its responses here."""
        return {"response": [self.track]}


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the client: nothing to hang up
        sock.shutdown(socket.SHUT_RDWR)
