"""Schema migrations: the expected schema, append-only history, refusal of foreign databases."""

import pytest

from core.conversations import migrations
from core.conversations.database import MEMORY, connect, sqlite_url

# Pinned fingerprints: a released migration must never change (add a new one instead).
RELEASED = {
    1: ("conversations and messages", "4370fc173c460a8ccd1f7305a90359b79489335839ca9a3616a74595a6ab6da8"),
    2: ("messages remember their token budget",
        "e9d18fb2b78eb61be32dd3a5e63f948d468a61bd2000f6f187095e9359fe8a85"),
}


def columns(db, table):
    return [row["name"] for row in db.query(f"PRAGMA table_info({table})")]


def test_migrations_produce_the_expected_schema():
    db = connect(MEMORY)
    assert migrations.migrate(db) == len(migrations.MIGRATIONS)
    assert columns(db, "conversations") == ["id", "owner", "title", "created_at", "updated_at"]
    assert columns(db, "messages") == [
        "id", "conversation_id", "position", "role", "content", "reasoning", "status", "finish_reason",
        "model", "route", "thought", "ttft", "total", "prompt_tokens", "completion_tokens",
        "reasoning_tokens", "diagnosis", "created_at", "updated_at", "max_tokens"]
    indexes = {row["name"] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"conversations_by_owner", "messages_by_status"} <= indexes


def test_released_migrations_are_never_edited_or_reordered():
    found = {v: (name, migrations.checksum(s)) for v, (name, s) in enumerate(migrations.MIGRATIONS, start=1)}
    assert {v: found[v] for v in RELEASED} == RELEASED
    assert len(found) >= len(RELEASED)  # new migrations only ever go at the end
    db = connect(MEMORY)
    migrations.migrate(db)
    ledger = db.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
    assert [row["checksum"] for row in ledger] == [migrations.checksum(s) for _, s in migrations.MIGRATIONS]


def test_migrate_twice_changes_nothing(tmp_path):
    url = sqlite_url(tmp_path)
    db = connect(url)
    migrations.migrate(db)
    db.execute("INSERT INTO conversations VALUES ('c', 'o', 't', 1, 1)")
    db.close()
    again = connect(url)
    migrations.migrate(again)
    assert again.query("SELECT id FROM conversations") == [{"id": "c"}]
    assert len(again.query("SELECT * FROM schema_migrations")) == len(migrations.MIGRATIONS)


def test_a_database_from_a_newer_app_is_refused_untouched():
    db = connect(MEMORY)
    migrations.migrate(db)
    db.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x', 0)")
    with pytest.raises(migrations.SchemaMismatch, match="newer than this app"):
        migrations.migrate(db)


def test_an_edited_migration_is_detected():
    db = connect(MEMORY)
    migrations.migrate(db)
    db.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    with pytest.raises(migrations.SchemaMismatch, match="differs"):
        migrations.migrate(db)



def test_a_version_1_database_is_upgraded_keeping_its_rows(tmp_path, monkeypatch):
    url = sqlite_url(tmp_path)
    old = connect(url)
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])  # the app as first released
    assert migrations.migrate(old) == 1
    old.execute("INSERT INTO conversations VALUES ('c', 'o', 't', 1, 1)")
    old.execute("INSERT INTO messages (id, conversation_id, position, role, content, reasoning, status,"
                " created_at, updated_at) VALUES ('m', 'c', 0, 'user', 'hi', '', 'complete', 1, 1)")
    old.close()
    monkeypatch.undo()
    new = connect(url)
    assert migrations.migrate(new) == len(migrations.MIGRATIONS)
    assert new.query("SELECT content, max_tokens FROM messages") == [{"content": "hi", "max_tokens": None}]
