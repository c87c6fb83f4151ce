"""A database connection opened from a URL: SQLite in WAL mode, the only backend so far.

The rest of the code speaks portable SQL with ``:name`` parameters through this one class, so
a server database (``postgresql://…``) needs a new ``connect`` branch, not new queries.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

MEMORY = "sqlite:///:memory:"
# A URL's query asking for a private in-memory copy of the file: read once, never written back.
MEMORY_COPY = "mode=memory-copy"
DatabaseError = sqlite3.Error  # what a failed read or write raises, whatever the backend
# Why the database could not be opened or written, in words a page can say (see ``problem``).
OS_PROBLEMS = {errno.EROFS: "read_only", errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full",
               errno.ENOTDIR: "not_a_folder", errno.EEXIST: "not_a_folder",  # mkdir over a file
               errno.EACCES: "permission", errno.EPERM: "permission", errno.EIO: "disk_error"}
SQLITE_PROBLEMS = (("SQLITE_READONLY", "read_only"), ("SQLITE_FULL", "disk_full"), ("SQLITE_BUSY", "locked"),
                   ("SQLITE_LOCKED", "locked"), ("SQLITE_NOTADB", "damaged"), ("SQLITE_CORRUPT", "damaged"),
                   ("SQLITE_PERM", "permission"), ("SQLITE_CANTOPEN", "cannot_open"),
                   ("SQLITE_IOERR", "disk_error"))


class Database:
    """One connection shared by the app's threads, one statement or transaction at a time."""

    def __init__(self, connection: sqlite3.Connection, url: str):
        self.connection = connection
        self.url = url
        self.lock = threading.RLock()  # Streamlit runs each session's script in its own thread

    def execute(self, sql: str, params: Mapping | None = None) -> int:
        """Run one statement (committed at once unless inside ``transaction``); return rows changed."""
        with self.lock:
            return self.connection.execute(sql, params or {}).rowcount

    def query(self, sql: str, params: Mapping | None = None) -> list[dict]:
        """Rows of a SELECT as dicts keyed by column name."""
        with self.lock:
            cursor = self.connection.execute(sql, params or {})
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All statements in the block commit together, or none do; a block inside another is a
        savepoint, so a step that is atomic on its own can also be part of a larger whole."""
        with self.lock:
            if self.connection.in_transaction:  # only this thread can be in it: we hold the lock
                yield from self._savepoint()
                return
            # IMMEDIATE: take the write lock up front, so a second process waits (busy timeout)
            # instead of failing on a stale read when it upgrades to write.
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self
                self.connection.execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:  # also after a failed COMMIT: never leave one open
                    self.connection.execute("ROLLBACK")
                raise

    def _savepoint(self) -> Iterator[Database]:
        self.connection.execute("SAVEPOINT nested")
        try:
            yield self
        except BaseException:
            if self.connection.in_transaction:  # some errors (a full disk) already undid it all
                self.connection.execute("ROLLBACK TO nested")
                self.connection.execute("RELEASE nested")
            raise
        self.connection.execute("RELEASE nested")

    def close(self) -> None:
        """Close the connection (tests; the app keeps it for the life of the process)."""
        with self.lock:
            self.connection.close()


def sqlite_url(folder: Path, name: str = "chats.db") -> str:
    """The URL of the SQLite file ``name`` in ``folder``."""
    return "sqlite:///" + quote(str(Path(folder).resolve() / name))  # '#', '?', '%' in a folder name


def sqlite_path(url: str) -> str:
    """The file (or ``:memory:``) a ``sqlite:///`` URL names; other schemes are refused."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite":
        raise ValueError(f"unsupported database URL scheme {parts.scheme!r}: only sqlite:/// is built in")
    return unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)


def memory_copy_url(url: str) -> str:
    """The URL of a private in-memory copy of the SQLite file at ``url`` (that file is only read)."""
    return f"{url}?{MEMORY_COPY}"


def read_only(url: str) -> Path | None:
    """What keeps this process from writing the SQLite file at ``url`` (the file or its folder),
    when that file is there and readable; ``None`` when it can be written or is not there to read."""
    path = sqlite_path(url)
    if path == ":memory:" or not os.path.isfile(path) or not os.access(path, os.R_OK):
        return None
    folder = os.path.dirname(path) or "."
    if not os.access(folder, os.W_OK | os.X_OK):  # SQLite creates its -wal and -shm files there
        return Path(folder)
    return None if os.access(path, os.W_OK) else Path(path)


def connect(url: str) -> Database:
    """Open the database at ``url``; a SQLite file and its folder are created if missing, and a
    ``memory_copy_url`` gives a writable in-memory copy of a file that is only read."""
    path = sqlite_path(url)
    connection = _memory_copy(path) if urlsplit(url).query == MEMORY_COPY else _open(path)
    connection.execute("PRAGMA foreign_keys=ON")
    # SQLite's LOWER only folds ASCII; servers fold all of Unicode. Same SQL, same answers.
    connection.create_function("lower", 1, _lower, deterministic=True)
    return Database(connection, url)


def _open(path: str) -> sqlite3.Connection:
    """A read-write connection to the file at ``path`` (made private first) or to ``:memory:``."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _create_private(Path(path))
    # isolation_level=None: we commit each statement ourselves, so a streamed reply's text is
    # durable the moment it is saved, not when some later statement happens to commit.
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    if path != ":memory:":
        connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        connection.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL
        for companion in (path + "-wal", path + "-shm"):  # made from the main file's mode, but check
            _make_private(Path(companion))
    return connection


def _memory_copy(path: str) -> sqlite3.Connection:
    """A writable in-memory database holding what the file at ``path`` holds; the file is only read."""
    source = _open_read_only(path)
    try:
        copy = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        source.backup(copy)
    finally:
        source.close()
    return copy


def _open_read_only(path: str) -> sqlite3.Connection:
    """The file at ``path`` opened read-only, creating nothing beside it where that can be helped."""
    uri = "file:" + quote(path)  # '?', '#' and '%' in a folder name stay part of the path
    wal = Path(path + "-wal")
    if wal.is_file() and wal.stat().st_size:
        # Replies a crashed writer left in the -wal are read only through SQLite's WAL index (-shm),
        # which it may need to create beside the file.
        source = sqlite3.connect(uri + "?mode=ro", uri=True)
        try:
            source.execute("SELECT COUNT(*) FROM sqlite_master")  # opening is lazy: read to know
            return source
        except sqlite3.Error:
            source.close()  # a folder that cannot take the -shm: what the main file holds must do
    # immutable=1 reads the main file alone, without locks: nothing is created next to it.
    return sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True)


def problem(exc: BaseException) -> str:
    """Why opening or writing the database failed, as a word: read_only, disk_full, not_a_folder,
    permission, locked, damaged, cannot_open, disk_error, or other."""
    if isinstance(exc, OSError):
        return OS_PROBLEMS.get(exc.errno, "other")
    name = getattr(exc, "sqlite_errorname", None) or ""  # e.g. SQLITE_READONLY_DIRECTORY
    return next((word for prefix, word in SQLITE_PROBLEMS if name.startswith(prefix)), "other")


def _create_private(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite opens it, or tighten an existing one we own."""
    # SQLite gives the -wal and -shm files the main file's mode, so getting this one right
    # first keeps every conversation file private whatever the umask.
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _make_private(path)
        return
    os.fchmod(fd, 0o600)  # exactly 0600, even under an odd umask that would leave it unwritable
    os.close(fd)


def _make_private(path: Path) -> None:
    """Set a file we own to 0600 if it is wider; a missing file or someone else's is left alone."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o177:
        os.chmod(path, 0o600)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value
