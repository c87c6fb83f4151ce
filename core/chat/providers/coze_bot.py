"""The Coze bot route: chat with a published Coze bot that runs DeepSeek-R1, over the Open API v3 —
the request, the stream, and how its failures are named.

The stream is read with httpx2 and core/chat/sse.py rather than cozepy's ``chat.stream``, which
cannot close the response on Stop nor report the ``error`` event's code (see docs/coze-v3.md).
Coze reports a refusal three ways: a JSON body with a non-zero ``code`` (often with HTTP 200), an
HTTP error status, or a ``conversation.chat.failed`` / ``error`` event inside the stream.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import httpx2

from core import logs
from core.chat import sse
from core.chat.endpoint import ChatRequest, Detection, Endpoint
from core.chat.events import Event, Finished, Interrupted, Usage
from core.chat.faults import cause_text, connection_kind, is_html, page_title
from core.chat.hangup import Hangup
from core.chat.providers.base import Get, Provider
from core.chat.reasoning import ReasoningParser
from core.chat.retry import asked_wait
from core.diagnosis import Diagnosis, status_label
from core.redact import redact

CONNECT_TIMEOUT = 10.0
MAX_MESSAGES = 100  # Coze's limit on additional_messages; more is refused with code 4004
DELTA, COMPLETED = "conversation.message.delta", "conversation.message.completed"
# Coze's documented codes (coze_error_codes page); 4028 is observed, not documented.
CODE_KINDS = {
    4000: "bad_request", 4004: "bad_request", 4010: "too_long",
    4006: "bot_not_found", 4200: "bot_not_found", 4015: "bot_not_published",
    4008: "daily_limit", 4009: "rate_limit", 4020: "rate_limit",
    4011: "balance", 4019: "balance", 4022: "balance", 4028: "balance",
    4012: "bot_model", 4013: "server", 5000: "server", 4014: "cannot_answer",
    4100: "token_refused", 4101: "forbidden", 4102: "risk_control",
}
STATUS_KINDS = {400: "bad_request", 401: "auth", 403: "forbidden", 404: "api_not_found", 429: "rate_limit"}
# Kinds only this route has.
NEW_KINDS = ("token_refused", "bot_not_found", "bot_not_published", "daily_limit", "too_long", "bot_model",
             "cannot_answer", "risk_control", "bot_needs_action", "api_not_found", "coze_error")


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


@dataclass(frozen=True)
class CozeBotRoute(Provider):
    """The route object: a Coze personal access token, the API host and a bot id."""

    def detect(self, get: Get, explicit: bool) -> Detection:
        """The endpoint from the token, bot id and API host, or the variables still missing."""
        token, bot_id, base = get(self.key_var), get(self.model_var), get(self.url_var)
        missing = tuple(n for n, v in ((self.key_var, token), (self.model_var, bot_id)) if not v)
        if missing:
            return Detection(self.route, None, missing, explicit)
        endpoint = Endpoint(
            route=self.route, base_url=base, api_key=token, model=bot_id,
            provider="coze-bot", send_thinking=False, include_usage=False,
            honours_temperature=False,  # the bot's own settings decide; the API takes no temperature
            read_timeout=get("R1_READ_TIMEOUT"), bot_id=bot_id,
            user_id=get("COZE_USER_ID") or "")  # empty: one per visitor (for_visitor)
        return Detection(self.route, endpoint, (), explicit)

    def complete(self, get: Get) -> bool:
        """A token and a bot id; the API host has a default."""
        return bool(get(self.key_var)) and bool(get(self.model_var))

    def partial(self, get: Get) -> bool:
        """The token or the bot id alone: a half-set bot route that can say what it misses."""
        return bool(get(self.key_var) or get(self.model_var))

    def make_client(self, endpoint: Endpoint, hangup: Hangup | None = None) -> httpx2.Client:
        """The HTTP client the stream uses; with ``hangup``, calling it closes its streams at once."""
        return make_http(bot_for(endpoint), hangup)

    def stream(self, client, endpoint: Endpoint, request: ChatRequest) -> Iterator[Event]:
        """Yield the bot's reply; the budget and sampling are the bot's own settings."""
        return stream_bot_reply(bot_for(endpoint), request.messages, client)

    def diagnose(self, exc: BaseException, endpoint: Endpoint) -> Diagnosis:
        """Name a transport exception (Verify's probes) with the Coze variables to fix."""
        kind = connection_kind(exc)
        logs.get().info("transport fault %s: %s", kind, cause_text(exc, endpoint.api_key))  # not for the page
        return diagnose(bot_for(endpoint), kind)

    def for_visitor(self, endpoint: Endpoint, visitor: str) -> Endpoint:
        """The endpoint carrying this visitor's own Coze user id, unless COZE_USER_ID fixes one.

        A Coze bot keeps user variables and long-term memory per user id, so visitors sharing one
        id could read what another told the bot. The id is a hash: who the visitor is never leaves.
        """
        if endpoint.user_id:
            return endpoint
        return replace(endpoint, user_id="r1-" + hashlib.sha256(visitor.encode()).hexdigest()[:20])

    def request_url(self, base_url: str) -> str:
        """``POST {COZE_API_BASE}/v3/chat``."""
        return CozeBot("", "", base_url.strip()).base + "/v3/chat"


PROVIDER = CozeBotRoute("coze-bot", "COZE_API_TOKEN", "COZE_API_BASE", "COZE_BOT_ID", auto_rank=1, partial_rank=1,
                        lists_models=False, takes_max_tokens=False, asks_a_bot=True)


def bot_for(endpoint) -> CozeBot:
    """The CozeBot behind a Coze bot route's Endpoint."""
    return CozeBot(endpoint.api_key, endpoint.bot_id, endpoint.base_url,
                   endpoint.user_id or "r1-chat-user", endpoint.read_timeout)


def make_http(bot: CozeBot, hangup: Hangup | None = None) -> httpx2.Client:
    """The HTTP client the chat stream uses; reuse it across replies to keep the connection warm."""
    # A read timeout applies between streamed events, so a long think never times out.
    return httpx2.Client(timeout=httpx2.Timeout(bot.read_timeout, connect=CONNECT_TIMEOUT),
                         event_hooks=hangup.hooks() if hangup else None)


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
            lines = _open(response, bot)
            yield from _events(lines, response.headers.get("x-tt-logid"), bot, parser)
            return
    except Fault as fault:
        diagnosis = fault.args[0]
    except httpx2.TimeoutException:
        diagnosis = diagnose(bot, "timeout")
    except httpx2.TransportError as exc:
        kind = connection_kind(exc)
        # Words on the page, the cause (class names, errno) in the log.
        logs.get().info("transport fault %s: %s", kind, cause_text(exc, bot.token))
        diagnosis = diagnose(bot, "cut_off" if started and kind == "connection" else kind)
    except Exception:  # an event that is not the JSON Coze documents: named, never a traceback
        logs.get().exception("an event from Coze the parser could not read")
        diagnosis = diagnose(bot, "bad_data")
    yield from parser.finish()
    yield Interrupted(diagnosis)


def _events(lines: Iterator[str], logid: str | None, bot: CozeBot, parser: ReasoningParser) -> Iterator[Event]:
    seen: set = set()  # ids of answer messages that streamed deltas
    for name, data in sse.events(lines):
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


def _open(response: httpx2.Response, bot: CozeBot) -> Iterator[str]:
    """The reply's event lines; a refusal before the stream raises a Fault. Coze refuses with a JSON
    body and a non-zero code (often with HTTP 200), with an HTTP error, or a gateway with a web page;
    the body, not its content type, tells which."""
    if response.status_code == 200:
        is_stream, lines = sse.sniff(_lines(response, bot))
        if is_stream:
            return lines
        text = "\n".join(lines)
    else:
        text = response.read().decode("utf-8", "replace")
    raise Fault(refusal(text, response, bot))


def refusal(text: str, response: httpx2.Response, bot: CozeBot) -> Diagnosis:
    """Name a body that came instead of a stream: a web page, Coze's JSON refusal, or a chat object."""
    if is_html(text):
        return page_fault(text, response, bot)
    try:
        body = json.loads(text)
    except ValueError:
        body = {"msg": text[:400]}
    body = body if isinstance(body, dict) else {}
    if response.status_code == 200 and not to_int(body.get("code")):
        # A chat object to poll (what stream: false gets) is no stream; anything else is unreadable.
        return diagnose(bot, "not_streamed" if "data" in body else "bad_data")
    return api_fault(body, response, bot)


# --- failures: Coze's codes, HTTP statuses and stream events → a Diagnosis ----------------------

class Fault(Exception):
    """A named failure (``args[0]``, a Diagnosis) found before or in the stream; it ends the reply."""


def api_fault(body: dict, response: httpx2.Response, bot: CozeBot) -> Diagnosis:
    """Name a refusal that came as a response body (with Coze's code) or as an HTTP status."""
    code, status = to_int(body.get("code")), response.status_code
    if code in CODE_KINDS:
        kind = CODE_KINDS[code]
    elif code or status == 200:  # Coze's own code says more than the HTTP status
        kind = "coze_error"
    else:
        kind = STATUS_KINDS.get(status) or ("server" if status >= 500 else "http")
    detail = body.get("detail") if isinstance(body.get("detail"), dict) else {}
    logid = response.headers.get("x-tt-logid") or detail.get("logid")
    return diagnose(bot, kind, code=code, msg=str(body.get("msg") or ""), status=status,
                    logid=logid, wait=asked_wait(response.headers))


def page_fault(text: str, response: httpx2.Response, bot: CozeBot) -> Diagnosis:
    """An error status that came as a web page (a proxy's or gateway's): named by its title, never pasted."""
    status = response.status_code
    kind = "gateway" if status >= 500 else "not_streamed" if status == 200 else STATUS_KINDS.get(status) or "http"
    diagnosis = diagnose(bot, kind, status=status, wait=asked_wait(response.headers))
    params = {**diagnosis.params, "page_title": page_title(text, status), "status": status_label(status)}
    return Diagnosis(kind, params, status, "", response.headers.get("x-tt-logid"))


def stream_fault(name: str, data: dict, bot: CozeBot, logid: str | None) -> Diagnosis:
    """Name a failure event that arrived inside the stream."""
    if name == "conversation.chat.requires_action":
        return diagnose(bot, "bot_needs_action", logid=logid)
    error = (data.get("last_error") or {}) if name == "conversation.chat.failed" else data
    error = error if isinstance(error, dict) else {"msg": str(error)}
    code = to_int(error.get("code", error.get("error_code")))
    msg = str(error.get("msg") or error.get("error_message") or "")
    return diagnose(bot, CODE_KINDS.get(code, "stream_error"), code=code, msg=msg, logid=logid)


def diagnose(bot: CozeBot, kind: str, *, code: int | None = None, msg: str = "", status: int | None = None,
             logid: str | None = None, wait: str | None = None) -> Diagnosis:
    """A Diagnosis whose fix names the Coze settings; the provider's message is redacted and cut."""
    params = {"host": urlsplit(bot.api_base).hostname or bot.api_base, "base_url": bot.base,
              "key_var": "COZE_API_TOKEN", "url_var": "COZE_API_BASE", "bot_var": "COZE_BOT_ID",
              "bot_id": bot.bot_id, "model": bot.bot_id, "read_timeout": f"{bot.read_timeout:g}",
              "code": "" if code is None else str(code)}
    params["wait"] = wait or "?"
    if kind == "server":  # Coze reports its own failures as codes 4013/5000, often with HTTP 200
        params["status"] = status_label(status, code)
    return Diagnosis(kind, params, status, redact(msg, [bot.token])[:400], logid)


def to_int(value: object) -> int | None:
    """Coze sends codes as numbers or strings; anything else is no code."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
