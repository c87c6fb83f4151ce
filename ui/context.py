"""What every script reads, computed once per run by the router: configuration, place, language and
logs; and this visitor's conversation store and endpoint (Streamlit glue; core stays pure).

The pages live in ``app_pages/``, not ``pages/``: Streamlit's legacy auto-discovery ran the first
request for ``/setup`` from a ``pages/`` folder without the router (no navigation, no language switch).
"""

import os
import time
import uuid
from pathlib import Path

import streamlit as st

from core import i18n, logs, place
from core.chat import session
from core.conversations import database, visibility
from core.conversations.database import MEMORY, sqlite_path
from core.conversations.migrations import SchemaMismatch
from core.conversations.outages import Outages
from core.conversations.store import Store, open_store
from core.redact import mask_url, redact
from core.replies.registry import Limits, Replies
from core.setup import config
from core.setup.settings import UNENCODED, Resolved

APP_DIR = Path(__file__).resolve().parents[1]
SAVED_LIMIT = 1_000_000  # counting a read-only file's conversations: all of them
# Why the data folder could not be used, in words (never an exception's class name on a page).
WHY = {"read_only": "chats.keep.why.read_only", "disk_full": "chats.keep.why.disk_full",
       "not_a_folder": "chats.keep.why.not_a_folder", "permission": "chats.keep.why.permission",
       "locked": "chats.keep.why.locked", "damaged": "chats.keep.why.damaged",
       "cannot_open": "chats.keep.why.cannot_open", "disk_error": "chats.keep.why.disk_error",
       "version": "chats.keep.why.version", "other": "chats.keep.why.other",
       "unreachable": "chats.keep.why.unreachable", "auth": "chats.keep.why.auth",
       "no_database": "chats.keep.why.no_database", "busy": "chats.keep.why.busy"}
# A server database failing so is not waited out: someone must change R1_DATABASE_URL or the app.
LASTING = frozenset({"auth", "no_database", "version"})
_logged: set[str] = set()  # settings problems already in the log: a page reruns on every click
_down: dict[str, str] = {}  # each database's failure as last logged, until it answers again
# Databases served from their read-only copy, and what blocked them. Kept until restart, so that
# making the folder writable mid-run does not hide what was typed into the copy meanwhile.
_copied: dict[str, Path] = {}


def back(url: str) -> None:
    """Log that the server database at ``url`` answers again, when its outage was logged: the next
    outage is then logged too, and the log tells when each began and ended."""
    if _down.pop(url, None) is not None:
        logs.get().info("conversation database answers again: %s", mask_url(url))


# Server databases that failed lately: while one is down, page runs do not each wait to connect.
OUTAGES = Outages(on_back=back)


def read_secrets() -> dict:
    """st.secrets as a plain mapping; no secrets file is a normal state, not an error."""
    try:
        return dict(st.secrets)
    except Exception:  # Streamlit raises its own error type when no secrets.toml exists
        return {}


def load():
    """Set defaults once per session, read configuration and place for this run; return the translator.

    The router calls it once per run, before the page; the page reads what it set.
    """
    state = st.session_state
    for name, default in (("session_values", {}), ("visitor_id", uuid.uuid4().hex)):
        if name not in state:
            state[name] = default
    secrets = read_secrets()
    state.config_dir = config.config_dir(os.environ, APP_DIR)  # where .env.local / .env live
    cfg = config.load(state.config_dir, os.environ, secrets, state.session_values)
    state.config = cfg
    state.admin_password = str(secrets.get("R1_ADMIN_PASSWORD") or "") or None
    state.auth_configured = "auth" in secrets  # an [auth] section: Streamlit sign-in is available
    client_ip = st.context.ip_address
    state.place = place.detect_place(os.environ, APP_DIR, st.get_option("server.address"),
                                     client_ip if isinstance(client_ip, str) else None,
                                     dict(st.context.headers or {}))
    log_dir = cfg.values["R1_LOG_DIR"].typed  # a Path: the default for a bad value (a NUL, an unknown ~user)
    logs.setup(log_dir if log_dir.is_absolute() else APP_DIR / log_dir, cfg.secrets())
    if "lang" not in state:  # a language chosen earlier is in the address, so a refresh keeps it
        chosen = st.query_params.get("lang")
        state.lang = chosen if chosen in i18n.LANGUAGES else i18n.from_locale(st.context.locale)
        state.lang_chosen = chosen in i18n.LANGUAGES
    if state.lang_chosen:
        st.query_params["lang"] = state.lang  # again on every run: switching pages drops it
    return translator()


def choose_language(lang: str) -> None:
    """The visitor picked a language: it holds for this session and, through the address, a refresh."""
    st.session_state.lang, st.session_state.lang_chosen = lang, True
    st.query_params["lang"] = lang


def translator():
    """``t(key, **params)`` in this session's language (a page's one line of set-up)."""
    return i18n.translator(st.session_state.lang)


@st.cache_resource(show_spinner=False)
def shared_store(url: str) -> Store:
    """One store per database file for the whole server process (opened, migrated, recovered once)."""
    return open_store(url)


@st.cache_resource(show_spinner=False)
def read_only_copy(url: str) -> tuple[Store, float]:
    """An in-memory copy of the read-only database file at ``url``, made once per server process,
    and when it was made: the file is never written, new messages live until the app restarts."""
    copied_at = time.time()
    return open_store(database.memory_copy_url(url)), copied_at


@st.cache_resource(show_spinner=False)
def replies() -> Replies:
    """The server process's replies in progress: they belong to the server, not to a page."""
    return Replies()


def reply_limits() -> Limits:
    """How many replies may generate at once, per visitor and in the process, as configured."""
    values = st.session_state.config.values
    return Limits(values["R1_MAX_REPLIES_PER_VISITOR"].typed, values["R1_MAX_REPLIES"].typed)


def visitor(keeping: visibility.Keeping) -> str:
    """Who this visitor is, for their share of the replies generating at once."""
    return visibility.visitor_key(keeping, st.session_state.visitor_id)


def signed_in_user() -> tuple[str | None, str]:
    """The signed-in visitor's stable key and display name when Streamlit auth is in use."""
    try:
        user = st.user
        if user.is_logged_in:
            return visibility.identity(user.to_dict())
    except Exception:  # no [auth] configured
        pass
    return None, ""


def endpoint_for(keeping: visibility.Keeping):
    """The active endpoint, carrying this visitor's own id where the upstream keeps per-user state."""
    return session.for_visitor(st.session_state.config.detection.endpoint, visitor(keeping))


def chats() -> tuple[Store | None, visibility.Keeping, tuple[str, dict] | None]:
    """This visitor's conversation store, how it is kept, and (message key, its parameters) when
    the data folder is read-only or could not be used; no store while a server database cannot be
    used (the chat page then waits for it: ``ui.outage``)."""
    state = st.session_state
    folder = visibility.data_dir(str(state.config.values["R1_DATA_DIR"].typed), APP_DIR)  # the default if bad
    server = state.config.values["R1_DATABASE_URL"].typed  # None: SQLite in the data folder
    keeping = visibility.decide(state.place, folder, state.auth_configured, *signed_in_user(),
                                database_url=server)
    if keeping.url == MEMORY:
        return session_store(), keeping, None
    if bad_url := unusable_url(state.config.values["R1_DATABASE_URL"]):
        return None, keeping, bad_url
    if database.server(keeping.url):
        return server_store(keeping, folder)
    try:
        if blocked := _copied.get(keeping.url) or database.read_only(keeping.url):
            _copied[keeping.url] = blocked  # readable, not writable: show it, keep new ones in memory
            store, copied_at = read_only_copy(keeping.url)
            return store, keeping, read_only_notice(store, keeping.owner, copied_at, blocked)
        return shared_store(keeping.url), keeping, None
    except Exception as exc:  # unwritable folder, a database from a newer app: say so, keep chatting
        error = failure(exc, keeping.url, folder)
    return session_store(), visibility.Keeping("session", keeping.owner, MEMORY), error


def unusable_url(setting: Resolved) -> tuple[str, dict] | None:
    """Why ``R1_DATABASE_URL`` is set but names no database a driver can use, as (message key, its
    parameters); ``None`` when it is unset or fine. Such a URL is not taken for "unset": a team's
    replicas would each keep conversations in a file of their own, apart, and nobody would know."""
    if setting.value is None or setting.problem is None:
        return None
    if setting.problem not in _logged:
        _logged.add(setting.problem)
        logs.get().warning("R1_DATABASE_URL is not usable (%s): no conversation is kept until it is fixed",
                           setting.problem)
    return "chats.keep.unencoded_server" if setting.problem == UNENCODED else "chats.keep.bad_url_server", {}


def server_store(keeping: visibility.Keeping, folder: Path) -> tuple[Store | None, visibility.Keeping,
                                                                      tuple[str, dict] | None]:
    """The server database's store once it answers; else ``None`` and why, in words. Unlike a
    data folder, it is not swapped for one in memory: its conversations are only out of reach."""
    try:
        return OUTAGES.use(keeping.url, lambda: answering(shared_store(keeping.url))), keeping, None
    except Exception as exc:  # down, restarting, a wrong password: say so; the page tries again
        return None, keeping, failure(exc, keeping.url, folder)


def answering(store: Store) -> Store:
    """``store`` once its database answered just now (a server may have gone away since it opened)."""
    store.db.ping()
    return store


def database_failure(url: str) -> Exception | None:
    """Why the server database at ``url`` cannot be used now, or ``None`` once it can (asked at most
    every few seconds, however many pages ask: an answer or a failure is shared that long)."""
    return OUTAGES.check(url, lambda: answering(shared_store(url)))


def problem(exc: Exception) -> str:
    """Why the database could not be used, as a word (``core.conversations.database.problem``, and
    ``version`` for a database a newer app wrote)."""
    return "version" if isinstance(exc, SchemaMismatch) else database.problem(exc)


def lasting(url: str) -> bool:
    """Whether the server database at ``url`` fails in a way only an administrator fixes (a refused
    password, no such database, a newer schema), not one that passes with time (a restart)."""
    exc = OUTAGES.failure(url)
    return exc is not None and problem(exc) in LASTING


def database_lost(exc: Exception) -> bool:
    """Whether ``exc``, met in the middle of a page run, came from the server database (it then
    counts as down, so the next run waits for it instead of failing again)."""
    url = st.session_state.config.values["R1_DATABASE_URL"].typed
    if not url or not database.server(url) or database.problem(exc) == "other":
        return False
    OUTAGES.record(url, exc)
    return True


def rerun_if_lost(exc: Exception) -> None:
    """Run the page again when ``exc`` came from the server database, which it then waits for
    (``ui.outage``) instead of showing a traceback; any other error is raised again."""
    if not database_lost(exc):
        raise exc
    st.rerun(scope="app")


def session_store() -> Store:
    """A store private to this browser session, gone with it."""
    if "session_store" not in st.session_state:
        st.session_state.session_store = open_store(MEMORY)
    return st.session_state.session_store


def read_only_notice(store: Store, owner: str, copied_at: float, blocked: Path) -> tuple[str, dict]:
    """The sidebar's warning for a read-only database: how many saved conversations it shows,
    and what to make writable (visitors of a shared deployment are not told the server's paths)."""
    saved = sum(c.created <= copied_at for c in store.list(owner, "", SAVED_LIMIT))
    if st.session_state.place.shared:
        return "chats.keep.read_only_shared", {"n": saved}
    return "chats.keep.read_only", {"n": saved, "path": shown(blocked)}


def failure(exc: Exception, url: str, folder: Path) -> tuple[str, dict]:
    """The sidebar's warning for a data folder that could not be used, the problem named in words;
    the technical cause goes to the log (once per outage and cause), not to the page."""
    refused = database.problem(exc) in LASTING  # a newer schema is named apart, as a mismatch
    if (cause := redact(f"{url}: {exc!r}")) != _down.get(url):  # a server URL's password stays out
        _down[url] = cause
        instead = ("keeping this session's in memory" if not database.server(url)
                   else "until R1_DATABASE_URL is fixed" if refused else "waiting for it")
        logs.get().warning("conversation database could not be used, %s: %s", instead, cause)
    mismatch = isinstance(exc, SchemaMismatch)
    t = translator()
    why = t(WHY[problem(exc)])
    where = mask_url(url) if database.server(url) else shown(folder)
    detail = why if st.session_state.place.shared else t("chats.keep.where", where=where, why=why)
    if database.server(url):
        key = ("chats.keep.mismatch_server" if mismatch else
               "chats.keep.refused_server" if refused else "chats.keep.failed_server")
        return key, {"error": detail}
    return ("chats.keep.mismatch" if mismatch else "chats.keep.failed"), {"error": detail}


def write_failure(key: str, exc: Exception) -> str:
    """The message ``key`` for a failed write, with the problem in the page's language (never the
    driver's English) and the fix for a data folder or a database server; the cause goes to the log."""
    logs.get().warning("conversation database error: %s", redact(str(exc)))
    url = st.session_state.config.values["R1_DATABASE_URL"].typed
    fix = "chats.fix.server" if url and database.server(url) else "chats.fix.folder"
    t = translator()
    return t(key, error=t(WHY[database.problem(exc)]), fix=t(fix))


def shown_path(store: Store) -> str:
    """The database as the page names it: a file relative to the app folder when inside it, a
    server's URL with its password masked."""
    if database.server(store.db.url):
        return mask_url(store.db.url)
    return shown(Path(sqlite_path(store.db.url)))


def shown(path: Path) -> str:
    """A path as the page names it: relative to the app folder when inside it."""
    try:
        return str(path.relative_to(APP_DIR))
    except ValueError:
        return str(path)
