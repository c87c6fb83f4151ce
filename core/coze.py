"""The Coze route: chat with a published Coze bot that runs DeepSeek-R1, over the Open API v3.

The stream is read with httpx2 and core/sse.py rather than cozepy's ``chat.stream``, which cannot
close the response on Stop nor report the ``error`` event's code (see docs/coze-v3.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx2

from core import logs, sse
from core.coze_faults import Fault, api_fault, diagnose, stream_fault
from core.errors import connection_kind
from core.events import Event, Finished, Interrupted, Usage
from core.reasoning import ReasoningParser

CONNECT_TIMEOUT = 10.0
MAX_MESSAGES = 100  # Coze's limit on additional_messages; more is refused with code 4004
DELTA, COMPLETED = "conversation.message.delta", "conversation.message.completed"


@dataclass(frozen=True)
class CozeBot:
    """Everything the Coze route needs: the token (never shown), the bot and where the API is."""

    token: str = field(repr=False)
    bot_id: str
    api_base: str = "https://api.coze.cn"
    user_id: str = "r1-chat-user"
    read_timeout: float = 120.0

    @property
    def base(self) -> str:
        """The API host without a trailing slash, as paths are appended to it and shown in fixes."""
        return self.api_base.rstrip("/")


def bot_for(endpoint) -> CozeBot:
    """The CozeBot behind a Coze bot route's Endpoint (see core.routes)."""
    return CozeBot(endpoint.api_key, endpoint.bot_id, endpoint.base_url,
                   endpoint.user_id or "r1-chat-user", endpoint.read_timeout)


def make_http(bot: CozeBot) -> httpx2.Client:
    """The HTTP client the chat stream uses; reuse it across replies to keep the connection warm."""
    # A read timeout applies between streamed events, so a long think never times out.
    return httpx2.Client(timeout=httpx2.Timeout(bot.read_timeout, connect=CONNECT_TIMEOUT))


def request_body(bot: CozeBot, messages: list[dict]) -> dict:
    """The /v3/chat body: the whole history as additional_messages, stateless on Coze's side."""
    if not messages or messages[-1]["role"] != "user":
        raise ValueError("messages must end with the user's new message")
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    turns = [m for m in messages if m["role"] != "system"][-(MAX_MESSAGES - 1):]
    if system:
        # v3 has no system role, and R1's authors advise putting instructions in the user prompt.
        framed = f"<instructions>\n{system}\n</instructions>\n\n{turns[0]['content']}"
        turns[0] = {**turns[0], "content": framed}
    # auto_save_history=False: no Coze conversation is kept, so none can be lost or shared.
    return {"bot_id": bot.bot_id, "user_id": bot.user_id, "stream": True, "auto_save_history": False,
            "additional_messages": [{"role": m["role"], "content": m["content"], "content_type": "text",
                                     "type": "question" if m["role"] == "user" else "answer"} for m in turns]}


def stream_bot_reply(bot: CozeBot, messages: list[dict],
                     client: httpx2.Client | None = None) -> Iterator[Event]:
    """Yield the bot's reply as typed events; faults and silent ends become one final Interrupted.

    Closing the generator (a Stop) closes the HTTP response at once.
    """
    body = request_body(bot, messages)
    owned = client is None
    client = client or make_http(bot)
    try:
        yield from _reply(client, bot, body)
    finally:
        if owned:
            client.close()


def _reply(client: httpx2.Client, bot: CozeBot, body: dict) -> Iterator[Event]:
    parser, started = ReasoningParser(), False
    try:
        with client.stream("POST", bot.base + "/v3/chat", json=body,
                           headers={"Authorization": f"Bearer {bot.token}"}) as response:
            started = True
            _raise_for_reply(response, bot)
            yield from _events(response, bot, parser)
            return
    except Fault as fault:
        diagnosis = fault.args[0]
    except httpx2.TimeoutException:
        diagnosis = diagnose(bot, "timeout")
    except httpx2.TransportError as exc:
        kind = "cut_off" if started else connection_kind(exc)
        diagnosis = diagnose(bot, kind, msg=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a malformed event: a named interruption, never a traceback
        logs.get().exception("unexpected failure while streaming from Coze")
        diagnosis = diagnose(bot, "unknown", msg=f"{type(exc).__name__}: {exc}")
    yield from parser.finish()
    yield Interrupted(diagnosis)


def _events(response: httpx2.Response, bot: CozeBot, parser: ReasoningParser) -> Iterator[Event]:
    seen: set = set()  # ids of answer messages that streamed deltas
    logid = response.headers.get("x-tt-logid")
    for name, data in sse.events(_lines(response, bot)):
        if name in ("conversation.chat.completed", "done"):
            yield from parser.finish()
            usage = json.loads(data).get("usage") if name != "done" else None
            if usage:
                yield Usage(usage.get("input_count"), usage.get("output_count"), None)
            yield Finished("stop")
            return
        if name in ("conversation.chat.failed", "error", "conversation.chat.requires_action"):
            raise Fault(stream_fault(name, json.loads(data), bot, logid))
        if name in (DELTA, COMPLETED):
            yield from _answer(name, json.loads(data), parser, seen)
    raise Fault(diagnose(bot, "cut_off", logid=logid))


def _answer(name: str, message: dict, parser: ReasoningParser, seen: set) -> Iterator[Event]:
    """Feed answer text to the shared parser; follow_up, verbose and tool messages are not the answer."""
    if message.get("type") != "answer" or message.get("content_type", "text") != "text":
        return
    key = message.get("id")
    if name == COMPLETED and (key in seen or None in seen):
        return  # the whole message again, after its deltas
    seen.add(key)
    delta = {"reasoning_content": message.get("reasoning_content") or None,
             "content": message.get("content") or None}
    yield from parser.feed({"choices": [{"delta": delta}]})


def _lines(response: httpx2.Response, bot: CozeBot) -> Iterator[str]:
    for line in response.iter_lines():
        if line.startswith("{"):  # an error body sent as text/event-stream (seen with a bad token)
            try:
                body = json.loads(line)
            except ValueError:
                body = None
            if isinstance(body, dict) and body.get("code"):
                raise Fault(api_fault(body, response, bot))
        yield line


def _raise_for_reply(response: httpx2.Response, bot: CozeBot) -> None:
    """A refusal before the stream: a JSON body with a non-zero code (HTTP 200 or not), or an HTTP error."""
    if response.status_code == 200 and "event-stream" in response.headers.get("content-type", ""):
        return
    response.read()
    try:
        body = response.json()
    except ValueError:
        body = {"msg": response.text[:400]}
    raise Fault(api_fault(body if isinstance(body, dict) else {}, response, bot))
