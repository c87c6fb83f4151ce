"""Server databases that failed lately, so that one that is down costs a page run nothing.

Every page run of every visitor needs the database; while its server is down (restarting, or a
host that drops packets, where each try waits out the connect timeout) they would all try it
again at once. Here the last failure is remembered: for ``RETRY_AFTER`` seconds, and while one
thread is trying again, the others get that failure back without trying.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

RETRY_AFTER = 3.0  # seconds; a page waiting for the database asks about this often (ui/outage.py)

T = TypeVar("T")


class Outages:
    """The last failure of each database URL that failed lately, and which are being tried now;
    ``on_back(url)`` is called once when a URL that failed answers again."""

    def __init__(self, retry_after: float = RETRY_AFTER, clock: Callable[[], float] = time.monotonic,
                 on_back: Callable[[str], None] = lambda url: None):
        self.retry_after, self._clock, self._on_back = retry_after, clock, on_back
        self._lock = threading.Lock()
        self._failed: dict[str, tuple[float, Exception]] = {}
        self._trying: set[str] = set()
        self._answered: dict[str, float] = {}  # when each URL last answered

    def __repr__(self) -> str:
        return f"Outages(down={len(self._failed)})"

    def use(self, url: str, attempt: Callable[[], T]) -> T:
        """``attempt()``'s result; or, when ``url`` failed less than ``retry_after`` seconds ago or
        another thread is trying it now, that failure raised again without trying."""
        with self._lock:
            failed = self._failed.get(url)
            if failed and (self._clock() - failed[0] < self.retry_after or url in self._trying):
                raise failed[1].with_traceback(None)  # raised again and again: no growing traceback
            self._trying.add(url)
        try:
            result = attempt()
        except Exception as exc:
            self.record(url, exc)
            raise
        finally:
            with self._lock:
                self._trying.discard(url)
        with self._lock:
            was_down = self._failed.pop(url, None) is not None
            self._answered[url] = self._clock()
        if was_down:  # once per outage: whoever said it was down can now say it is back
            self._on_back(url)
        return result

    def check(self, url: str, attempt: Callable[[], object]) -> Exception | None:
        """Why ``url`` cannot be used now, or ``None``; ``attempt()`` is tried only when nobody learnt
        either in the last ``retry_after`` seconds (an answer, like a failure, holds that long)."""
        # Every open page asks this every few seconds to notice an outage by itself: the pages of a
        # process then share one trivial query per few seconds between them, not one each.
        with self._lock:
            answered = self._answered.get(url)
            if answered is not None and self._clock() - answered < self.retry_after:
                return None
        try:
            self.use(url, attempt)
        except Exception as exc:  # the caller names it (down, a refused password, a newer schema)
            return exc
        return None

    def record(self, url: str, exc: Exception) -> None:
        """Remember that ``url`` failed now with ``exc`` (also a failure met in the middle of a run)."""
        with self._lock:
            self._failed[url] = (self._clock(), exc)
            self._answered.pop(url, None)  # a failure met mid-run is news to the next check

    def failure(self, url: str) -> Exception | None:
        """The failure ``url`` last met, while it counts as down; else ``None``."""
        with self._lock:
            failed = self._failed.get(url)
        return failed[1] if failed else None
