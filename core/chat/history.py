"""The messages sent to the model: earlier answers without their reasoning, strictly alternating."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def answers(reply: Mapping) -> bool:
    """Whether a reply goes back as history: only one with answer text (its reasoning never counts)."""
    return bool((reply.get("content") or "").strip())


def sent(turns: Sequence[Mapping]) -> list[int]:
    """The positions of the stored turns that go upstream, in order: each answered question with its
    answer, then the question still waiting for one.

    A question whose reply failed or came back empty is dropped with that reply, and a question
    followed by another question gives way to it, so two user messages never follow each other
    (deepseek-reasoner rejects successive roles); a reply with no question before it is dropped too.
    """
    kept: list[int] = []
    pending: int | None = None
    for index, turn in enumerate(turns):
        if turn["role"] == "user":
            pending = index  # a later user turn replaces an unanswered one
        elif turn["role"] == "assistant" and pending is not None:
            if answers(turn):
                kept += [pending, index]
            pending = None
    if pending is not None:
        kept.append(pending)
    return kept


def left_out(turns: Sequence[Mapping]) -> set[int]:
    """The positions of the stored turns the model never sees (the page marks them)."""
    return set(range(len(turns))) - set(sent(turns))


def build_messages(turns: Iterable[Mapping], system_prompt: str = "") -> list[dict]:
    """Build the request history from stored turns ending with the user's new message.

    Reasoning is never sent back (DeepSeek answers 400 when ``reasoning_content`` returns);
    which turns go is :func:`sent`'s rule.
    """
    turns = list(turns)
    messages: list[dict] = []
    if system_prompt.strip():
        messages.append({"role": "system", "content": system_prompt.strip()})
    for index in sent(turns):
        turn = turns[index]
        content = turn["content"] if turn["role"] == "user" else turn["content"].strip()
        messages.append({"role": turn["role"], "content": content})
    return messages
