"""One retry policy for every route: which faults earn another attempt, how long to wait first, and
the countdown the page shows meanwhile.

A fault is retried only while nothing of the reply has streamed (a second attempt would repeat
text the user already saw), and only when waiting can help: a rate limit, a server or gateway
failure, a reset connection, or a stream closed before its first token. Faults the user must fix
(a key, a URL, a model) end the reply at once. ``Retry-After`` is honoured up to
``Policy.longest_wait``; a longer one is not waited out but named in the message.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from core.chat.events import AnswerDelta, Event, Interrupted, ReasoningDelta, Retrying
from core.diagnosis import Diagnosis

RETRYABLE = frozenset({"rate_limit", "server", "gateway", "reset", "connection", "cut_off"})
TICK = 0.5  # how often the countdown is re-sent: the page redraws it, and a Stop is seen between ticks


@dataclass(frozen=True)
class Policy:
    """How many retries, the backoff between them, and the longest ``Retry-After`` waited out."""

    retries: int = 2
    first_delay: float = 1.0  # doubled for each further retry, with ±20 % jitter
    longest_delay: float = 8.0
    longest_wait: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)  # tests pass a fake clock

    def delay(self, diagnosis: Diagnosis, done: int) -> float | None:
        """Seconds before the next attempt after ``done`` retries, or None when it is not worth one."""
        if diagnosis.kind not in RETRYABLE or done >= self.retries:
            return None
        backoff = min(self.longest_delay, self.first_delay * 2 ** done * random.uniform(0.8, 1.2))
        asked = asked_seconds(diagnosis)
        if asked is None:
            return backoff
        return None if asked > self.longest_wait else max(asked, backoff)


DEFAULT = Policy()


def asked_seconds(diagnosis: Diagnosis) -> float | None:
    """The wait the provider asked for, in seconds (``params["wait"]``), or None if it named none."""
    try:
        return max(0.0, float(diagnosis.params.get("wait", "?")))
    except ValueError:
        return None


def asked_wait(headers) -> str:
    """The seconds a response's ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) asks
    for, as the text ``params["wait"]`` holds: a finite number ≥ 0, else "?". Both routes use it."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = (headers.get(name) or "").strip()
        try:
            seconds = float(value) / scale
        except ValueError:
            seconds = _until(value) if value and scale == 1.0 else None
        if seconds is not None and math.isfinite(seconds) and seconds >= 0:
            return f"{seconds:.3g}" if seconds < 10 else f"{seconds:.0f}"
    return "?"


def _until(http_date: str) -> float | None:
    try:
        return max(0.0, email.utils.parsedate_to_datetime(http_date).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def with_retries(start: Callable[[], Iterator[Event]], policy: Policy = DEFAULT) -> Iterator[Event]:
    """The events of ``start()``, started again after a retryable fault before the first token.

    While it waits it yields a ``Retrying`` countdown every ``TICK``; the final ``Interrupted``
    carries ``params["retries"]`` when retries were made. Closing this generator (a Stop) closes
    the attempt in flight.
    """
    done = 0
    while True:
        fault = yield from _attempt(start())
        if fault is None:
            return
        wait = policy.delay(fault, done)
        if wait is None:
            params = {**fault.params, "retries": str(done)} if done else fault.params
            yield Interrupted(replace(fault, params=params))
            return
        done += 1
        yield from _countdown(fault, wait, done, policy.retries, policy.sleep)


def _attempt(events: Iterator[Event]) -> Iterator[Event]:
    """Pass one attempt's events on; return its fault instead if it failed before any text."""
    streamed = False
    try:
        for event in events:
            if isinstance(event, Interrupted) and not streamed:
                return event.diagnosis
            streamed = streamed or isinstance(event, (ReasoningDelta, AnswerDelta))
            yield event
    finally:
        events.close()
    return None


def _countdown(fault: Diagnosis, wait: float, attempt: int, attempts: int,
               sleep: Callable[[float], None]) -> Iterator[Retrying]:
    left = wait
    while left > 0:
        yield Retrying(fault, left, attempt, attempts)
        step = min(TICK, left)
        sleep(step)
        left -= step
