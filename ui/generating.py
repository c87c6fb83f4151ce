"""Replies generating in the background: the sidebar's marks, a toast when one finishes while the
user is elsewhere, and a light watch that notices when that happens."""

import streamlit as st

from core.chat.mathtext import to_streamlit
from core.conversations.store import Store
from core.replies.registry import Replies
from ui import context, page_state

# A spinning progress icon before the title of each conversation still generating. Drawn as CSS on
# the list's buttons, so it can change while a reply streams without redrawing the list's widgets.
MARK = (".st-key-conv_{cid} button p::before {{content: 'progress_activity' / '{said}'; font-family: "
        "'Material Symbols Rounded'; font-feature-settings: 'liga'; display: inline-block; "
        "margin-right: 0.4rem; vertical-align: -0.15em; animation: r1-spin 1.2s linear infinite}}")
SPIN = "@keyframes r1-spin {to {transform: rotate(360deg)}}"
# Style-only HTML goes to Streamlit's event container, where a redraw adds to it instead of
# replacing it; with an element beside the style it stays in its slot (hidden, taking no room).
HOLDER = ("<span class='r1-marks'></span>\n<style>\n"
          "[data-testid='stElementContainer']:has(.r1-marks) {{display: none}}\n{rules}\n{spin}\n</style>")
WATCH_EVERY = 1.0  # seconds between looks while something generates and the page is idle


def marks(cids: set[str], said: str) -> str:
    """The style that marks these conversations in the sidebar as generating; a screen reader reads
    ``said`` for the mark, not the icon's ligature name."""
    said = said.replace("\\", "").replace("'", "’")  # inside a CSS string
    rules = "\n".join(MARK.format(cid=cid, said=said) for cid in sorted(cids))
    return HOLDER.format(rules=rules, spin=SPIN)


def tell(t, store: Store, owner: str, visitor: str, replies: Replies, on_screen: str | None) -> set[str]:
    """Toast each reply that finished since this session last looked, bar the one on screen (the user
    saw it end); return the conversations still generating."""
    now = replies.generating(visitor)
    for cid in sorted(page_state.finished_elsewhere(now) - {on_screen}):
        conversation = store.get(owner, cid)
        if conversation is not None:  # deleted meanwhile: nothing to point to
            title = to_streamlit(conversation.title) or t("chats.untitled")
            st.toast(t("chats.reply_done", title=title), icon=":material/mark_chat_read:", duration="long")
    return now


def watch(visitor: str, replies: Replies) -> None:
    """While this session knows of replies generating, look every second; when the set changes (one
    finished, one started in another tab), rerun the page so its marks and toasts catch up."""
    if not page_state.seen_generating():
        return

    @st.fragment(run_every=WATCH_EVERY)
    def look() -> None:
        if replies.generating(visitor) != page_state.seen_generating():
            st.rerun(scope="app")

    look()


def away(t) -> None:
    """On a page without the conversation list (Setup): toast each reply that finishes meanwhile."""
    store, keeping, _ = context.chats()
    replies, visitor = context.replies(), context.visitor(keeping)
    if store is not None:  # a server database that cannot be used now: no titles to tell, for now
        tell(t, store, keeping.owner, visitor, replies, None)
    with st.sidebar:
        watch(visitor, replies)
