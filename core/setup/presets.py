"""Provider presets for the Setup wizard: where each route's endpoint lives and what it needs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from core.chat.providers.openai_compatible import identify

OLLAMA_PORT = 11434


@dataclass(frozen=True)
class Preset:
    """One route or provider the wizard offers, with the defaults it fills in."""

    id: str
    name: str
    route: str  # the provider object it configures (core.chat.providers)
    base_url: str
    model: str
    path: str  # the path the base URL must end with ("" when any path goes)
    key_prefix: str  # what this provider's keys start with ("" when unknown)
    key_url: str  # where to get a key
    needs_key: bool = True
    other_models: tuple[str, ...] = ()  # more names it serves R1 under, for "did you mean"

    @property
    def models(self) -> tuple[str, ...]:
        """Every model name this preset is known to serve, its default first."""
        return tuple(m for m in (self.model, *self.other_models) if m)


PRESETS: tuple[Preset, ...] = (
    Preset("coze-sandbox", "Coze sandbox", "coze-sandbox", "https://integration.coze.cn/api/v3",
           "deepseek-r1-250528", "/api/v3", "", "https://www.coze.cn/",
           other_models=("deepseek-r1-250120",)),
    Preset("ark", "Volcengine Ark 火山方舟", "openai", "https://ark.cn-beijing.volces.com/api/v3",
           "deepseek-r1-250528", "/api/v3", "",
           "https://console.volcengine.com/ark/region:ark+cn-beijing/apiKey",
           other_models=("deepseek-r1-250120",)),
    Preset("deepseek", "DeepSeek", "openai", "https://api.deepseek.com", "deepseek-reasoner",
           "", "sk-", "https://platform.deepseek.com/api_keys", other_models=("deepseek-chat",)),
    Preset("openrouter", "OpenRouter", "openai", "https://openrouter.ai/api/v1",
           "deepseek/deepseek-r1", "/api/v1", "sk-or-", "https://openrouter.ai/settings/keys",
           other_models=("deepseek/deepseek-r1-0528",)),
    Preset("siliconflow", "SiliconFlow 硅基流动", "openai", "https://api.siliconflow.cn/v1",
           "deepseek-ai/DeepSeek-R1", "/v1", "sk-", "https://cloud.siliconflow.cn/account/ak",
           other_models=("Pro/deepseek-ai/DeepSeek-R1",)),
    Preset("ollama", "Ollama (local)", "openai", "http://localhost:11434/v1", "deepseek-r1",
           "/v1", "", "https://ollama.com/library/deepseek-r1", needs_key=False),
    Preset("coze-bot", "Coze bot (COZE_API_TOKEN)", "coze-bot", "https://api.coze.cn", "", "", "pat_",
           "https://www.coze.cn/open/oauth/pats"),
    Preset("custom", "Custom OpenAI-compatible", "openai", "", "deepseek-r1-250528", "", "", ""),
)

BY_ID = {p.id: p for p in PRESETS}
COZE_PAT_PREFIXES = ("pat_", "sat_")  # Coze personal / service access tokens
COZE_TOKEN_URL = "https://www.coze.cn/open/oauth/pats"


PROVIDER_PRESET = {"ark": "ark", "coze": "coze-sandbox", "deepseek": "deepseek",
                   "openrouter": "openrouter", "siliconflow": "siliconflow", "local": "ollama"}


def preset_for(base_url: str) -> Preset:
    """The preset whose provider serves ``base_url`` (custom when none does)."""
    provider, _, _ = identify(base_url.strip())
    if provider == "local" and _port(base_url.strip()) != OLLAMA_PORT:
        return BY_ID["custom"]  # vLLM, LM Studio or a gateway on loopback: no path is implied
    return BY_ID[PROVIDER_PRESET.get(provider, "custom")]


def for_route(route: str) -> list[Preset]:
    """The presets that configure one route."""
    return [p for p in PRESETS if p.route == route]


def for_endpoint(endpoint) -> Preset:
    """The preset behind an endpoint: its route's own preset, or the provider its URL names."""
    own = for_route(endpoint.route)
    return own[0] if len(own) == 1 else preset_for(endpoint.base_url)


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:  # "localhost:abc": no usable port, so not Ollama's
        return None
