"""Connections from a URL: SQLite files in WAL mode, memory databases, transactions."""

import threading

import pytest

from core.database import MEMORY, connect, sqlite_url


def test_a_file_database_is_created_with_its_folder_and_uses_wal(tmp_path):
    db = connect(sqlite_url(tmp_path / "nested"))
    assert db.query("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    assert (tmp_path / "nested" / "chats.db").exists()


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

