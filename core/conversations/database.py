"""A database opened from a URL through SQLAlchemy Core: a SQLite file in WAL mode (the default), or
a PostgreSQL server (``postgresql://…``, for several app replicas).

The rest of the code speaks portable SQL with ``:name`` parameters through this one class, so both
engines run the same queries; what differs (connecting, locking, naming a fault) lives here.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool, StaticPool

MEMORY = "sqlite:///:memory:"
CONNECT_TIMEOUT = 10  # seconds a server gets to answer a new connection (libpq counts whole seconds)
POSTGRES_SCHEMES = ("postgresql", "postgres")  # postgres:// is what Heroku-style providers hand out
# A URL's query asking for a private in-memory copy of the file: read once, never written back.
MEMORY_COPY = "mode=memory-copy"
# What a failed read or write raises, whatever the backend: SQLAlchemy wraps the driver's error.
DatabaseError = (SQLAlchemyError, sqlite3.Error)
# Why the database could not be opened or written, in words a page can say (see ``problem``).
OS_PROBLEMS = {errno.EROFS: "read_only", errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full",
               errno.ENOTDIR: "not_a_folder", errno.EEXIST: "not_a_folder",  # mkdir over a file
               errno.EACCES: "permission", errno.EPERM: "permission", errno.EIO: "disk_error"}
SQLITE_PROBLEMS = (("SQLITE_READONLY", "read_only"), ("SQLITE_FULL", "disk_full"), ("SQLITE_BUSY", "locked"),
                   ("SQLITE_LOCKED", "locked"), ("SQLITE_NOTADB", "damaged"), ("SQLITE_CORRUPT", "damaged"),
                   ("SQLITE_PERM", "permission"), ("SQLITE_CANTOPEN", "cannot_open"),
                   ("SQLITE_IOERR", "disk_error"))
# PostgreSQL's SQLSTATE codes (a class, or one code) as the same words, and a few of their own.
SERVER_PROBLEMS = (("28", "auth"), ("3D000", "no_database"), ("57P", "unreachable"), ("08", "unreachable"),
                   ("53100", "disk_full"), ("25006", "read_only"), ("42501", "permission"),
                   ("53300", "busy"))
CONNECT_PROBLEMS = (("authentication failed", "auth"), ("no password supplied", "auth"),
                    ('role "', "auth"), ("does not exist", "no_database"))  # a user, then a database


class Database:
    """An engine shared by the app's threads: each statement commits at once, unless it runs inside
    ``transaction`` on the same thread."""

    def __init__(self, engine: Engine, url: str, lock: AbstractContextManager | None = None):
        self.engine, self.url = engine, url
        # One connection shared by every thread (an in-memory database) takes turns under a lock;
        # a pool hands each thread its own connection and needs none.
        self.lock = lock or nullcontext()
        self._open = threading.local()  # the connection of this thread's transaction, if any

    def execute(self, sql: str, params: Mapping | None = None) -> int:
        """Run one statement (committed at once unless inside ``transaction``); return rows changed."""
        with self._connection() as connection:
            return connection.execute(text(sql), dict(params or {})).rowcount

    def query(self, sql: str, params: Mapping | None = None) -> list[dict]:
        """Rows of a SELECT as dicts keyed by column name."""
        with self._connection(write=False) as connection:
            return [dict(row) for row in connection.execute(text(sql), dict(params or {})).mappings()]

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All statements in the block commit together, or none do; a block inside another is a
        savepoint, so a step that is atomic on its own can also be part of a larger whole."""
        current = getattr(self._open, "connection", None)
        if current is not None:
            with current.begin_nested():
                yield self
            return
        with self.lock, self.engine.begin() as connection:
            self._open.connection = connection
            try:
                yield self
            finally:
                self._open.connection = None

    def hold(self, name: str) -> None:
        """Inside ``transaction``: wait for, then hold until it ends, the lock ``name`` that every
        process using this database shares (a SQLite write transaction already excludes them all)."""
        if self.engine.dialect.name == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(hashtext(:name))", {"name": name})

    def ping(self) -> None:
        """Check that the database answers now (a server may have gone away); raise its error if not."""
        self.query("SELECT 1")

    @contextmanager
    def _connection(self, write: bool = True) -> Iterator[Connection]:
        current = getattr(self._open, "connection", None)
        if current is not None:
            yield current
            return
        with self.lock, self.engine.connect() as connection, \
                connection.execution_options(write=write).begin():
            yield connection

    def close(self) -> None:
        """Close every connection (tests; the app keeps them for the life of the process)."""
        self.engine.dispose()


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


def server(url: str) -> bool:
    """Whether ``url`` names a database server (PostgreSQL) rather than a SQLite file."""
    scheme = url.partition(":")[0].lower()
    return scheme in POSTGRES_SCHEMES or scheme.startswith("postgresql+")


def read_only(url: str) -> Path | None:
    """What keeps this process from writing the SQLite file at ``url`` (the file or its folder),
    when that file is there and readable; ``None`` when it can be written or is not there to read
    (or is no file: a server says so itself)."""
    if server(url):
        return None
    path = sqlite_path(url)
    if path == ":memory:" or not os.path.isfile(path) or not os.access(path, os.R_OK):
        return None
    folder = os.path.dirname(path) or "."
    if not os.access(folder, os.W_OK | os.X_OK):  # SQLite creates its -wal and -shm files there
        return Path(folder)
    return None if os.access(path, os.W_OK) else Path(path)


def connect(url: str, connect_timeout: float = CONNECT_TIMEOUT) -> Database:
    """Open the database at ``url``; a SQLite file and its folder are created if missing, and a
    ``memory_copy_url`` gives a writable in-memory copy of a file that is only read. A server gets
    ``connect_timeout`` seconds to answer each new connection."""
    if server(url):
        return _postgres(url, connect_timeout)
    scheme = urlsplit(url).scheme
    if scheme != "sqlite":
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://")
    path = sqlite_path(url)
    if urlsplit(url).query == MEMORY_COPY:
        engine = _sqlite_engine(lambda: _memory_copy(path), StaticPool)
    elif path == ":memory:":
        engine = _sqlite_engine(lambda: _open(path), StaticPool)
    else:
        engine = _sqlite_engine(lambda: _open(path), QueuePool)
    engine.connect().close()  # open one now: a file that cannot be opened says so here, not later
    # A single shared connection (in memory) serves one thread at a time; a file gets one per thread.
    return Database(engine, url, threading.RLock() if isinstance(engine.pool, StaticPool) else None)


def _postgres(url: str, connect_timeout: float) -> Database:
    """A pool of psycopg 3 connections to the PostgreSQL database at ``url`` (the plain URL a provider
    gives: ``postgresql://user:password@host:port/db``)."""
    driver_url = make_url(url).set(drivername="postgresql+psycopg")
    # pre_ping: a connection the server dropped (a restart) is replaced before use, not failed on.
    engine = create_engine(driver_url, pool_pre_ping=True,
                           connect_args={"connect_timeout": max(1, round(connect_timeout))})
    engine.connect().close()  # as for SQLite: a wrong host or password is named now
    return Database(engine, url)


def _sqlite_engine(creator, pool) -> Engine:
    """An engine on connections ``creator`` opens, which begins its own transactions (see ``_begin``)."""
    engine = create_engine("sqlite://", creator=creator, poolclass=pool)
    event.listen(engine, "connect", _prepare)
    event.listen(engine, "begin", _begin)
    return engine


def _prepare(connection: sqlite3.Connection, _record) -> None:
    connection.execute("PRAGMA foreign_keys=ON")
    # SQLite's LOWER only folds ASCII; servers fold all of Unicode. Same SQL, same answers.
    connection.create_function("lower", 1, _lower, deterministic=True)


def _begin(connection: Connection) -> None:
    # The driver would begin lazily, and never before DDL; SQLAlchemy's recipe is to begin
    # ourselves. IMMEDIATE takes the write lock up front, so a second process waits (busy timeout)
    # instead of failing on a stale read when it upgrades to write; a read needs no lock.
    write = connection.get_execution_options().get("write", True)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _open(path: str) -> sqlite3.Connection:
    """A read-write connection to the file at ``path`` (made private first) or to ``:memory:``."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _create_private(Path(path))
    # isolation_level=None: the driver begins nothing by itself; every statement runs in a
    # transaction ``_begin`` opens and SQLAlchemy commits, so a streamed reply's text is durable
    # the moment it is saved.
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
    permission, locked, damaged, cannot_open, disk_error; for a server also unreachable, auth,
    no_database, busy; or other."""
    if isinstance(exc, OSError):
        return OS_PROBLEMS.get(exc.errno, "other")
    exc = getattr(exc, "orig", None) or exc  # the driver's own error inside SQLAlchemy's
    if type(exc).__module__.startswith("psycopg"):
        return _server_problem(exc)
    name = getattr(exc, "sqlite_errorname", None) or ""  # e.g. SQLITE_READONLY_DIRECTORY
    return next((word for prefix, word in SQLITE_PROBLEMS if name.startswith(prefix)), "other")


def _server_problem(exc: BaseException) -> str:
    """A PostgreSQL error as a word: by its SQLSTATE class, or, with none, a server not reached."""
    state = getattr(exc, "sqlstate", None) or ""
    for prefix, word in SERVER_PROBLEMS:
        if state.startswith(prefix):
            return word
    if state or type(exc).__name__ != "OperationalError":
        return "other"
    # A failed connection carries no SQLSTATE, even when the server sent one (psycopg issue #1188):
    # only libpq's message tells a refused password or a missing database from a server not reached.
    text = str(exc)
    return next((word for marker, word in CONNECT_PROBLEMS if marker in text), "unreachable")


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
