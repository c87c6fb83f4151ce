"""The chat page while its server database cannot be used (down, restarting, refusing the password):
the problem named with its fix, the conversation on screen kept (read-only), a message sent meanwhile
given back, and the page whole again by itself once the database answers.

Nothing is swapped for a database in memory, as a data folder that cannot be used is: a team's
conversations are only out of reach for a while, and what is typed waits in the input.
"""

from typing import NoReturn

import streamlit as st

from core.chat.mathtext import to_streamlit
from core.conversations import database
from core.conversations.outages import RETRY_AFTER
from core.conversations.visibility import Keeping
from core.replies.job import Job
from ui import context, page_state
from ui.messages import show_read_only

ICON = ":material/database_off:"
SAVED_EVERY = 1.0  # seconds between looks at a reply that ended unsaved (in memory: no query)


class Drawn(Exception):  # noqa: N818 -- not an error: the page's run ends here, and the router knows it
    """The outage view is drawn; the page's run ends here (the router catches this).

    Not ``st.stop()``: Streamlit forgets the fragments of the run before only when a run ends
    normally. After a stop, a watcher of the earlier, longer page whose timer fired meanwhile (a
    reply's "saved yet?" look) still runs, draws into a place this shorter page no longer has, and
    the browser blanks the whole page ("Bad delta path index").
    """


def wait(t, keeping: Keeping, error: tuple[str, dict], prompt: str | None,
         not_sent: tuple[str, str] | None, notice_slot, unsaved: dict | None = None) -> NoReturn:
    """Say why conversations cannot be used now, give a message sent meanwhile back into the input,
    show the conversation as it was, and rerun the page once the database answers; this ends the run
    (by raising ``Drawn``). ``unsaved``: the open conversation's reply that ended while the database
    was down, as it ended."""
    if prompt:  # nothing can be stored, so nothing is asked: the question goes back, with why
        page_state.not_sent(prompt, t("chats.down.not_sent"), ICON)
        st.rerun()
    if not_sent:
        notice_slot.error(not_sent[0], icon=not_sent[1])
    else:  # pinned above the input: at the foot of a long conversation the error above is out of sight
        notice_slot.warning(t("chats.down.pinned_lasting" if lasting(keeping.url) else "chats.down.pinned"),
                            icon=ICON)
    title, messages = page_state.last_shown()  # what the page showed, not read again: it cannot be
    if title:  # as the conversation's own header draws it, so that the page does not jump
        st.subheader(to_streamlit(title), anchor=False)
    else:
        st.title(t("chat.title"))
    say_why(t, keeping.url, error)
    if messages:
        st.caption(t("chats.down.shown"))
        show_read_only(t, messages, unsaved)
    if database.server(keeping.url):  # else R1_DATABASE_URL names no server: nothing to ask again
        look_again(keeping.url)
    raise Drawn


def say_why(t, url: str, error: tuple[str, dict]) -> None:
    """The problem and its fix; and whether it may pass by itself or needs an administrator."""
    key, params = error
    st.error(t(key, **params), icon=ICON)
    if lasting(url):  # a wrong password does not heal: nobody should wait for it
        st.caption(t("chats.down.lasting"))
    else:
        st.caption(t("chats.down.retrying", seconds=round(RETRY_AFTER)))


def lasting(url: str) -> bool:
    """Whether waiting will not mend it: a refused password, no such database, a newer schema, or a
    ``R1_DATABASE_URL`` that names no server at all (``url`` is then the data folder's)."""
    return context.lasting(url) or not database.server(url)


def look_again(url: str) -> None:
    """Every few seconds, ask whether the database answers; when it does, draw the whole page again."""

    @st.fragment(run_every=RETRY_AFTER)
    def look() -> None:
        if context.database_failure(url) is None:
            st.rerun(scope="app")

    look()


def watch(url: str) -> None:
    """On a page that uses the server database at ``url``, notice by itself within a few seconds that
    it stopped answering, and draw the outage view then (without it, only a click would)."""

    # Every few seconds, not every second: while the database answers, the pages of this process share
    # one trivial query per RETRY_AFTER between them (context.database_failure); while it is down, the
    # failure is remembered as long, so no page waits out a connect timeout on each look.
    @st.fragment(run_every=RETRY_AFTER)
    def look() -> None:
        if context.database_failure(url) is not None:
            st.rerun(scope="app")

    look()


def when_saved(job: Job) -> None:
    """While a reply that ended unsaved waits for the registry to store it, look every second; once it
    is stored, draw the page again from the database (its "could not be saved yet" warning goes)."""

    @st.fragment(run_every=SAVED_EVERY)
    def look() -> None:
        if job.saved is not False:  # stored (True), or its row is gone (None): nothing to warn about
            st.rerun(scope="app")

    look()
