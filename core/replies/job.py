"""One reply generated on a server thread: it streams from the provider, folds each event into its
Reply, saves it to the store as it goes, and any number of pages follow it live.

A page that leaves (another conversation, a refresh, a closed tab) only stops following; the
reply ends when upstream ends it, when ``stop`` is called (Stop, a deleted conversation, a
regenerated turn, the server shutting down), or when its stored row is gone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from core import logs
from core.chat.events import Interrupted
from core.chat.hangup import Hangup
from core.chat.reply import Reply
from core.chat.session import log_outcome
from core.conversations import turns
from core.diagnosis import Diagnosis

TICK = 0.2  # a follower hears at least this often, so a page can redraw and notice a click


class Job:
    """A reply being generated: its Reply, the events so far, and the thread that reads them."""

    def __init__(self, owner: str, cid: str, visitor: str, reply: Reply, events: Iterator,
                 save: Callable[[Reply], bool | None], hangup: Hangup, lock: threading.Condition,
                 host: str = "", clock: Callable[[], float] = time.monotonic, mid: str | None = None) -> None:
        self.owner, self.cid, self.visitor, self.reply = owner, cid, visitor, reply
        self.mid = mid  # the stored message it writes
        self.saved: bool | None = True  # False once a save failed; None once its row is gone
        self._events_in, self._save_to_store, self._hangup = events, save, hangup
        self._cond, self._host, self._clock = lock, host, clock
        self._log: list[object] = []
        self._ended = False
        self._stopping = False
        self._final_saved = False
        self._save_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Job(conversation={self.cid!r}, status={self.reply.status!r}, events={len(self._log)})"

    @property
    def running(self) -> bool:
        """Whether the reply is still being generated."""
        return not self._ended

    def message(self) -> dict:
        """The reply as a stored message, as it stands now."""
        with self._cond:
            return self.reply.to_message()

    def run(self, on_end: Callable[[Job], None] = lambda job: None) -> None:
        """The worker's body: read the reply to its end, keeping the log and the store up to date."""
        try:
            for event in turns.saving(self._events_in, self.reply, self._save_progress, self._clock):
                with self._cond:
                    if self._stopping or self.saved is None:
                        break
                    self._log.append(event)
                    self._cond.notify_all()
        except Exception:  # a fault the provider did not name must not leave a reply streaming for ever
            logs.get().exception("reply worker for conversation %s failed", self.cid)
            with self._cond:
                self.reply.apply(Interrupted(Diagnosis("unknown", {"host": self._host})), self._clock())
        finally:
            self._finish()
            on_end(self)

    def stop(self, status: str = "stopped") -> None:
        """End the reply now, keeping what arrived: the upstream connection is closed at once and the
        reply saved as ``status`` (``incomplete`` when the server shuts down) before this returns."""
        with self._cond:
            if self._ended or self._stopping:
                return
            self._stopping = True
            self.reply.stop(self._clock(), status)
        self._hangup()
        self._save(final=True)
        self._end()

    def heartbeat(self) -> None:
        """Save the reply as it stands, also in a long silence: its row's time shows it is alive
        (a replica recovers streaming rows that stopped changing, see ``Store.recover_stale``)."""
        if self.running:
            self._save(final=False)

    def save_again(self) -> bool:
        """Try again to store an ended reply whose last save failed (the database was down); whether
        nothing is left to save now."""
        if self.running or self.saved is not False:
            return True
        self._save(final=True)
        return self.saved is not False

    def follow(self, tick: float = TICK) -> Iterator[object | None]:
        """Every event so far, then each new one as it comes, and ``None`` after each quiet ``tick``;
        it ends when the reply does. Closing it only stops following."""
        seen = 0
        while True:
            with self._cond:
                if seen == len(self._log) and not self._ended:
                    self._cond.wait(tick)
                new, ended = self._log[seen:], self._ended
            seen += len(new)
            yield from new
            if ended:
                return
            if not new:
                yield None

    def _finish(self) -> None:
        with self._cond:
            if self.reply.status == "streaming":  # the stream ended without saying how: it was cut
                self.reply.apply(Interrupted(Diagnosis("cut_off", {"host": self._host})), self._clock())
        self._save(final=True)  # before it counts as ended: whoever sees it ended finds it stored
        self._hangup()  # the reply's own client: nothing of it stays open
        self._end()
        log_outcome(self.reply)

    def _end(self) -> None:
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def _save_progress(self, reply: Reply) -> None:
        self._save(final=False)

    def _save(self, final: bool) -> None:
        with self._save_lock:  # a progress save never lands after the final one
            if self._final_saved or self.saved is None:
                return
            with self._cond:
                snapshot = Reply(**{**vars(self.reply), "reasoning_parts": [self.reply.reasoning],
                                    "answer_parts": [self.reply.answer]})
            result = self._save_to_store(snapshot)
            if result is None:  # its row is gone: the conversation was deleted or this turn replaced
                self.saved = None
                self._hangup()
            else:
                self.saved = result
            # A final save that failed is not final: the registry tries it again (``save_again``).
            self._final_saved = final and result is not False
