"""Name a failed or cut-off request: SDK exceptions, transport faults and silent ends become a Diagnosis."""

from __future__ import annotations

import re
import socket
import ssl
from urllib.parse import urlsplit

import openai

from core.chat.endpoint import COZE_SANDBOX, Endpoint
from core.diagnosis import Diagnosis, status_label
from core.redact import redact

REQUEST_ID_HEADERS = ("x-request-id", "x-ds-trace-id", "x-tt-logid", "x-client-request-id")
BALANCE_CODES = re.compile(r"(?i)overdue|insufficient|balance")
STATUS_KINDS = {400: "bad_request", 401: "auth", 402: "balance", 403: "forbidden",
                404: "not_found", 422: "bad_request", 429: "rate_limit"}
def diagnose(exc: BaseException, endpoint: Endpoint) -> Diagnosis:
    """Name the cause of an SDK exception, with what the user should change."""
    params = _params(endpoint)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        kind = STATUS_KINDS.get(status, "server" if status >= 500 else "http")
        if BALANCE_CODES.search(_error_code(exc.body)):
            kind = "balance"  # Ark reports an overdue account as 403 AccountOverdueError
        if kind == "rate_limit":
            params["wait"] = exc.response.headers.get("retry-after") or "?"
        params["status"] = status_label(status)
        return Diagnosis(kind, params, status, _detail(exc, endpoint), _request_id(exc.response.headers))
    if isinstance(exc, openai.APITimeoutError):
        return Diagnosis("timeout", params)
    if isinstance(exc, openai.APIConnectionError):
        return Diagnosis(connection_kind(exc), params, detail=_cause_text(exc, endpoint))
    if isinstance(exc, openai.APIError):  # an error event in the middle of the stream
        return Diagnosis("stream_error", params, detail=_detail(exc, endpoint))
    return Diagnosis("unknown", params, detail=redact(str(exc), [endpoint.api_key]))


def silent_end(endpoint: Endpoint) -> Diagnosis:
    """The stream ended without finish_reason or [DONE]: a cut connection, not success."""
    return Diagnosis("cut_off", _params(endpoint))


def _params(endpoint: Endpoint) -> dict:
    sandbox = endpoint.route == COZE_SANDBOX
    return {
        "host": urlsplit(endpoint.base_url).hostname or endpoint.base_url,
        "base_url": endpoint.base_url,
        "model": endpoint.model,
        "key_var": "COZE_WORKLOAD_IDENTITY_API_KEY" if sandbox else "OPENAI_API_KEY",
        "url_var": "COZE_INTEGRATION_MODEL_BASE_URL" if sandbox else "OPENAI_BASE_URL",
        "read_timeout": f"{endpoint.read_timeout:g}",
    }


def _request_id(headers) -> str | None:
    """The provider's id for this request, for bug reports (each provider names it differently)."""
    return next((headers[h] for h in REQUEST_ID_HEADERS if headers.get(h)), None)


def _error_code(body: object) -> str:
    inner = body.get("error", body) if isinstance(body, dict) else None
    return str(inner.get("code") or inner.get("type") or "") if isinstance(inner, dict) else ""


def _detail(exc: openai.APIError, endpoint: Endpoint) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        # OpenAI-style bodies carry "message"; Coze's own carry {"code", "msg"}.
        message = (inner.get("message") or inner.get("msg")) if isinstance(inner, dict) else inner
        text = str(message or body)
    else:
        text = str(body or exc.message)
    return redact(text, [endpoint.api_key])[:400]


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def connection_kind(exc: BaseException) -> str:
    """Name a transport failure from its exception chain: tls, dns, refused, proxy or connection."""
    for cause in _causes(exc):
        text = str(cause).lower()
        if isinstance(cause, ssl.SSLError) or "certificate" in text or "ssl" in text:
            return "tls"
        if isinstance(cause, socket.gaierror) or "name or service not known" in text \
                or "nodename nor servname" in text or "getaddrinfo" in text:
            return "dns"
        if isinstance(cause, ConnectionRefusedError) or "connection refused" in text:
            return "refused"
        if "proxy" in text:
            return "proxy"
    return "connection"


def _cause_text(exc: BaseException, endpoint: Endpoint) -> str:
    last = list(_causes(exc))[-1]
    return redact(f"{type(last).__name__}: {last}", [endpoint.api_key])[:300]
