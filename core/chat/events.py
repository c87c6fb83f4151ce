"""Typed events produced by the streaming client, whatever the provider's wire shape."""

from __future__ import annotations

from dataclasses import dataclass

from core.diagnosis import Diagnosis


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning."""

    text: str


@dataclass(frozen=True)
class AnswerDelta:
    """A piece of the answer."""

    text: str


@dataclass(frozen=True)
class AnswerRetracted:
    """The answer so far was reasoning after all (a bare ``</think>`` arrived).

    A ReasoningDelta carrying that text follows at once.
    """


@dataclass(frozen=True)
class Usage:
    """Token counts reported by the provider; reasoning tokens when it reports them."""

    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None = None


@dataclass(frozen=True)
class Finished:
    """The provider ended the reply with a finish_reason (stop, length, content_filter…)."""

    reason: str


@dataclass(frozen=True)
class Interrupted:
    """The reply ended abnormally: a fault, or a stream that ended with no finish_reason."""

    diagnosis: Diagnosis


@dataclass(frozen=True)
class Retrying:
    """An attempt failed before anything streamed; the next one starts in ``seconds``.

    Sent again as the wait counts down, so the page is never silent while it waits.
    """

    diagnosis: Diagnosis
    seconds: float
    attempt: int  # the retry that is coming: 1 for the first
    attempts: int  # how many retries the policy allows


Event = ReasoningDelta | AnswerDelta | AnswerRetracted | Usage | Finished | Interrupted | Retrying
