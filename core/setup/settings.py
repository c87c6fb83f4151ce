"""The one table of settings — each with its type and range — and their resolution from every source."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from core.chat import providers
from core.chat.endpoint import MAX_TOKENS_CAP
from core.chat.providers.openai_compatible import DEFAULT_MODEL
from core.redact import mask, mask_url

KINDS = ("text", "secret", "url", "int", "float", "choice", "path", "database")
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")
# Why a database URL is refused when its password holds an "@" or "/" that is not percent-encoded.
UNENCODED = "a password with an unencoded @ or /"


@dataclass(frozen=True)
class Setting:
    """One configurable value: its variable, default, type (``kind``) with its range, and help."""

    env: str
    default: str | None
    kind: str  # one of KINDS; "secret" values are masked everywhere, a "database" URL's password too
    help: str
    minimum: float | None = None  # int and float kinds: inclusive bounds
    maximum: float | None = None
    choices: tuple[str, ...] = ()  # choice kind: the accepted values, lower case

    @property
    def secret(self) -> bool:
        """Whether the value is a credential that is only ever shown masked."""
        return self.kind == "secret"

    def shown(self, value: object) -> str:
        """``value`` as a page, a log or a report may show it: a secret masked, a URL's password too."""
        if value is None:
            return ""
        if self.secret:
            return mask(str(value))
        if self.kind != "database":
            return str(value)
        # Not even URL-shaped, a database value may be a password pasted alone: masked as a secret.
        return mask_url(str(value)) if "://" in str(value) else mask(str(value))


SETTINGS: tuple[Setting, ...] = (
    Setting("COZE_WORKLOAD_IDENTITY_API_KEY", None, "secret",
            "Injected by the Coze sandbox; authenticates the sandbox route. Never set it by hand."),
    Setting("COZE_INTEGRATION_MODEL_BASE_URL", None, "url",
            "Injected by the Coze sandbox, e.g. `https://integration.coze.cn/api/v3`."),
    Setting("OPENAI_API_KEY", None, "secret",
            "Key for an OpenAI-compatible provider that serves R1 (Ark, DeepSeek, OpenRouter, SiliconFlow)."),
    Setting("OPENAI_BASE_URL", None, "url",
            "That provider's base URL, e.g. `https://ark.cn-beijing.volces.com/api/v3`."),
    Setting("COZE_API_TOKEN", None, "secret",
            "Coze personal access token (`pat_…`) for the Coze bot route; not needed inside the sandbox."),
    Setting("COZE_BOT_ID", None, "text",
            "The Coze bot to chat with (published to the API); with `COZE_API_TOKEN` it selects the Coze bot route."),
    Setting("COZE_API_BASE", "https://api.coze.cn", "url",
            "Coze Open API host: `https://api.coze.cn`, or `https://api.coze.com` for coze.com accounts."),
    Setting("COZE_USER_ID", None, "text",
            "User id sent to the Coze bot; by default one per visitor (this machine's owner, a signed-in user, or a browser session), so a bot's memory is never shared."),
    Setting("R1_MODEL", DEFAULT_MODEL, "text",
            "Model name sent to the endpoint (`deepseek-reasoner` on DeepSeek, `deepseek/deepseek-r1` on OpenRouter)."),
    Setting("R1_ROUTE", "auto", "choice",
            "The route to chat through; an explicit choice beats auto-detection, which `auto` keeps.",
            choices=("auto", *providers.ROUTES)),
    Setting("R1_MAX_TOKENS", "8192", "int",
            "Default output budget per reply, reasoning included; adjustable in the sidebar.",
            minimum=256, maximum=MAX_TOKENS_CAP),
    Setting("R1_READ_TIMEOUT", "120", "float",
            "Seconds to wait *between* streamed chunks before giving up (not a limit on the whole reply).",
            minimum=1, maximum=3600),  # under a second no provider starts; an hour is a hung connection
    Setting("R1_MAX_REPLIES", "20", "int",
            "Replies the server generates at once, all visitors together; a question asked beyond it "
            "stays in the input with a message.", minimum=1, maximum=500),
    Setting("R1_MAX_REPLIES_PER_VISITOR", "3", "int",
            "Replies one visitor may have generating at once, each in its own conversation.",
            minimum=1, maximum=50),
    Setting("R1_CONFIG_DIR", ".", "path",
            "Folder holding `.env.local` and `.env` (Setup saves there), relative to the app folder unless "
            "absolute; read from the process environment only."),
    Setting("R1_LOG_DIR", "logs", "path",
            "Folder for the rotating log file, relative to the app folder unless absolute."),
    Setting("R1_DATA_DIR", "data", "path",
            "Folder for the conversation database (`chats.db`, SQLite), relative to the app folder "
            "unless absolute. On a shared deployment only signed-in users' conversations are kept there."),
    Setting("R1_DATABASE_URL", None, "database",
            "Where conversations are kept: unset for SQLite in `R1_DATA_DIR`, or a PostgreSQL URL "
            "(`postgresql://user:password@host:5432/db`) that several app replicas share. Its password "
            "is masked wherever the URL is shown; an `@` or `/` in it is written `%40` or `%2F`."),
    Setting("R1_ADMIN_PASSWORD", None, "secret",
            "Set in `st.secrets` on a shared deployment: whoever enters it on Setup may save server files."),
)

BY_ENV = {s.env: s for s in SETTINGS}
SOURCES = ("session", "secrets", "environ", ".env.local", ".env", "default")
ENV_FILES = (".env.local", ".env")


Parsed = tuple[object, str | None]  # (the typed value, None), or (None, why the text is not one)
# ASCII digits only: Python's int() reads "４０９６" as 4096, but no shell or other tool does.
INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # no "inf", "nan", "1_000"


def parse(setting: Setting, text: str) -> Parsed:
    """Turn ``text`` into ``setting``'s typed value: ``(value, None)``, or ``(None, why not)``."""
    return PARSERS[setting.kind](setting, text.strip())


def _text(setting: Setting, text: str) -> Parsed:
    return text, None


def _url(setting: Setting, text: str) -> Parsed:
    # Only the shape, the same test as base_url_problems' url_not_http (core.setup.valuechecks), which
    # holds the detailed checks: a path doubled or missing, a /chat/completions suffix, plain http.
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # "http://[::1": an unclosed bracket
        return None, "not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return None, "not an http(s) URL with a host"
    return text, None


def _database(setting: Setting, text: str) -> Parsed:
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None, "not a URL"
    if parts.scheme not in DATABASE_SCHEMES:
        return None, "not a sqlite:/// or postgresql:// URL"
    if parts.scheme != "sqlite" and not (host and parts.path.strip("/")):
        return None, "no host or database name"
    if parts.scheme != "sqlite" and ("@" in parts.netloc.rpartition("@")[0].partition(":")[2]
                                     or "@" in parts.path):
        return None, UNENCODED  # user:p@ss@host or user:p/w@host: a driver would look for host "ss"
    return text, None


def _int(setting: Setting, text: str) -> Parsed:
    if not INTEGER.fullmatch(text):
        return None, "not a whole number"
    return _in_range(setting, int(text))


def _float(setting: Setting, text: str) -> Parsed:
    if not NUMBER.fullmatch(text):
        return None, "not a number"
    return _in_range(setting, float(text))


def _in_range(setting: Setting, number: float) -> Parsed:
    if setting.minimum is not None and number < setting.minimum:
        return None, f"below {setting.minimum:g}"
    if setting.maximum is not None and number > setting.maximum:
        return None, f"above {setting.maximum:g}"
    return number, None


def _choice(setting: Setting, text: str) -> Parsed:
    low = text.lower()
    return (low, None) if low in setting.choices else (None, "not one of " + ", ".join(setting.choices))


def _path(setting: Setting, text: str) -> Parsed:
    if not text or any(not c.isprintable() for c in text):  # a NUL makes every file call raise
        return None, "empty or contains control characters"
    try:
        return Path(text).expanduser(), None
    except RuntimeError:  # "~nobody/data": a home folder that does not exist
        return None, "unknown home folder"


PARSERS: dict[str, Callable[[Setting, str], Parsed]] = {
    "text": _text, "secret": _text, "url": _url, "int": _int, "float": _float, "choice": _choice,
    "path": _path, "database": _database}


def typed_value(setting: Setting, value: str | None) -> Parsed:
    """The value consumers use for ``value`` and, if it is not valid, why: a bad value gives the default."""
    if value is None:
        return None, None
    typed, problem = parse(setting, value)
    if problem is None:
        return typed, None
    # With no default, a route's base URL stays as written: "unset" would report a written URL as
    # missing, and base_url_problems already names the URL the chat would call. A bad database URL
    # means SQLite, its default, until it is fixed.
    if setting.default is not None:
        return parse(setting, setting.default)[0], problem
    return (value if setting.kind == "url" else None), problem


@dataclass(frozen=True)
class Resolved:
    """A setting's winning value, where it came from, every source that set it, and its typed value."""

    setting: Setting
    value: str | None  # the cleaned text, for display
    source: str | None
    present_in: tuple[str, ...] = ()
    raw: str | None = None  # exactly as written in the winning source, for paste-error checks
    typed: object = field(init=False, compare=False)  # what the app uses: the default if value is bad
    problem: str | None = field(init=False, compare=False)  # why value is bad, None when it is fine

    def __post_init__(self) -> None:
        typed, problem = typed_value(self.setting, self.value)
        object.__setattr__(self, "typed", typed)
        object.__setattr__(self, "problem", problem)

    def __repr__(self) -> str:
        # A token never appears in full, not even in a traceback or a debugger.
        masked = self.setting.secret or self.setting.kind == "database"
        shown = (lambda v: repr(self.setting.shown(v)) if v is not None else "None") if masked else repr
        return (f"Resolved({self.setting.env}, value={shown(self.value)}, source={self.source!r}, "
                f"present_in={self.present_in!r}, raw={shown(self.raw)}, typed={shown(self.typed)}, "
                f"problem={self.problem!r})")


@dataclass
class Layers:
    """The raw sources, highest precedence first, plus any problems reading them."""

    sources: dict[str, Mapping[str, str]]
    problems: list[tuple[str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        # The sources hold the whole process environment and every secret: name them, count them.
        counts = {name: len(values) for name, values in self.sources.items()}
        return f"Layers(sources={counts!r}, problems={self.problems!r})"


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
