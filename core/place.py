"""Where the app runs — Coze sandbox, Community Cloud, a local machine or another server —
and whether it is shared with other people."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FORWARD_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@dataclass(frozen=True)
class Place:
    """The kind of machine and whether visitors other than its owner can reach this page."""

    kind: str  # coze-sandbox | community-cloud | local | server
    shared: bool


def detect_place(environ: Mapping[str, str], app_dir: Path, server_address: str | None,
                 client_ip: str | None, headers: Mapping[str, str] | None = None) -> Place:
    """Classify this deployment from the environment, the bind address and the visitor.

    A visitor counts as the machine's owner when the server listens on loopback only, or when
    the browser itself is on this machine (Streamlit reports no IP) — unless a reverse proxy
    forwarded the request: behind a proxy (even one on loopback) every visitor would look local.
    """
    if str(app_dir).startswith("/mount/src") or environ.get("HOSTNAME") == "streamlit":
        return Place("community-cloud", True)
    proxied = any(h in {k.lower() for k in (headers or {})} for h in FORWARD_HEADERS)
    local_visitor = client_ip is None or _loopback(client_ip)
    owner = not proxied and ((server_address or "") in LOOPBACK or local_visitor)
    if environ.get("COZE_WORKLOAD_IDENTITY_API_KEY"):
        return Place("coze-sandbox", not owner)
    return Place("local" if owner else "server", not owner)


def _loopback(ip: str) -> bool:
    """Whether ``ip`` is this machine: 127.0.0.0/8, ::1, or an IPv4 one as a server listening on IPv6
    (Streamlit's default, ``::``) sees it, ``::ffff:127.0.0.1``."""
    try:
        address = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return ip in LOOPBACK
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback
