"""Router: page config, shared per-session state, language, and navigation."""

import os
from pathlib import Path

import streamlit as st

from core import config, i18n, logs

APP_DIR = Path(__file__).resolve().parent

# An emoji icon, not a Material one: the browser would fetch that from a font CDN.
st.set_page_config(page_title="DeepSeek-R1 Chat", page_icon="🐋")


def read_secrets() -> dict:
    """st.secrets as a plain mapping; no secrets file is a normal state, not an error."""
    try:
        return dict(st.secrets)
    except Exception:  # Streamlit raises its own error type when no secrets.toml exists
        return {}


state = st.session_state
state.setdefault("messages", [])
state.setdefault("session_values", {})  # values typed for this session only
state.setdefault("client_cache", {})
state.setdefault("pending", None)
state.setdefault("env_dir", APP_DIR)  # where .env.local / .env live; tests point it elsewhere

cfg = config.load(Path(state.env_dir), os.environ, read_secrets(), state.session_values)
state.config = cfg
log_dir = Path(cfg.values["R1_LOG_DIR"].value or "logs")
logs.setup(log_dir if log_dir.is_absolute() else APP_DIR / log_dir, cfg.secrets())

if "lang" not in state:
    state.lang = i18n.from_locale(st.context.locale)
t = i18n.translator(state.lang)

with st.sidebar:
    choice = st.segmented_control(
        t("lang.label"), list(i18n.LANGUAGES), default=state.lang, key="lang_choice",
        format_func=i18n.LANGUAGES.get, required=True)
    if choice and choice != state.lang:
        state.lang = choice
        st.rerun()

pages = [
    st.Page("pages/chat.py", title=t("nav.chat"), icon=":material/forum:", default=cfg.ready,
            help=t("nav.chat_help")),
    st.Page("pages/setup.py", title=t("nav.setup"), icon=":material/key:", default=not cfg.ready,
            help=t("nav.setup_help")),
]
st.navigation(pages).run()
