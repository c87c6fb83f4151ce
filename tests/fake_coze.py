"""A fake Coze Open API v3 on 127.0.0.1: ``POST /v3/chat`` with Coze's event and error shapes
(from docs/coze-v3.md and tests/fixtures/coze), token and bot checks, and injected faults."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from fake_server import NGINX_502, FakeServer, hold_before, reset, send_sse

FIXTURES = Path(__file__).parent / "fixtures" / "coze"
TOKEN = "pat_fake-test-token-0123456789-abcdefghij"  # not shaped like a real PAT
BOT_ID = "7400000000000000001"
LOGID = "20250619153012A1B2C3D4E5F60718293A"
# Messages as Coze sends them where a capture was public (4000, 4028, 4100, 4101, 4200, 5000);
# the rest paraphrase the error-code page and are inferred.
MSGS = {
    4000: "The field http body provided is not a valid json or chat request. Please check your input.",
    4006: "invalid bot",
    4008: "The number of times you can use this bot today has exceeded the limit.",
    4009: "The system is busy. Please try again later.",
    4010: "The number of prompt tokens exceeds the model limit.",
    4011: "The Coze token balance of this account is insufficient.",
    4012: "invalid model",
    4013: "model error",
    4014: "The bot cannot answer this question.",
    4015: "The bot has not been published to the API channel.",
    4019: "Pay-as-you-go balance for Volcengine bot calls is insufficient.",
    4020: "Bot calls exceeded the purchased RPM.",
    4022: "The model service account is overdue.",
    4028: "Your free quota has been used up. Please upgrade to a paid plan to continue: "
          "https://console.volcengine.com/coze-pro",
    4100: "authentication is invalid",
    4101: "The token you entered is incorrect. Please double-check and try again.",
    4102: "Risk control blocked this request.",
    4200: "Requested resource bot_id={bot_id} does not exist. "
          "Ensure you are the correct resource identifier.",
    5000: "We're currently experiencing server issues. Please try your request again after a short delay.",
}


@dataclass
class Script:
    """What one /v3/chat request gets: SSE events, a JSON refusal, or a fault."""

    events: list[str] = field(default_factory=list)  # raw SSE blocks, without the blank line
    delay: float = 0.0  # seconds before each event
    status: int = 200
    body: dict | str | None = None  # answer with this instead of a stream
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"  # of ``body``
    cut: bool = False  # drop the connection mid-body
    stall: float = 0.0  # after the events, send nothing for this long
    reset_before: int | None = None  # reset the connection (RST) before this event; -1: before any answer
    hold: tuple[int, threading.Event] | None = None  # (event index, gate): see fake_server.hold_before


def event(name: str, data: object) -> str:
    """One Coze SSE event, as Coze writes it: ``event:`` and ``data:`` with no space."""
    return f"event:{name}\ndata:{json.dumps(data, ensure_ascii=False, separators=(',', ':'))}"


def chat(status: str, usage: tuple[int, int] = (0, 0), error: tuple[int, str] = (0, "")) -> dict:
    """A Chat object (conversation.chat.* data)."""
    return {"id": "7512345678901234601", "conversation_id": "7512345678901234567", "bot_id": BOT_ID,
            "created_at": 1748400000, "last_error": {"code": error[0], "msg": error[1]}, "status": status,
            "usage": {"token_count": sum(usage), "output_count": usage[1], "input_count": usage[0]}}


def message(content: str, reasoning: str | None = None, kind: str = "answer",
            mid: str = "7512345678901234610") -> dict:
    """A Message object (conversation.message.* data)."""
    data = {"id": mid, "conversation_id": "7512345678901234567", "bot_id": BOT_ID, "role": "assistant",
            "type": kind, "content": content, "content_type": "text", "chat_id": "7512345678901234601"}
    if reasoning is not None:
        data["reasoning_content"] = reasoning
    return data


def reply(reasoning: str, answer: str, piece: int = 6, usage: tuple[int, int] = (40, 90),
          completed: bool = True, delay: float = 0.0) -> Script:
    """A generated R1 bot reply: reasoning deltas, answer deltas, the whole message, usage, done."""
    events = [event("conversation.chat.created", chat("created")),
              event("conversation.chat.in_progress", chat("in_progress"))]
    events += [event("conversation.message.delta", message("", reasoning[i:i + piece]))
               for i in range(0, len(reasoning), piece)]
    events += [event("conversation.message.delta", message(answer[i:i + piece]))
               for i in range(0, len(answer), piece)]
    if completed:
        events += [event("conversation.message.completed", message(answer, reasoning)),
                   event("conversation.chat.completed", chat("completed", usage)),
                   'event:done\ndata:"[DONE]"']
    return Script(events=events, delay=delay)


def refusal(code: int, status: int = 200, msg: str | None = None, as_stream: bool = False) -> Script:
    """Coze refusing before the stream: ``{"code","msg","detail":{"logid"}}``, HTTP 200 unless told."""
    msg = msg or MSGS.get(code, "error").format(bot_id=BOT_ID)
    body = {"code": code, "msg": msg, "detail": {"logid": LOGID}}
    # as_stream: the JSON body under a text/event-stream header, as coze-py#78 captured for a bad token.
    return Script(status=status, body=body, headers={"x-tt-logid": LOGID},
                  content_type="text/event-stream" if as_stream else "application/json")


def failed(code: int, after: Script | None = None) -> Script:
    """A chat that starts, streams ``after``'s deltas, then ends in conversation.chat.failed."""
    events = list((after or reply("", "", completed=False)).events)
    events.append(event("conversation.chat.failed", chat("failed", error=(code, MSGS.get(code, "failed")))))
    return Script(events=events)


# --- faults, by the same names as in fake_upstream: the fault suite runs each on both routes ------

def rate_limited(wait: str) -> Script:
    """HTTP 429 with Coze's rate-limit code, asking to wait ``wait`` seconds (``Retry-After``)."""
    script = refusal(4009, status=429)
    script.headers = {**script.headers, "retry-after": wait}
    return script


def server_error() -> Script:
    """Coze's own "internal error, retry later" (code 5000, HTTP 200)."""
    return refusal(5000)


def html_page() -> Script:
    """A proxy's HTML error page instead of the API's JSON."""
    return Script(status=502, body=NGINX_502, content_type="text/html")


def malformed() -> Script:
    """Some answer, then an event whose data is not JSON."""
    script = reply("thinking", "partial ", completed=False)
    script.events.append('event:conversation.message.delta\ndata:{"content": "unterminated')
    return script


def reset_connection(after_text: bool) -> Script:
    """A TCP reset before the response, or after some answer."""
    if not after_text:
        return Script(reset_before=-1)
    script = reply("thinking", "partial ", completed=False)
    script.reset_before = len(script.events)
    return script


def not_streamed() -> Script:
    """What ``stream: false`` gets: a chat object to poll (HTTP 200, code 0), no answer yet."""
    return Script(body={"code": 0, "msg": "", "data": {"id": "7512345678901234601", "bot_id": BOT_ID,
                                                       "status": "in_progress"}})


def fixture(name: str, delay: float = 0.0) -> Script:
    """Replay tests/fixtures/coze/<name>.sse event by event."""
    text = (FIXTURES / f"{name}.sse").read_text(encoding="utf-8")
    return Script(events=[e for e in text.split("\n\n") if e.strip()], delay=delay)


def expected(name: str) -> dict:
    """What a correct reader must make of tests/fixtures/coze/<name>.sse."""
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


def names() -> list[str]:
    """Every recorded Coze stream."""
    return sorted(p.stem for p in FIXTURES.glob("*.sse"))


class FakeCoze(FakeServer):
    """Start with ``with FakeCoze() as coze:``; ``coze.push(script)`` queues what requests get."""

    def __init__(self, token: str = TOKEN, bots: dict[str, bool] | None = None) -> None:
        self.token = token
        self.bots = {BOT_ID: True} if bots is None else bots  # bot id -> published as API
        self.hangups = 0  # streams the client closed before the end
        super().__init__(_handler(self))


    def next_script(self, body: dict, headers: dict) -> Script:
        if headers.get("authorization") != f"Bearer {self.token}":
            return refusal(4100)
        bot = str(body.get("bot_id"))
        if bot not in self.bots:
            return refusal(4200, msg=MSGS[4200].format(bot_id=bot))
        if not self.bots[bot]:
            return refusal(4015)
        return self.scripts.popleft() if self.scripts else echo(body.get("additional_messages") or [])


def echo(messages: list[dict]) -> Script:
    """The default: think briefly about the last user message, then answer it."""
    question = messages[-1]["content"] if messages else ""
    reasoning = f"用户说：{question}\n\n简短回答即可。"
    return reply(reasoning, f"\n\n你说的是：**{question}**", delay=0.005)



def _handler(coze: FakeCoze):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            body = json.loads(raw or b"{}")
            headers = {k.lower(): v for k, v in self.headers.items()}
            coze.requests.append({"path": self.path, "headers": headers, "json": body})
            if self.path.split("?")[0] != "/v3/chat":
                return self._send(404, "404 page not found", "text/plain")
            script = coze.next_script(body, headers)
            if script.reset_before == -1:
                return reset(self)
            if script.body is not None:
                text = script.body if isinstance(script.body, str) else json.dumps(script.body)
                return self._send(script.status, text, script.content_type, script.headers)
            self._stream(script)

        def _send(self, status: int, text: str, content_type: str, headers: dict | None = None) -> None:
            data = text.encode()
            self.send_response(status)
            for key, value in {"content-type": content_type, **(headers or {})}.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, script: Script) -> None:
            if not send_sse(self, script, {"content-type": "text/event-stream", "x-tt-logid": LOGID,
                                           **script.headers}):
                coze.hangups += 1

    return Handler


def hold_answer(script: Script) -> threading.Event:
    """Hold ``script`` before its first answer delta until the returned Event is set."""

    def is_answer(raw: str) -> bool:
        name, _, data = raw.partition("\ndata:")
        return name == "event:conversation.message.delta" and bool(json.loads(data).get("content"))

    return hold_before(script, is_answer)
