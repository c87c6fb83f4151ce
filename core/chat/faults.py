"""Faults in words for every provider and for Verify's socket probes: which kind of network failure an
exception chain shows (TLS, DNS, refused, reset, proxy), and what an error body that is a web page
says, so neither a class name nor raw HTML ever reaches a page."""

from __future__ import annotations

import html
import re
import socket
import ssl
from http import HTTPStatus

from core.redact import redact
from core.untrusted import clean_line


def causes(exc: BaseException):
    """The exception and its causes, innermost last (each once)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def connection_kind(exc: BaseException) -> str:
    """Name a transport failure from its exception chain: tls, dns, refused, reset, proxy or connection."""
    for cause in causes(exc):
        text = str(cause).lower()
        if isinstance(cause, ssl.SSLError) or "certificate" in text or "ssl" in text:
            return "tls"
        if isinstance(cause, socket.gaierror) or "name or service not known" in text \
                or "nodename nor servname" in text or "getaddrinfo" in text:
            return "dns"
        if isinstance(cause, ConnectionRefusedError) or "connection refused" in text:
            return "refused"
        if isinstance(cause, ConnectionResetError) or "reset by peer" in text:
            return "reset"
        if "proxy" in text:
            return "proxy"
    return "connection"


def cause_text(exc: BaseException, secret: str) -> str:
    """The innermost cause as text for the log and diagnostics, the key redacted."""
    last = list(causes(exc))[-1]
    return redact(f"{type(last).__name__}: {last}", [secret])[:300]


TITLE = re.compile(r"<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>", re.I | re.S)
TAG = re.compile(r"<[^>]+>")
NOT_TEXT = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.I | re.S)  # no words a reader sees


def is_html(text: str, content_type: str = "") -> bool:
    """Whether an error body is a web page (a proxy's or gateway's) rather than the API's own answer."""
    head = text.lstrip()[:200].lower()
    return "html" in content_type.lower() or head.startswith(("<!doctype html", "<html", "<head", "<body"))


def page_title(text: str, status: int | None = None) -> str:
    """What a web page calls itself (its <title>, else its first <h1>, else its first words), else
    the status's phrase; one clean line."""
    match = TITLE.search(text)
    raw = next((g for g in match.groups() if g), "") if match else TAG.sub(" ", NOT_TEXT.sub(" ", text))
    title = clean_line(html.unescape(TAG.sub("", raw)))[:80]
    if title:
        return title
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}" if status else "?"
