"""The Coze sandbox route: inside a Coze sandbox the platform injects a workload key and the
integration URL (e.g. ``https://integration.coze.cn/api/v3``), an OpenAI-compatible endpoint that
is Volcengine Ark underneath — so nothing is set by hand and ``COZE_API_TOKEN`` is not needed."""

from __future__ import annotations

from dataclasses import dataclass

from core.chat.providers.openai_compatible import OpenAICompatible


@dataclass(frozen=True)
class CozeSandbox(OpenAICompatible):
    """The OpenAI-compatible client with the platform's variables and Ark's request quirks."""

    def quirks(self, base_url: str) -> tuple[str, bool, bool]:
        """Ark's ``thinking`` and usage options, wherever the integration endpoint is served from."""
        return "coze", True, True

    def partial(self, get) -> bool:
        """The platform injects both variables together: one alone is no sandbox."""
        return False


PROVIDER = CozeSandbox("coze-sandbox", "COZE_WORKLOAD_IDENTITY_API_KEY", "COZE_INTEGRATION_MODEL_BASE_URL",
                       "R1_MODEL", auto_rank=0, partial_rank=None, lists_models=False, url_editable=False)
