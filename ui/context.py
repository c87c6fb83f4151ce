"""What every script reads, computed once per run by the router: configuration, place, language and
logs; and this visitor's conversation store and endpoint (Streamlit glue; core stays pure).

The pages live in ``app_pages/``, not ``pages/``: Streamlit's legacy auto-discovery ran the first
request for ``/setup`` from a ``pages/`` folder without the router (no navigation, no language switch).
"""

import os
import uuid
from pathlib import Path

import streamlit as st

from core import i18n, logs, place
from core.chat import session
from core.conversations import visibility
from core.conversations.database import MEMORY, sqlite_path
from core.conversations.migrations import SchemaMismatch
from core.conversations.store import Store, open_store
from core.setup import config

APP_DIR = Path(__file__).resolve().parents[1]


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
    for name, default in (("session_values", {}), ("client_cache", {}), ("visitor_id", uuid.uuid4().hex)):
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
    if "lang" not in state:
        state.lang = i18n.from_locale(st.context.locale)
    return translator()


def translator():
    """``t(key, **params)`` in this session's language (a page's one line of set-up)."""
    return i18n.translator(st.session_state.lang)


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
    return session.for_visitor(state.config.detection.endpoint, visitor)


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


def shown_path(store: Store) -> str:
    """The database file as the page names it: relative to the app folder when inside it."""
    path = Path(sqlite_path(store.db.url))
    try:
        return str(path.relative_to(APP_DIR))
    except ValueError:
        return str(path)
