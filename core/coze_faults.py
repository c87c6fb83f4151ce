"""How the Coze route names its failures: Coze's codes, HTTP statuses and stream events → a Diagnosis.

Coze reports a refusal three ways: a JSON body with a non-zero ``code`` (often with HTTP 200), an
HTTP error status, or a ``conversation.chat.failed`` / ``error`` event inside the stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from core.errors import Diagnosis, status_label
from core.redact import redact

if TYPE_CHECKING:  # core.coze imports this module; the type is only named here
    import httpx2

    from core.coze import CozeBot

# Coze's documented codes (coze_error_codes page); 4028 is observed, not documented.
CODE_KINDS = {
    4000: "bad_request", 4004: "bad_request", 4010: "too_long",
    4006: "bot_not_found", 4200: "bot_not_found", 4015: "bot_not_published",
    4008: "daily_limit", 4009: "rate_limit", 4020: "rate_limit",
    4011: "balance", 4019: "balance", 4022: "balance", 4028: "balance",
    4012: "bot_model", 4013: "server", 5000: "server", 4014: "cannot_answer",
    4100: "token_refused", 4101: "forbidden", 4102: "risk_control",
}
STATUS_KINDS = {400: "bad_request", 401: "auth", 403: "forbidden", 404: "api_not_found", 429: "rate_limit"}
# Kinds only this route has; their texts live in core/locales/coze_*.py.
NEW_KINDS = ("token_refused", "bot_not_found", "bot_not_published", "daily_limit", "too_long", "bot_model",
             "cannot_answer", "risk_control", "bot_needs_action", "api_not_found", "coze_error")


class Fault(Exception):
    """A named failure (``args[0]``, a Diagnosis) found before or in the stream; it ends the reply."""


def api_fault(body: dict, response: httpx2.Response, bot: CozeBot) -> Diagnosis:
    """Name a refusal that came as a response body (with Coze's code) or as an HTTP status."""
    code, status = to_int(body.get("code")), response.status_code
    if code in CODE_KINDS:
        kind = CODE_KINDS[code]
    elif code or status == 200:  # Coze's own code says more than the HTTP status
        kind = "coze_error"
    else:
        kind = STATUS_KINDS.get(status) or ("server" if status >= 500 else "http")
    detail = body.get("detail") if isinstance(body.get("detail"), dict) else {}
    logid = response.headers.get("x-tt-logid") or detail.get("logid")
    return diagnose(bot, kind, code=code, msg=str(body.get("msg") or ""), status=status,
                    logid=logid, wait=response.headers.get("retry-after"))


def stream_fault(name: str, data: dict, bot: CozeBot, logid: str | None) -> Diagnosis:
    """Name a failure event that arrived inside the stream."""
    if name == "conversation.chat.requires_action":
        return diagnose(bot, "bot_needs_action", logid=logid)
    error = (data.get("last_error") or {}) if name == "conversation.chat.failed" else data
    error = error if isinstance(error, dict) else {"msg": str(error)}
    code = to_int(error.get("code", error.get("error_code")))
    msg = str(error.get("msg") or error.get("error_message") or "")
    return diagnose(bot, CODE_KINDS.get(code, "stream_error"), code=code, msg=msg, logid=logid)


def diagnose(bot: CozeBot, kind: str, *, code: int | None = None, msg: str = "", status: int | None = None,
             logid: str | None = None, wait: str | None = None) -> Diagnosis:
    """A Diagnosis whose fix names the Coze settings; the provider's message is redacted and cut."""
    params = {"host": urlsplit(bot.api_base).hostname or bot.api_base, "base_url": bot.base,
              "key_var": "COZE_API_TOKEN", "url_var": "COZE_API_BASE", "bot_var": "COZE_BOT_ID",
              "bot_id": bot.bot_id, "model": bot.bot_id, "read_timeout": f"{bot.read_timeout:g}",
              "code": "" if code is None else str(code)}
    if kind == "rate_limit":
        params["wait"] = wait or "?"
    if kind == "server":  # Coze reports its own failures as codes 4013/5000, often with HTTP 200
        params["status"] = status_label(status, code)
    return Diagnosis(kind, params, status, redact(msg, [bot.token])[:400], logid)


def to_int(value: object) -> int | None:
    """Coze sends codes as numbers or strings; anything else is no code."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
