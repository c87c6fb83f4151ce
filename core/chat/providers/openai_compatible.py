"""The OpenAI-compatible route: any provider serving R1 behind ``/chat/completions`` (Volcengine Ark,
DeepSeek, OpenRouter, SiliconFlow, Ollama, vLLM) — the host quirks, the streaming client, and how
its failures are named. The Coze sandbox (core.chat.providers.coze_sandbox) is this route with the
platform's variables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import openai

from core import logs
from core.chat import sse
from core.chat.endpoint import ChatRequest, Detection, Endpoint, host_of
from core.chat.events import Event, Finished, Interrupted
from core.chat.faults import cause_text, connection_kind, is_html, page_title
from core.chat.hangup import Hangup
from core.chat.providers.base import Get, Provider
from core.chat.reasoning import ReasoningParser
from core.chat.retry import asked_wait
from core.diagnosis import Diagnosis, status_label
from core.redact import redact

CONNECT_TIMEOUT = 10.0
DONE = object()  # sentinel: the provider closed the stream with [DONE]
LOOPBACK = ("localhost", "127.0.0.1", "::1")
DEFAULT_MODEL = "deepseek-r1-250528"
REQUEST_ID_HEADERS = ("x-request-id", "x-ds-trace-id", "x-tt-logid", "x-client-request-id")
BALANCE_CODES = re.compile(r"(?i)overdue|insufficient|balance")
STATUS_KINDS = {400: "bad_request", 401: "auth", 402: "balance", 403: "forbidden",
                404: "not_found", 422: "bad_request", 429: "rate_limit"}

# Host suffix -> (provider, Ark-style `thinking` param, accepts stream_options).
HOSTS = (
    ("volces.com", "ark", True, True),
    ("coze.cn", "coze", True, True),
    ("coze.com", "coze", True, True),
    ("deepseek.com", "deepseek", False, True),
    ("openrouter.ai", "openrouter", False, True),
    ("siliconflow.cn", "siliconflow", False, True),
    ("siliconflow.com", "siliconflow", False, True),
)


@dataclass(frozen=True)
class OpenAICompatible(Provider):
    """The route object: settings, endpoint, client, stream and faults of an OpenAI-compatible API."""

    def detect(self, get: Get, explicit: bool) -> Detection:
        """The endpoint from the key, base URL and model; a loopback server needs no key."""
        base_url, api_key = get(self.url_var), get(self.key_var)
        if base_url and not api_key and host_of(base_url) in LOOPBACK:
            api_key = "not-needed"  # local Ollama/vLLM accept any key but the SDK demands one
        missing = tuple(n for n, v in ((self.key_var, api_key), (self.url_var, base_url)) if not v)
        if missing:
            return Detection(self.route, None, missing, explicit)
        provider, thinking, usage = self.quirks(base_url)
        model = get(self.model_var) or DEFAULT_MODEL
        endpoint = Endpoint(
            route=self.route, base_url=base_url, api_key=api_key, model=model, provider=provider,
            send_thinking=thinking, include_usage=usage,
            # deepseek-reasoner documents that it ignores temperature; don't offer a dead control.
            honours_temperature=not (provider == "deepseek" and "reasoner" in model),
            read_timeout=get("R1_READ_TIMEOUT"))
        return Detection(self.route, endpoint, (), explicit)

    def partial(self, get: Get) -> bool:
        """Either variable set is enough to call this the intended route."""
        return bool(get(self.key_var) or get(self.url_var))

    def quirks(self, base_url: str) -> tuple[str, bool, bool]:
        """(provider name, sends Ark's ``thinking``, accepts ``stream_options``) for this host."""
        return identify(base_url)

    def make_client(self, endpoint: Endpoint, hangup: Hangup | None = None) -> openai.OpenAI:
        """The OpenAI SDK client; its read timeout applies between chunks, not to the whole reply.
        With ``hangup``, calling it closes the client's streams at once."""
        timeout = openai.Timeout(endpoint.read_timeout, connect=CONNECT_TIMEOUT)
        http = openai.DefaultHttpxClient(timeout=timeout, event_hooks=hangup.hooks()) if hangup else None
        return openai.OpenAI(api_key=endpoint.api_key, base_url=endpoint.base_url,
                             timeout=timeout, http_client=http,
                             max_retries=0)  # core.chat.retry retries, the same way on every route

    def stream(self, client, endpoint: Endpoint, request: ChatRequest) -> Iterator[Event]:
        """Yield the reply's events; closing the generator (a Stop) closes the response at once."""
        return stream_reply(client, endpoint, request, self.names())

    def diagnose(self, exc: BaseException, endpoint: Endpoint) -> Diagnosis:
        """Name an SDK or transport exception, with the variables to fix."""
        return diagnose(exc, endpoint, self.names())

    def names(self) -> dict[str, str]:
        """The variables a fix names on this route."""
        return {"key_var": self.key_var, "url_var": self.url_var}

    def request_url(self, base_url: str) -> str:
        """Exactly what the OpenAI SDK POSTs to: the base URL, "/" unless it ends with one, ``chat/completions``."""
        url = base_url.strip()  # the app strips surrounding whitespace before the SDK sees the value
        if not url:
            return ""
        # Like openai._base_client: the slash goes before any query, the suffix after it (so "?" breaks it).
        head, sep, query = url.partition("?")
        return (head if head.endswith("/") else head + "/") + sep + query + "chat/completions"


PROVIDER = OpenAICompatible("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "R1_MODEL", auto_rank=2, partial_rank=0)


def identify(base_url: str) -> tuple[str, bool, bool]:
    """Name the provider behind a base URL and the request options it accepts."""
    host = host_of(base_url).lower()
    for suffix, name, thinking, usage in HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return name, thinking, usage
    if host in LOOPBACK:
        # Ollama and vLLM accept stream_options; neither knows Ark's `thinking`.
        return "local", False, True
    return "custom", False, False


# --- the stream ----------------------------------------------------------------------------------

def request_kwargs(endpoint: Endpoint, request: ChatRequest) -> dict:
    """The keyword arguments for ``chat.completions.create`` on this endpoint."""
    # The messages go as extra body, which the SDK sends as it is: as ``messages`` it walks every one
    # through its typed transform, which changes nothing in plain dicts and took a second for the
    # 5,000 of a long conversation. The JSON on the wire is the same either way.
    body: dict = {"messages": request.messages}
    kwargs: dict = {"model": endpoint.model, "messages": [], "stream": True,
                    "max_tokens": request.max_tokens, "extra_body": body}
    if endpoint.include_usage:
        kwargs["stream_options"] = {"include_usage": True}
    if endpoint.send_thinking:
        body["thinking"] = {"type": "enabled"}
    if request.temperature is not None and endpoint.honours_temperature:
        kwargs["temperature"] = request.temperature
    return kwargs


def stream_reply(client: openai.OpenAI, endpoint: Endpoint, request: ChatRequest, names: dict[str, str],
                 ) -> Iterator[Event]:
    """Yield the reply's events; faults and silent ends become one final Interrupted.

    Closing the generator (a Stop) closes the HTTP response at once.
    """
    parser = ReasoningParser()
    done = False
    try:
        for chunk in _chunks(client, request_kwargs(endpoint, request)):
            if chunk is DONE:
                done = True
                break
            yield from parser.feed(chunk)
    except Exception as exc:  # an SDK error, or data no parser expected: never a traceback
        if not isinstance(exc, (openai.OpenAIError, NotStreamed, BadData)):
            logs.get().exception("a chunk the parser could not read")
        yield from parser.finish()
        yield Interrupted(diagnose(exc, endpoint, names))
        return
    tail = list(parser.finish())
    yield from tail
    if not any(isinstance(e, Finished) for e in tail):
        if done:
            yield Finished("stop")  # [DONE] without a finish_reason: complete all the same
        else:
            yield Interrupted(Diagnosis("cut_off", fault_params(endpoint, names)))


class NotStreamed(Exception):
    """The provider answered ``stream: true`` with one JSON body that holds no reply to show."""


class BadData(Exception):
    """A chunk that is not the JSON the stream promised (its start is the message, for the log)."""


def _chunks(client: openai.OpenAI, kwargs: dict) -> Iterator[object]:
    """The stream's JSON chunks, then DONE if the provider sent ``[DONE]``.

    The SDK still makes the request (auth, status errors), but chunks are decoded with
    ``json.loads`` instead of one pydantic model each: that was most of the client's time on a
    long reply. Transport faults and mid-stream error events are raised as the SDK's own
    exception types, so diagnosis stays in one place.
    """
    with client.chat.completions.with_streaming_response.create(**kwargs) as response:
        http_request = response.http_request
        try:
            is_stream, lines = sse.sniff(response.iter_lines())
            if not is_stream:  # one JSON document or a web page, whatever its content type says
                yield from _whole_reply("\n".join(lines), http_request)
                return
            for _, data in sse.events(lines):
                if data.strip() == "[DONE]":
                    yield DONE
                    return
                chunk = _parse(data)
                if isinstance(chunk, dict) and chunk.get("error"):
                    raise openai.APIError(_error_message(chunk["error"]), http_request,
                                          body=chunk["error"])
                yield chunk
        except httpx2.TimeoutException as exc:
            raise openai.APITimeoutError(request=http_request) from exc
        except httpx2.TransportError as exc:
            raise openai.APIConnectionError(request=http_request) from exc


def _parse(data: str) -> object:
    try:
        return json.loads(data)
    except ValueError:
        raise BadData(data[:120]) from None


def _whole_reply(text: str, http_request) -> Iterator[object]:
    """A provider (or a proxy) that ignored ``stream: true`` and sent the whole completion at once:
    its message is the reply, as one chunk. A web page (a captive portal, a login wall) is none;
    an empty body ends like a cut stream."""
    if not text.strip():
        return
    if is_html(text):
        raise NotStreamed(page_title(text, 200))
    body = _parse(text)
    if isinstance(body, dict) and body.get("error"):
        raise openai.APIError(_error_message(body["error"]), http_request, body=body["error"])
    choices = body.get("choices") if isinstance(body, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    message = choice.get("message")
    if not isinstance(message, dict) or not (message.get("content") or message.get("reasoning_content")):
        raise NotStreamed()
    logs.get().info("the provider did not stream: its whole answer came as one JSON body")
    delta = {name: message.get(name) for name in ("content", "reasoning_content", "reasoning")}
    yield {"choices": [{"delta": delta, "finish_reason": choice.get("finish_reason") or "stop"}],
           "usage": body.get("usage")}
    yield DONE


def _error_message(error: object) -> str:
    message = error.get("message") if isinstance(error, dict) else error
    return str(message or "error event in the stream")


# --- failures: SDK exceptions, error events and silent ends → a Diagnosis ------------------------

def diagnose(exc: BaseException, endpoint: Endpoint, names: dict[str, str]) -> Diagnosis:
    """Name the cause of an SDK exception, with what the user should change."""
    params = fault_params(endpoint, names)
    if isinstance(exc, openai.APIStatusError):
        return _status_diagnosis(exc, endpoint, params)
    if isinstance(exc, openai.APITimeoutError):
        return Diagnosis("timeout", params)
    if isinstance(exc, openai.APIConnectionError):
        kind = connection_kind(exc)
        # The cause's own words (class names, errno) are for the log, not the page.
        logs.get().info("transport fault %s: %s", kind, cause_text(exc, endpoint.api_key))
        return Diagnosis(kind, params)
    if isinstance(exc, openai.APIError):  # an error event in the middle of the stream
        return Diagnosis("stream_error", params, detail=_detail(exc, endpoint))
    if isinstance(exc, NotStreamed):
        return Diagnosis("not_streamed", {**params, "page_title": exc.args[0]} if exc.args else params)
    logs.get().info("unreadable data from the provider: %s", redact(str(exc), [endpoint.api_key]))
    return Diagnosis("bad_data", params)


def _status_diagnosis(exc: openai.APIStatusError, endpoint: Endpoint, params: dict) -> Diagnosis:
    """An HTTP error status: its kind, the wait it asked for, and a web page's title instead of its HTML."""
    status, headers = exc.status_code, exc.response.headers
    kind = STATUS_KINDS.get(status, "server" if status >= 500 else "http")
    if BALANCE_CODES.search(_error_code(exc.body)):
        kind = "balance"  # Ark reports an overdue account as 403 AccountOverdueError
    params["wait"] = asked_wait(headers)
    params["status"] = status_label(status)
    detail = _detail(exc, endpoint)
    if isinstance(exc.body, str) and is_html(exc.body, headers.get("content-type", "")):
        params["page_title"], detail = page_title(exc.body, status), ""
        kind = "gateway" if status >= 500 else kind
    return Diagnosis(kind, params, status, detail, _request_id(headers))


def fault_params(endpoint: Endpoint, names: dict[str, str]) -> dict:
    """What every message about this endpoint may name: host, URL, model, its variables, timeout."""
    return {"host": host_of(endpoint.base_url) or endpoint.base_url, "base_url": endpoint.base_url,
            "model": endpoint.model, **names, "read_timeout": f"{endpoint.read_timeout:g}"}


def _request_id(headers) -> str | None:
    """The provider's id for this request, for bug reports (each provider names it differently)."""
    return next((headers[h] for h in REQUEST_ID_HEADERS if headers.get(h)), None)


def _error_code(body: object) -> str:
    inner = body.get("error", body) if isinstance(body, dict) else None
    return str(inner.get("code") or inner.get("type") or "") if isinstance(inner, dict) else ""


def _detail(exc: openai.APIError, endpoint: Endpoint) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        # OpenAI-style bodies carry "message"; Coze's own carry {"code", "msg"}.
        message = (inner.get("message") or inner.get("msg")) if isinstance(inner, dict) else inner
        text = str(message or body)
    else:
        text = str(body or exc.message)
    return redact(text, [endpoint.api_key])[:400]
