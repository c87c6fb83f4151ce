"""What the fake providers share: a threaded HTTP server on 127.0.0.1, a queue of scripted
replies, and the requests it received."""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
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
        self.gets: list[dict] = []  # GET requests (a model list), kept apart so `requests` stays the chats
        self.scripts: deque = deque()
        self.server = _QuietServer(("127.0.0.1", 0), handler_class)
        self.server.hung_up = []  # when (time.monotonic) a client closed a held stream: Stop's hang-up
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def carrying(self, secret: str) -> int:
        """How many requests of any kind reached this server with ``secret`` in a header."""
        return sum(secret in " ".join(r["headers"].values()) for r in self.requests + self.gets)

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


def hold_before(script, first) -> threading.Event:
    """Make ``script`` wait, before its first event for which ``first(event)`` is true, until the
    returned Event is set: a test can look at a live phase (thinking) for as long as it needs."""
    index = next(i for i, e in enumerate(script.events) if first(e))
    gate = threading.Event()
    script.hold = (index, gate)
    return gate


def send_sse(handler, script, headers: dict) -> bool:
    """Stream ``script.events`` as a chunked SSE body with its faults; False if the client hung up."""
    handler.send_response(200)
    for key, value in {"transfer-encoding": "chunked", **headers}.items():
        handler.send_header(key, value)
    handler.end_headers()
    try:
        for i, event in enumerate(script.events):
            if script.reset_before == i:
                reset(handler)
                return True
            if script.hold and script.hold[0] == i and not _hold(handler, script.hold[1]):
                return False
            if script.delay:
                time.sleep(script.delay)
            data = (event + "\n\n").encode()
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            handler.wfile.flush()
        if script.stall:
            time.sleep(script.stall)
        if script.reset_before == len(script.events):
            reset(handler)
            return True
        if script.cut:  # drop the connection without the final chunk
            handler.close_connection = True
            return True
        handler.wfile.write(b"0\r\n\r\n")
        return True
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True  # the client stopped reading: a Stop
        return False


def _hold(handler, gate: threading.Event, longest: float = 30.0) -> bool:
    """Send nothing until ``gate`` is set, watching the connection: False (and the time noted) as
    soon as the client hangs up, as a real server notices a closed socket."""
    end = time.monotonic() + longest
    while not gate.wait(0.01) and time.monotonic() < end:
        ready, _, _ = select.select([handler.connection], [], [], 0)
        if ready and not handler.connection.recv(1, socket.MSG_PEEK):
            handler.server.hung_up.append(time.monotonic())
            handler.close_connection = True
            return False
    return True


def reset(handler) -> None:
    """Abort the connection with a TCP reset (RST), as a crashed proxy or a firewall does."""
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


NGINX_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
             "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
             "</body>\r\n</html>\r\n")  # what nginx sends when the provider behind it is down
