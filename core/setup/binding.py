"""A secret is bound to the endpoint it was configured with: a key set by whoever runs the app is
never sent to a host that a page visitor typed in.

A visitor writes only the top layers (``draft``: the Setup form; ``session``: values kept for one
browser session). When such a layer moves a key's URL to another origin while the key itself
comes from a lower layer (secrets, the environment, an env file), that key is held back: the
request would carry the owner's secret to a host the visitor chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.chat import providers
from core.setup.settings import BY_ENV, Layers, Resolved, resolve

# Each route's key variable and the URL variable that says where it is sent.
KEY_URLS = {p.key_var: p.url_var for p in providers.PROVIDERS}
VISITOR_SOURCES = ("draft", "session")


@dataclass(frozen=True)
class Held:
    """A key kept from a URL it was not configured for: where it belongs and where it would go."""

    key: str
    url: str
    home: str  # the origin the key was configured with ("" when it had none)
    target: str  # the origin the visitor's value points to


def held_keys(values: Mapping[str, Resolved], layers: Layers) -> list[Held]:
    """Keys from the owner's sources whose URL a visitor's layer moved to another origin."""
    visitor = [s for s in layers.sources if s in VISITOR_SOURCES]
    if not visitor:
        return []
    home_values = resolve(without_sources(layers, visitor))
    out = []
    for key, url in KEY_URLS.items():
        k, u = values.get(key), values.get(url)
        if not (k and k.value and u and u.value) or k.source in VISITOR_SOURCES:
            continue
        home = home_values[url].value or BY_ENV[url].default or ""
        if u.source in VISITOR_SOURCES and origin(u.value) != origin(home):
            out.append(Held(key, url, origin(home), origin(u.value)))
    return out


def without_sources(layers: Layers, names: list[str]) -> Layers:
    """The same layers minus the named sources."""
    return Layers({n: v for n, v in layers.sources.items() if n not in names}, list(layers.problems))


def without_keys(layers: Layers, keys: set[str]) -> Layers:
    """The same layers with the named variables removed from every source."""
    sources = {n: {k: v for k, v in src.items() if k not in keys} for n, src in layers.sources.items()}
    return Layers(sources, list(layers.problems))


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased; the whole text when it has no host."""
    try:
        parts = urlsplit(url.strip())
        parts.hostname  # noqa: B018 — raises on a broken IPv6 literal ("http://[::1")
    except ValueError:
        return url.strip().lower()
    if not parts.hostname:
        return url.strip().lower()
    port = _port(parts)
    return f"{parts.scheme.lower()}://{parts.hostname.lower()}" + (f":{port}" if port else "")


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:  # a port that is not a number: the origin is then the host alone
        return None
