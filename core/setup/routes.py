"""Route detection and the per-provider request quirks each route needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.chat.endpoint import COZE_BOT, COZE_SANDBOX, OPENAI, ROUTES, Endpoint, host_of
from core.setup.settings import BY_ENV, Resolved, typed_value

LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Detection:
    """The chosen route and, when it cannot run, the settings it still misses."""

    route: str | None
    endpoint: Endpoint | None
    missing: tuple[str, ...]
    explicit: bool


# Host suffix -> (provider, Ark-style `thinking` param, accepts stream_options).
PROVIDERS = (
    ("volces.com", "ark", True, True),
    ("coze.cn", "coze", True, True),
    ("coze.com", "coze", True, True),
    ("deepseek.com", "deepseek", False, True),
    ("openrouter.ai", "openrouter", False, True),
    ("siliconflow.cn", "siliconflow", False, True),
    ("siliconflow.com", "siliconflow", False, True),
)


def identify(base_url: str) -> tuple[str, bool, bool]:
    """Name the provider behind a base URL and the request options it accepts."""
    host = host_of(base_url).lower()
    for suffix, name, thinking, usage in PROVIDERS:
        if host == suffix or host.endswith("." + suffix):
            return name, thinking, usage
    if host in LOOPBACK:
        # Ollama and vLLM accept stream_options; neither knows Ark's `thinking`.
        return "local", False, True
    return "custom", False, False


def detect(values: Mapping[str, Resolved]) -> Detection:
    """Pick the route: an explicit R1_ROUTE wins; else the Coze sandbox, a complete Coze bot
    setting, then OpenAI-compatible — and a half-set Coze bot route says what it misses."""
    get = _reader(values)
    choice = get("R1_ROUTE")  # typed: lower case, and "auto" for a value that is not a route
    explicit = choice in ROUTES
    sandbox = get("COZE_WORKLOAD_IDENTITY_API_KEY") and get("COZE_INTEGRATION_MODEL_BASE_URL")
    bot = (get("COZE_API_TOKEN"), get("COZE_BOT_ID"))
    if choice == COZE_SANDBOX or (not explicit and sandbox):
        return _build(COZE_SANDBOX, get, ("COZE_WORKLOAD_IDENTITY_API_KEY",
                                          "COZE_INTEGRATION_MODEL_BASE_URL"), explicit)
    if choice == COZE_BOT or (not explicit and all(bot)):
        return _build_bot(get, explicit)
    if choice == OPENAI or get("OPENAI_API_KEY") or get("OPENAI_BASE_URL"):
        return _build(OPENAI, get, ("OPENAI_API_KEY", "OPENAI_BASE_URL"), explicit)
    if any(bot):
        return _build_bot(get, explicit)
    return Detection(None, None, ("OPENAI_API_KEY", "OPENAI_BASE_URL"), False)


def _reader(values: Mapping[str, Resolved]) -> Callable[[str], object]:
    """Each setting's typed value, the default for a bad one or for one missing from ``values``."""
    typed = {name: r.typed for name, r in values.items()}
    return lambda name: typed[name] if name in typed else typed_value(BY_ENV[name], BY_ENV[name].default)[0]


def _build_bot(get, explicit: bool) -> Detection:
    token, bot_id, base = get("COZE_API_TOKEN"), get("COZE_BOT_ID"), get("COZE_API_BASE")
    missing = tuple(n for n, v in (("COZE_API_TOKEN", token), ("COZE_BOT_ID", bot_id)) if not v)
    if missing:
        return Detection(COZE_BOT, None, missing, explicit)
    endpoint = Endpoint(
        route=COZE_BOT, base_url=base, api_key=token, model=bot_id,
        provider="coze-bot", send_thinking=False, include_usage=False,
        honours_temperature=False,  # the bot's own settings decide; the API takes no temperature
        read_timeout=get("R1_READ_TIMEOUT"), bot_id=bot_id,
        user_id=get("COZE_USER_ID") or "")  # empty: one per visitor (core.chat.session)
    return Detection(COZE_BOT, endpoint, (), explicit)


def _build(route: str, get, names: tuple[str, str], explicit: bool) -> Detection:
    key_name, url_name = names
    base_url, api_key = get(url_name), get(key_name)
    if base_url and not api_key and _is_loopback(base_url):
        api_key = "not-needed"  # local Ollama/vLLM accept any key but the SDK demands one
    missing = tuple(n for n, v in ((key_name, api_key), (url_name, base_url)) if not v)
    if missing:
        return Detection(route, None, missing, explicit)
    # The sandbox's integration endpoint is Ark underneath, wherever it is served from.
    provider, thinking, usage = ("coze", True, True) if route == COZE_SANDBOX else identify(base_url)
    model = get("R1_MODEL") or "deepseek-r1-250528"
    endpoint = Endpoint(
        route=route, base_url=base_url, api_key=api_key, model=model, provider=provider,
        send_thinking=thinking, include_usage=usage,
        # deepseek-reasoner documents that it ignores temperature; don't offer a dead control.
        honours_temperature=not (provider == "deepseek" and "reasoner" in model),
        read_timeout=get("R1_READ_TIMEOUT"),
    )
    return Detection(route, endpoint, (), explicit)


def _is_loopback(url: str) -> bool:
    return host_of(url) in LOOPBACK
