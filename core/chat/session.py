"""The one call the chat page makes: turn the history into a streaming reply."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import openai

from core import logs
from core.chat import providers
from core.chat import retry as retries
from core.chat.endpoint import MAX_TOKENS_CAP, ChatRequest, Endpoint
from core.chat.hangup import Hangup
from core.chat.history import build_messages
from core.chat.reply import Reply, applied


@dataclass(frozen=True)
class Options:
    """The sidebar's choices for one reply."""

    system_prompt: str = ""
    max_tokens: int = 8192
    temperature: float | None = None


def for_visitor(endpoint: Endpoint | None, visitor: str) -> Endpoint | None:
    """The endpoint as this visitor uses it (a Coze bot gets the visitor's own user id)."""
    return providers.of(endpoint.route).for_visitor(endpoint, visitor) if endpoint else None


def make_client(endpoint: Endpoint, hangup: Hangup | None = None):
    """A client of its own for one reply; with ``hangup``, calling it closes the client's streams at once."""
    return providers.of(endpoint.route).make_client(endpoint, hangup)


def start_reply(client: openai.OpenAI, endpoint: Endpoint, turns: Sequence[Mapping],
                options: Options, clock: Callable[[], float] = time.monotonic,
                retry: retries.Policy = retries.DEFAULT,
                lock: AbstractContextManager | None = None) -> tuple[Reply, Iterator[object]]:
    """Start streaming a reply to the last user turn; return it and its events, each folded into
    the reply (under ``lock``) as it is read; nothing is sent before the first is asked for."""
    request = ChatRequest(build_messages(turns, options.system_prompt), options.max_tokens,
                          options.temperature)
    reply = Reply(model=endpoint.model, started=clock(), route=endpoint.route, max_tokens=options.max_tokens)
    provider = providers.of(endpoint.route)
    events = retries.with_retries(lambda: provider.stream(client, endpoint, request), retry)
    return reply, applied(_logged(endpoint, request, events), reply, clock, lock)


def _logged(endpoint: Endpoint, request: ChatRequest, events: Iterator) -> Iterator:
    # A generator: the line is written when the request goes out, not when it is only prepared (the
    # reply's row may yet fail to be stored, and then nothing is asked).
    logs.get().info("request route=%s provider=%s model=%s turns=%d max_tokens=%d",
                    endpoint.route, endpoint.provider, endpoint.model,
                    len(request.messages), request.max_tokens)
    yield from events


def log_outcome(reply: Reply) -> None:
    """One log line per finished reply: status, sizes, timings, and the diagnosis if any."""
    message = reply.to_message()
    logs.get().info("reply status=%s finish=%s reasoning_chars=%d answer_chars=%d ttft=%s total=%s%s",
                    reply.status, reply.finish_reason, len(message["reasoning"]),
                    len(message["content"]), _secs(message["ttft"]), _secs(message["total"]),
                    f" error={reply.diagnosis}" if reply.diagnosis else "")


def raised_budget(max_tokens: int) -> int:
    """The next, higher token budget to offer after a reply ran out of tokens."""
    return min(MAX_TOKENS_CAP, max(2 * max_tokens, 4096))


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"
