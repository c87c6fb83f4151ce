"""The Setup wizard's logic: a draft from the form, its endpoint, and where Save may store it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.chat import providers
from core.chat.endpoint import Endpoint
from core.place import Place
from core.redact import mask
from core.setup import envfile, valuechecks
from core.setup.binding import Held
from core.setup.config import Config, from_layers
from core.setup.presets import BY_ID, Preset, for_route, preset_for
from core.setup.settings import SETTINGS, Layers, Resolved

ENV_FILE = ".env.local"


@dataclass(frozen=True)
class Draft:
    """What the user entered: a preset, and a token / base URL / model (blank token = keep)."""

    preset_id: str
    token: str = field(repr=False)
    base_url: str
    model: str

    @property
    def preset(self) -> Preset:
        """The chosen route or provider."""
        return BY_ID[self.preset_id]


@dataclass(frozen=True)
class SaveOutcome:
    """Where Save put the values, or why it could not."""

    where: str  # "file" | "session" | "nothing" | "refused" | "invalid" | "incomplete" | "conflict"
    values: dict[str, str] = field(repr=False)
    result: envfile.SaveResult | None = None
    error: envfile.EnvFileError | None = None
    held: Held | None = None  # refused: the draft moved a configured key's host without a key
    missing: tuple[str, ...] = ()  # incomplete: what the route still needs
    # conflict: since the page read the file, someone else saved a variable this save writes;
    # nothing was written. The file as they left it (an Overwrite expects that one), and all they
    # set (None: removed).
    theirs: envfile.Snapshot | None = None
    their_changes: dict[str, str | None] = field(default_factory=dict, repr=False)


def initial_draft(config: Config) -> Draft:
    """A draft that mirrors what is configured now (the token itself is never put in a form)."""
    route = config.detection.route
    provider = providers.of(route) if route else providers.FIRST_CHOICE
    own = for_route(provider.route)
    if len(own) == 1:  # a route with one preset (a Coze route)
        return preset_draft(own[0].id, config)
    base_url = _value(config.values, provider.url_var)
    return preset_draft(preset_for(base_url).id if base_url else "ark", config)  # a newcomer starts on Ark


def preset_draft(preset_id: str, config: Config) -> Draft:
    """The form for a preset: what is configured for it now, else the preset's own defaults.

    Values configured for another provider of the same route are not carried over: a switch to
    DeepSeek starts from DeepSeek's URL, a switch back finds the configured one again.
    """
    preset = BY_ID[preset_id]
    provider = providers.of(preset.route)
    base_url, model = _value(config.values, provider.url_var), _value(config.values, provider.model_var)
    if len(for_route(preset.route)) > 1 and not (base_url and preset_for(base_url).id == preset.id):
        base_url = model = ""
    return Draft(preset.id, "", base_url or preset.base_url, model or preset.model)


def form_problems(draft: Draft) -> list:
    """What is wrong with the typed key and base URL (pasted quotes, ``Bearer``, a doubled path…)."""
    provider = providers.of(draft.preset.route)
    if not provider.url_editable:
        return []
    return (valuechecks.token_problems(provider.key_var, draft.token)
            + valuechecks.base_url_problems(provider.url_var, draft.base_url, draft.preset))


def route_pin(draft: Draft, config: Config) -> dict[str, str]:
    """``R1_ROUTE`` for the draft's route when the saved values alone would select another one
    (a Coze bot configured beside a newly saved OpenAI-compatible provider would still win)."""
    chosen = _over(config, draft_values(draft)).detection.route
    return {} if chosen == draft.preset.route else {"R1_ROUTE": draft.preset.route}


def draft_values(draft: Draft) -> dict[str, str]:
    """The variables a Save of this draft writes: what its fields hold, blank fields left out (a
    blank key keeps the configured one; an injected URL is the platform's)."""
    provider = providers.of(draft.preset.route)
    fields = ((provider.key_var, draft.token), (provider.url_var if provider.url_editable else None, draft.base_url),
              (provider.model_var, draft.model))
    return {var: value.strip() for var, value in fields if var and value.strip()}


def draft_config(draft: Draft, config: Config) -> Config:
    """The configuration this draft would give: its values as a top layer over today's sources.

    The draft is what a visitor typed, so a key from below is held back from a host it changed
    (``core.setup.binding``).
    """
    return _over(config, {**draft_values(draft), "R1_ROUTE": draft.preset.route})


def _over(config: Config, values: Mapping[str, str]) -> Config:
    """The configuration with ``values`` as a top "draft" layer (a visitor's source, see core.setup.binding)."""
    return from_layers(Layers({"draft": dict(values), **config.layers.sources}, list(config.layers.problems)))


def held_key(draft: Draft, config: Config) -> Held | None:
    """The configured key this draft would need for another host, if it brings none of its own."""
    key = providers.of(draft.preset.route).key_var
    return next((h for h in draft_config(draft, config).held if h.key == key), None)


def reuse_key(draft: Draft, config: Config) -> Draft:
    """The draft carrying the configured key itself: the owner confirmed sending it to the new host."""
    resolved = config.values.get(providers.of(draft.preset.route).key_var)
    return replace(draft, token=resolved.value or "") if resolved else draft


def fingerprint(endpoint: Endpoint | None) -> str:
    """A digest of what a Verify proves (route, URL, key, model, bot), to tell whether it still applies."""
    if endpoint is None:
        return ""
    parts = (endpoint.route, endpoint.base_url, endpoint.api_key, endpoint.model, endpoint.bot_id)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def described(values: Mapping[str, str]) -> str:
    """The written variables by name, a secret with its masked fingerprint: what the file now holds."""
    secret = {s.env for s in SETTINGS if s.secret}
    return ", ".join(f"`{name}` ({mask(value)})" if name in secret else f"`{name}`"
                     for name, value in values.items())


def may_write_files(place: Place, admin_password: str | None, entered: str) -> bool:
    """Server files are written on the owner's own machine, or by someone who knows the admin password."""
    if not place.shared:
        return True
    return bool(admin_password) and hmac.compare_digest(admin_password.encode(), entered.encode())


def read_env_file(app_dir: Path) -> envfile.Snapshot:
    """``.env.local`` as it is now, so a later Save can tell whether someone else changed it meanwhile."""
    return envfile.snapshot(Path(app_dir) / ENV_FILE)


def save(draft: Draft, config: Config, app_dir: Path, session_values: MutableMapping[str, str],
         writable: bool, held: Held | None = None, seen: envfile.Snapshot | None = None) -> SaveOutcome:
    """Store the draft: in ``.env.local`` when ``writable``, else for this browser session only.

    Refused, with nothing written: a draft that would pair a configured key with another host
    (``held``: saved, it would hand that key to the new host on the next chat); one whose key or
    URL has an error-level mistake; one that leaves its route unable to chat; and, given ``seen``
    (the file as the page read it), one whose variables someone else set, changed or removed in
    the file since: a "conflict". Their edits to other variables are kept, not a conflict.
    """
    if held is not None and not draft.token.strip():
        return SaveOutcome("refused", {}, held=held)
    if any(f.severity == "error" for f in form_problems(draft)):
        return SaveOutcome("invalid", {})
    target = draft_config(draft, config).detection
    if target.endpoint is None:
        return SaveOutcome("incomplete", {}, missing=target.missing)
    values = {**draft_values(draft), **route_pin(draft, config)}
    if not values:
        return SaveOutcome("nothing", values)
    if not writable:
        session_values.update(values)
        return SaveOutcome("session", values)
    return _save_file(Path(app_dir) / ENV_FILE, values, session_values, seen)


def _save_file(path: Path, values: dict[str, str], session_values: MutableMapping[str, str],
               seen: envfile.Snapshot | None) -> SaveOutcome:
    """Write ``values`` to the env file unless someone else changed one of them since the page saw it."""
    try:
        result = envfile.save(path, values, expected=seen)
    except envfile.EnvFileError as exc:
        if exc.kind == "conflict" and seen is not None:
            theirs = envfile.snapshot(path)  # what the warning names is what an Overwrite replaces
            return SaveOutcome("conflict", values, theirs=theirs, their_changes=changes(seen, theirs))
        return SaveOutcome("file", values, error=exc)
    for name in values:  # the file now holds them; a stale session copy must not shadow it
        session_values.pop(name, None)
    return SaveOutcome("file", values, result=result)


def changes(before: envfile.Snapshot, after: envfile.Snapshot) -> dict[str, str | None]:
    """The variables set or changed between two reads of the file, by name (None: removed)."""
    names = dict.fromkeys([*after.values, *before.values])  # the file's order, then the removed ones
    return {name: after.values.get(name) for name in names if after.values.get(name) != before.values.get(name)}


def secrets_block(draft: Draft) -> str:
    """The Community Cloud block for this draft; the key line is there even when the field is empty."""
    values = draft_values(draft)
    key = providers.of(draft.preset.route).key_var
    return secrets_toml({key: values.pop(key, ""), **values}) if values else ""


def secrets_toml(values: Mapping[str, str]) -> str:
    """A block to paste into Community Cloud's Secrets; a secret is left as a placeholder.

    The page never shows a token in full, so the user pastes their own key where it says so.
    """
    secret = {s.env for s in SETTINGS if s.secret}
    lines = ["# Streamlit Community Cloud → your app → Settings → Secrets"]
    for name, value in values.items():
        if name in secret:
            lines.append(f"# paste your full key ({mask(value)}) between the quotes" if value
                         else "# paste your full key between the quotes")
            value = ""
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'{name} = "{escaped}"')
    return "\n".join(lines) + "\n"


def _value(values: Mapping[str, Resolved], name: str) -> str:
    resolved = values.get(name)
    return (resolved.value or "") if resolved else ""
