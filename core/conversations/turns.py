"""What the chat page does to a stored conversation: send, regenerate, edit, import, and save a
reply while it streams. Nothing is deleted: a regenerated reply or an edited question becomes a new
version beside the one it replaces (``core.conversations.tree``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from core import logs
from core.chat.reply import Reply
from core.conversations import records
from core.conversations.database import DatabaseError, problem
from core.conversations.store import Store, title_from
from core.redact import redact
from core.untrusted import clean_line

SAVE_INTERVAL = 1.0  # at most this much of a reply is lost if the process dies mid-stream
TREE_FIELDS = ("parent", "chosen", "version", "versions")  # a message's place, not its content


def send(store: Store, owner: str, cid: str | None, text: str, untitled: str) -> str:
    """Append the user's message, starting a conversation titled after it if needed; return its id."""
    with store.transaction():  # never a new conversation without its first message
        if cid is None or store.get(owner, cid) is None:
            # Titles show in the list and name export files: a token pasted as the first line is masked.
            cid = store.create(owner, redact(title_from(text)) or untitled).id
        store.append(owner, cid, records.new_message("user", text))
    return cid


def regenerate(store: Store, owner: str, cid: str, messages: Sequence[Mapping]) -> bool:
    """End the branch at the last question, so that the reply asked for next is a new version beside
    the last one (which stays, one step away)."""
    if len(messages) < 2 or messages[-1]["role"] != "assistant" or messages[-2]["role"] != "user":
        return False  # without a question before it there is nothing to ask again
    return store.end_branch_at(owner, cid, messages[-2]["id"])


def edit(store: Store, owner: str, cid: str, question: Mapping, text: str) -> bool:
    """Add ``text`` as a new version of the user message ``question`` (which stays, with its replies),
    ending the branch there so that its reply is asked for next."""
    if not text.strip():
        return False
    with store.transaction():
        # Only the id is taken from the caller: where the question sits, and that it is one, is the
        # store's to say (a page's copy may be stale, or the id another owner's or conversation's).
        stored = store.outline(owner, cid).by_id.get(question.get("id"))
        if stored is None or stored.role != "user":
            return False  # deleted in another tab meanwhile, or not a question of this conversation
        store.append(owner, cid, records.new_message("user", text), parent=stored.parent)
    return True


def last_user_index(messages: Sequence[Mapping]) -> int | None:
    """The position of the last user message, if any."""
    return next((i for i in range(len(messages) - 1, -1, -1) if messages[i]["role"] == "user"), None)


def import_messages(store: Store, owner: str, title: str, messages: Iterable[Mapping]) -> str:
    """Store an imported conversation as a new one; return its id. A message's ``parent`` is the
    number of the message above it (from 1; ``None`` for a first one), ``chosen`` whether it is the
    version shown: without them each message follows the one before, as a single branch."""
    with store.transaction():  # a failure halfway leaves no half-imported conversation
        # Cleaned before redacting: a hidden character inside a pasted token would hide it from redact.
        cid = store.create(owner, redact(clean_line(title))).id
        ids: list[str] = []
        for msg in messages:
            above = msg.get("parent", len(ids) or None)
            ids.append(store.append(owner, cid, msg, parent=ids[above - 1] if above else None,
                                    chosen=msg.get("chosen", True)))
    return cid


def branch(store: Store, owner: str, cid: str, mid: str, title: str) -> str | None:
    """A new conversation holding the messages from the first one down to ``mid`` (as shown, one
    branch); its id, or ``None`` when ``mid`` is gone."""
    path = store.path(owner, cid, mid)
    if not path:
        return None
    return import_messages(store, owner, title, [{k: v for k, v in m.items() if k not in TREE_FIELDS}
                                                 for m in path])


def begin_reply(store: Store, owner: str, cid: str, reply: Reply, clock: Callable[[], float] = time.monotonic
                ) -> tuple[str, Callable[[Reply], bool | None]]:
    """Store the reply as streaming at once, below the last message on screen; return its id and the
    function that saves its progress.

    A save that fails (disk full, a lock held too long, a database server down) is logged and reported by returning
    False, and one whose row is gone (its conversation or its version deleted elsewhere) by
    returning None; the reply keeps streaming either way. A question edited elsewhere meanwhile
    leaves it saving into its own version, now one step away.
    """
    mid = store.append(owner, cid, reply.to_message())
    failures = SaveFailures(mid, clock)

    def save(current: Reply) -> bool | None:
        try:
            if store.update(mid, current.to_message()):
                failures.saved()
                return True
            logs.get().warning("reply %s is gone (its conversation or version was deleted elsewhere)", mid)
            return None
        except DatabaseError as exc:
            failures.failed(exc)
        return False

    return mid, save


class SaveFailures:
    """The log of one reply's failing saves: the first with its reason, then one line every
    ``QUIET_FOR`` seconds at most, then how many tries the save took once it succeeds."""

    # A reply saves every second while it streams and every 2 s once it ended (core.replies): during
    # an outage a line per try would bury everything else in the log, and say nothing new.
    QUIET_FOR = 30.0

    def __init__(self, mid: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.mid, self._clock = mid, clock
        self.tries, self._said_at = 0, None

    def failed(self, exc: Exception) -> None:
        """One more save failed; say so when it is the first, or when the log has been quiet long enough."""
        self.tries += 1
        now = self._clock()
        if self._said_at is not None and now - self._said_at < self.QUIET_FOR:
            return
        self._said_at = now
        reason = redact(str(getattr(exc, "orig", None) or exc)).strip().splitlines()
        reason = reason[0] if reason else type(exc).__name__  # the driver's first line, not SQLAlchemy's SQL
        if self.tries == 1:
            logs.get().warning("saving reply %s failed (%s): %s; trying again", self.mid, problem(exc), reason)
        else:
            logs.get().warning("saving reply %s still failing after %d tries (%s)", self.mid, self.tries,
                               problem(exc))

    def saved(self) -> None:
        """A save succeeded: after failures, say how many tries it took, once."""
        if self.tries:
            logs.get().info("reply %s saved after %d tries", self.mid, self.tries + 1)
        self.tries, self._said_at = 0, None


def saving(frames: Iterable, reply: Reply, save: Callable[[Reply], None],
           clock: Callable[[], float] = time.monotonic, interval: float = SAVE_INTERVAL) -> Iterator:
    """Pass frames through, saving the reply whenever ``interval`` has passed since the last save."""
    last = clock()
    try:
        for frame in frames:
            now = clock()
            if now - last >= interval:
                save(reply)
                last = now
            yield frame
    finally:
        close = getattr(frames, "close", None)
        if close:  # closing the inner generator closes the HTTP stream (Stop) at once
            close()
