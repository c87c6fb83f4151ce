"""The one call the chat page makes: turn the history into a streaming reply."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace

import openai

from core import logs
from core.chat.client import ChatRequest, make_client, stream_reply
from core.chat.endpoint import COZE_BOT, MAX_TOKENS_CAP, Endpoint
from core.chat.frames import Frame, frames
from core.chat.history import build_messages
from core.chat.reply import Reply


@dataclass(frozen=True)
class Options:
    """The sidebar's choices for one reply."""

    system_prompt: str = ""
    max_tokens: int = 8192
    temperature: float | None = None


def for_visitor(endpoint: Endpoint | None, visitor: str) -> Endpoint | None:
    """The endpoint carrying this visitor's own Coze user id, unless COZE_USER_ID fixes one.

    A Coze bot keeps user variables and long-term memory per user id, so visitors sharing one id
    could read what another told the bot. The id is a hash: who the visitor is never leaves.
    """
    if endpoint is None or endpoint.route != COZE_BOT or endpoint.user_id:
        return endpoint
    return replace(endpoint, user_id="r1-" + hashlib.sha256(visitor.encode()).hexdigest()[:20])


def client_for(endpoint: Endpoint, cache: MutableMapping) -> openai.OpenAI:
    """The session's client for this endpoint, rebuilt only when the endpoint changes."""
    if cache.get("endpoint") != endpoint:
        cache["client"], cache["endpoint"] = make_client(endpoint), endpoint
    return cache["client"]


def start_reply(client: openai.OpenAI, endpoint: Endpoint, turns: Sequence[Mapping],
                options: Options, clock: Callable[[], float] = time.monotonic,
                ) -> tuple[Reply, Iterator[Frame]]:
    """Start streaming a reply to the last user turn; return it and its page frames."""
    request = ChatRequest(build_messages(turns, options.system_prompt), options.max_tokens,
                          options.temperature)
    reply = Reply(model=endpoint.model, started=clock(), route=endpoint.route, max_tokens=options.max_tokens)
    logs.get().info("request route=%s provider=%s model=%s turns=%d max_tokens=%d",
                    endpoint.route, endpoint.provider, endpoint.model,
                    len(request.messages), options.max_tokens)
    return reply, frames(stream_reply(client, endpoint, request), reply, clock)


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
