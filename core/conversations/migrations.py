"""Schema migrations: an append-only list, applied in order and recorded with a checksum.

Never edit or reorder a migration once released: add a new one. ``migrate`` refuses a
database whose recorded migrations differ from these, or that a newer app version wrote.
Column types are the portable SQL ones (VARCHAR, TEXT, INTEGER, DOUBLE PRECISION).
"""

from __future__ import annotations

import hashlib
import time

from core.conversations.database import Database

MIGRATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("conversations and messages", (
        """CREATE TABLE conversations (
            id VARCHAR(36) PRIMARY KEY,
            owner VARCHAR(400) NOT NULL,
            title VARCHAR(200) NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL)""",
        "CREATE INDEX conversations_by_owner ON conversations (owner, updated_at)",
        """CREATE TABLE messages (
            id VARCHAR(36) PRIMARY KEY,
            conversation_id VARCHAR(36) NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            role VARCHAR(16) NOT NULL,
            content TEXT NOT NULL,
            reasoning TEXT NOT NULL,
            status VARCHAR(16) NOT NULL,
            finish_reason VARCHAR(32),
            model VARCHAR(200),
            route VARCHAR(32),
            thought DOUBLE PRECISION,
            ttft DOUBLE PRECISION,
            total DOUBLE PRECISION,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            reasoning_tokens INTEGER,
            diagnosis TEXT,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            UNIQUE (conversation_id, position))""",
        "CREATE INDEX messages_by_status ON messages (status)",
    )),
    # A "length" finish is explained with the budget that reply had, not today's setting.
    ("messages remember their token budget", (
        "ALTER TABLE messages ADD COLUMN max_tokens INTEGER",
    )),
    # Regenerate and Edit keep what they replace: a message's versions share its parent, one of
    # them chosen (core.conversations.tree). Each conversation so far is one branch, all chosen:
    # a message's parent is the one before it (positions ran 0, 1, 2… with no gaps).
    ("messages form a tree of versions", (
        "ALTER TABLE messages ADD COLUMN parent_id VARCHAR(36)",
        "ALTER TABLE messages ADD COLUMN chosen INTEGER NOT NULL DEFAULT 1",
        """UPDATE messages SET parent_id = (SELECT p.id FROM messages p
            WHERE p.conversation_id = messages.conversation_id AND p.position = messages.position - 1)""",
        "CREATE INDEX messages_by_parent ON messages (parent_id)",
    )),
)

LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    checksum VARCHAR(64) NOT NULL,
    applied_at DOUBLE PRECISION NOT NULL)"""


class SchemaMismatch(RuntimeError):
    """The database was written by another version of the app; it is left untouched."""


def checksum(statements: tuple[str, ...]) -> str:
    """A fingerprint of one migration's statements (whitespace-insensitive)."""
    text = ";".join(" ".join(s.split()) for s in statements)
    return hashlib.sha256(text.encode()).hexdigest()


def migrate(db: Database) -> int:
    """Apply the migrations this database lacks; return its schema version afterwards. Processes
    starting at once against one database take turns: only the first one migrates."""
    with db.transaction():  # all or nothing; on PostgreSQL DDL is transactional too
        db.hold("schema migrations")
        return _migrate(db)


def _migrate(db: Database) -> int:
    db.execute(LEDGER)
    applied = {row["version"]: row for row in db.query("SELECT version, checksum FROM schema_migrations")}
    newest = max(applied, default=0)
    if newest > len(MIGRATIONS):
        raise SchemaMismatch(f"schema version {newest} is newer than this app's {len(MIGRATIONS)}: "
                             "update the app, or point R1_DATA_DIR at another folder")
    for version, (name, statements) in enumerate(MIGRATIONS, start=1):
        if version in applied:
            if applied[version]["checksum"] != checksum(statements):
                raise SchemaMismatch(f"migration {version} ({name}) differs from the one applied")
            continue
        with db.transaction():  # a half-applied migration would leave a schema no version describes
            for statement in statements:
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                       "VALUES (:v, :n, :c, :t)",
                       {"v": version, "n": name, "c": checksum(statements), "t": time.time()})
    return len(MIGRATIONS)
