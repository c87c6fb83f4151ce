"""Router: page config, shared per-session state, language, and navigation."""

import streamlit as st

from core import i18n
from core.conversations.database import DatabaseError
from ui import context, outage

# An emoji icon, not a Material one: the browser would fetch that from a font CDN.
st.set_page_config(page_title="DeepSeek-R1 Chat", page_icon="🐋")

t = context.load()
state = st.session_state

with st.sidebar:
    choice = st.segmented_control(
        t("lang.label"), list(i18n.LANGUAGES), default=state.lang, key="lang_choice",
        format_func=i18n.LANGUAGES.get, required=True)
    if choice and choice != state.lang:
        context.choose_language(choice)
        st.rerun()

ready = state.config.ready
chat = st.Page("app_pages/chat.py", title=t("nav.chat"), icon=":material/forum:", help=t("nav.chat_help"))
setup = st.Page("app_pages/setup.py", title=t("nav.setup"), icon=":material/key:", help=t("nav.setup_help"))


def home() -> None:
    """The root URL opens Chat when a route is ready, else Setup, keeping ``?c=`` links.

    Streamlit serves its default page only at ``/``, so a default Chat would make ``/chat`` (a
    bookmark, a refresh) a "Page not found"; with this hidden root both keep their own URL.
    """
    st.switch_page(chat if ready else setup, query_params=st.query_params.to_dict())


page = st.navigation([st.Page(home, title=t("nav.chat"), default=True, visibility="hidden"), chat, setup])
try:
    page.run()
except outage.Drawn:  # the chat page drew its outage view: the run ends there, normally
    pass
except DatabaseError as exc:  # the server database went away during this run: the next one waits for it
    context.rerun_if_lost(exc)
