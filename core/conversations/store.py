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
from core.conversations.tree import Node, Outline
from core.untrusted import clean_line

TITLE_CHARS = 48
STALE_AFTER = 60.0  # seconds a streaming reply may go unsaved before it counts as its process's ghost
COLUMNS = ("role", "content", "reasoning", "status", "finish_reason", "model", "route",
           "thought", "ttft", "total", "max_tokens", "prompt_tokens", "completion_tokens",
           "reasoning_tokens", "diagnosis")
MESSAGE_FIELDS = ("id", *COLUMNS, "created_at")  # what a message is read back with
LEAF = object()  # append's default parent: the last message on screen


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

    def outline(self, owner: str, cid: str | None) -> Outline:
        """Every message of the conversation by its place in the tree; empty unless ``owner``'s."""
        rows = self.db.query("SELECT m.id, m.parent_id, m.chosen, m.position, m.role FROM messages m"
                             " JOIN conversations c ON c.id = m.conversation_id"
                             " WHERE c.id = :id AND c.owner = :owner", {"id": cid or "", "owner": owner})
        return Outline(Node(r["id"], r["parent_id"], bool(r["chosen"]), r["position"], r["role"]) for r in rows)

    def messages(self, owner: str, cid: str | None, since: int = 0, reasoning: bool = True,
                 outline: Outline | None = None) -> list[Message]:
        """The branch on screen from its ``since``-th message, as page-ready dicts (see
        ``core.conversations.records``), each with its ``parent``, ``version`` and ``versions``; with
        an empty reasoning each unless ``reasoning``. ``outline``: this conversation's, read just now."""
        # Reasoning is most of a long conversation's bytes, and neither the model's history nor the
        # messages a page does not draw need it. A message is added after every message above it,
        # so the branch from ``since`` on lies at or past the position of its first message.
        outline = outline or self.outline(owner, cid)
        branch = outline.branch()[since:]
        if not branch:
            return []
        fields = "m.*" if reasoning else ", ".join(f"m.{c}" for c in MESSAGE_FIELDS if c != "reasoning")
        rows = self.db.query(f"SELECT {fields} FROM messages m WHERE m.conversation_id = :id"
                             " AND m.position >= :first", {"id": cid, "first": branch[0].position})
        by_id = {row["id"]: row for row in rows}
        return [_placed(_from_row(by_id[n.id]), outline, n.id) for n in branch if n.id in by_id]

    def tree(self, owner: str, cid: str | None) -> list[Message]:
        """Every version of every message, in the order they were added, each with its ``parent``,
        ``version``, ``versions`` and whether it is ``chosen`` (an export carries the whole tree)."""
        outline = self.outline(owner, cid)
        rows = self.db.query("SELECT m.* FROM messages m WHERE m.conversation_id = :id ORDER BY m.position",
                             {"id": cid or ""}) if outline.nodes else []
        return [{**_placed(_from_row(row), outline, row["id"]), "chosen": bool(row["chosen"])}
                for row in rows if row["id"] in outline.by_id]

    def path(self, owner: str, cid: str | None, mid: str) -> list[Message]:
        """The messages from the first one down to ``mid`` (a branch to copy into a new conversation)."""
        wanted = [n.id for n in self.outline(owner, cid).path(mid)]
        by_id = {m["id"]: m for m in self.tree(owner, cid) if m["id"] in wanted}
        return [by_id[i] for i in wanted if i in by_id]

    def append(self, owner: str, cid: str, msg: Mapping, parent: str | None | object = LEAF,
               chosen: bool = True) -> str:
        """Add a message below ``parent`` (by default the last message on screen), as the version
        shown there unless not ``chosen`` (an import restoring a tree); return its id."""
        mid, now = str(uuid.uuid4()), self.clock()
        values = _to_row(msg)
        names = ", ".join(COLUMNS)
        with self.db.transaction():  # one statement picks the position: no read-then-write race
            if self.get(owner, cid) is None:
                raise ConversationGone(cid)
            parent = self.outline(owner, cid).leaf() if parent is LEAF else parent
            if chosen:
                self._unchoose(cid, parent)
            self.db.execute(
                f"INSERT INTO messages (id, conversation_id, parent_id, chosen, position, {names}, created_at,"
                " updated_at) VALUES (:id, :cid, :parent, :chosen, (SELECT COALESCE(MAX(position), -1) + 1 FROM"
                f" messages WHERE conversation_id = :of), {', '.join(':' + c for c in COLUMNS)}, :created, :now)",
                # :of is :cid again: PostgreSQL types each parameter once, and a comparison makes it
                # text where the column makes it varchar.
                {**values, "id": mid, "cid": cid, "of": cid, "parent": parent, "chosen": int(chosen),
                 "created": msg.get("created") or now, "now": now})
            self._touch(cid, now)
        return mid

    def choose(self, owner: str, cid: str, mid: str) -> bool:
        """Show version ``mid`` instead of its siblings (and, below it, the versions last chosen there)."""
        node = self.outline(owner, cid).by_id.get(mid)
        if node is None:
            return False
        with self.db.transaction():
            self._unchoose(cid, node.parent)
            self.db.execute("UPDATE messages SET chosen = 1 WHERE id = :id", {"id": mid})
        return True

    def end_branch_at(self, owner: str, cid: str, mid: str) -> bool:
        """Make ``mid`` the last message on screen; what hung below it stays, as versions to step to."""
        if mid not in self.outline(owner, cid).by_id:
            return False
        self.db.execute("UPDATE messages SET chosen = 0 WHERE parent_id = :id", {"id": mid})
        return True

    def delete_version(self, owner: str, cid: str, mid: str) -> int:
        """Delete version ``mid`` and all that hangs below it; the version before it (else after it)
        is shown in its place. Returns how many messages went."""
        outline = self.outline(owner, cid)
        node = outline.by_id.get(mid)
        if node is None:
            return 0
        others = [n for n in outline.siblings(mid) if n.id != mid]
        earlier = [n for n in others if n.position < node.position]
        later = [n for n in others if n.position > node.position]
        instead = (earlier[-1:] or later[:1]) if node.chosen else []
        gone = outline.below(mid)
        with self.db.transaction():
            for gone_id in gone:
                self.db.execute("DELETE FROM messages WHERE id = :id", {"id": gone_id})
            for shown in instead:
                self.db.execute("UPDATE messages SET chosen = 1 WHERE id = :id", {"id": shown.id})
            self._touch(cid, self.clock())
        return len(gone)

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

    def _unchoose(self, cid: str, parent: str | None) -> None:
        # A first message has no parent: its versions are the conversation's parentless messages.
        if parent is None:
            self.db.execute("UPDATE messages SET chosen = 0 WHERE conversation_id = :cid AND parent_id IS NULL",
                            {"cid": cid})
        else:
            self.db.execute("UPDATE messages SET chosen = 0 WHERE parent_id = :parent", {"parent": parent})

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


def _placed(msg: dict, outline: Outline, mid: str) -> dict:
    """``msg`` with its place in the tree: its parent, and which of how many versions it is."""
    msg["parent"] = outline.by_id[mid].parent
    msg["version"], msg["versions"] = outline.version(mid)
    return msg


def _escape_like(text: str) -> str:
    # '!' rather than backslash: MySQL treats a backslash in a string literal as an escape itself.
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
