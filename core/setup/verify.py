"""Verify: a real, cheap call through exactly the chat's code path, reported as a timed checklist.

The first two steps are transport probes with plain sockets — can the host be reached, does its
TLS handshake pass — so each failure is named precisely before any API call.
"""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx2
import openai

from core.chat import providers
from core.chat.endpoint import ChatRequest, Endpoint
from core.chat.history import build_messages
from core.chat.reply import Reply
from core.diagnosis import Diagnosis
from core.redact import mask, redact
from core.setup.settings import BY_ENV
from core.setup.valuechecks import closest_models

BOT_KINDS = {"bot_not_found", "bot_not_published"}
DEFAULT_MODEL = BY_ENV["R1_MODEL"].default
STEPS = ("reach", "tls", "auth", "model", "stream", "reasoning", "history")
LIST_TIMEOUT = 15.0
PROBE = "Reply with OK."
FOLLOW_UP = "Reply with OK again."
# R1 thinks before it answers, so 64 tokens rarely reach the answer; they still prove streaming.
STREAM_TOKENS = 64
HISTORY_TOKENS = 16
# The provider refused this key or account, whichever request it was that showed it.
AUTH_KINDS = {"auth", "token_refused", "forbidden", "balance"}
PROBE_TIMEOUT = 5.0


@dataclass
class Step:
    """One checklist line: what was checked, how it went, how long it took, and why it failed."""

    name: str
    status: str  # ok | fail | skip | warn
    seconds: float
    diagnosis: Diagnosis | None = None
    params: dict = field(default_factory=dict)


@dataclass
class Report:
    """The whole checklist, and what a bug report needs (never the token itself)."""

    steps: list[Step]
    ok: bool
    endpoint_summary: dict
    request_id: str | None
    last_error: str

    @property
    def failed(self) -> Step | None:
        """The step that stopped the checklist, if one did."""
        return next((s for s in self.steps if s.status == "fail"), None)


@dataclass
class _Listing:
    """The provider's model ids (None when not asked or not given) and the request's outcome."""

    ids: list[str] | None = None
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0


class _Checklist:
    """Collects steps in order, reports each one as it finishes, skips the rest after a failure."""

    def __init__(self, on_step: Callable[[Step], None] | None) -> None:
        self.steps: list[Step] = []
        self.on_step = on_step

    @property
    def failed(self) -> bool:
        return any(s.status == "fail" for s in self.steps)

    def add(self, step: Step) -> None:
        self.steps.append(step)
        if self.on_step:
            self.on_step(step)

    def skip_rest(self) -> None:
        for name in STEPS[len(self.steps):]:
            self.add(Step(name, "skip", 0.0, params={"reason": "earlier_failure"}))


def verify(endpoint: Endpoint, *, on_step: Callable[[Step], None] | None = None,
           lists_models: bool | None = None, known_models: Sequence[str] = (),
           client: openai.OpenAI | None = None) -> Report:
    """Check ``endpoint`` step by step with the chat's own client; stop at the first hard failure.

    ``known_models`` (the preset's names) give "did you mean" when the provider lists none.
    """
    checks = _Checklist(on_step)
    for probe in (reach, tls):
        checks.add(probe(endpoint))
        if checks.failed:
            break
    else:
        provider = providers.of(endpoint.route)
        lists = provider.lists_models if lists_models is None else lists_models
        _call_steps(client or provider.make_client(endpoint), endpoint, lists, known_models, checks)
    checks.skip_rest()
    return _report(endpoint, checks.steps)


def summary(endpoint: Endpoint) -> dict:
    """Route, provider, host, base URL, model and the key's masked fingerprint."""
    return {"route": endpoint.route, "provider": endpoint.provider,
            "host": urlsplit(endpoint.base_url).hostname or "",
            "base_url": redact(endpoint.base_url, [endpoint.api_key]),
            "model": endpoint.model, "key": mask(endpoint.api_key)}


def _call_steps(client: openai.OpenAI, endpoint: Endpoint, lists_models: bool,
                known_models: Sequence[str], checks: _Checklist) -> None:
    listing = _list_models(client, endpoint) if lists_models else _Listing()
    if listing.diagnosis and listing.diagnosis.kind in AUTH_KINDS:
        checks.add(Step("auth", "fail", listing.seconds, listing.diagnosis))
        return
    # Some providers (OpenRouter, Ollama) list models without a key, so only the completion
    # proves the key: auth and model are settled once it has answered.
    reply = _stream(client, endpoint, [{"role": "user", "content": PROBE}], STREAM_TOKENS)
    for step in (_auth_step(endpoint, reply), _model_step(endpoint, listing, reply, known_models),
                 _stream_step(reply), _reasoning_step(reply)):
        checks.add(step)
        if checks.failed:
            return
    checks.add(_history_step(client, endpoint, reply))


def _list_models(client: openai.OpenAI, endpoint: Endpoint) -> _Listing:
    start = time.monotonic()
    try:
        # Advisory, so it must not cost the chat's 120 s read timeout times its retries.
        ids = [m.id for m in client.with_options(timeout=LIST_TIMEOUT, max_retries=0).models.list()]
    except Exception as exc:  # listing is advisory: any failure but a refused key is inconclusive
        return _Listing(None, providers.of(endpoint.route).diagnose(exc, endpoint), since(start))
    return _Listing(ids, None, since(start))


def _stream(client: openai.OpenAI, endpoint: Endpoint, messages: list[dict], max_tokens: int) -> Reply:
    """One streamed completion, folded exactly as the chat folds it (ended is always set)."""
    reply = Reply(model=endpoint.model, started=time.monotonic())
    for event in providers.of(endpoint.route).stream(client, endpoint, ChatRequest(messages, max_tokens)):
        reply.apply(event, time.monotonic())
    return reply


def _auth_step(endpoint: Endpoint, reply: Reply) -> Step:
    """Token accepted only when an answer proved it: a 404, a wrong path or a model listing that
    needs no key prove nothing."""
    diagnosis = reply.diagnosis
    if diagnosis and diagnosis.kind in AUTH_KINDS:
        return Step("auth", "fail", _took(reply), diagnosis)
    # Coze checks the token before it looks up the bot, so "no such bot" means the token passed.
    proven_by_bot = providers.of(endpoint.route).asks_a_bot and diagnosis is not None and diagnosis.kind in BOT_KINDS
    if _answered(reply) or proven_by_bot:
        return Step("auth", "ok", (reply.first_token or reply.ended or reply.started) - reply.started)
    return Step("auth", "skip", 0.0, params={"reason": "unproven"})


def _answered(reply: Reply) -> bool:
    """Whether the provider streamed anything back: a delta or a finish reason."""
    return reply.first_token is not None or reply.finish_reason is not None


def _model_step(endpoint: Endpoint, listing: _Listing, reply: Reply, known_models: Sequence[str]) -> Step:
    if providers.of(endpoint.route).asks_a_bot:
        return _bot_step(endpoint, reply)
    rejected = reply.diagnosis is not None and reply.diagnosis.kind == "not_found"
    if not listing.ids:  # not asked, not answered, or an empty list: the completion decides
        return _unlisted_model_step(endpoint, reply, known_models) if rejected else \
            Step("model", "skip", 0.0, params={"reason": "no_list"})
    params = {"model": endpoint.model, "models": len(listing.ids)}
    if endpoint.model in listing.ids:
        return Step("model", "ok", 0.0, params=params)
    params["closest"] = closest_models(endpoint.model, listing.ids)
    if rejected:
        return Step("model", "fail", 0.0, reply.diagnosis, params)
    # Not listed yet accepted happens (Ark's ep-… endpoint ids), so this alone is only a warning.
    return Step("model", "warn", 0.0, params=params)


def _unlisted_model_step(endpoint: Endpoint, reply: Reply, known_models: Sequence[str]) -> Step:
    """A rejected model on a provider without a list: the closest of the names we know of."""
    known = [m for m in dict.fromkeys([*known_models, DEFAULT_MODEL]) if m != endpoint.model]
    closest = closest_models(endpoint.model, known)
    if not closest:  # the model is one we know: the 404 is about something else (the stream step says)
        return Step("model", "skip", 0.0, params={"reason": "no_list"})
    return Step("model", "fail", 0.0, reply.diagnosis, {"model": endpoint.model, "closest": closest})


def _bot_step(endpoint: Endpoint, reply: Reply) -> Step:
    """A Coze bot is proven by the test reply: it exists and is published as API, or it is named why not."""
    params = {"bot_id": endpoint.bot_id}
    kind = reply.diagnosis.kind if reply.diagnosis else None
    if kind in BOT_KINDS:
        return Step("model", "fail", 0.0, reply.diagnosis, params)
    return Step("model", "skip" if kind else "ok", 0.0, params={**params, "reason": "earlier_failure"}
                if kind else {**params, "bot": True})


def _stream_step(reply: Reply) -> Step:
    if reply.diagnosis:
        return Step("stream", "fail", _took(reply), reply.diagnosis)
    # "length" counts: the budget is tiny on purpose, and the stream itself worked.
    return Step("stream", "ok", _took(reply), params={"finish": reply.finish_reason or "stop"})


def _reasoning_step(reply: Reply) -> Step:
    if reply.reasoning_start is None:
        return Step("reasoning", "warn", 0.0)
    return Step("reasoning", "ok", reply.reasoning_start - reply.started,
                params={"chars": len(reply.reasoning)})


def _history_step(client: openai.OpenAI, endpoint: Endpoint, first: Reply) -> Step:
    # R1 may spend the whole tiny budget thinking, and build_messages drops an empty answer.
    turns = [{"role": "user", "content": PROBE},
             {"role": "assistant", "content": first.answer.strip() or "OK"},
             {"role": "user", "content": FOLLOW_UP}]
    messages = build_messages(turns)
    second = _stream(client, endpoint, messages, HISTORY_TOKENS)
    status = "fail" if second.diagnosis else "ok"
    return Step("history", status, _took(second), second.diagnosis, {"messages": len(messages)})


def _report(endpoint: Endpoint, steps: list[Step]) -> Report:
    failed = next((s for s in steps if s.status == "fail"), None)
    diagnosis = failed.diagnosis if failed else None
    last_error = redact(diagnosis.detail, [endpoint.api_key]) if diagnosis else ""
    return Report(steps, failed is None, summary(endpoint),
                  diagnosis.request_id if diagnosis else None, last_error)


def _took(reply: Reply) -> float:
    return (reply.ended or time.monotonic()) - reply.started


# --- transport probes: reach and TLS, before any API call ---------------------------------------

def reach(endpoint: Endpoint) -> Step:
    """Resolve the host (or the proxy the SDK would use) and open a TCP connection to it."""
    host, port, proxied = target(endpoint.base_url)
    params = {"host": host or "?", "port": port}  # the proxy's address when going through one
    start = time.monotonic()
    try:
        if not host:
            raise OSError(f"no host in {endpoint.base_url!r}")
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        socket.create_connection((host, port), timeout=PROBE_TIMEOUT).close()
    except OSError as exc:
        return Step("reach", "fail", since(start), connection_diagnosis(exc, endpoint), params)
    return Step("reach", "ok", since(start), params=params)


def tls(endpoint: Endpoint) -> Step:
    """Complete a TLS handshake with the host, with the trust store the SDK verifies against."""
    host, port, proxied = target(endpoint.base_url)
    if urlsplit(endpoint.base_url).scheme != "https" or proxied:
        # Through a proxy the handshake happens inside its tunnel; the completion will tell.
        return Step("tls", "skip", 0.0, params={"reason": "proxy" if proxied else "http"})
    start = time.monotonic()
    try:
        context = httpx2.create_ssl_context()  # the same trust store the SDK verifies against
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT) as raw, \
                context.wrap_socket(raw, server_hostname=host):
            pass
    except OSError as exc:  # ssl.SSLError and certificate errors are OSErrors too
        return Step("tls", "fail", since(start), connection_diagnosis(exc, endpoint), {"host": host})
    return Step("tls", "ok", since(start), params={"host": host})


def target(base_url: str) -> tuple[str | None, int, bool]:
    """Where the TCP connection really goes: the host itself, or the proxy the SDK would use."""
    try:
        parts = urlsplit(base_url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        proxies = urllib.request.getproxies_environment()
        proxy = proxies.get(parts.scheme) or proxies.get("all")
        if host and proxy and not urllib.request.proxy_bypass_environment(host):
            proxy_parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
            return proxy_parts.hostname, proxy_parts.port or 80, True
    except ValueError:  # a port that is not a number
        return None, 0, False
    return host, port, False


def connection_diagnosis(exc: OSError, endpoint: Endpoint) -> Diagnosis:
    """Name a probe's socket error exactly as core.chat.faults names a failed chat request."""
    # The request is a placeholder: diagnose reads only the exception chain.
    wrapper = openai.APIConnectionError(request=httpx2.Request("GET", "http://verify.invalid/"))
    wrapper.__cause__ = exc
    return providers.of(endpoint.route).diagnose(wrapper, endpoint)


def since(start: float) -> float:
    """Seconds since ``start`` on the monotonic clock."""
    return time.monotonic() - start
