"""The chat page's transitions — open a conversation, ask, reply started, edit, dialogs — and the only
writer of the session keys that hold them.

Keys: ``conversation_id`` (the open conversation, mirrored in the URL's ``?c=``), ``pending`` (a
question waits for its reply on this run), ``editing`` (the last question's edit box),
``renaming``/``deleting``/``importing`` (the dialogs), ``missing_conversation`` (a link named
a conversation that is gone), ``unsent``/``unsent_fresh``/``unsent_in`` (a question that could not
be stored, and why; whether the next run is the one right after; the conversation it was for) and
``prompt`` (the chat input, written only to give such a question back), ``history_top`` and
``drawn_window`` (where the drawn messages begin, now and as the last run drew them), ``generating`` (the conversations this session last saw
generating a reply, to tell when one finishes) and ``on_screen`` (the conversation as the last run
showed it, shown read-only while the server database cannot be read). Widgets call these
functions as callbacks; nothing else assigns them.
"""

from __future__ import annotations

import streamlit as st

from core.conversations import records

HISTORY_PAGE = 8  # messages drawn when a conversation opens: its newest turns, quickly
OLDER_PAGE = 24  # messages each "Show older" adds above: more at a time, for a reader going back
DIALOGS = ("editing", "renaming", "deleting", "deleting_version", "importing")
CONVERSATION_DIALOGS = DIALOGS[:4]  # the import dialog is not about the open conversation


def current_conversation(exists) -> str | None:
    """The open conversation: this session's choice, else the link's ``?c=`` (a refresh keeps it).

    ``exists(cid)`` says whether this visitor owns it. The id goes back into the URL on every
    run, so a refresh or a restarted server reopens it; one that is gone (deleted, perhaps in
    another tab) is forgotten with its dialogs.
    """
    state = st.session_state
    if "conversation_id" not in state:  # a new session: a first visit, a refresh or a restart
        wanted = st.query_params.get("c")
        found = bool(wanted) and exists(wanted)
        state.conversation_id = wanted if found else None
        state.missing_conversation = bool(wanted) and not found
    if state.conversation_id and not exists(state.conversation_id):
        state.conversation_id = None
        close_dialogs()
    if state.conversation_id:
        st.query_params["c"] = state.conversation_id
    elif "c" in st.query_params:
        del st.query_params["c"]
    return state.conversation_id


def keep_in_link() -> None:
    """While conversations cannot be read, keep the open one's id in the URL all the same: a switch
    from another page drops it, and a refresh then would not find the conversation once they can."""
    if cid := st.session_state.get("conversation_id"):
        st.query_params["c"] = cid


def take_missing() -> bool:
    """Whether a link named a conversation that is gone (said once, then forgotten)."""
    return bool(st.session_state.pop("missing_conversation", False))


def open_conversation(cid: str | None) -> None:
    """Show a conversation (``None``: a new chat); nothing is sent, its dialogs close."""
    keep_draft(st.session_state.get("conversation_id"), cid)
    st.session_state.conversation_id, st.session_state.pending = cid, None
    st.session_state.pop("history_top", None)  # a conversation opens at its newest turns, also when reopened
    close_dialogs()


def asked(cid: str) -> None:
    """A question was stored in ``cid``: its reply streams on this run."""
    state = st.session_state
    if state.get("unsent_in") in (state.get("conversation_id"), cid):
        state.pop("unsent", None)  # what this conversation could not send before is sent now
    state.conversation_id = cid
    st.query_params["c"] = cid
    ask_again()


def ask_again() -> None:
    """The last question (retried, regenerated or edited) gets a new reply on this run."""
    st.session_state.pending, st.session_state.editing = True, False


def not_sent(text: str, why: str, icon: str) -> None:
    """A question was not sent (it could not be stored, or no reply can start now): the next run
    gives it back into the input, saying ``why``."""
    st.session_state.unsent, st.session_state.unsent_fresh = (text, why, icon), True
    st.session_state.unsent_in = st.session_state.get("conversation_id")


def keep_draft(leaving: str | None, opening: str | None) -> None:
    """A question given back belongs to its conversation: it leaves the input with it, and comes back
    (with why it was not sent) when that conversation is opened again."""
    state = st.session_state
    if "unsent" not in state or leaving == opening:
        return
    if state.get("unsent_in") == leaving:
        state.prompt = ""  # not sent into the conversation being opened by mistake
    elif state.get("unsent_in") == opening:
        state.unsent_fresh = True


def give_back() -> tuple[str, str] | None:
    """Put a question that could not be stored back into the chat input, and say why it was not sent.

    Called before the input is drawn: Streamlit lets a widget's value be set only then. It is given
    back on the run after the failure and whenever the chat page is opened again (leaving the page
    drops the input's state), until a question is sent; not on other runs, where it would
    overwrite what the user is typing.
    """
    state = st.session_state
    if "unsent" not in state or state.get("unsent_in") != state.get("conversation_id"):
        return None
    if not (state.pop("unsent_fresh", False) or "prompt" not in state):
        return None
    text, why, icon = state.unsent
    state.prompt = text
    return why, icon


def history_top(cid: str, count: int) -> int:
    """Where conversation ``cid``'s drawn messages begin, of ``count``: its newest page when it opens."""
    # Fixed from then on, so new turns add below without moving it: the browser keeps what it drew
    # (moving the top would make it redraw every message).
    shown, top = st.session_state.get("history_top", (None, 0))
    if shown != cid or top > count:
        top = max(0, count - HISTORY_PAGE)
        st.session_state.history_top = (cid, top)
    return top


def window_moved() -> bool:
    """Whether the messages drawn now begin elsewhere than where the last run drew them (another
    conversation, a reopened one, "Show older"); call once a run, after the window is known."""
    state = st.session_state
    now = state.get("history_top")
    moved, state.drawn_window = now != state.get("drawn_window"), now
    return moved


def show_older(cid: str, top: int) -> None:
    """Button callback: draw another page of conversation ``cid``'s older messages above ``top``."""
    st.session_state.history_top = (cid, max(0, top - OLDER_PAGE))


def finished_elsewhere(generating: set[str]) -> set[str]:
    """Which conversations this session last saw generating are done now; remember ``generating``."""
    seen = st.session_state.get("generating", set())
    st.session_state.generating = set(generating)
    return seen - generating


def seen_generating() -> set[str]:
    """The conversations this session last saw generating a reply."""
    return set(st.session_state.get("generating", set()))


def reply_started() -> None:
    """The waiting question's reply has begun; a rerun must not start another."""
    st.session_state.pending = None


def is_pending() -> bool:
    """Whether a question waits for its reply on this run."""
    return bool(st.session_state.get("pending"))


def open_dialog(name: str, about: str | bool = True) -> None:
    """Open the edit box or a dialog (one of ``DIALOGS``), ``about`` the message it concerns if any."""
    st.session_state[name] = about


def opened_for(name: str) -> str | None:
    """The message the edit box or dialog ``name`` is open for, if it is."""
    about = st.session_state.get(name)
    return about if isinstance(about, str) else None


def close_dialog(name: str) -> None:
    """Close the edit box or one dialog."""
    st.session_state[name] = False


def is_open(name: str) -> bool:
    """Whether the edit box or a dialog is open."""
    return bool(st.session_state.get(name))


def close_dialogs() -> None:
    """Close the edit box and the rename/delete dialogs: they belong to the conversation left."""
    for name in CONVERSATION_DIALOGS:
        st.session_state[name] = False


def remember_shown(cid: str | None, title: str | None, messages: list[dict]) -> None:
    """The conversation this run shows: while the database is down the page shows it again from here."""
    st.session_state.on_screen = (cid, title, messages)


def remember_reply(message: dict) -> None:
    """The reply followed on this run as it ended: the last message shown is that, not its start."""
    cid, title, messages = st.session_state.get("on_screen", (None, None, []))
    st.session_state.on_screen = (cid, title, records.with_last_reply(messages, message))


def last_shown() -> tuple[str | None, list[dict]]:
    """The open conversation's title and messages as the page last showed them (none if another)."""
    cid, title, messages = st.session_state.get("on_screen", (None, None, []))
    if cid is None or cid != st.session_state.get("conversation_id"):
        return None, []
    return title, messages
