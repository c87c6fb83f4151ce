"""English UI strings."""

MESSAGES = {
    "lang.label": "Language",
    "nav.chat": "Chat",
    "nav.chat_help": "Talk to DeepSeek-R1: watch its reasoning live, then read the answer.",
    "nav.setup": "Setup",
    "nav.setup_help": "Which token this machine uses, where each value comes from, and what is missing.",
    "route.coze-sandbox": "Coze sandbox",
    "route.openai": "OpenAI-compatible provider",
    "source.session": "this session",
    "source.secrets": "st.secrets",
    "source.environ": "process env",
    "source..env.local": ".env.local",
    "source..env": ".env",
    "source.default": "default",
    "chat.title": "DeepSeek-R1",
    "chat.empty": "Ask anything. Model `{model}` at `{host}`; its reasoning shows live, then the answer.",
    "chat.placeholder": "Ask DeepSeek-R1…",
    "chat.system_prompt": "System prompt",
    "chat.system_placeholder": "Optional: instructions sent before the conversation",
    "chat.max_tokens": "Max tokens",
    "chat.max_tokens_help": "Output budget per reply. R1's reasoning counts against it.",
    "chat.temperature": "Temperature",
    "chat.clear": "Clear conversation",
    "chat.thinking": ":shimmer[Thinking…]",
    "chat.thought": "Thought for {s} s",
    "chat.tokens": "{n} tokens",
    "chat.reasoning_tokens": "{n} reasoning",
    "chat.ttft": "first token {s} s",
    "chat.total": "total {s} s",
    "chat.stopped": ":material/stop_circle: Stopped — the partial reply is kept.",
    "chat.incomplete": "Reply incomplete",
    "chat.length": "The token budget ({n}) ran out before the answer was complete — on most providers R1's reasoning counts against it.",
    "chat.continue": "Try again with {n} tokens",
    "chat.retry": "Retry",
    "chat.open_setup": "Open Setup",
    "chat.not_configured": "No model is configured yet. Missing: {missing}. Setup shows what to set.",
    "err.detail": "Provider said: {detail}",
    "err.auth": "**401 — the token was rejected** by `{host}`: it is invalid, expired, or of the wrong kind. Check `{key_var}` on the Setup page.",
    "err.balance": "**402 — insufficient balance** on this account at `{host}`. Top up with the provider, or switch to another key in `{key_var}`.",
    "err.forbidden": "**403 — not allowed.** The key lacks permission for `{model}`, or the account needs verification with the provider. Check `{key_var}` and the provider console.",
    "err.not_found": "**404 — not found.** Either the model name `{model}` (set `R1_MODEL`) or the base URL path `{base_url}` (set `{url_var}`) is wrong for this provider.",
    "err.rate_limit": "**429 — rate limited** by `{host}`, even after automatic retries. Wait {wait} s and retry.",
    "err.server": "**The provider failed** (5xx at `{host}`). It is usually temporary: retry in a moment.",
    "err.bad_request": "**400 — the provider rejected the request.** Check the model `{model}` and the sidebar settings.",
    "err.http": "**Unexpected HTTP error** from `{host}`.",
    "err.timeout": "**Timed out**: `{host}` sent nothing for {read_timeout} s. Retry; raise `R1_READ_TIMEOUT` if the provider is slow to start.",
    "err.refused": "**Connection refused** by `{host}`: nothing listens there. Check `{url_var}` (host and port), or start the local server.",
    "err.dns": "**Unknown host** `{host}`: DNS could not resolve it. Check the spelling of `{url_var}` and your network.",
    "err.tls": "**TLS/certificate error** talking to `{host}`. Check `{url_var}` uses the right scheme, and any proxy or corporate certificate.",
    "err.proxy": "**Proxy error** reaching `{host}`. Check `HTTPS_PROXY` / `NO_PROXY`.",
    "err.connection": "**Could not reach** `{host}`. Check your network and `{url_var}`.",
    "err.stream_error": "**The provider reported an error mid-reply.** The partial reply is kept; retry.",
    "err.cut_off": "**The connection ended before the reply finished.** The partial reply is kept; retry.",
    "err.unknown": "**Something went wrong** while talking to `{host}`.",
    "setup.title": "Setup",
    "setup.ready_title": "Ready to chat",
    "setup.ready": "Route: **{route}** · endpoint `{host}` · model `{model}`.",
    "setup.go_chat": "Go to Chat",
    "setup.not_ready_title": "Not configured yet",
    "setup.route_missing": "Route **{route}** still needs: `{missing}`.",
    "setup.unconfigured": "No route is configured. Inside a Coze sandbox nothing is needed; elsewhere set `OPENAI_API_KEY` and `OPENAI_BASE_URL` (in `.env.local`, the environment or `st.secrets`).",
    "setup.file_problem": "`{file}` could not be read ({problem}); it was ignored and left untouched.",
    "setup.values": "Resolved settings",
    "setup.precedence": "First source wins: {order}. Secret values are masked.",
    "setup.col_var": "Variable",
    "setup.col_set": "Set",
    "setup.col_source": "Source",
    "setup.col_value": "Value",
    "setup.col_also": "Also set in",
    "setup.routes": "Which token does each route need?",
    "setup.route_sandbox_md": "**Coze sandbox** — the platform injects `COZE_WORKLOAD_IDENTITY_API_KEY` and `COZE_INTEGRATION_MODEL_BASE_URL`. Nothing to set; `COZE_API_TOKEN` is *not* needed. The server holds the key; the browser never sees it.",
    "setup.route_openai_md": "**Standalone** (laptop, server, Community Cloud) — bring a key from a provider that serves R1 (Volcengine Ark, DeepSeek, OpenRouter, SiliconFlow, local Ollama/vLLM): set `OPENAI_API_KEY`, `OPENAI_BASE_URL` and, if needed, `R1_MODEL`.",
}

AREAS = ("setup", "checks", "verify")


def merged() -> dict[str, str]:
    """This catalogue plus every area file beside it (``<area>_en.py``)."""
    import importlib

    out = dict(MESSAGES)
    for area in AREAS:
        try:
            out.update(importlib.import_module(f"core.locales.{area}_en").MESSAGES)
        except ModuleNotFoundError:
            continue
    return out
