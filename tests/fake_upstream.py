"""A fake OpenAI-compatible upstream on 127.0.0.1: real HTTP, the providers' chunk and error
shapes from tests/fixtures, and injected faults. Tests queue what the next requests get."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from fake_server import NGINX_502, FakeServer, hold_before, reset, send_sse

FIXTURES = Path(__file__).parent / "fixtures"
PREFIXES = ("/api/v3", "/v1", "/api/v1")  # where real providers mount the OpenAI-compatible API


@dataclass
class Script:
    """What one chat request gets: SSE events, an error, or a fault."""

    events: list[str] = field(default_factory=list)  # raw SSE blocks, each without the blank line
    delay: float = 0.0  # seconds before each event
    status: int = 200
    body: dict | str | None = None  # answer with this instead of a stream (even with status 200)
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"  # of ``body``
    cut: bool = False  # drop the connection mid-body, without the final chunk
    stall: float = 0.0  # after the events, send nothing for this long
    reset_before: int | None = None  # reset the connection (RST) before this event; -1: before any answer
    hold: tuple[int, threading.Event] | None = None  # (event index, gate): see fake_server.hold_before


def chunk(delta: dict, finish: str | None = None, model: str = "deepseek-r1-250528") -> str:
    """One chat.completion.chunk SSE event, as DeepSeek and Ark send it."""
    data = {"id": "021fake", "object": "chat.completion.chunk", "created": 1748400000, "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
    return "data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def reply(reasoning: str, answer: str, piece: int = 6, finish: str | None = "stop", done: bool = True,
          field_name: str = "reasoning_content", usage: bool = True, delay: float = 0.0) -> Script:
    """A generated R1 reply: reasoning deltas, then answer deltas, usage, [DONE]."""
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({field_name: reasoning[i:i + piece], "content": None})
               for i in range(0, len(reasoning), piece)]
    events += [chunk({"content": answer[i:i + piece]}) for i in range(0, len(answer), piece)]
    if finish:
        events.append(chunk({"content": ""}, finish))
    if usage and finish:
        usage_obj = {"prompt_tokens": 12, "completion_tokens": (len(reasoning) + len(answer)) // 4,
                     "total_tokens": 12 + (len(reasoning) + len(answer)) // 4,
                     "completion_tokens_details": {"reasoning_tokens": len(reasoning) // 4}}
        events.append("data: " + json.dumps({"id": "021fake", "object": "chat.completion.chunk",
                                             "created": 1748400000, "model": "deepseek-r1-250528",
                                             "choices": [], "usage": usage_obj}))
    if done and finish:
        events.append("data: [DONE]")
    return Script(events=events, delay=delay)


def fixture(name: str, delay: float = 0.0) -> Script:
    """Replay tests/fixtures/sse/<name>.sse event by event."""
    text = (FIXTURES / "sse" / f"{name}.sse").read_text(encoding="utf-8")
    return Script(events=[e for e in text.split("\n\n") if e.strip()], delay=delay)


def error(name: str) -> Script:
    """Answer with tests/fixtures/errors/<name>.json: status, headers and body."""
    spec = json.loads((FIXTURES / "errors" / f"{name}.json").read_text(encoding="utf-8"))
    return Script(status=spec["status"], body=spec["body"], headers=spec.get("headers", {}))


def echo(messages: list[dict], delay: float = 0.0) -> Script:
    """The default: think briefly about the last user message, then answer it (``delay`` between chunks)."""
    question = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    reasoning = f"The user wrote: {question}\n\nI should answer briefly, with a formula.\n\n"
    answer = f"You said: **{question}**\n\nEuler: \\( e^{{i\\pi}} + 1 = 0 \\)\n"
    return reply(reasoning, answer, delay=delay)


# --- faults, by the same names as in fake_coze: the fault suite runs each on both routes ----------

def rate_limited(wait: str) -> Script:
    """A 429 that asks to wait ``wait`` seconds (``Retry-After``)."""
    script = error("ark_429")
    script.headers = {**script.headers, "retry-after": wait}
    return script


def server_error() -> Script:
    """A transient 503 in the provider's own JSON."""
    return error("deepseek_503")


def html_page() -> Script:
    """A proxy's HTML error page instead of the API's JSON."""
    return Script(status=502, body=NGINX_502, content_type="text/html")


def malformed() -> Script:
    """Some answer, then a chunk that is not JSON."""
    return Script(events=[chunk({"content": "partial "}), 'data: {"choices": [{"delta": {"con'])


def reset_connection(after_text: bool) -> Script:
    """A TCP reset before the response, or after some answer."""
    if not after_text:
        return Script(reset_before=-1)
    script = reply("thinking", "partial ", finish=None)
    script.reset_before = len(script.events)
    return script


def whole_answer(answer: str, reasoning: str) -> Script:
    """The whole completion as one JSON body (HTTP 200), as a provider that ignores ``stream`` sends it."""
    return Script(body={"id": "021x", "object": "chat.completion", "model": "deepseek-r1-250528",
                        "choices": [{"index": 0, "finish_reason": "stop", "message": {
                            "role": "assistant", "content": answer, "reasoning_content": reasoning}}],
                        "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}})


class FakeUpstream(FakeServer):
    """Start with ``with FakeUpstream() as up:``; ``up.push(script)`` queues replies."""

    def __init__(self, api_key: str | None = None, echo_delay: float = 0.0) -> None:
        self.api_key = api_key
        self.echo_delay = echo_delay  # browser tests let the default reply trickle, to watch it stream
        self.models = ["deepseek-r1-250528", "deepseek-reasoner"]
        self.hangups = 0  # streams the client closed before the end
        super().__init__(_handler(self))
        self.base_url = self.url + "/api/v3"


    def next_script(self, body: dict, headers: dict) -> Script:
        if self.api_key and headers.get("authorization") != f"Bearer {self.api_key}":
            return error("ark_401")
        return self.scripts.popleft() if self.scripts else echo(body.get("messages", []), self.echo_delay)



def _handler(upstream: FakeUpstream):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            upstream.gets.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
            if self.path.rstrip("/") in {p + "/models" for p in PREFIXES}:
                data = [{"id": m, "object": "model", "owned_by": "fake"} for m in upstream.models]
                return self._json(200, {"object": "list", "data": data})
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            body = json.loads(raw or b"{}")
            headers = {k.lower(): v for k, v in self.headers.items()}
            upstream.requests.append({"path": self.path, "headers": headers, "json": body})
            if self.path not in {p + "/chat/completions" for p in PREFIXES}:
                return self._json(404, {"error": {"message": f"no route {self.path}", "code": "NotFound"}})
            script = upstream.next_script(body, headers)
            if script.reset_before == -1:
                return reset(self)
            if script.status != 200 or script.body is not None:
                return self._json(script.status, script.body or {}, script.headers, script.content_type)
            self._stream(script)

        def _json(self, status: int, body: dict | str, headers: dict | None = None,
                  content_type: str = "application/json") -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            for key, value in {"content-type": content_type, **(headers or {})}.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, script: Script) -> None:
            if not send_sse(self, script, {"content-type": "text/event-stream; charset=utf-8",
                                           "x-request-id": "req-fake-0001", **script.headers}):
                upstream.hangups += 1

    return Handler


def hold_answer(script: Script) -> threading.Event:
    """Hold ``script`` before its first answer chunk until the returned Event is set."""

    def is_answer(raw: str) -> bool:
        body = raw.removeprefix("data: ")
        if not body.startswith("{"):
            return False
        choices = json.loads(body).get("choices") or [{}]
        return bool(choices[0].get("delta", {}).get("content"))

    return hold_before(script, is_answer)
