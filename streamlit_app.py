"""Router: page config, shared per-session state, language, and navigation."""

import streamlit as st

import app_state
from core import i18n

REPLY_SETTINGS = ("system_prompt", "max_tokens", "temperature")  # the keys of Chat's sidebar widgets
KEPT = "kept_"  # + a setting's key: its last value on Chat, in a plain key no widget owns


def keep_reply_settings(on_chat: bool) -> None:
    """Keep the reply settings through a visit to another page, as Streamlit's guide advises: in
    session-state keys no widget owns.

    Streamlit drops a widget's value on a run that does not draw it (on a page switch, before this
    script even starts), and only Chat draws these (ui/sidebar.py). So each value is copied to a
    plain key while it lives, and given back to its widget's key when Chat is drawn again: set on
    that run, it is the value the browser shows. Re-assigning the widget keys on every run instead
    would re-send each value to the browser each time, wiping a number half typed in another field.
    """
    state = st.session_state
    for key in REPLY_SETTINGS:
        if key in state:
            state[KEPT + key] = state[key]
        elif on_chat and KEPT + key in state:
            state[key] = state[KEPT + key]


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
page = st.navigation([chat, setup])
keep_reply_settings(page is chat)
page.run()
