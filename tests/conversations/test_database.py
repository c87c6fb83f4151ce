"""Connections from a URL: SQLite files in WAL mode, memory databases, transactions."""

import os
import stat
import threading

import pytest

from core.conversations.database import MEMORY, connect, sqlite_url


def test_a_file_database_is_created_with_its_folder_and_uses_wal(tmp_path):
    db = connect(sqlite_url(tmp_path / "nested"))
    assert db.query("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    assert (tmp_path / "nested" / "chats.db").exists()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_and_shm_are_private_whatever_the_umask(tmp_path):
    old_umask = os.umask(0o002)
    try:
        db = connect(sqlite_url(tmp_path))
        db.execute("CREATE TABLE t (n INTEGER)")  # a write: the -wal file has content now
    finally:
        os.umask(old_umask)
    files = [tmp_path / name for name in ("chats.db", "chats.db-wal", "chats.db-shm")]
    assert [(f.name, mode(f)) for f in files] == [(f.name, 0o600) for f in files]
    db.close()


def test_an_existing_wide_database_and_its_wal_and_shm_become_private(tmp_path):
    first = connect(sqlite_url(tmp_path))
    first.execute("CREATE TABLE t (n INTEGER)")
    files = [tmp_path / name for name in ("chats.db", "chats.db-wal", "chats.db-shm")]
    for f in files:  # as an older version or a careless copy left them
        f.chmod(0o644)
    second = connect(sqlite_url(tmp_path))  # the first connection keeps -wal and -shm in place
    assert [(f.name, mode(f)) for f in files] == [(f.name, 0o600) for f in files]
    assert second.query("SELECT COUNT(*) AS c FROM t") == [{"c": 0}]
    first.close()
    second.close()


def test_only_sqlite_urls_are_built_in():
    with pytest.raises(ValueError, match="sqlite"):
        connect("postgresql://db/chats")


def test_a_failed_transaction_leaves_nothing_behind():
    db = connect(MEMORY)
    db.execute("CREATE TABLE t (n INTEGER)")
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert db.query("SELECT * FROM t") == []
    with db.transaction():
        db.execute("INSERT INTO t VALUES (:n)", {"n": 2})
    assert db.query("SELECT n FROM t") == [{"n": 2}]


def test_sessions_on_other_threads_share_the_connection_safely(tmp_path):
    db = connect(sqlite_url(tmp_path))
    db.execute("CREATE TABLE t (n INTEGER)")

    def write(start):
        for n in range(start, start + 200):
            with db.transaction():
                db.execute("INSERT INTO t VALUES (:n)", {"n": n})

    threads = [threading.Thread(target=write, args=(k * 1000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.query("SELECT COUNT(*) AS c FROM t") == [{"c": 800}]


def test_a_transaction_inside_another_undoes_only_itself_when_it_fails():
    db = connect(MEMORY)
    db.execute("CREATE TABLE t (n INTEGER)")
    with db.transaction():
        db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RuntimeError), db.transaction():
            db.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("inner")
        with db.transaction():
            db.execute("INSERT INTO t VALUES (3)")
    assert [r["n"] for r in db.query("SELECT n FROM t ORDER BY n")] == [1, 3]
    assert not db.connection.in_transaction


def test_a_failure_after_an_inner_transaction_undoes_it_too():
    db = connect(MEMORY)
    db.execute("CREATE TABLE t (n INTEGER)")
    with pytest.raises(RuntimeError), db.transaction():
        with db.transaction():
            db.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("outer")
    assert db.query("SELECT n FROM t") == []

