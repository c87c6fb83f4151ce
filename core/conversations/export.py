"""Export a conversation as Markdown to read or as JSON to import again, and import that JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from core.conversations import records
from core.conversations.store import title_from
from core.diagnosis import TRANSPORT_KINDS
from core.redact import redact
from core.untrusted import clean_line, escape_html, inert_links

FORMAT = "r1-chat.conversation"
VERSION = 2  # 2: every version of every message (a tree); 1: one branch, still imported
MAX_MB = 10
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_MESSAGES = 5000
MAX_TITLE = 200
ICONS = {"user": "🧑", "assistant": "🐋"}
# An unclosed fence (a reply stopped mid-code) would turn the rest of the document into code.
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
# Inside the reasoning these would close or nest the <details> block, or hide all that follows;
# escape_html has them in prose already, this takes them out of code too, in case a reader's
# Markdown ends that code sooner than ours does.
BLOCK_BREAKERS = re.compile(r"(?i)<(?=/?details\b|!--)")
INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>])")


class ImportRejected(ValueError):
    """A file that cannot be imported: ``key`` names the i18n message and ``params`` fill it in."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def to_markdown(title: str, messages: Sequence[Mapping], include_thinking: bool,
                t: Callable[..., str], *, secrets: Iterable[str] = ()) -> str:
    """A readable Markdown document of the conversation, with the reasoning folded away if asked for."""
    secrets = tuple(secrets)  # used twice: per field, then over the whole document
    # Fields are redacted before our escaping, which could split a token the patterns look for.
    plain = [_scrub(records.to_plain(m), secrets) for m in messages]
    title = redact(clean_line(title), secrets) or derive_title(plain) or t("export.untitled")
    parts = [f"# {_inline(title)}"]
    for msg in plain:
        role = msg["role"]
        parts.append(f"### {ICONS.get(role, '')} {t(f'export.{role}')}")
        if include_thinking and role == "assistant" and (msg["reasoning"] or "").strip():
            parts.append(_thinking(msg, t))
        if (msg["content"] or "").strip():
            parts.append(_body(msg["content"]))
        if role == "assistant":
            parts.extend(filter(None, (_footer(msg, t), _note(msg, t))))
    return redact("\n\n".join(parts) + "\n", secrets)


def to_json(title: str, messages: Sequence[Mapping], exported_at: float, *,
            secrets: Iterable[str] = ()) -> str:
    """The conversation as a versioned JSON document that :func:`from_json` reads back: ``messages``
    is its whole tree (``Store.tree``), each one naming its ``parent`` by number (from 1) and
    whether it is the ``chosen`` version."""
    number = {m["id"]: i for i, m in enumerate(messages, 1) if m.get("id")}
    doc = {"format": FORMAT, "version": VERSION, "title": title, "exported_at": exported_at,
           "messages": [{**records.to_plain(m), "parent": number.get(m.get("parent")),
                         "chosen": bool(m.get("chosen", True))} for m in messages]}
    # Each string is redacted on its own: in the encoded text "\n" hides a token's word boundary.
    return json.dumps(_scrub(doc, tuple(secrets)), ensure_ascii=False, indent=2)


def from_json(text: str | bytes) -> tuple[str, list[dict]]:
    """The title and messages of a file written by :func:`to_json`; raises ImportRejected otherwise."""
    doc = _parse(text)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or type(doc.get("version")) is not int:
        raise ImportRejected("import.wrong_format")  # type(): a bool is no version number
    if doc["version"] > VERSION:
        raise ImportRejected("import.newer_version", version=doc["version"])
    items = doc.get("messages")
    if doc["version"] < 1 or not isinstance(items, list):
        raise ImportRejected("import.wrong_format")
    if len(items) > MAX_MESSAGES:
        raise ImportRejected("import.too_large", mb=MAX_MB, count=MAX_MESSAGES)
    if not items:
        raise ImportRejected("import.empty")
    messages = [_message(index, item, doc["version"]) for index, item in enumerate(items, 1)]
    title = clean_line(doc["title"]) if isinstance(doc.get("title"), str) else ""
    if not title or len(title) > MAX_TITLE:
        title = derive_title(messages)
    return title, messages


def derive_title(messages: Sequence[Mapping], limit: int = 60) -> str:
    """The title of the first user message (else any message), as the sidebar would make it."""
    candidates = [m for m in messages if m.get("role") == "user"] + list(messages)
    return next(filter(None, (title_from(m.get("content") or "", limit) for m in candidates)), "")


def _parse(text: str | bytes) -> object:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if len(raw) > MAX_BYTES:
        raise ImportRejected("import.too_large", mb=MAX_MB, count=MAX_MESSAGES)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))  # -sig: a byte-order mark is fine
        # NaN, Infinity and a lone surrogate ("\ud800") parse, but the page and the database cannot take them.
        json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        raise ImportRejected("import.not_json") from None
    return doc


def _message(index: int, data: object, version: int) -> dict:
    try:
        msg = records.from_plain(data)
    except ValueError as exc:
        raise ImportRejected("import.bad_message", index=index, field=str(exc)) from None
    except (TypeError, AttributeError, OverflowError):  # a shape records' checks do not name
        raise ImportRejected("import.bad_message", index=index, field="message") from None
    if version < 2:  # one branch: each message follows the one before it
        return {**msg, "parent": index - 1 or None, "chosen": True}
    parent, chosen = data.get("parent"), data.get("chosen", True)
    if parent is not None and (type(parent) is not int or not 0 < parent < index):  # only an earlier one
        raise ImportRejected("import.bad_message", index=index, field="parent")
    if not isinstance(chosen, bool):
        raise ImportRejected("import.bad_message", index=index, field="chosen")
    return {**msg, "parent": parent, "chosen": chosen}


def _scrub(value: object, secrets: tuple[str, ...]) -> object:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def _thinking(msg: Mapping, t: Callable[..., str]) -> str:
    summary = records.thinking_label(msg, t)
    body = BLOCK_BREAKERS.sub("&lt;", _body(msg["reasoning"]))
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def _footer(msg: Mapping, t: Callable[..., str]) -> str:
    line = records.footer(msg, t)  # the same line the page shows under the reply
    return f"*{_inline(line)}*" if line else ""


def _note(msg: Mapping, t: Callable[..., str]) -> str:
    if msg["status"] in (None, "complete"):
        return ""
    diagnosis = msg["diagnosis"] or {}
    lines = [t(f"export.status.{msg['status']}", kind=diagnosis.get("kind") or "unknown")]
    if diagnosis.get("detail") and diagnosis.get("kind") not in TRANSPORT_KINDS:  # as the page: words only
        lines.append(t("export.detail", detail=diagnosis["detail"]))
    return "\n>\n".join(f"> {_inline(line)}" for line in lines)  # a paragraph each, not one run-on line


def _body(text: str) -> str:
    """A message's text as inert as on the page: raw HTML reads as text, a javascript: or data: link
    is no link (a Markdown viewer may not sanitise), code stays as it is."""
    return escape_html(inert_links(_closed(text.strip("\n"))))


def _closed(text: str) -> str:
    """``text`` with a closing fence added if it ends inside a fenced code block."""
    fence = None
    for line in text.splitlines():
        match = FENCE.match(line)
        if not match:
            continue
        mark, rest = match.groups()
        if fence is None and not (mark[0] == "`" and "`" in rest):  # a backtick info string is no fence
            fence = mark
        elif fence and mark[0] == fence[0] and len(mark) >= len(fence) and not rest.strip():
            fence = None
    return text if fence is None else f"{text}\n{fence}"


def _inline(text: str) -> str:
    """One line of our own text (title, footer, note) with Markdown's special characters escaped."""
    return INLINE_SPECIALS.sub(r"\\\1", " ".join(text.split()))
