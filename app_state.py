"""Per-session state every script needs, loaded on every run (Streamlit glue; core stays pure).

Both the router and each page call ``init()``: with a ``pages/`` folder, Streamlit runs the
very first request for ``/setup`` (and every AppTest rerun) as a legacy page, without the
router, so a page must never rely on the router having run first.
"""

import os
from pathlib import Path

import streamlit as st

from core import config, i18n, logs, place

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
    for name, default in (("messages", []), ("session_values", {}), ("client_cache", {}),
                          ("pending", None), ("env_dir", APP_DIR)):
        if name not in state:
            state[name] = default  # env_dir: where .env.local / .env live; tests point it elsewhere
    secrets = read_secrets()
    cfg = config.load(Path(state.env_dir), os.environ, secrets, state.session_values)
    state.config = cfg
    state.admin_password = str(secrets.get("R1_ADMIN_PASSWORD") or "") or None
    client_ip = st.context.ip_address
    state.place = place.detect_place(os.environ, APP_DIR, st.get_option("server.address"),
                                     client_ip if isinstance(client_ip, str) else None,
                                     dict(st.context.headers or {}))
    log_dir = Path(cfg.values["R1_LOG_DIR"].value or "logs")
    logs.setup(log_dir if log_dir.is_absolute() else APP_DIR / log_dir, cfg.secrets())
    if "lang" not in state:
        state.lang = i18n.from_locale(st.context.locale)
    return i18n.translator(state.lang)
