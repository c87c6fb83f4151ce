"""Coalesce a reply's events into a few page updates a second, each costing only the new text.

The events come from a reply's worker (``core.replies``), which has already folded them into its
Reply; a ``None`` among them is a quiet moment, which still yields a frame so the page can tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from core.chat.events import AnswerDelta, AnswerRetracted, ReasoningDelta, Retrying
from core.chat.livetext import LiveText

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


def frames(events: Iterable[object | None], clock: Callable[[], float] = time.monotonic,
           interval: float = FRAME_INTERVAL) -> Iterator[Frame]:
    """Yield a Frame of what the events added, at most every ``interval`` seconds (and on each quiet
    moment, a ``None``), then a final one."""
    reasoning, answer = LiveText(), LiveText()
    dirty = Frame()
    last = clock()
    thinking = answering = False
    for event in events:
        now = clock()
        if isinstance(event, ReasoningDelta):
            reasoning.append(event.text)
            dirty.reasoning_tail = ""
            thinking = True
        elif isinstance(event, AnswerDelta):
            answer.append(event.text)
            dirty.answer_tail = ""
            dirty.thinking_done |= thinking and not answering  # the first answer text after thinking
            answering = True
        elif isinstance(event, AnswerRetracted):  # that "answer" was reasoning after all
            answer, answering = LiveText(), False
            dirty = Frame(reasoning_blocks=dirty.reasoning_blocks, answer_reset=True)
        elif isinstance(event, Retrying):
            dirty.retry = event
        if now - last >= interval or dirty.retry or event is None:  # a countdown tick shows when it comes
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
