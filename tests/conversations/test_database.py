"""Connections from a URL: SQLite files in WAL mode, memory databases, transactions."""

import errno
import os
import socket
import stat
import threading

import pytest
from readonly import unwritable

from core.conversations.database import (
    MEMORY,
    DatabaseError,
    connect,
    memory_copy_url,
    problem,
    read_only,
    sqlite_path,
    sqlite_url,
)
from core.conversations.migrations import SchemaMismatch
from core.conversations.store import open_store


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


def test_only_sqlite_and_postgresql_urls_are_built_in():
    with pytest.raises(ValueError, match="sqlite"):
        connect("mysql://db/chats")


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
    db.execute("INSERT INTO t VALUES (4)")  # nothing was left open: a statement of its own commits
    assert connect_again(db) == [1, 3, 4]


def connect_again(db) -> list[int]:
    """What the database holds, as a fresh connection sees it (the shared in-memory one: after a
    rollback of anything left open)."""
    with db.engine.connect() as fresh:
        fresh.rollback()
        return [n for (n,) in fresh.exec_driver_sql("SELECT n FROM t ORDER BY n")]


def test_a_failure_after_an_inner_transaction_undoes_it_too():
    db = connect(MEMORY)
    db.execute("CREATE TABLE t (n INTEGER)")
    with pytest.raises(RuntimeError), db.transaction():
        with db.transaction():
            db.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("outer")
    assert db.query("SELECT n FROM t") == []



# A data folder or database file this process may read but not write



def saved_database(folder, rows=("kept",)):
    """A closed database file in ``folder`` holding ``rows``."""
    db = connect(sqlite_url(folder))
    db.execute("CREATE TABLE t (text TEXT)")
    for row in rows:
        db.execute("INSERT INTO t VALUES (:r)", {"r": row})
    db.close()
    return folder / "chats.db"


def snapshot(folder):
    """Every file in ``folder`` with its bytes: what a read must leave as it was."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("blocked", ["folder", "file"])
def test_a_readable_but_unwritable_database_is_named_with_what_blocks_it(tmp_path, blocked):
    folder = tmp_path / "a?b#c%d"  # URL-special characters in the folder name
    path = saved_database(folder)
    url = sqlite_url(folder)
    assert read_only(url) is None  # writable
    with unwritable(folder if blocked == "folder" else path):
        assert read_only(url) == (folder if blocked == "folder" else path).resolve()


def test_a_missing_file_or_memory_is_not_read_only(tmp_path):
    assert read_only(sqlite_url(tmp_path)) is None
    assert read_only(MEMORY) is None


@pytest.mark.parametrize("blocked", ["folder", "file"])
def test_a_memory_copy_holds_the_file_and_takes_writes_without_touching_it(tmp_path, blocked):
    folder = tmp_path / "a?b#c%d"
    path = saved_database(folder, rows=("one", "two"))
    before = snapshot(folder)
    with unwritable(folder if blocked == "folder" else path):
        copy = connect(memory_copy_url(sqlite_url(folder)))
        copy.execute("INSERT INTO t VALUES ('new')")  # the copy is writable
        assert [r["text"] for r in copy.query("SELECT text FROM t ORDER BY rowid")] == ["one", "two", "new"]
        assert snapshot(folder) == before  # nothing written, nothing created beside it
    assert sqlite_path(copy.url) == str(path.resolve())  # the page still names the file
    copy.close()


def test_a_memory_copy_keeps_what_a_writer_left_in_the_wal(tmp_path):
    writer = connect(sqlite_url(tmp_path))  # still open: its last rows are in chats.db-wal only
    writer.execute("CREATE TABLE t (text TEXT)")
    writer.execute("INSERT INTO t VALUES ('in the wal')")
    assert (tmp_path / "chats.db-wal").stat().st_size
    with unwritable(tmp_path):
        copy = connect(memory_copy_url(sqlite_url(tmp_path)))
    assert copy.query("SELECT text FROM t") == [{"text": "in the wal"}]
    copy.close()
    writer.close()


def test_a_database_from_a_newer_app_is_refused_and_left_untouched_when_read_only(tmp_path):
    store = open_store(sqlite_url(tmp_path))
    store.db.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                     "VALUES (99, 'from the future', 'x', 0)")
    store.db.close()
    before = snapshot(tmp_path)
    with unwritable(tmp_path), pytest.raises(SchemaMismatch):
        open_store(memory_copy_url(sqlite_url(tmp_path)))
    assert snapshot(tmp_path) == before


def test_a_read_only_databases_failures_are_named_in_words(tmp_path):
    db = connect(sqlite_url(tmp_path))
    db.execute("PRAGMA query_only = ON")  # as a read-only file would
    with pytest.raises(DatabaseError) as read_only_error:
        db.execute("CREATE TABLE t (n INTEGER)")
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    with pytest.raises(DatabaseError) as not_a_database:
        connect(sqlite_url(tmp_path, "notes.txt"))
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError) as not_a_folder:
        connect(sqlite_url(tmp_path / "file"))
    assert [problem(e.value) for e in (read_only_error, not_a_database, not_a_folder)] == [
        "read_only", "damaged", "not_a_folder"]
    assert [problem(OSError(n, "x")) for n in (errno.EROFS, errno.ENOSPC, errno.EACCES)] == [
        "read_only", "disk_full", "permission"]
    assert problem(RuntimeError("anything else")) == "other"
    db.close()


def test_a_servers_failures_are_named_in_words(postgres_server):
    from urllib.parse import urlsplit

    parts = urlsplit(postgres_server)
    wrong_password = postgres_server.replace(f":{parts.password}@", ":not-the-password@")
    no_database = postgres_server.rsplit("/", 1)[0] + "/no_such_database"
    no_user = postgres_server.replace("//postgres:", "//nobody:")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"postgresql://app:pw@127.0.0.1:{closed.getsockname()[1]}/chats"
    words = []
    for url in (wrong_password, no_user, no_database, nobody):
        with pytest.raises(DatabaseError) as failed:
            connect(url)
        words.append(problem(failed.value))
    assert words == ["auth", "auth", "no_database", "unreachable"]


def test_a_server_url_opens_a_pool_on_it(postgres_server):
    db = connect(postgres_server)
    assert db.query("SELECT 1 AS one") == [{"one": 1}]
    assert read_only(postgres_server) is None  # no file to look at: a server says so itself
    db.close()
