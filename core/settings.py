"""The one table of settings, and their resolution from every source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values


@dataclass(frozen=True)
class Setting:
    """One configurable value: its variable, default, and whether it is secret."""

    env: str
    default: str | None
    secret: bool
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("COZE_WORKLOAD_IDENTITY_API_KEY", None, True,
            "Injected by the Coze sandbox; authenticates the sandbox route. Never set it by hand."),
    Setting("COZE_INTEGRATION_MODEL_BASE_URL", None, False,
            "Injected by the Coze sandbox, e.g. `https://integration.coze.cn/api/v3`."),
    Setting("OPENAI_API_KEY", None, True,
            "Key for an OpenAI-compatible provider that serves R1 (Ark, DeepSeek, OpenRouter, SiliconFlow)."),
    Setting("OPENAI_BASE_URL", None, False,
            "That provider's base URL, e.g. `https://ark.cn-beijing.volces.com/api/v3`."),
    Setting("COZE_API_TOKEN", None, True,
            "Coze personal access token (`pat_…`) for the Coze bot route; not needed inside the sandbox."),
    Setting("COZE_BOT_ID", None, False,
            "The Coze bot to chat with (published to the API); with `COZE_API_TOKEN` it selects the Coze bot route."),
    Setting("COZE_API_BASE", "https://api.coze.cn", False,
            "Coze Open API host: `https://api.coze.cn`, or `https://api.coze.com` for coze.com accounts."),
    Setting("COZE_USER_ID", None, False,
            "User id sent to the Coze bot; by default one per visitor (this machine's owner, a signed-in user, or a browser session), so a bot's memory is never shared."),
    Setting("R1_MODEL", "deepseek-r1-250528", False,
            "Model name sent to the endpoint (`deepseek-reasoner` on DeepSeek, `deepseek/deepseek-r1` on OpenRouter)."),
    Setting("R1_ROUTE", "auto", False,
            "`auto`, `coze-sandbox`, `coze-bot` or `openai`; an explicit choice beats auto-detection."),
    Setting("R1_MAX_TOKENS", "8192", False,
            "Default output budget per reply, reasoning included; adjustable in the sidebar."),
    Setting("R1_READ_TIMEOUT", "120", False,
            "Seconds to wait *between* streamed chunks before giving up (not a limit on the whole reply)."),
    Setting("R1_LOG_DIR", "logs", False,
            "Folder for the rotating log file, relative to the app folder unless absolute."),
    Setting("R1_DATA_DIR", "data", False,
            "Folder for the conversation database (`chats.db`, SQLite), relative to the app folder "
            "unless absolute. On a shared deployment only signed-in users' conversations are kept there."),
    Setting("R1_ADMIN_PASSWORD", None, True,
            "Set in `st.secrets` on a shared deployment: whoever enters it on Setup may save server files."),
)

BY_ENV = {s.env: s for s in SETTINGS}
SOURCES = ("session", "secrets", "environ", ".env.local", ".env", "default")
ENV_FILES = (".env.local", ".env")


@dataclass(frozen=True)
class Resolved:
    """A setting's winning value, where it came from, and every source that set it."""

    setting: Setting
    value: str | None
    source: str | None
    present_in: tuple[str, ...] = ()
    raw: str | None = None  # exactly as written in the winning source, for paste-error checks


@dataclass
class Layers:
    """The raw sources, highest precedence first, plus any problems reading them."""

    sources: dict[str, Mapping[str, str]]
    problems: list[tuple[str, str]] = field(default_factory=list)


def read_env_file(path: Path) -> tuple[dict[str, str], str | None]:
    """Read one dotenv file without touching os.environ; return (values, problem)."""
    if not path.is_file():
        return {}, None
    try:
        path.read_text(encoding="utf-8")
        values = dotenv_values(path, encoding="utf-8")
    except UnicodeDecodeError:
        return {}, "not UTF-8"
    except OSError as exc:
        return {}, exc.strerror or type(exc).__name__
    return {k: v for k, v in values.items() if v is not None}, None


def gather(app_dir: Path, environ: Mapping[str, str], secrets: Mapping[str, object] | None = None,
           session: Mapping[str, str] | None = None) -> Layers:
    """Collect every source into Layers, reading the env files in ``app_dir``."""
    flat_secrets = {k: str(v) for k, v in (secrets or {}).items() if isinstance(v, (str, int, float))}
    layers = Layers({"session": dict(session or {}), "secrets": flat_secrets, "environ": environ})
    for name in ENV_FILES:
        values, problem = read_env_file(app_dir / name)
        layers.sources[name] = values
        if problem:
            layers.problems.append((name, problem))
    return layers


def resolve(layers: Layers) -> dict[str, Resolved]:
    """Resolve every setting; the first source that sets a non-empty value wins.

    Precedence, highest first:

    1. ``session``  – a value typed into Setup for this browser session only;
    2. ``secrets``  – ``st.secrets`` (Streamlit also copies top-level secrets into
       the process environment, so a secret beats a shell variable of the same name);
    3. ``environ``  – the process environment;
    4. ``.env.local`` in the app folder;
    5. ``.env`` in the app folder;
    6. ``default``  – the default in ``SETTINGS``.
    """
    out = {}
    for setting in SETTINGS:
        present = tuple(name for name, src in layers.sources.items() if _clean(src.get(setting.env)))
        raw = None
        if present:
            source = present[0]
            raw = str(layers.sources[source][setting.env])
            value = _clean(raw)
        else:
            source, value = ("default", setting.default) if setting.default is not None else (None, None)
        out[setting.env] = Resolved(setting, value, source, present, raw)
    return out


def _clean(value: object) -> str | None:
    """Treat whitespace-only values as unset; trim the surrounding whitespace of the rest."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
