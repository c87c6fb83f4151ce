"""Router: page config, shared per-session state, language, and navigation."""

import streamlit as st

import app_state
from core import i18n

# An emoji icon, not a Material one: the browser would fetch that from a font CDN.
st.set_page_config(page_title="DeepSeek-R1 Chat", page_icon="🐋")

t = app_state.init()
state = st.session_state

with st.sidebar:
    choice = st.segmented_control(
        t("lang.label"), list(i18n.LANGUAGES), default=state.lang, key="lang_choice",
        format_func=i18n.LANGUAGES.get, required=True)
    if choice and choice != state.lang:
        state.lang = choice
        st.rerun()

ready = state.config.ready
chat = st.Page("app_pages/chat.py", title=t("nav.chat"), icon=":material/forum:", default=ready,
               help=t("nav.chat_help"))
setup = st.Page("app_pages/setup.py", title=t("nav.setup"), icon=":material/key:", default=not ready,
                help=t("nav.setup_help"))
st.navigation([chat, setup]).run()
