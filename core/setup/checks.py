"""Warnings by name: the misconfigurations users actually hit, each with the values its fix needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from core.chat import providers
from core.chat.endpoint import Detection, host_of
from core.chat.providers.base import Provider
from core.chat.providers.openai_compatible import LOOPBACK, identify
from core.place import Place
from core.redact import mask
from core.setup.binding import Held
from core.setup.presets import COZE_PAT_PREFIXES, COZE_TOKEN_URL, preset_for
from core.setup.settings import ENV_FILES, Layers, Resolved
from core.setup.valuechecks import (
    RANK,
    Finding,
    bare_token,
    base_url_problems,
    database_url_problems,
    foreign_prefix,
    setting_problems,
    token_problems,
    with_scheme,
)

SOURCE_PARAMS = ("winner", "source")  # hold source ids such as "environ"; shown by their names


def explain(finding: Finding, t) -> tuple[str, str]:
    """The finding's message and its fix in the language of ``t``, sources named as on Setup."""
    params = {k: t(f"source.{v}") if k in SOURCE_PARAMS and v else v for k, v in finding.params.items()}
    return t(f"check.{finding.kind}", **params), t(f"check.{finding.kind}.fix", **params)


OPENAI_KEY, OPENAI_URL = "OPENAI_API_KEY", "OPENAI_BASE_URL"
WORKLOAD_KEY, COZE_URL = "COZE_WORKLOAD_IDENTITY_API_KEY", "COZE_INTEGRATION_MODEL_BASE_URL"
COZE_TOKEN = "COZE_API_TOKEN"  # the Coze bot route's personal access token
TOKEN_SETTINGS = (OPENAI_KEY, WORKLOAD_KEY, COZE_TOKEN)
PLATFORM_SOURCES = ("secrets", "environ")  # set by whoever deployed the app, not by the visitor


# Findings that guess from a key's shape; a reply through the route proves the guess wrong.
GUESSES = {"coze_pat_on_openai_route", "non_coze_key_on_coze", "key_prefix_mismatch", "sandbox_key_prefix",
           "coze_token_not_pat", "token_placeholder"}


def find_problems(values: Mapping[str, Resolved], layers: Layers, detection: Detection, place: Place,
                  *, just_saved: Mapping[str, str] | None = None, admin_password_set: bool = False,
                  held: tuple[Held, ...] = ()) -> list[Finding]:
    """Every named misconfiguration in this configuration, errors first, then warnings, then info."""
    found = [Finding("env_file_unreadable", None, "warning", {"file": name, "problem": why})
             for name, why in layers.problems]
    found += [Finding("key_held", h.key, "error" if h.key == _key_of(detection) else "warning", {
        "setting": h.key, "url_setting": h.url, "home": h.home, "target": h.target}) for h in held]
    found += _shadowing(values, layers, just_saved or {})
    found += _coze_tokens(values, layers, detection)
    found += _paste_errors(values, layers, detection)
    found += _key_mismatches(values, layers, detection)
    found += _base_urls(values, detection)
    found += _exposure(values, detection, place, admin_password_set)
    found += setting_problems(values)
    found += database_url_problems(values)
    return sorted(found, key=lambda f: RANK.get(f.severity, len(RANK)))


def settle(findings: list[Finding], route_works: bool) -> list[Finding]:
    """Findings as they stand once Verify or the doctor has proved (or not) that the route works.

    A working route has no error beside it: guesses from a key's shape are dropped, and any other
    error is at most a warning (it did not stop the chat).
    """
    if not route_works:
        return findings
    kept = [f for f in findings if f.kind not in GUESSES]
    return [replace(f, severity="warning") if f.severity == "error" else f for f in kept]


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
        show = r.setting.shown
        out.append(Finding("shadowed_by_environ", name, "warning" if loud else "info", {
            "setting": name, "winner": r.source, "winner_value": show(r.value), "source": loser[0],
            "value": show(loser[1])}))
    return out


def _coze_tokens(values: Mapping[str, Resolved], layers: Layers, detection: Detection) -> list[Finding]:
    out = []
    source, raw = _lookup(layers, COZE_TOKEN)
    if source and _key_of(detection) != COZE_TOKEN:  # on the Coze bot route it is the key in use
        out.append(Finding("coze_token_unused", COZE_TOKEN, "warning", {
            "setting": COZE_TOKEN, "source": source, "value": mask(bare_token(raw)),
            "route": detection.route or "", "instead": _key_of(detection)}))
    key = values.get(WORKLOAD_KEY)
    if key and key.value and (key.source != "environ" or not _value(values, COZE_URL)):
        out.append(Finding("workload_key_outside_sandbox", WORKLOAD_KEY, "warning", {
            "setting": WORKLOAD_KEY, "source": key.source, "value": mask(bare_token(key.value))}))
    return out


def _paste_errors(values: Mapping[str, Resolved], layers: Layers, detection: Detection) -> list[Finding]:
    out = []
    local = host_of(_value(values, OPENAI_URL) or "") in LOOPBACK
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
    key, url = bare_token(_value(values, OPENAI_KEY) or ""), _value(values, OPENAI_URL)
    if key and url and _key_of(detection) != WORKLOAD_KEY:  # the sandbox reads neither
        provider, preset = identify(url)[0], preset_for(url)
        params = {"setting": OPENAI_KEY, "value": mask(key), "host": host_of(url) or url}
        if key.startswith(COZE_PAT_PREFIXES) and provider != "coze":
            out.append(Finding("coze_pat_on_openai_route", OPENAI_KEY, "error", params))
        elif provider == "coze" and _non_coze_prefix(key):
            out.append(Finding("non_coze_key_on_coze", OPENAI_KEY, "error", {**params, "prefix": _non_coze_prefix(key)}))
        elif preset.key_prefix and foreign_prefix(key) != preset.key_prefix:  # sk-or- on DeepSeek too
            out.append(Finding("key_prefix_mismatch", OPENAI_KEY, "warning", {
                **params, "prefix": preset.key_prefix, "provider": preset.name, "key_url": preset.key_url}))
    coze_host = host_of(_value(values, COZE_URL) or "") or "coze.cn"
    for name in (WORKLOAD_KEY, COZE_TOKEN):
        value = bare_token(_lookup(layers, name)[1] or "")
        prefix = _non_coze_prefix(value)
        if not prefix:
            continue
        params = {"setting": name, "value": mask(value), "prefix": prefix, "host": coze_host}
        if name == WORKLOAD_KEY:  # the platform injects it, in a format of its own choosing
            out.append(Finding("sandbox_key_prefix", name, "warning", params))
        else:
            out.append(_demote(Finding("coze_token_not_pat", name, "error",
                                       {**params, "token_url": COZE_TOKEN_URL}), name == _key_of(detection)))
    return out


def _base_urls(values: Mapping[str, Resolved], detection: Detection) -> list[Finding]:
    out = []
    for name in (OPENAI_URL, COZE_URL):
        r = values.get(name)
        if r and r.raw:
            # The injected sandbox URL has no preset path to insist on; only hand-typed ones are checked.
            preset = preset_for(with_scheme(r.raw.strip())) if name == OPENAI_URL else None
            active = name == _provider_of(detection).url_var
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


def _non_coze_prefix(key: str) -> str:
    """Another provider's prefix on a key meant for Coze (Coze's own ``pat_``/``sat_`` are fine)."""
    return "" if key.startswith(COZE_PAT_PREFIXES) else foreign_prefix(key)


def _provider_of(detection: Detection) -> Provider:
    """The active route's provider, or with no route yet the one a newcomer is asked to set up."""
    return providers.of(detection.route) if detection.route else providers.FIRST_CHOICE


def _key_of(detection: Detection) -> str:
    """The key variable the active (or, with no route yet, the likely) route reads."""
    return _provider_of(detection).key_var


def _demote(finding: Finding, active: bool) -> Finding:
    """A setting the active route does not read cannot make the chat fail: at most a warning."""
    return finding if active or finding.severity != "error" else replace(finding, severity="warning")


