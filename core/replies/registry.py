"""The server process's replies in progress, by conversation: where a page starts one, finds the
one to follow, and learns which conversations are still generating.

One register per process (the pages keep it as a Streamlit resource). It owns the workers, not
the pages: a reply lives on when the page that asked goes away. Caps keep one visitor, and the
process, from starting more replies than the operator allows; on exit every reply still running
is saved as incomplete. A reply that ended while the database could not be written stays here,
and is saved as soon as it can be.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from core import logs
from core.chat import retry as retries
from core.chat import session
from core.chat.endpoint import Endpoint, host_of
from core.chat.hangup import Hangup
from core.conversations import turns
from core.conversations.store import Store
from core.replies.job import Job

HEARTBEAT = 10.0  # seconds between saves of a reply that is silent meanwhile (see Store.recover_stale)
RETRY_SAVE = 2.0  # seconds between tries to store a reply that ended while the database was down


@dataclass(frozen=True)
class Limits:
    """How many replies may generate at once, per visitor and in the whole process."""

    per_visitor: int = 3
    per_process: int = 20


class NoRoom(Exception):
    """A reply cannot start now; ``reason`` is ``busy`` (one is generating in this conversation),
    ``visitor`` or ``process`` (that cap is reached), and ``limit`` the cap."""

    def __init__(self, reason: str, limit: int = 0) -> None:
        super().__init__(f"no room for a reply: {reason} (limit {limit})")
        self.reason, self.limit = reason, limit


class Replies:
    """Every reply this process is generating; ``start`` one, ``find`` it, ``stop`` it. A reply is
    the visitor's who asked (``core.conversations.visibility.visitor_key``): only they attach to it."""

    def __init__(self, register_exit: bool = True, heartbeat: float = HEARTBEAT,
                 retry_save: float = RETRY_SAVE) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], Job] = {}
        self._unsaved: list[Job] = []  # ended, but their last save failed: tried again every beat
        self._quit = threading.Event()
        threading.Thread(target=self._beat, args=(heartbeat, retry_save), name="replies-heartbeat",
                         daemon=True).start()
        if register_exit:  # Streamlit stops on SIGTERM/SIGINT by ending its loop; atexit then runs
            atexit.register(self.shutdown)

    def __repr__(self) -> str:
        return f"Replies(running={len(self.running())})"

    def running(self) -> list[Job]:
        """The replies still generating."""
        with self._lock:
            return [job for job in self._jobs.values() if job.running]

    def find(self, visitor: str, cid: str | None) -> Job | None:
        """The reply generating in this visitor's conversation, if any (never another visitor's)."""
        with self._lock:
            job = self._jobs.get((visitor, cid)) if cid else None
        return job if job is not None and job.running else None

    def generating(self, visitor: str) -> set[str]:
        """This visitor's conversations with a reply still generating."""
        return {job.cid for job in self.running() if job.visitor == visitor}

    def unsaved(self) -> list[Job]:
        """The replies that ended while the database could not be written, not stored yet."""
        with self._lock:
            return list(self._unsaved)

    def unsaved_in(self, visitor: str, cid: str | None) -> Job | None:
        """This visitor's reply in conversation ``cid`` that ended but is not stored yet, if any."""
        return next((job for job in self.unsaved() if job.visitor == visitor and job.cid == cid), None)

    def check_room(self, visitor: str, cid: str | None, limits: Limits) -> None:
        """Raise NoRoom unless a reply could start now in this conversation for this visitor."""
        with self._lock:
            self._check_room(visitor, cid, limits)

    def _check_room(self, visitor: str, cid: str | None, limits: Limits) -> None:
        running = [job for job in self._jobs.values() if job.running]  # the caller holds the lock
        if cid and any(job.visitor == visitor and job.cid == cid for job in running):
            raise NoRoom("busy")
        if sum(job.visitor == visitor for job in running) >= limits.per_visitor:
            raise NoRoom("visitor", limits.per_visitor)
        if len(running) >= limits.per_process:
            raise NoRoom("process", limits.per_process)

    def start(self, store: Store, owner: str, cid: str, visitor: str, endpoint: Endpoint,
              options: session.Options, limits: Limits, retry: retries.Policy = retries.DEFAULT) -> Job:
        """Store a streaming reply to the conversation's last question and generate it on a worker
        thread; raises NoRoom, or the store's error when nothing could be stored (nothing is asked)."""
        with self._lock:  # two tabs asking at once: one reply per conversation, caps counted once
            self._check_room(visitor, cid, limits)
            job = self._open(store, owner, cid, visitor, endpoint, options, retry)
            self._jobs[(visitor, cid)] = job
        threading.Thread(target=job.run, args=(self._forget,), name=f"reply-{cid[:8]}", daemon=True).start()
        return job

    def stop(self, visitor: str, cid: str | None) -> bool:
        """Stop the reply generating in this visitor's conversation, if any; whether there was one."""
        job = self.find(visitor, cid)
        if job:
            job.stop()
        return job is not None

    def shutdown(self) -> None:
        """Save every running reply as incomplete and hang up (the process is exiting)."""
        self._quit.set()
        for job in self.running():
            job.stop("incomplete")
        self._save_unsaved()
        for job in self.unsaved():
            logs.get().error("reply in conversation %s was never saved: the database could not be written",
                             job.cid)

    def _beat(self, every: float, retry_save: float) -> None:
        # Replies save as their text grows; one silent for long (R1 thinking) must still look alive.
        due = time.monotonic() + every
        while not self._quit.wait(min(every, retry_save)):
            self._save_unsaved()
            if time.monotonic() >= due:
                due = time.monotonic() + every
                for job in self.running():
                    job.heartbeat()

    def _save_unsaved(self) -> None:
        for job in self.unsaved():
            if job.save_again():  # its save says how many tries it took (core.conversations.turns)
                with self._lock:
                    self._unsaved.remove(job)

    def _open(self, store: Store, owner: str, cid: str, visitor: str, endpoint: Endpoint,
              options: session.Options, retry: retries.Policy) -> Job:
        messages: Sequence[Mapping] = store.messages(owner, cid, reasoning=False)  # never sent back
        hangup, lock = Hangup(), threading.Condition()
        client = session.make_client(endpoint, hangup)
        reply, events = session.start_reply(client, endpoint, messages, options,
                                            retry=replace(retry, sleep=hangup.sleep), lock=lock)
        mid, save = turns.begin_reply(store, owner, cid, reply)  # on disk before anything is asked
        return Job(owner, cid, visitor, reply, events, save, hangup, lock, host_of(endpoint.base_url), mid=mid)

    def _forget(self, job: Job) -> None:
        with self._lock:
            if self._jobs.get((job.visitor, job.cid)) is job:
                del self._jobs[(job.visitor, job.cid)]
            if job.saved is False:
                self._unsaved.append(job)
