"""One assistant reply as it streams: its text, its status and timings measured from the stream."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from core.chat.events import AnswerDelta, AnswerRetracted, Finished, Interrupted, ReasoningDelta, Usage


@dataclass
class Reply:
    """Accumulates events; every time is in seconds on one monotonic clock."""

    model: str
    started: float
    route: str | None = None
    max_tokens: int | None = None
    reasoning_parts: list[str] = field(default_factory=list)
    answer_parts: list[str] = field(default_factory=list)
    status: str = "streaming"  # complete | length | stopped | interrupted | error
    finish_reason: str | None = None
    usage: Usage | None = None
    diagnosis: object | None = None
    first_token: float | None = None
    reasoning_start: float | None = None
    answer_start: float | None = None
    ended: float | None = None

    @property
    def reasoning(self) -> str:
        """All reasoning so far."""
        return "".join(self.reasoning_parts)

    @property
    def answer(self) -> str:
        """All of the answer so far."""
        return "".join(self.answer_parts)

    def apply(self, event: object, now: float) -> None:
        """Fold one event into the reply; once it has ended only late token counts still count (a
        stopped reply stays stopped whatever its closing stream says)."""
        if self.status != "streaming" and not isinstance(event, Usage):
            return
        if isinstance(event, (ReasoningDelta, AnswerDelta)) and self.first_token is None:
            self.first_token = now
        if isinstance(event, ReasoningDelta):
            self.reasoning_start = self.reasoning_start or now
            self.reasoning_parts.append(event.text)
        elif isinstance(event, AnswerDelta):
            self.answer_start = self.answer_start or now
            self.answer_parts.append(event.text)
        elif isinstance(event, AnswerRetracted):
            self.reasoning_start, self.answer_start = self.answer_start, None
            self.answer_parts.clear()
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Finished):
            self.finish_reason = event.reason
            self._end("length" if event.reason == "length" else "complete", now)
        elif isinstance(event, Interrupted):
            self.diagnosis = event.diagnosis
            self._end("interrupted" if self.first_token else "error", now)

    def stop(self, now: float, status: str = "stopped") -> None:
        """End it early, keeping what arrived: the user pressed Stop, or (``incomplete``) the server
        is shutting down."""
        if self.status == "streaming":
            self._end(status, now)

    def _end(self, status: str, now: float) -> None:
        self.status, self.ended = status, now

    @property
    def thought_seconds(self) -> float | None:
        """From the first reasoning delta to the first answer delta; ``None`` unless thinking finished
        (a reply stopped or cut mid-thought has no thinking time to tell)."""
        if self.reasoning_start is None:
            return None
        end = self.answer_start or (self.ended if self.status == "complete" else None)
        return None if end is None else max(0.0, end - self.reasoning_start)

    @property
    def truncated_by_length(self) -> bool:
        """The token budget ran out: the answer is empty or cut."""
        return self.status == "length"

    def to_message(self) -> dict:
        """The reply as a stored message (the shape of ``core.conversations.records``)."""
        ttft = None if self.first_token is None else self.first_token - self.started
        total = None if self.ended is None else self.ended - self.started
        return {"role": "assistant", "content": self.answer, "reasoning": self.reasoning,
                "status": self.status, "finish_reason": self.finish_reason,
                "diagnosis": self.diagnosis, "model": self.model, "route": self.route, "usage": self.usage, "max_tokens": self.max_tokens,
                "thought": self.thought_seconds, "ttft": ttft, "total": total}


def applied(events: Iterable[object], reply: Reply, clock: Callable[[], float] = time.monotonic,
            lock: AbstractContextManager | None = None) -> Iterator[object]:
    """Pass the events through, folding each into ``reply`` (under ``lock``, which whoever else
    changes the reply holds too) as it passes; closing it closes them."""
    lock = lock or nullcontext()
    try:
        for event in events:
            with lock:
                reply.apply(event, clock())
            yield event
    finally:
        close = getattr(events, "close", None)
        if close:  # closing the provider's generator closes its HTTP stream
            close()
