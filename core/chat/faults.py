"""Transport faults in words: which kind of network failure an exception chain shows (TLS, DNS,
refused, proxy), for every provider and for Verify's socket probes."""

from __future__ import annotations

import socket
import ssl

from core.redact import redact


def causes(exc: BaseException):
    """The exception and its causes, innermost last (each once)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def connection_kind(exc: BaseException) -> str:
    """Name a transport failure from its exception chain: tls, dns, refused, proxy or connection."""
    for cause in causes(exc):
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


def cause_text(exc: BaseException, secret: str) -> str:
    """The innermost cause as text for the log and diagnostics, the key redacted."""
    last = list(causes(exc))[-1]
    return redact(f"{type(last).__name__}: {last}", [secret])[:300]
