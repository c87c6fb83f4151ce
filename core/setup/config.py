"""Load the app's configuration in one call: resolved settings plus the detected route."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from core.chat.endpoint import Detection
from core.redact import PASSWORD_PARAM, URL_PASSWORD
from core.setup.binding import Held, held_keys, without_keys
from core.setup.routes import detect
from core.setup.settings import BY_ENV, Layers, Resolved, gather, resolve, typed_value


@dataclass(frozen=True)
class Config:
    """What the pages read: every setting with its source, the route, and file problems."""

    values: dict[str, Resolved]
    detection: Detection
    layers: Layers
    held: tuple[Held, ...] = ()  # keys not sent to the URL a visitor typed (core.setup.binding)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """Env files that could not be read: (file name, why)."""
        return self.layers.problems

    @property
    def ready(self) -> bool:
        """Whether a route has everything it needs to chat."""
        return self.detection.endpoint is not None

    def secrets(self) -> list[str]:
        """Every secret value in play, for log redaction."""
        found = [r.value for r in self.values.values() if r.setting.secret and r.value]
        # A database URL's password may also show up on its own, in a driver's message.
        found += [password for r in self.values.values() if r.setting.kind == "database" and r.value
                  for password in _passwords(r.value)]
        return found

    def rows(self) -> list[dict]:
        """One display row per setting; secret values masked."""
        return [{"variable": name, "set": r.value is not None and r.source != "default",
                 "source": r.source or "", "value": r.setting.shown(r.value),
                 "also_in": ", ".join(r.present_in[1:])}
                for name, r in self.values.items()]


def load(app_dir: Path, environ: Mapping[str, str], secrets: Mapping[str, object] | None = None,
         session: Mapping[str, str] | None = None) -> Config:
    """Read every source (see ``core.setup.settings.resolve`` for precedence) and detect the route."""
    return from_layers(gather(app_dir, environ, secrets, session))


def from_layers(layers: Layers) -> Config:
    """Resolve ``layers`` and detect the route, never pairing an owner's key with a visitor's URL.

    ``values`` show every source truthfully (the Setup table); the route is detected as if a held
    key were not set, so the chat, Verify and the doctor never send it to the other host.
    """
    values = resolve(layers)
    held = held_keys(values, layers)
    bound = resolve(without_keys(layers, {h.key for h in held})) if held else values
    return Config(values, detect(bound), layers, tuple(held))


def config_dir(environ: Mapping[str, str], app_dir: Path) -> Path:
    """Where ``.env.local`` and ``.env`` live: ``R1_CONFIG_DIR`` from the environment (they cannot
    name their own folder), relative to ``app_dir`` unless absolute; ``app_dir`` when unset or bad."""
    setting = BY_ENV["R1_CONFIG_DIR"]
    folder, _ = typed_value(setting, (environ.get(setting.env) or "").strip() or setting.default)
    return folder if folder.is_absolute() else app_dir / folder  # a bad value gave the default


def _passwords(url: str) -> set[str]:
    """The password in ``url`` as written and percent-decoded (a driver's message shows it decoded),
    from its ``user:password@`` part up to the last ``@`` or from a ``password=`` parameter."""
    written = [m.group(2) for pattern in (URL_PASSWORD, PASSWORD_PARAM) for m in pattern.finditer(url)]
    return {p for w in written for p in (w, unquote(w))}
