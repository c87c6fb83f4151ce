"""Schema migrations: the expected schema, append-only history, refusal of foreign databases, and
upgrading a real database the app wrote before messages formed a tree of versions."""

import runpy
import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import inspect

from core.chat.events import Usage
from core.conversations import migrations, records, turns
from core.conversations.database import MEMORY, connect, sqlite_url
from core.conversations.store import open_store

# Pinned fingerprints: a released migration must never change (add a new one instead).
RELEASED = {
    1: ("conversations and messages", "4370fc173c460a8ccd1f7305a90359b79489335839ca9a3616a74595a6ab6da8"),
    2: ("messages remember their token budget",
        "e9d18fb2b78eb61be32dd3a5e63f948d468a61bd2000f6f187095e9359fe8a85"),
    3: ("messages form a tree of versions", "ffee75c9755d1cb82ef91e211d4310ad405dd3abaa01bb3eb8f5d9ef9815cebd"),
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
        "reasoning_tokens", "diagnosis", "created_at", "updated_at", "max_tokens", "parent_id", "chosen"]
    indexes = {index["name"] for table in ("conversations", "messages")
               for index in inspect(db.engine).get_indexes(table)}
    assert {"conversations_by_owner", "messages_by_status", "messages_by_parent"} <= indexes
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


# Upgrading to versions: a database the previous app wrote (schema version 2, one list per conversation).

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BEFORE_VERSIONS = FIXTURES / "chats-before-versions.db"  # made by fixtures/make_chats_before_versions.py
MADE = runpy.run_path(str(FIXTURES / "make_chats_before_versions.py"))  # what that file holds


def expected_conversations():
    """Each conversation of the fixture as its (role, content) pairs, first message first."""
    return {first: [("user", first), *((role, content) for role, content, _ in rest)]
            for first, rest in MADE["CONVERSATIONS"]}


def check_upgraded(store):
    """Every message of the fixture is there, in order, as one branch: all version 1 of 1, parents chained."""
    owner = MADE["OWNER"]
    found = {}
    for conv in store.list(owner):
        messages = store.messages(owner, conv.id)
        found[messages[0]["content"]] = [(m["role"], m["content"]) for m in messages]
        assert [(m["version"], m["versions"]) for m in messages] == [(1, 1)] * len(messages)
        assert [m["parent"] for m in messages] == [None, *(m["id"] for m in messages[:-1])]
        assert store.tree(owner, conv.id) == [{**m, "chosen": True} for m in messages]  # nothing beside it
    assert found == expected_conversations()
    tides = store.messages(owner, next(c.id for c in store.list(owner, "tides")))
    assert (tides[1]["reasoning"], tides[1]["usage"], tides[1]["thought"]) == (
        "Tides: gravity, the Moon, two bulges.", Usage(12, 340, 300), 2.5)
    assert (tides[3]["status"], tides[5]["max_tokens"]) == ("stopped", 4096)
    assert [m["created"] for m in tides] == sorted(m["created"] for m in tides)


def check_regenerate_works(store):
    """Regenerating the upgraded conversation's last reply adds a second version beside it."""
    owner = MADE["OWNER"]
    cid = next(c.id for c in store.list(owner, "tides"))
    before = store.messages(owner, cid)
    assert turns.regenerate(store, owner, cid, before)
    store.append(owner, cid, records.new_message("assistant", "Spring tides, once more."))
    after = store.messages(owner, cid)
    assert after[:5] == before[:5]
    assert (after[5]["content"], after[5]["parent"], after[5]["version"], after[5]["versions"]) == (
        "Spring tides, once more.", before[4]["id"], 2, 2)
    assert store.choose(owner, cid, before[5]["id"]) and store.messages(owner, cid) == [
        *before[:5], {**before[5], "versions": 2}]


def test_a_sqlite_file_from_before_versions_upgrades_to_one_branch_per_conversation(tmp_path):
    shutil.copy(BEFORE_VERSIONS, tmp_path / "chats.db")
    store = open_store(sqlite_url(tmp_path))
    ledger = store.db.query("SELECT version FROM schema_migrations ORDER BY version")
    assert [row["version"] for row in ledger] == [1, 2, 3]
    check_upgraded(store)
    check_regenerate_works(store)
    store.db.close()
    reopened = open_store(sqlite_url(tmp_path))  # migrated once: opening it again changes nothing
    assert len(reopened.db.query("SELECT version FROM schema_migrations")) == 3
    assert len(reopened.tree(MADE["OWNER"], next(c.id for c in reopened.list(MADE["OWNER"], "tides")))) == 7
    reopened.db.close()


def copy_rows(source: Path, db) -> None:
    """Copy every conversation and message of the SQLite file ``source`` into ``db`` with plain SQL."""
    with closing(sqlite3.connect(source)) as old:
        old.row_factory = sqlite3.Row
        for table in ("conversations", "messages"):
            for row in map(dict, old.execute(f"SELECT * FROM {table}")):
                names = ", ".join(row)
                db.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in row)})", row)


def test_a_postgresql_database_from_before_versions_upgrades_to_one_branch_per_conversation(
        postgres_server, monkeypatch):
    import postgres

    with postgres.fresh_database(postgres_server) as url:
        old = connect(url)
        monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])  # the app before versions
        assert migrations.migrate(old) == 2
        monkeypatch.undo()
        copy_rows(BEFORE_VERSIONS, old)  # the very rows the previous app wrote into the SQLite fixture
        old.close()
        store = open_store(url)
        assert [r["version"] for r in store.db.query("SELECT version FROM schema_migrations ORDER BY version")] \
            == [1, 2, 3]
        check_upgraded(store)
        check_regenerate_works(store)
        store.db.close()
