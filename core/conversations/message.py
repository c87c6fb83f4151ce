"""The shape of one stored message and the error for a conversation that is gone — value types the
store, export and pages share. Dependency-free: nothing here loads a provider, an SDK or storage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

if TYPE_CHECKING:  # named for the type checker only: the module itself imports nothing of the app
    from core.diagnosis import Diagnosis


class Usage(TypedDict, total=False):
    """Token counts as stored: what the provider reported, any of them missing."""

    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None


class Message(TypedDict):
    """One message as the store returns it and the page, export and history read it."""

    role: Literal["user", "assistant"]
    content: str  # the answer (or the question), Markdown
    reasoning: str  # the model's thinking; never sent back upstream
    status: str  # complete | length | stopped | interrupted | error | incomplete | streaming
    finish_reason: str | None
    model: str | None
    route: str | None  # the provider route that answered (core.chat.providers)
    thought: float | None  # seconds of thinking
    ttft: float | None  # seconds to the first token
    total: float | None  # seconds for the whole reply
    created: float | None
    max_tokens: int | None  # the budget this reply had
    usage: Usage | None
    diagnosis: Diagnosis | None  # why it failed, if it did
    # Its place in the conversation's tree (core.conversations.tree), as the store reads it back:
    parent: NotRequired[str | None]  # the message it answers or follows; None for a first message
    version: NotRequired[int]  # which version it is among its siblings, from 1
    versions: NotRequired[int]  # how many versions there are
    chosen: NotRequired[bool]  # shown rather than its siblings (Store.tree only)


class ConversationGone(LookupError):
    """The conversation is not there for this owner (deleted, perhaps in another tab)."""
