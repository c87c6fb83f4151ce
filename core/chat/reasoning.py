"""Turn provider chunks into reasoning and answer events, whatever shape the reasoning takes.

Reasoning arrives as ``delta.reasoning_content`` (DeepSeek, Ark, Coze), ``delta.reasoning``
(OpenRouter, vLLM, newer Ollama), or inline in ``content`` as ``<think>…</think>`` — possibly
with the tags split across chunks, or (R1-0528 behind some templates) with only ``</think>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.chat.events import AnswerDelta, AnswerRetracted, Event, Finished, ReasoningDelta, Usage

OPEN, CLOSE = "<think>", "</think>"


def field(obj: Any, name: str) -> Any:
    """Read ``name`` from a dict chunk or an SDK model (extra fields included)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


class ReasoningParser:
    """Stateful parser: feed chunks, get events; call ``finish`` when the stream ends."""

    def __init__(self) -> None:
        self.mode = "start"  # start -> (think | undecided) -> answer
        self.pending = ""  # text held back: a possibly split tag, or leading whitespace
        self.undecided = ""  # content shown as answer that a bare </think> may reclaim
        self.finish_reason: str | None = None

    def feed(self, chunk: Any) -> Iterator[Event]:
        """Yield the events carried by one chunk."""
        usage = field(chunk, "usage")
        for choice in field(chunk, "choices") or ():
            delta = field(choice, "delta")
            reasoning = field(delta, "reasoning_content") or field(delta, "reasoning")
            if reasoning:
                if self.mode in ("start", "undecided") and not self.undecided:
                    # Reasoning has its own field, so content is all answer (minus leading blanks).
                    self.mode = "after_close"
                yield ReasoningDelta(reasoning)
            content = field(delta, "content")
            if content:
                yield from self._content(content)
            reason = field(choice, "finish_reason")
            if reason:
                self.finish_reason = reason
        if usage:
            yield _usage(usage)

    def finish(self) -> Iterator[Event]:
        """Flush held-back text; yield Finished when the provider gave a finish_reason."""
        if self.pending:
            text, self.pending = self.pending, ""
            if self.mode == "think":
                yield ReasoningDelta(text)
            elif self.mode != "start" or text.strip():
                yield AnswerDelta(text.lstrip() if self.mode == "after_close" else text)
        if self.finish_reason:
            yield Finished(self.finish_reason)

    def _content(self, text: str) -> Iterator[Event]:
        text = self.pending + text
        self.pending = ""
        if self.mode == "start":
            stripped = text.lstrip()
            if OPEN.startswith(stripped):  # whitespace or a split "<thi": wait for more
                self.pending = text
                return
            if stripped.startswith(OPEN):
                self.mode, text = "think", stripped[len(OPEN):]
            else:
                self.mode = "undecided"
        if self.mode == "think":
            yield from self._until_close(text, reclaim=False)
        elif self.mode == "undecided":
            yield from self._until_close(text, reclaim=True)
        elif self.mode == "after_close":
            text = text.lstrip()
            if text:
                self.mode = "answer"
                yield AnswerDelta(text)
        else:
            yield AnswerDelta(text)

    def _until_close(self, text: str, reclaim: bool) -> Iterator[Event]:
        idx = text.find(CLOSE)
        if idx < 0:
            keep = _partial_suffix(text, CLOSE)
            body, self.pending = (text[:-keep], text[-keep:]) if keep else (text, "")
            if body and reclaim:
                self.undecided += body
                yield AnswerDelta(body)
            elif body:
                yield ReasoningDelta(body)
            return
        before, after = text[:idx], text[idx + len(CLOSE):]
        if reclaim:
            yield AnswerRetracted()
            before, self.undecided = self.undecided + before, ""
        if before:
            yield ReasoningDelta(before)
        self.mode = "after_close"
        yield from self._content(after)


def _usage(usage: Any) -> Usage:
    details = field(usage, "completion_tokens_details")
    return Usage(
        prompt_tokens=field(usage, "prompt_tokens"),
        completion_tokens=field(usage, "completion_tokens"),
        reasoning_tokens=field(details, "reasoning_tokens"),
    )
