"""The conversation list in the sidebar: new chat, search, pick one, import, and where it is kept."""

import streamlit as st

from core.chat import providers
from core.chat.mathtext import to_streamlit
from core.conversations import database
from core.conversations.visibility import Keeping
from core.setup.settings import BY_ENV
from ui import page_state
from ui.conversation_menu import import_dialog
from ui.generating import marks as marks_style
from ui.messages import View

LIST_LIMIT = 200
SCROLL_AFTER = 10
# Titles read as a list only when left-aligned; Streamlit centres button labels.
LIST_STYLE = """<style>
[class*='st-key-conv_'] button, [class*='st-key-conv_'] button > div {justify-content: flex-start; width: 100%}
[class*='st-key-conv_'] button {padding: 0.25rem 0.5rem; border-radius: 0.5rem}
[class*='st-key-conv_'] button p {text-align: left; white-space: nowrap; overflow: hidden; text-overflow: ellipsis}
.st-key-conv_OPEN button {background: rgba(151, 166, 195, 0.25)}
.st-key-conv_OPEN button p {font-weight: 600}
</style>"""


def select(cid: str | None) -> None:
    """Button callback: switch to a conversation (``None`` starts a new one)."""
    page_state.open_conversation(cid)


def draw_list(view: View, generating: set[str]):
    """New chat, search box and the conversations, newest first; the open one is highlighted, those
    generating a reply marked. Returns the marks' slot, which ``mark`` redraws as replies end."""
    t = view.t
    with st.container(horizontal=True, gap="small"):
        st.button(t("chats.new"), icon=":material/edit_square:", on_click=select, args=(None,),
                  width="stretch", key="new_chat")
        st.button(t("chats.import"), icon=":material/upload:", key="import_open",
                  on_click=page_state.open_dialog, args=("importing",))
    query = st.text_input(t("chats.search"), key="chat_search", type="search", icon=":material/search:",
                          placeholder=t("chats.search"), label_visibility="collapsed")
    found = view.store.list(view.owner, query, LIST_LIMIT)
    if not found:
        st.caption(t("chats.no_match", q=query) if query.strip() else t("chats.none"))
    hidden = generating - {conv.id for conv in found}
    if query.strip() and hidden:  # a reply is still on its way somewhere the list no longer shows
        st.caption(t("chats.generating_hidden", n=len(hidden)))
    st.html(LIST_STYLE.replace("OPEN", view.cid or "none"))  # the open one tinted, as the page nav does
    marks = st.empty()
    mark(t, marks, generating)
    # A long list scrolls in its own box, so the settings below stay in reach.
    box = st.container(height=420 if len(found) > SCROLL_AFTER else "content", border=False)
    for conv in found:
        box.button(to_streamlit(conv.title) or t("chats.untitled"), key=f"conv_{conv.id}", width="stretch",
                  type="tertiary", on_click=select, args=(conv.id,))
    if len(found) == LIST_LIMIT:
        st.caption(t("chats.more", n=LIST_LIMIT))
    import_dialog(view)
    return marks


def mark(t, slot, generating: set[str]) -> None:
    """Mark the conversations generating a reply (a spinner before their titles)."""
    if generating:
        slot.html(marks_style(generating, t("chats.generating")))
    else:
        slot.empty()


def draw_keeping(t, keeping: Keeping, shown_path: str, error: tuple[str, dict] | None,
                 place_kind: str) -> None:
    """Say where conversations are kept and who can see them; offer sign-in where it helps."""
    if error:
        key, params = error
        read_only = key.startswith("chats.keep.read_only")  # shown, but new messages are not kept
        st.warning(t(key, **params), icon=":material/lock:" if read_only else ":material/database_off:")
    elif keeping.mode == "local":
        st.caption(t("chats.keep.server" if database.server(keeping.url) else "chats.keep.local", path=shown_path))
    elif keeping.mode == "account":
        # Community Cloud wipes its own disk, not a database server's.
        wiped = place_kind == "community-cloud" and not database.server(keeping.url)
        ephemeral = " " + t("chats.keep.ephemeral") if wiped else ""
        st.caption(t("chats.keep.account", account=keeping.account) + ephemeral)
        st.button(t("chats.sign_out"), icon=":material/logout:", on_click=st.logout, type="tertiary")
    else:
        st.caption(t("chats.keep.session") + (" " + t("chats.keep.session_signin") if keeping.can_sign_in
                                              else ""))
        if keeping.can_sign_in:
            st.button(t("chats.sign_in"), icon=":material/login:", on_click=st.login)


def draw_unavailable(t, endpoint, default_budget: int) -> None:
    """The sidebar while the server database cannot be read: no list to show, the settings as ever."""
    st.caption(t("chats.down.list"))
    draw_settings(t, endpoint, default_budget)


def draw_settings(t, endpoint, default_budget: int) -> None:
    """System prompt, token budget and temperature for the next replies.

    Only Chat draws them, so each keeps its value for the whole session (``persist_state``): a
    visit to Setup must not reset them.
    """
    budget = BY_ENV["R1_MAX_TOKENS"]  # the bounds R1_MAX_TOKENS is checked against, so the default fits
    # Keyed, so it stays open while its label changes language.
    with st.expander(t("chats.settings"), icon=":material/tune:", key="reply_settings"):
        st.text_area(t("chat.system_prompt"), key="system_prompt", placeholder=t("chat.system_placeholder"),
                     persist_state="session")
        if not endpoint or providers.of(endpoint.route).takes_max_tokens:  # a Coze bot's settings decide its own
            st.number_input(t("chat.max_tokens"), int(budget.minimum), int(budget.maximum), default_budget,
                            step=1024, key="max_tokens", help=t("chat.max_tokens_help"),
                            persist_state="session")
        if endpoint and endpoint.honours_temperature:
            st.slider(t("chat.temperature"), 0.0, 2.0, 0.6, 0.1, key="temperature", persist_state="session")
