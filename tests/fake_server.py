"""What the fake providers share: a threaded HTTP server on 127.0.0.1, a queue of scripted
replies, and the requests it received."""

from __future__ import annotations

import threading
from collections import deque
from http.server import ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up (Stop, timeouts) are part of the tests


class FakeServer:
    """Start with ``with Fake() as fake:``; ``fake.push(script)`` queues what the next requests get."""

    def __init__(self, handler_class) -> None:
        self.requests: list[dict] = []
        self.scripts: deque = deque()
        self.server = _QuietServer(("127.0.0.1", 0), handler_class)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def push(self, *scripts):
        self.scripts.extend(scripts)
        return self

    def start(self):
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
