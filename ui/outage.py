"""The chat page while its server database cannot be used (down, restarting, refusing the password):
the problem named with its fix, a message sent meanwhile given back, and the page whole again by
itself once the database answers.

Nothing is swapped for a database in memory, as a data folder that cannot be used is: a team's
conversations are only out of reach for a while, and what is typed waits in the input.
"""

from typing import NoReturn

import streamlit as st

from core.conversations.outages import RETRY_AFTER
from core.conversations.visibility import Keeping
from ui import context, page_state

ICON = ":material/database_off:"


def wait(t, keeping: Keeping, error: tuple[str, dict], prompt: str | None,
         not_sent: tuple[str, str] | None, notice_slot) -> NoReturn:
    """Say why conversations cannot be used now, give a message sent meanwhile back into the input,
    and rerun the page once the database answers again; this ends the run."""
    if prompt:  # nothing can be stored, so nothing is asked: the question goes back, with why
        page_state.not_sent(prompt, t("chats.down.not_sent"), ICON)
        st.rerun()
    if not_sent:
        notice_slot.error(not_sent[0], icon=not_sent[1])
    st.title(t("chat.title"))
    key, params = error
    st.error(t(key, **params), icon=ICON)
    st.caption(t("chats.down.retrying", seconds=round(RETRY_AFTER)))
    look_again(keeping.url)
    st.stop()


def look_again(url: str) -> None:
    """Every few seconds, ask whether the database answers; when it does, draw the whole page again."""

    @st.fragment(run_every=RETRY_AFTER)
    def look() -> None:
        if context.database_failure(url) is None:
            st.rerun(scope="app")

    look()
