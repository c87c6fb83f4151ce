"""Checks of one typed value — a token, a base URL, a model name, a number out of range — as the
Setup form and ``core.setup.checks`` use them: paste errors and path mistakes, each a named Finding."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit, urlunsplit

from core.chat.providers.openai_compatible import LOOPBACK
from core.chat.providers.openai_compatible import PROVIDER as OPENAI_COMPATIBLE
from core.redact import mask
from core.setup.presets import PRESETS, Preset
from core.setup.settings import UNENCODED, Resolved

RANK = {"error": 0, "warning": 1, "info": 2}
DATABASE_SETTING = "R1_DATABASE_URL"
QUOTES = "'\"`“”‘’「」"
SUFFIX = "/chat/completions"
DOUBLED = re.compile(r"(?i)(/[^/]+(?:/[^/]+)*?)\1+(?=/|$)")  # /v1/v1, /api/v3/api/v3
# Prefixes that mark a key as some other provider's; longest first so "sk-or-" beats "sk-".
FOREIGN_PREFIXES = tuple(sorted({p.key_prefix for p in PRESETS if p.key_prefix}, key=len, reverse=True))
# The words only count at the start of a segment ("your-api-key", "sk-xxxx…"): a random key may
# contain "your" or "todo" by chance, but seldom right after a separator.
PLACEHOLDER = re.compile(
    r"(?i)^(?:sk-|pat_|sat_|sk-or-v1-)?(?:x+|\.{2,}|…|\*+|0+|123\d*|test|none|null|empty|key|token|"
    r"secret|api[-_]?key)$|<[^>]*>|\$\{|\{\{"
    r"|(?<![a-z0-9])(?:your|change[-_]?me|replace|placeholder|xxxx|todo)")


@dataclass(frozen=True)
class Finding:
    """One named misconfiguration, the setting it concerns, how bad it is, and its message values."""

    kind: str
    setting: str | None
    severity: str  # "error" (chat will fail) | "warning" (likely wrong) | "info"
    params: dict = field(default_factory=dict)  # never a full secret: tokens go through mask()


def token_problems(setting: str, raw: str) -> list[Finding]:
    """Paste errors in one token: whitespace, quotes, line breaks, BOM, non-ASCII, `Bearer`, placeholders."""
    if not raw or not raw.strip():
        return []
    bare = bare_token(raw)
    out: list[Finding] = []

    def add(kind: str, severity: str, **extra: object) -> None:
        out.append(Finding(kind, setting, severity, {"setting": setting, "value": mask(bare), **extra}))

    core = raw.strip()
    inner_space = any(c in " \t" for c in bare)
    if inner_space or core != raw:
        # The app trims the ends itself, so only a space inside the token breaks this chat.
        add("token_whitespace", "error" if inner_space else "info")
    if core[0] in QUOTES or core[-1] in QUOTES:
        add("token_quoted", "error")
    if "\n" in core or "\r" in core:
        add("token_newline", "error")
    if "\ufeff" in raw:
        add("token_bom", "error")
    odd = dict.fromkeys(f"U+{ord(c):04X}" for c in core.strip(QUOTES) if ord(c) > 127 and c != "\ufeff")
    if odd:
        add("token_fullwidth", "error", chars=", ".join(list(odd)[:5]))
    if re.match(r"(?i)bearer\s", core.strip(QUOTES + "\ufeff")):
        add("token_bearer_prefix", "error")
    if PLACEHOLDER.search(bare):
        add("token_placeholder", "error")
    return out


def base_url_problems(setting: str, raw: str, preset: Preset | None) -> list[Finding]:
    """Mistakes in a base URL, each with the URL the chat would call and the corrected base URL."""
    if not raw or not raw.strip():
        return []
    url = raw.strip()
    kinds: list[tuple[str, str, dict]] = [("url_trailing_space", "info", {})] if url != raw else []
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:  # = the url kind's test
        kinds.append(("url_not_http", "error", {}))
        parts = _split(with_scheme(url))
    elif parts.scheme == "http" and _is_remote(parts.hostname or ""):
        kinds.append(("url_http_remote", "warning", {"host": parts.hostname}))
        parts = parts._replace(scheme="https")
    if parts is None:  # "http://[::1": an unclosed bracket no client can parse, so nothing to suggest
        parts = urlsplit("")._replace(path=url)
    path = parts.path
    if path.rstrip("/").lower().endswith(SUFFIX):
        kinds.append(("url_chat_completions_suffix", "error", {}))
        path = path.rstrip("/")[: -len(SUFFIX)]
    doubled = DOUBLED.search(path)
    if doubled:
        kinds.append(("url_path_doubled", "error", {"segment": doubled.group(1)}))
        path = DOUBLED.sub(r"\1", path)
    if preset and preset.path and not path.rstrip("/").endswith(preset.path):
        # Other local servers (llama.cpp) also answer at the root; hosted providers never do.
        severity = "warning" if parts.hostname in LOOPBACK else "error"
        kinds.append(("url_path_missing", severity, {"path": preset.path, "provider": preset.name}))
        path = preset.path
    suggested = urlunsplit(parts._replace(path=path))
    common = {"setting": setting, "value": url, "request_url": OPENAI_COMPATIBLE.request_url(url), "suggested": suggested}
    return [Finding(kind, setting, severity, {**common, **extra}) for kind, severity, extra in kinds]


def _split(url: str) -> SplitResult | None:
    """``url`` in its parts, or None when it cannot be parsed at all."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def model_problems(model: str, available: Sequence[str]) -> list[Finding]:
    """A model the endpoint does not list, with up to three of the closest names it does list."""
    model = (model or "").strip()
    if not model or not available or model in available:
        return []
    near = closest_models(model, available)
    params = {"setting": "R1_MODEL", "model": model, "closest": ", ".join(near),
              "suggested": near[0] if near else "", "count": len(available)}
    return [Finding("model_not_listed", "R1_MODEL", "warning", params)]


def setting_problems(values: Mapping[str, Resolved]) -> list[Finding]:
    """One warning per value that is not of its setting's declared type or range; the app uses the default."""
    out = []
    for name, r in values.items():
        # Without a default nothing falls back: those are the route base URLs, whose mistakes
        # base_url_problems names in detail (the url kind's own check), so they get no second finding.
        if r.problem is None or r.setting.default is None:
            continue
        out.append(Finding(f"bad_{r.setting.kind}", name, "warning", _bad_value_params(r)))
    return out


def database_url_problems(values: Mapping[str, Resolved]) -> list[Finding]:
    """An error when ``R1_DATABASE_URL`` is set but is no database URL: conversations would be kept in
    SQLite, not where the deployment meant them to be."""
    r = values.get(DATABASE_SETTING)
    if r is None or r.problem is None:
        return []
    kind = "database_unencoded" if r.problem == UNENCODED else "bad_database"
    params = {"setting": r.setting.env, "value": r.setting.shown(r.value), "source": r.source}
    return [Finding(kind, r.setting.env, "error", params)]


def _bad_value_params(r: Resolved) -> dict:
    """A bad value's message values; the range words live in each language's ``check.bad_<kind>``."""
    s = r.setting
    shown = s.shown(r.value) if s.secret or s.kind == "database" else _printable(r.value or "")
    params = {"setting": s.env, "value": shown, "source": r.source, "default": s.default}
    if s.kind in ("int", "float"):
        params.update(minimum=f"{s.minimum:g}", maximum=f"{s.maximum:g}")
    if s.kind == "choice":
        params["choices"] = ", ".join(f"`{c}`" for c in s.choices)
    return params


def _printable(text: str, limit: int = 80) -> str:
    """``text`` for a message: control characters spelled out, at most ``limit`` characters."""
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bare_token(raw: str) -> str:
    """The token with surrounding whitespace, quotes, BOM and a ``Bearer`` prefix removed."""
    text = raw.strip().strip(QUOTES + "\ufeff").strip()
    return re.sub(r"(?i)^bearer\s+", "", text)


def foreign_prefix(key: str) -> str:
    """The known provider prefix a key starts with (``sk-or-``, ``sk-``…), or ""."""
    return next((p for p in FOREIGN_PREFIXES if key.startswith(p)), "")


def _is_remote(host: str) -> bool:
    """Whether plain http to ``host`` crosses the internet (loopback, LAN and intranet names do not)."""
    if host in LOOPBACK:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." in host and not host.endswith((".local", ".lan", ".internal", ".localhost"))
    return not (ip.is_private or ip.is_loopback or ip.is_link_local)


def with_scheme(url: str) -> str:
    """``url`` with an http(s) scheme: http for a loopback host, https otherwise."""
    # Also the typos "https//" and "https:://"; "host:8000/v1" has no scheme to strip.
    rest = re.sub(r"(?i)^(?:[a-z][a-z0-9+.-]*:+//|https?(?::+|//))", "", url).lstrip("/")
    host = (_split("//" + rest) or urlsplit("")).hostname or ""
    return ("http://" if host in LOOPBACK else "https://") + rest


def closest_models(model: str, available: Sequence[str]) -> list[str]:
    """Listed names nearest to ``model``: same name in another case, then containment, then difflib."""
    by_lower = {a.lower(): a for a in available}
    low = model.lower()
    near = [by_lower[low]] if low in by_lower else []
    near += [a for a in available if low in a.lower()]
    near += [by_lower[m] for m in difflib.get_close_matches(low, list(by_lower), n=3, cutoff=0.5)]
    return list(dict.fromkeys(near))[:3]
