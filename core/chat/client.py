"""The streaming client: one factory for every caller, and a generator of typed events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import openai

from core import logs
from core.chat import sse
from core.chat.endpoint import COZE_BOT, Endpoint
from core.chat.events import Event, Finished, Interrupted
from core.chat.faults import diagnose, silent_end
from core.chat.providers import coze_bot as coze
from core.chat.reasoning import ReasoningParser

CONNECT_TIMEOUT = 10.0
DONE = object()  # sentinel: the provider closed the stream with [DONE]


@dataclass(frozen=True)
class ChatRequest:
    """What one reply needs besides the endpoint: the messages and sampling options."""

    messages: list[dict]
    max_tokens: int
    temperature: float | None = None


def make_client(endpoint: Endpoint, max_retries: int = 2) -> openai.OpenAI:
    """Build the client that chat, Setup and doctor all share (an HTTP client on the Coze bot route)."""
    if endpoint.route == COZE_BOT:
        return coze.make_http(coze.bot_for(endpoint))
    # The read timeout applies between chunks, so a long think that keeps streaming never
    # times out; only a silent upstream does.
    timeout = openai.Timeout(endpoint.read_timeout, connect=CONNECT_TIMEOUT)
    return openai.OpenAI(api_key=endpoint.api_key, base_url=endpoint.base_url,
                         timeout=timeout, max_retries=max_retries)


def request_kwargs(endpoint: Endpoint, request: ChatRequest) -> dict:
    """The keyword arguments for ``chat.completions.create`` on this endpoint."""
    kwargs: dict = {"model": endpoint.model, "messages": request.messages,
                    "stream": True, "max_tokens": request.max_tokens}
    if endpoint.include_usage:
        kwargs["stream_options"] = {"include_usage": True}
    if endpoint.send_thinking:
        kwargs["extra_body"] = {"thinking": {"type": "enabled"}}
    if request.temperature is not None and endpoint.honours_temperature:
        kwargs["temperature"] = request.temperature
    return kwargs


def stream_reply(client: openai.OpenAI, endpoint: Endpoint, request: ChatRequest) -> Iterator[Event]:
    """Yield the reply's events; faults and silent ends become one final Interrupted.

    Closing the generator (a Stop) closes the HTTP response at once.
    """
    if endpoint.route == COZE_BOT:
        yield from coze.stream_bot_reply(coze.bot_for(endpoint), request.messages, client)
        return
    parser = ReasoningParser()
    done = False
    try:
        for chunk in _chunks(client, request_kwargs(endpoint, request)):
            if chunk is DONE:
                done = True
                break
            yield from parser.feed(chunk)
    except Exception as exc:  # an SDK error, or a chunk no parser expected: never a traceback
        if not isinstance(exc, openai.OpenAIError):
            logs.get().exception("unexpected failure while streaming")
        yield from parser.finish()
        yield Interrupted(diagnose(exc, endpoint))
        return
    tail = list(parser.finish())
    yield from tail
    if not any(isinstance(e, Finished) for e in tail):
        if done:
            yield Finished("stop")  # [DONE] without a finish_reason: complete all the same
        else:
            yield Interrupted(silent_end(endpoint))


def _chunks(client: openai.OpenAI, kwargs: dict) -> Iterator[object]:
    """The stream's JSON chunks, then DONE if the provider sent ``[DONE]``.

    The SDK still makes the request (auth, retries, status errors), but chunks are decoded
    with ``json.loads`` instead of one pydantic model each: that was most of the client's
    time on a long reply. Transport faults and mid-stream error events are raised as the
    SDK's own exception types, so diagnosis stays in one place.
    """
    with client.chat.completions.with_streaming_response.create(**kwargs) as response:
        http_request = response.http_request
        try:
            for _, data in sse.events(response.iter_lines()):
                if data.strip() == "[DONE]":
                    yield DONE
                    return
                chunk = json.loads(data)
                if isinstance(chunk, dict) and chunk.get("error"):
                    raise openai.APIError(_error_message(chunk["error"]), http_request,
                                          body=chunk["error"])
                yield chunk
        except httpx2.TimeoutException as exc:
            raise openai.APITimeoutError(request=http_request) from exc
        except httpx2.TransportError as exc:
            raise openai.APIConnectionError(request=http_request) from exc


def _error_message(error: object) -> str:
    message = error.get("message") if isinstance(error, dict) else error
    return str(message or "error event in the stream")
