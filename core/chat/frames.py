"""Coalesce a reply's events into a few page updates a second, each costing only the new text."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from core.chat.events import AnswerDelta, AnswerRetracted, ReasoningDelta, Retrying
from core.chat.livetext import LiveText
from core.chat.reply import Reply

FRAME_INTERVAL = 0.08  # ≈12 updates a second: smooth to the eye, cheap for the browser


@dataclass
class Frame:
    """What changed since the last frame; ``None`` tails are unchanged."""

    reasoning_blocks: list[str] = field(default_factory=list)
    reasoning_tail: str | None = None
    answer_blocks: list[str] = field(default_factory=list)
    answer_tail: str | None = None
    answer_reset: bool = False
    thinking_done: bool = False
    retry: Retrying | None = None  # waiting to try again: the page shows why and for how long
    final: bool = False


def frames(events: Iterable[object], reply: Reply, clock: Callable[[], float] = time.monotonic,
           interval: float = FRAME_INTERVAL) -> Iterator[Frame]:
    """Apply events to ``reply`` and yield a Frame at most every ``interval`` seconds."""
    reasoning, answer = LiveText(), LiveText()
    dirty = Frame()
    last = clock()
    was_thinking = False
    for event in events:
        now = clock()
        reply.apply(event, now)
        if isinstance(event, ReasoningDelta):
            reasoning.append(event.text)
            dirty.reasoning_tail = ""
            was_thinking = True
        elif isinstance(event, AnswerDelta):
            answer.append(event.text)
            dirty.answer_tail = ""
            if was_thinking and reply.answer_start == now:
                dirty.thinking_done = True
        elif isinstance(event, AnswerRetracted):
            answer = LiveText()
            dirty = Frame(reasoning_blocks=dirty.reasoning_blocks, answer_reset=True)
        elif isinstance(event, Retrying):
            dirty.retry = event
        if now - last >= interval or dirty.retry:  # a countdown tick is shown when it comes
            yield _fill(dirty, reasoning, answer, final=False)
            # Measured after the page drew the frame, so slow frames space out the next ones
            # instead of making every event a frame.
            dirty, last = Frame(), clock()
    yield _fill(dirty, reasoning, answer, final=True)


def _fill(frame: Frame, reasoning: LiveText, answer: LiveText, final: bool) -> Frame:
    frame.final = final
    if frame.reasoning_tail is not None or final:
        frame.reasoning_blocks += reasoning.take_frozen()
        frame.reasoning_tail = reasoning.tail_markdown(final)
    if frame.answer_tail is not None or final:
        frame.answer_blocks += answer.take_frozen()
        frame.answer_tail = answer.tail_markdown(final)
    return frame
