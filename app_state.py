"""Per-session state every script needs, loaded on every run (Streamlit glue; core stays pure).

The router calls ``init()`` on every run, before the page. The pages live in ``app_pages/``, not
``pages/``: Streamlit's legacy auto-discovery ran the first request for ``/setup`` from a ``pages/``
folder without the router (no navigation, no language switch).
"""

import os
import uuid
from pathlib import Path

import streamlit as st

from core import i18n, logs, place
from core.chat import session as conversation
from core.conversations import visibility
from core.conversations.database import MEMORY, sqlite_path
from core.conversations.migrations import SchemaMismatch
from core.conversations.store import Store, open_store
from core.setup import config

APP_DIR = Path(__file__).resolve().parent


def read_secrets() -> dict:
    """st.secrets as a plain mapping; no secrets file is a normal state, not an error."""
    try:
        return dict(st.secrets)
    except Exception:  # Streamlit raises its own error type when no secrets.toml exists
        return {}


def init():
    """Set defaults once per session, reload configuration each run; return the translator."""
    state = st.session_state
    for name, default in (("session_values", {}), ("client_cache", {}), ("pending", None),
                          ("env_dir", APP_DIR), ("visitor_id", uuid.uuid4().hex)):
        if name not in state:
            state[name] = default  # env_dir: where .env.local / .env live; tests point it elsewhere
    secrets = read_secrets()
    cfg = config.load(Path(state.env_dir), os.environ, secrets, state.session_values)
    state.config = cfg
    state.admin_password = str(secrets.get("R1_ADMIN_PASSWORD") or "") or None
    state.auth_configured = "auth" in secrets  # an [auth] section: Streamlit sign-in is available
    client_ip = st.context.ip_address
    state.place = place.detect_place(os.environ, APP_DIR, st.get_option("server.address"),
                                     client_ip if isinstance(client_ip, str) else None,
                                     dict(st.context.headers or {}))
    log_dir = cfg.values["R1_LOG_DIR"].typed  # a Path: the default for a bad value (a NUL, an unknown ~user)
    logs.setup(log_dir if log_dir.is_absolute() else APP_DIR / log_dir, cfg.secrets())
    if "lang" not in state:
        state.lang = i18n.from_locale(st.context.locale)
    return i18n.translator(state.lang)


@st.cache_resource(show_spinner=False)
def shared_store(url: str) -> Store:
    """One store per database file for the whole server process (opened, migrated, recovered once)."""
    return open_store(url)


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
    state = st.session_state
    visitor = visibility.visitor_key(keeping, state.visitor_id)
    return conversation.for_visitor(state.config.detection.endpoint, visitor)


def chats() -> tuple[Store, visibility.Keeping, tuple[str, str] | None]:
    """This visitor's conversation store, how it is kept, and (message key, detail) if the data
    folder could not be used."""
    state = st.session_state
    folder = visibility.data_dir(str(state.config.values["R1_DATA_DIR"].typed), APP_DIR)  # the default if bad
    keeping = visibility.decide(state.place, folder, state.auth_configured, *signed_in_user())
    if keeping.url != MEMORY:
        try:
            return shared_store(keeping.url), keeping, None
        except Exception as exc:  # unwritable folder, a database from a newer app: say so, keep chatting
            # Visitors of a shared deployment are not told the server's paths.
            detail = type(exc).__name__ if state.place.shared else f"{folder}: {type(exc).__name__}: {exc}"
            kind = "chats.keep.mismatch" if isinstance(exc, SchemaMismatch) else "chats.keep.failed"
            error = (kind, detail)
            keeping = visibility.Keeping("session", keeping.owner, MEMORY)
    else:
        error = None
    if "session_store" not in state:
        state.session_store = open_store(MEMORY)  # private to this browser session, gone with it
    return state.session_store, keeping, error


def current_conversation(store: Store, owner: str) -> str | None:
    """The open conversation: this session's choice, else the link's ``?c=`` (a refresh keeps it).

    The id goes back into the URL on every run, so a refresh or a restarted server reopens it;
    an id this visitor does not own is ignored like a deleted one.
    """
    state = st.session_state
    if "conversation_id" not in state:  # a new session: a first visit, a refresh or a restart
        wanted = st.query_params.get("c")
        found = bool(wanted) and store.get(owner, wanted) is not None
        state.conversation_id = wanted if found else None
        state.missing_conversation = bool(wanted) and not found
    if state.get("conversation_id") and store.get(owner, state.conversation_id) is None:
        state.conversation_id = None  # deleted (perhaps in another tab): its dialogs go with it
        close_dialogs()
    if state.conversation_id:
        st.query_params["c"] = state.conversation_id
    elif "c" in st.query_params:
        del st.query_params["c"]
    return state.conversation_id


def close_dialogs() -> None:
    """Forget the edit box and the rename/delete dialogs: they belong to the conversation left."""
    state = st.session_state
    state.editing = state.renaming = state.deleting = False


def shown_path(store: Store) -> str:
    """The database file as the page names it: relative to the app folder when inside it."""
    path = Path(sqlite_path(store.db.url))
    try:
        return str(path.relative_to(APP_DIR))
    except ValueError:
        return str(path)
