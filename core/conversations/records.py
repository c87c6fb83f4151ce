"""One stored message as plain data: the shape the database, the export and the page share.

A message is a dict with the keys of ``FIELDS`` plus ``id``; ``usage`` is a
:class:`core.chat.events.Usage` and ``diagnosis`` a :class:`core.diagnosis.Diagnosis` (or ``None``).
``to_plain``/``from_plain`` turn it into JSON-safe data and back, checking every field, so an
imported file can never put a wrong type or an unknown status on the page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from core import i18n
from core.chat.events import Usage
from core.conversations.message import Message
from core.diagnosis import Diagnosis, status_label

# complete/length/stopped/interrupted/error end a reply; "streaming" is a reply being written,
# "incomplete" one whose process died mid-stream (found so when the store is next opened).
STATUSES = ("complete", "length", "stopped", "interrupted", "error", "incomplete", "streaming")
ROLES = ("user", "assistant")
TEXT_FIELDS = ("content", "reasoning")
OPTIONAL_TEXT = ("finish_reason", "model", "route")
TEXT_LIMITS = {"finish_reason": 32, "model": 200, "route": 32}  # the columns' sizes
KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
NUMBERS = ("thought", "ttft", "total", "created")
FIELDS = ("role", *TEXT_FIELDS, "status", *OPTIONAL_TEXT, *NUMBERS, "max_tokens", "usage", "diagnosis")
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "reasoning_tokens")
DIAGNOSIS_FIELDS = ("kind", "params", "status", "detail", "request_id")


def new_message(role: str, content: str, **extra: object) -> Message:
    """A message with every field present: defaults, then ``extra``."""
    msg: Message = {name: None for name in FIELDS}  # type: ignore[assignment]  # filled in below
    msg.update(role=role, content=content, reasoning="", status="complete")
    msg.update(extra)
    return msg


def usage_to_plain(usage: Usage | None) -> dict | None:
    """Token counts as a dict (``None`` stays ``None``)."""
    return None if usage is None else {name: getattr(usage, name) for name in USAGE_FIELDS}


def usage_from_plain(data: Mapping | None) -> Usage | None:
    """The inverse of :func:`usage_to_plain`; counts must be whole numbers or missing."""
    if data is None:
        return None
    _check(isinstance(data, Mapping), "usage")
    counts = {name: data.get(name) for name in USAGE_FIELDS}
    for name, value in counts.items():
        _check(value is None or (isinstance(value, int) and not isinstance(value, bool)), f"usage.{name}")
    return Usage(**counts)


def diagnosis_to_plain(diagnosis: Diagnosis | None) -> dict | None:
    """A diagnosis as a dict (``None`` stays ``None``)."""
    return None if diagnosis is None else {name: getattr(diagnosis, name) for name in DIAGNOSIS_FIELDS}


def diagnosis_from_plain(data: Mapping | None) -> Diagnosis | None:
    """The inverse of :func:`diagnosis_to_plain`; params are kept as strings only."""
    if data is None:
        return None
    _check(isinstance(data, Mapping) and isinstance(data.get("kind"), str), "diagnosis.kind")
    kind = data["kind"] if KIND.fullmatch(data["kind"]) else "unknown"  # it keys an i18n message
    params = {} if data.get("params") is None else data["params"]
    _check(isinstance(params, Mapping), "diagnosis.params")
    status = data.get("status")
    _check(status is None or (isinstance(status, int) and not isinstance(status, bool)), "diagnosis.status")
    _check(isinstance(data.get("detail") or "", str), "diagnosis.detail")
    params = {str(k): str(v) for k, v in params.items()}
    if kind == "server":  # rows saved before the message named the status
        params.setdefault("status", status_label(status, params.get("code")))
    return Diagnosis(kind, params, status,
                     str(data.get("detail") or ""), _optional_str(data.get("request_id")))


def footer(msg: Mapping, t) -> str:
    """The quiet line under a reply (page and export): model (or Coze bot), tokens, first token, total time."""
    usage = msg.get("usage")
    usage = usage_to_plain(usage) if isinstance(usage, Usage) else usage or {}
    model = msg.get("model") or ""
    # Each route words what answered (on the Coze bot route the "model" is the bot's id); an older
    # message without a known route shows the name alone.
    worded = f"chats.model.{msg.get('route')}"
    parts = [t(worded, model=model) if model and worded in i18n.CATALOGUES["en"] else model]
    if usage.get("completion_tokens") is not None:
        parts.append(t("chat.tokens", n=usage["completion_tokens"]))
        if usage.get("reasoning_tokens"):
            parts.append(t("chat.reasoning_tokens", n=usage["reasoning_tokens"]))
    for name, key in (("ttft", "chat.ttft"), ("total", "chat.total")):
        if msg.get(name) is not None:
            parts.append(t(key, s=f"{msg[name]:.1f}"))
    return " · ".join(p for p in parts if p)


def thinking_end(msg: Mapping) -> str:
    """How a reply's thinking ended: "finished", "streaming" (not yet), "stopped" or "cut"."""
    status = msg.get("status")
    if msg.get("content") or status in ("complete", None):
        return "finished"
    return status if status in ("streaming", "stopped") else "cut"


def thinking_label(msg: Mapping, t) -> str:
    """The thinking block's title (page and export): how long it thought, only if thinking finished;
    a reply stopped or cut mid-thought says so instead."""
    end, thought = thinking_end(msg), msg.get("thought")
    if end == "finished":  # without a recorded time: an import, an older row
        return t("chat.thought_untimed") if thought is None else t("chat.thought", s=f"{thought:.1f}")
    return t({"streaming": "chat.still_thinking", "stopped": "chat.thought_stopped"}.get(end, "chat.thought_cut"))


def with_last_reply(messages: list[dict], reply: Mapping) -> list[dict]:
    """``messages`` with the last one, a reply, brought up to ``reply`` (as its live job holds it);
    the same list when the last message is not a reply."""
    if not messages or messages[-1]["role"] != "assistant":
        return messages
    return [*messages[:-1], {**messages[-1], **reply}]


def to_plain(msg: Mapping) -> dict:
    """A message as JSON-safe data, without its database id."""
    plain = {name: msg.get(name) for name in FIELDS}
    plain["usage"] = usage_to_plain(msg.get("usage"))
    plain["diagnosis"] = diagnosis_to_plain(msg.get("diagnosis"))
    return plain


def from_plain(data: Mapping) -> dict:
    """A message from JSON-safe data; raises ``ValueError`` naming the first bad field."""
    _check(isinstance(data, Mapping), "message")
    _check(data.get("role") in ROLES, "role")
    status = data.get("status", "complete")
    _check(status in STATUSES, "status")
    msg = new_message(data["role"], "", status="incomplete" if status == "streaming" else status)
    for name in TEXT_FIELDS:
        _check(isinstance(data.get(name, ""), str), name)
        msg[name] = data.get(name) or ""
    for name in OPTIONAL_TEXT:
        _check(data.get(name) is None or isinstance(data[name], str), name)
        msg[name] = None if data.get(name) is None else data[name][:TEXT_LIMITS[name]]
    for name in NUMBERS:
        msg[name] = _number(data.get(name), name)
    budget = data.get("max_tokens")
    _check(budget is None or (isinstance(budget, int) and not isinstance(budget, bool) and budget > 0),
           "max_tokens")
    msg["max_tokens"] = budget
    msg["usage"] = usage_from_plain(data.get("usage"))
    msg["diagnosis"] = diagnosis_from_plain(data.get("diagnosis"))
    return msg


def _number(value: object, field: str) -> float | None:
    """A finite, non-negative time in seconds (or None): NaN or a negative duration is corruption."""
    if value is None:
        return None
    _check(isinstance(value, int | float) and not isinstance(value, bool), field)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    _check(math.isfinite(number) and number >= 0, field)
    return number


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _check(ok: bool, field: str) -> None:
    if not ok:
        raise ValueError(field)
