"""What every route's provider object is: its settings, its capabilities, and how it streams."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from core.chat.endpoint import ChatRequest, Detection, Endpoint
from core.chat.events import Event
from core.chat.hangup import Hangup
from core.diagnosis import Diagnosis

Get = Callable[[str], object]  # a setting's typed value by name (core.setup resolves them)


@dataclass(frozen=True)
class Provider:
    """One route: the variables it reads, what it can do, and its client, stream and faults.

    ``key_var``/``url_var``/``model_var`` name the settings of its key, where the key is sent, and
    what to ask for (a model, or a Coze bot). ``auto_rank`` orders auto-detection: the complete
    route with the lowest rank wins; ``partial_rank`` (None: never) lets a half-set route say what
    it still misses.
    """

    route: str
    key_var: str
    url_var: str
    model_var: str
    auto_rank: int
    partial_rank: int | None
    lists_models: bool = True  # answers GET /models, so Verify can name the closest model
    takes_max_tokens: bool = True  # False: the upstream's own settings decide the budget
    asks_a_bot: bool = False  # the "model" is a bot that Verify proves exists and is published
    url_editable: bool = True  # False: the platform injects the URL (and the key)

    def detect(self, get: Get, explicit: bool) -> Detection:
        """This route's endpoint from the settings, or the variables it still misses."""
        raise NotImplementedError

    def complete(self, get: Get) -> bool:
        """Whether the settings this route needs are all set (auto-detection picks it then)."""
        return bool(get(self.key_var)) and bool(get(self.url_var))

    def partial(self, get: Get) -> bool:
        """Whether some of its settings are set, so a half-set route can say what it misses."""
        return self.partial_rank is not None and bool(get(self.key_var) or get(self.url_var))

    def make_client(self, endpoint: Endpoint, hangup: Hangup | None = None):
        """The client the chat, Verify and the doctor share for this endpoint; with ``hangup``,
        calling it closes the client's streams at once (Stop)."""
        raise NotImplementedError

    def stream(self, client, endpoint: Endpoint, request: ChatRequest) -> Iterator[Event]:
        """Yield the reply's events; faults and silent ends become one final Interrupted."""
        raise NotImplementedError

    def diagnose(self, exc: BaseException, endpoint: Endpoint) -> Diagnosis:
        """Name an exception raised while talking to this route, with the fix."""
        raise NotImplementedError

    def for_visitor(self, endpoint: Endpoint, visitor: str) -> Endpoint:
        """The endpoint as one visitor uses it (routes that keep per-user state give each their own)."""
        return endpoint

    def request_url(self, base_url: str) -> str:
        """The URL a chat request is POSTed to for this base URL (shown under the form's field)."""
        raise NotImplementedError
