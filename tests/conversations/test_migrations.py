"""Schema migrations: the expected schema, append-only history, refusal of foreign databases."""

import threading

import pytest
from sqlalchemy import inspect

from core.conversations import migrations
from core.conversations.database import MEMORY, connect

# Pinned fingerprints: a released migration must never change (add a new one instead).
RELEASED = {
    1: ("conversations and messages", "4370fc173c460a8ccd1f7305a90359b79489335839ca9a3616a74595a6ab6da8"),
    2: ("messages remember their token budget",
        "e9d18fb2b78eb61be32dd3a5e63f948d468a61bd2000f6f187095e9359fe8a85"),
}


def columns(db, table):
    return [column["name"] for column in inspect(db.engine).get_columns(table)]


def test_migrations_produce_the_expected_schema(database_url):
    db = connect(database_url)
    assert migrations.migrate(db) == len(migrations.MIGRATIONS)
    assert columns(db, "conversations") == ["id", "owner", "title", "created_at", "updated_at"]
    assert columns(db, "messages") == [
        "id", "conversation_id", "position", "role", "content", "reasoning", "status", "finish_reason",
        "model", "route", "thought", "ttft", "total", "prompt_tokens", "completion_tokens",
        "reasoning_tokens", "diagnosis", "created_at", "updated_at", "max_tokens"]
    indexes = {index["name"] for table in ("conversations", "messages")
               for index in inspect(db.engine).get_indexes(table)}
    assert {"conversations_by_owner", "messages_by_status"} <= indexes
    db.close()


def test_replicas_starting_at_once_on_an_empty_database_migrate_it_once(database_url):
    replicas = [connect(database_url) for _ in range(4)]
    start, versions, failures = threading.Barrier(len(replicas)), [], []

    def boot(db):
        start.wait()
        try:
            versions.append(migrations.migrate(db))
        except Exception as exc:  # collected: a thread's exception would otherwise go unseen
            failures.append(exc)

    threads = [threading.Thread(target=boot, args=(db,)) for db in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures and versions == [len(migrations.MIGRATIONS)] * len(replicas)
    ledger = replicas[0].query("SELECT version FROM schema_migrations ORDER BY version")
    assert [row["version"] for row in ledger] == list(range(1, len(migrations.MIGRATIONS) + 1))
    for db in replicas:
        db.close()


def test_released_migrations_are_never_edited_or_reordered():
    found = {v: (name, migrations.checksum(s)) for v, (name, s) in enumerate(migrations.MIGRATIONS, start=1)}
    assert {v: found[v] for v in RELEASED} == RELEASED
    assert len(found) >= len(RELEASED)  # new migrations only ever go at the end
    db = connect(MEMORY)
    migrations.migrate(db)
    ledger = db.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
    assert [row["checksum"] for row in ledger] == [migrations.checksum(s) for _, s in migrations.MIGRATIONS]


def test_migrate_twice_changes_nothing(database_url):
    url = database_url
    db = connect(url)
    migrations.migrate(db)
    db.execute("INSERT INTO conversations VALUES ('c', 'o', 't', 1, 1)")
    db.close()
    again = connect(url)
    migrations.migrate(again)
    assert again.query("SELECT id FROM conversations") == [{"id": "c"}]
    assert len(again.query("SELECT * FROM schema_migrations")) == len(migrations.MIGRATIONS)
    again.close()


def test_a_database_from_a_newer_app_is_refused_untouched(database_url):
    db = connect(database_url)
    migrations.migrate(db)
    db.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x', 0)")
    before = db.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
    with pytest.raises(migrations.SchemaMismatch, match="newer than this app"):
        migrations.migrate(db)
    assert db.query("SELECT version, checksum FROM schema_migrations ORDER BY version") == before
    db.close()


def test_an_edited_migration_is_detected():
    db = connect(MEMORY)
    migrations.migrate(db)
    db.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    with pytest.raises(migrations.SchemaMismatch, match="differs"):
        migrations.migrate(db)



def test_a_version_1_database_is_upgraded_keeping_its_rows(database_url, monkeypatch):
    url = database_url
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
    new.close()
