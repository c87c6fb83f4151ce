"""What a reply is asked of: the endpoint (route, URL, key, model and the request quirks it needs),
the request, and the route detection that yields an endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_TOKENS_CAP = 65536  # the largest output budget offered anywhere (sidebar, retries)


@dataclass(frozen=True)
class Endpoint:
    """Everything the streaming client needs to reach one model."""

    route: str
    base_url: str
    api_key: str = field(repr=False)  # a token never appears in full, not even in a repr
    model: str
    provider: str
    send_thinking: bool
    include_usage: bool
    honours_temperature: bool
    read_timeout: float
    bot_id: str = ""  # the Coze bot route only
    user_id: str = ""


def host_of(url: str) -> str:
    """The URL's host name, or "" when there is none or the URL cannot be parsed ("http://[::1")."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


@dataclass(frozen=True)
class ChatRequest:
    """What one reply needs besides the endpoint: the messages and sampling options."""

    messages: list[dict]
    max_tokens: int
    temperature: float | None = None


@dataclass(frozen=True)
class Detection:
    """The chosen route and, when it cannot run, the settings it still misses."""

    route: str | None
    endpoint: Endpoint | None
    missing: tuple[str, ...]
    explicit: bool
