"""Warnings by name: the misconfigurations users actually hit, each with the values its fix needs."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit, urlunsplit

from core.place import Place
from core.presets import COZE_PAT_PREFIXES, PRESETS, Preset, preset_for
from core.redact import mask
from core.routes import COZE_SANDBOX, LOOPBACK, Detection, identify
from core.settings import ENV_FILES, Layers, Resolved

RANK = {"error": 0, "warning": 1, "info": 2}
OPENAI_KEY, OPENAI_URL = "OPENAI_API_KEY", "OPENAI_BASE_URL"
WORKLOAD_KEY, COZE_URL = "COZE_WORKLOAD_IDENTITY_API_KEY", "COZE_INTEGRATION_MODEL_BASE_URL"
COZE_TOKEN = "COZE_API_TOKEN"  # read by Coze front-end examples, never by this app
TOKEN_SETTINGS = (OPENAI_KEY, WORKLOAD_KEY, COZE_TOKEN)
PLATFORM_SOURCES = ("secrets", "environ")  # set by whoever deployed the app, not by the visitor
QUOTES = "'\"`“”‘’「」"
SUFFIX = "/chat/completions"
DOUBLED = re.compile(r"(?i)(/[^/]+(?:/[^/]+)*?)\1+(?=/|$)")  # /v1/v1, /api/v3/api/v3
# Prefixes that mark a key as some other provider's; longest first so "sk-or-" beats "sk-".
FOREIGN_PREFIXES = tuple(sorted({p.key_prefix for p in PRESETS if p.key_prefix}, key=len, reverse=True))
PLACEHOLDER = re.compile(
    r"(?i)^(?:sk-|pat_|sat_|sk-or-v1-)?(?:x+|\.{2,}|…|\*+|0+|123\d*|test|none|null|empty|key|token|"
    r"secret|api[-_]?key)$|your|change[-_]?me|replace|placeholder|<[^>]*>|\$\{|\{\{|xxxx|todo")


@dataclass(frozen=True)
class Finding:
    """One named misconfiguration, the setting it concerns, how bad it is, and its message values."""

    kind: str
    setting: str | None
    severity: str  # "error" (chat will fail) | "warning" (likely wrong) | "info"
    params: dict = field(default_factory=dict)  # never a full secret: tokens go through mask()


def find_problems(values: Mapping[str, Resolved], layers: Layers, detection: Detection, place: Place,
                  *, just_saved: Mapping[str, str] | None = None,
                  admin_password_set: bool = False) -> list[Finding]:
    """Every named misconfiguration in this configuration, errors first, then warnings, then info."""
    found = [Finding("env_file_unreadable", None, "warning", {"file": name, "problem": why})
             for name, why in layers.problems]
    found += _shadowing(values, layers, just_saved or {})
    found += _coze_tokens(values, layers, detection)
    found += _paste_errors(values, layers, detection)
    found += _key_mismatches(values, layers, detection)
    found += _base_urls(values, detection)
    found += _exposure(values, detection, place, admin_password_set)
    return sorted(found, key=lambda f: RANK.get(f.severity, len(RANK)))


def token_problems(setting: str, raw: str) -> list[Finding]:
    """Paste errors in one token: whitespace, quotes, line breaks, BOM, non-ASCII, `Bearer`, placeholders."""
    if not raw or not raw.strip():
        return []
    bare = _bare(raw)
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
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        kinds.append(("url_not_http", "error", {}))
        parts = urlsplit(_with_scheme(url))
    elif parts.scheme == "http" and _is_remote(parts.hostname or ""):
        kinds.append(("url_http_remote", "warning", {"host": parts.hostname}))
        parts = parts._replace(scheme="https")
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
    common = {"setting": setting, "value": url, "request_url": request_url(url), "suggested": suggested}
    return [Finding(kind, setting, severity, {**common, **extra}) for kind, severity, extra in kinds]


def request_url(base_url: str) -> str:
    """Exactly the URL the OpenAI SDK POSTs a chat to: the base URL, "/" unless it ends with one, ``chat/completions``."""
    url = base_url.strip()  # the app strips surrounding whitespace before the SDK sees the value
    if not url:
        return ""
    # Like openai._base_client: the slash goes before any query, the suffix after it (so "?" breaks it).
    head, sep, query = url.partition("?")
    return (head if head.endswith("/") else head + "/") + sep + query + "chat/completions"


def model_problems(model: str, available: Sequence[str]) -> list[Finding]:
    """A model the endpoint does not list, with up to three of the closest names it does list."""
    model = (model or "").strip()
    if not model or not available or model in available:
        return []
    near = _closest(model, available)
    params = {"setting": "R1_MODEL", "model": model, "closest": ", ".join(near),
              "suggested": near[0] if near else "", "count": len(available)}
    return [Finding("model_not_listed", "R1_MODEL", "warning", params)]


def _shadowing(values: Mapping[str, Resolved], layers: Layers, just_saved: Mapping[str, str]) -> list[Finding]:
    order = list(layers.sources)
    out = []
    for name, r in values.items():
        if r.source not in order:
            continue
        saved = (just_saved.get(name) or "").strip()
        losers = [(s, (layers.sources[s].get(name) or "").strip()) for s in r.present_in[1:]]
        if saved and ".env.local" in order and order.index(r.source) < order.index(".env.local"):
            losers.insert(0, (".env.local", saved))  # what was just written is what the user expects
        loser = next(((s, v) for s, v in losers if v and v != r.value), None)
        if loser is None:
            continue
        loud = (saved and loser == (".env.local", saved)) or (r.source in PLATFORM_SOURCES
                                                              and loser[0] in ENV_FILES)
        show = mask if r.setting.secret else str
        out.append(Finding("shadowed_by_environ", name, "warning" if loud else "info", {
            "setting": name, "winner": r.source, "winner_value": show(r.value), "source": loser[0],
            "value": show(loser[1])}))
    return out


def _coze_tokens(values: Mapping[str, Resolved], layers: Layers, detection: Detection) -> list[Finding]:
    out = []
    source, raw = _lookup(layers, COZE_TOKEN)
    if source:
        # Nothing else can run when no route is complete: the user probably thinks this token is enough.
        out.append(Finding("coze_token_unused", COZE_TOKEN, "warning" if detection.endpoint else "error", {
            "setting": COZE_TOKEN, "source": source, "value": mask(_bare(raw)),
            "route": detection.route or "", "instead": _key_of(detection)}))
    key = values.get(WORKLOAD_KEY)
    if key and key.value and (key.source != "environ" or not _value(values, COZE_URL)):
        out.append(Finding("workload_key_outside_sandbox", WORKLOAD_KEY, "warning", {
            "setting": WORKLOAD_KEY, "source": key.source, "value": mask(_bare(key.value))}))
    return out


def _paste_errors(values: Mapping[str, Resolved], layers: Layers, detection: Detection) -> list[Finding]:
    out = []
    local = (urlsplit(_value(values, OPENAI_URL) or "").hostname or "") in LOOPBACK
    for name in TOKEN_SETTINGS:
        r = values.get(name)
        source, raw = (r.source, r.raw) if r and r.raw is not None else _lookup(layers, name)
        for f in token_problems(name, raw or ""):
            if not (local and name == OPENAI_KEY and f.kind == "token_placeholder"):  # any key goes locally
                out.append(_demote(replace(f, params={**f.params, "source": source}),
                                   name == _key_of(detection)))
    return out


def _key_mismatches(values: Mapping[str, Resolved], layers: Layers, detection: Detection) -> list[Finding]:
    out = []
    key, url = _bare(_value(values, OPENAI_KEY) or ""), _value(values, OPENAI_URL)
    if key and url and detection.route != COZE_SANDBOX:
        provider, preset = identify(url)[0], preset_for(url)
        params = {"setting": OPENAI_KEY, "value": mask(key), "host": urlsplit(url).hostname or url}
        if key.startswith(COZE_PAT_PREFIXES) and provider != "coze":
            out.append(Finding("coze_pat_on_openai_route", OPENAI_KEY, "error", params))
        elif provider == "coze" and _foreign(key):
            out.append(Finding("non_coze_key_on_coze", OPENAI_KEY, "error", {**params, "prefix": _foreign(key)}))
        elif preset.key_prefix and _foreign(key) != preset.key_prefix:  # sk-or- on DeepSeek too
            out.append(Finding("key_prefix_mismatch", OPENAI_KEY, "warning", {
                **params, "prefix": preset.key_prefix, "provider": preset.name, "key_url": preset.key_url}))
    coze_host = urlsplit(_value(values, COZE_URL) or "").hostname or "coze.cn"
    for name in (WORKLOAD_KEY, COZE_TOKEN):
        value = _bare(_lookup(layers, name)[1] or "")
        if _foreign(value):
            out.append(_demote(Finding("non_coze_key_on_coze", name, "error", {
                "setting": name, "value": mask(value), "prefix": _foreign(value), "host": coze_host}),
                name == _key_of(detection)))
    return out


def _base_urls(values: Mapping[str, Resolved], detection: Detection) -> list[Finding]:
    out = []
    for name in (OPENAI_URL, COZE_URL):
        r = values.get(name)
        if r and r.raw:
            # The injected sandbox URL has no preset path to insist on; only hand-typed ones are checked.
            preset = preset_for(_with_scheme(r.raw.strip())) if name == OPENAI_URL else None
            active = (detection.route == COZE_SANDBOX) == (name == COZE_URL)
            out += [_demote(f, active) for f in base_url_problems(name, r.raw, preset)]
    return out


def _exposure(values: Mapping[str, Resolved], detection: Detection, place: Place,
              admin_password_set: bool) -> list[Finding]:
    name = _key_of(detection)
    r = values.get(name)
    if not place.shared or detection.endpoint is None or not r or r.source not in PLATFORM_SOURCES:
        return []
    out = [Finding("platform_key_public", name, "warning",
                   {"setting": name, "source": r.source, "place": place.kind})]
    if not admin_password_set:
        out.append(Finding("admin_password_missing", "R1_ADMIN_PASSWORD", "info",
                           {"setting": "R1_ADMIN_PASSWORD", "place": place.kind}))
    return out


def _lookup(layers: Layers, name: str) -> tuple[str | None, str | None]:
    """The first source that sets ``name`` to something non-blank, and its raw value."""
    for source, values in layers.sources.items():
        raw = values.get(name)
        if raw is not None and str(raw).strip():
            return source, str(raw)
    return None, None


def _value(values: Mapping[str, Resolved], name: str) -> str | None:
    r = values.get(name)
    return r.value if r else None


def _key_of(detection: Detection) -> str:
    """The key variable the active (or, with no route yet, the likely) route reads."""
    return WORKLOAD_KEY if detection.route == COZE_SANDBOX else OPENAI_KEY


def _demote(finding: Finding, active: bool) -> Finding:
    """A setting the active route does not read cannot make the chat fail: at most a warning."""
    return finding if active or finding.severity != "error" else replace(finding, severity="warning")


def _bare(raw: str) -> str:
    """The token with surrounding whitespace, quotes, BOM and a ``Bearer`` prefix removed."""
    text = raw.strip().strip(QUOTES + "\ufeff").strip()
    return re.sub(r"(?i)^bearer\s+", "", text)


def _foreign(key: str) -> str:
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


def _with_scheme(url: str) -> str:
    """``url`` with an http(s) scheme: http for a loopback host, https otherwise."""
    rest = re.sub(r"(?i)^(?:[a-z][a-z0-9+.-]*://|https?:/*)", "", url).lstrip("/")
    host = urlsplit("//" + rest).hostname or ""
    return ("http://" if host in LOOPBACK else "https://") + rest


def _closest(model: str, available: Sequence[str]) -> list[str]:
    """Listed names nearest to ``model``: same name in another case, then containment, then difflib."""
    by_lower = {a.lower(): a for a in available}
    low = model.lower()
    near = [by_lower[low]] if low in by_lower else []
    near += [a for a in available if low in a.lower()]
    near += [by_lower[m] for m in difflib.get_close_matches(low, list(by_lower), n=3, cutoff=0.5)]
    return list(dict.fromkeys(near))[:3]
