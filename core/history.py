"""The messages sent to the model: earlier answers without their reasoning, strictly alternating."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def build_messages(turns: Iterable[Mapping], system_prompt: str = "") -> list[dict]:
    """Build the request history from stored turns ending with the user's new message.

    Reasoning is never sent back (DeepSeek answers 400 when ``reasoning_content`` returns),
    and a user turn whose reply failed or came back empty is dropped with that reply, so two
    user messages never follow each other (deepseek-reasoner rejects successive roles).
    """
    messages: list[dict] = []
    if system_prompt.strip():
        messages.append({"role": "system", "content": system_prompt.strip()})
    pending_user: str | None = None
    for turn in turns:
        if turn["role"] == "user":
            pending_user = turn["content"]  # a later user turn replaces an unanswered one
        elif turn["role"] == "assistant" and pending_user is not None:
            answer = (turn.get("content") or "").strip()
            if answer:
                messages.append({"role": "user", "content": pending_user})
                messages.append({"role": "assistant", "content": answer})
            pending_user = None
    if pending_user is not None:
        messages.append({"role": "user", "content": pending_user})
    return messages
