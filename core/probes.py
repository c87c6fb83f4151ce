"""Transport probes for Verify: can the endpoint's host be reached, and does its TLS handshake
pass, checked with plain sockets before any API call so each failure is named precisely."""

from __future__ import annotations

import socket
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx2
import openai

from core.errors import Diagnosis, diagnose
from core.routes import Endpoint

PROBE_TIMEOUT = 5.0


@dataclass
class Step:
    """One checklist line: what was checked, how it went, how long it took, and why it failed."""

    name: str
    status: str  # ok | fail | skip | warn
    seconds: float
    diagnosis: Diagnosis | None = None
    params: dict = field(default_factory=dict)


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
    """Name a probe's socket error exactly as core.errors names a failed chat request."""
    # The request is a placeholder: diagnose reads only the exception chain.
    wrapper = openai.APIConnectionError(request=httpx2.Request("GET", "http://verify.invalid/"))
    wrapper.__cause__ = exc
    return diagnose(wrapper, endpoint)


def since(start: float) -> float:
    """Seconds since ``start`` on the monotonic clock."""
    return time.monotonic() - start
