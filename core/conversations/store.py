"""Conversations and their messages in the database, each conversation owned by one user key.

Every call takes the owner, so a visitor who guesses another conversation's id gets nothing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.conversations import records
from core.conversations.database import Database, connect, server
from core.conversations.message import ConversationGone, Message
from core.conversations.migrations import migrate
from core.untrusted import clean_line

TITLE_CHARS = 48
STALE_AFTER = 60.0  # seconds a streaming reply may go unsaved before it counts as its process's ghost
COLUMNS = ("role", "content", "reasoning", "status", "finish_reason", "model", "route",
           "thought", "ttft", "total", "max_tokens", "prompt_tokens", "completion_tokens",
           "reasoning_tokens", "diagnosis")
MESSAGE_FIELDS = ("id", *COLUMNS, "created_at")  # what a message is read back with


@dataclass(frozen=True)
class Conversation:
    """A conversation's header: what the sidebar lists."""

    id: str
    title: str
    created: float
    updated: float


def title_from(text: str, limit: int = TITLE_CHARS) -> str:
    """A sidebar title from a first message: its first non-empty line, cut to ``limit`` characters."""
    stripped = (clean_line(s).lstrip("#>*-_=` ").strip() for s in text.splitlines())
    line = next((s for s in stripped if s), "")  # a rule, an empty heading or hidden characters are no title
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def open_store(url: str, clock: Callable[[], float] = time.time) -> Store:
    """Open (and migrate) the database at ``url``; replies a dead process left mid-stream
    are marked incomplete, since nothing will ever finish them."""
    store = Store(connect(url), clock)
    migrate(store.db)
    if server(url):  # other replicas may be writing replies right now: only those gone quiet
        store.recover_stale()
    else:  # one file, one app process: nothing can still be writing what this one did not start
        store.db.execute("UPDATE messages SET status = 'incomplete' WHERE status = 'streaming'")
    return store


class Store:
    """The queries behind the sidebar and the chat page."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time):
        self.db, self.clock = db, clock

    def transaction(self):
        """Several store calls that must happen together or not at all (see Database.transaction)."""
        return self.db.transaction()

    def create(self, owner: str, title: str) -> Conversation:
        """A new, empty conversation."""
        now, cid, title = self.clock(), str(uuid.uuid4()), clean_line(title)
        self.db.execute("INSERT INTO conversations (id, owner, title, created_at, updated_at) "
                        "VALUES (:id, :owner, :title, :now, :now)",
                        {"id": cid, "owner": owner, "title": title[:200], "now": now})
        return Conversation(cid, title[:200], now, now)

    def list(self, owner: str, search: str = "", limit: int = 200) -> list[Conversation]:
        """The owner's conversations, newest first; ``search`` matches titles and message text."""
        sql = "SELECT id, title, created_at, updated_at FROM conversations c WHERE owner = :owner"
        params: dict = {"owner": owner, "limit": limit}
        if search.strip():
            params["q"] = "%" + _escape_like(search.strip().lower()) + "%"
            sql += (" AND (LOWER(title) LIKE :q ESCAPE '!' OR EXISTS (SELECT 1 FROM messages m"
                    " WHERE m.conversation_id = c.id AND LOWER(m.content) LIKE :q ESCAPE '!'))")
        rows = self.db.query(sql + " ORDER BY updated_at DESC, created_at DESC LIMIT :limit", params)
        return [_conversation(row) for row in rows]

    def get(self, owner: str, cid: str | None) -> Conversation | None:
        """One conversation, if it exists and belongs to ``owner``."""
        rows = self.db.query("SELECT id, title, created_at, updated_at FROM conversations "
                             "WHERE id = :id AND owner = :owner", {"id": cid or "", "owner": owner})
        return next(map(_conversation, rows), None)

    def rename(self, owner: str, cid: str, title: str) -> bool:
        """Give a conversation a new title (blank titles are refused, hidden characters alone too)."""
        title = clean_line(title)
        if not title:
            return False
        return self.db.execute("UPDATE conversations SET title = :title WHERE id = :id AND owner = :owner",
                               {"title": title[:200], "id": cid, "owner": owner}) == 1

    def delete(self, owner: str, cid: str) -> bool:
        """Delete a conversation and all of its messages."""
        if self.get(owner, cid) is None:
            return False
        with self.db.transaction():
            self.db.execute("DELETE FROM messages WHERE conversation_id = :id", {"id": cid})
            self.db.execute("DELETE FROM conversations WHERE id = :id", {"id": cid})
        return True

    def messages(self, owner: str, cid: str | None, since: int = 0, reasoning: bool = True) -> list[Message]:
        """A conversation's messages in order from the ``since``-th, as page-ready dicts (see
        ``core.conversations.records``); with an empty reasoning each unless ``reasoning``."""
        # Reasoning is most of a long conversation's bytes, and neither the model's history nor the
        # messages a page does not draw need it. Positions run 0, 1, 2… (appends take the next one,
        # truncation cuts the tail), so ``since`` is an index into the whole list.
        fields = "m.*" if reasoning else ", ".join(f"m.{c}" for c in MESSAGE_FIELDS if c != "reasoning")
        rows = self.db.query(
            f"SELECT {fields} FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE c.id = :id AND c.owner = :owner AND m.position >= :since ORDER BY m.position",
            {"id": cid or "", "owner": owner, "since": since})
        return [_from_row(row) for row in rows]

    def append(self, owner: str, cid: str, msg: Mapping) -> str:
        """Add a message at the end of a conversation; return its id."""
        if self.get(owner, cid) is None:
            raise ConversationGone(cid)
        mid, now = str(uuid.uuid4()), self.clock()
        values = _to_row(msg)
        names = ", ".join(COLUMNS)
        with self.db.transaction():  # one statement picks the position: no read-then-write race
            self.db.execute(
                f"INSERT INTO messages (id, conversation_id, position, {names}, created_at, updated_at) "
                "VALUES (:id, :cid, (SELECT COALESCE(MAX(position), -1) + 1 FROM messages"
                f" WHERE conversation_id = :of), {', '.join(':' + c for c in COLUMNS)}, :created, :now)",
                # :of is :cid again: PostgreSQL types each parameter once, and a comparison makes it
                # text where the column makes it varchar.
                {**values, "id": mid, "cid": cid, "of": cid, "created": msg.get("created") or now, "now": now})
            self._touch(cid, now)
        return mid

    def update(self, mid: str, msg: Mapping) -> bool:
        """Overwrite a message's fields (a streaming reply is saved this way about once a second);
        False when the message is gone (its conversation was deleted or edited elsewhere)."""
        sets = ", ".join(f"{c} = :{c}" for c in COLUMNS)
        changed = self.db.execute(f"UPDATE messages SET {sets}, updated_at = :now WHERE id = :id",
                                  {**_to_row(msg), "id": mid, "now": self.clock()})
        return changed > 0

    def recover_stale(self, after: float = STALE_AFTER) -> int:
        """Mark incomplete every streaming reply not saved for ``after`` seconds: its process died
        (a live one saves at least every ``core.replies.registry.HEARTBEAT``); return how many."""
        return self.db.execute("UPDATE messages SET status = 'incomplete' "
                               "WHERE status = 'streaming' AND updated_at < :cutoff",
                               {"cutoff": self.clock() - after})

    def truncate(self, owner: str, cid: str, keep: int) -> int:
        """Delete every message after the first ``keep`` (regenerate, edit); return how many went."""
        if self.get(owner, cid) is None:
            return 0
        return self.db.execute("DELETE FROM messages WHERE conversation_id = :cid AND position >= :keep",
                               {"cid": cid, "keep": keep})

    def _touch(self, cid: str, now: float) -> None:
        self.db.execute("UPDATE conversations SET updated_at = :now WHERE id = :id", {"now": now, "id": cid})


def _conversation(row: Mapping) -> Conversation:
    # Cleaned here too: a title stored before titles were cleaned shows clean in the sidebar, the
    # title bar and the export's file name alike.
    return Conversation(row["id"], clean_line(row["title"]), row["created_at"], row["updated_at"])


def _to_row(msg: Mapping) -> dict:
    plain = records.to_plain(msg)
    usage = plain.pop("usage") or {}
    diagnosis = plain.pop("diagnosis")
    row = {name: plain.get(name) for name in COLUMNS}
    row.update({name: usage.get(name) for name in records.USAGE_FIELDS})
    row["content"], row["reasoning"] = row["content"] or "", row["reasoning"] or ""
    row["diagnosis"] = None if diagnosis is None else json.dumps(diagnosis, ensure_ascii=False)
    return row


def _from_row(row: Mapping) -> dict:
    usage = None if row["completion_tokens"] is None and row["prompt_tokens"] is None else \
        {name: row[name] for name in records.USAGE_FIELDS}
    msg = records.new_message(row["role"], row["content"], created=row["created_at"], id=row["id"])
    for name in COLUMNS[2:11]:  # reasoning … max_tokens, stored as they are
        msg[name] = row.get(name, "")  # only reasoning is ever left out
    msg["usage"] = records.usage_from_plain(usage)
    msg["diagnosis"] = records.diagnosis_from_plain(json.loads(row["diagnosis"]) if row["diagnosis"] else None)
    return msg


def _escape_like(text: str) -> str:
    # '!' rather than backslash: MySQL treats a backslash in a string literal as an escape itself.
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
