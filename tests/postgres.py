"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, run as the ``postgres``
user (PostgreSQL refuses root), on a free loopback port, deleted when the tests end.

Locally, without the binaries (or the user), the tests that need it skip; under ``CI=true`` that
is a failure, as for the browser tests.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BIN = Path(os.environ.get("R1_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "postgres"
PASSWORD = "r1-test-password-0123456789"  # long enough to be masked to a fingerprint, not dots


def missing() -> str | None:
    """Why no cluster can be started here, or ``None``."""
    if not (BIN / "initdb").is_file():
        return f"PostgreSQL server binaries not found in {BIN} (apt-get install postgresql)"
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return f"no {USER!r} user to run PostgreSQL as"
    return None


def unavailable(reason: str) -> None:
    """Skip locally; under CI=true a missing PostgreSQL is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL prerequisites missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _as_user(*command: str) -> list[str]:
    # Tests run as root here, and PostgreSQL will not; as anyone else, run it as ourselves.
    return ["runuser", "-u", USER, "--", *command] if os.getuid() == 0 else list(command)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throwaway cluster that can be stopped and started again under a running app (a restart)."""

    def __init__(self, home: Path, port: int):
        self.home, self.port, self.data = home, port, home / "data"
        self.url = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.home / "log"), "-w", "start", "-o",
             f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: clients are disconnected, as in a restart; ``immediate``: a crash)."""
        subprocess.run(_as_user(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "stop"),
                       capture_output=True, timeout=60)


def _run(*command: str) -> None:
    subprocess.run(_as_user(*command), check=True, capture_output=True, timeout=120)


@contextmanager
def server() -> Iterator[Cluster]:
    """Start a cluster (a password over loopback TCP, trust on its own socket); yield it, running."""
    home = Path(tempfile.mkdtemp(prefix="r1-pg-"))
    if os.getuid() == 0:
        shutil.chown(home, USER, USER)
    running = Cluster(home, _free_port())
    try:
        # TCP asks for a password, as a real server does; the socket beside the data trusts us to set it.
        _run(str(BIN / "initdb"), "-D", str(running.data), "-U", USER, "--auth-local=trust",
             "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync")
        running.start()
        _set_password(home, running.port)
        yield running
    finally:
        running.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield the URL of its ``postgres`` database."""
    with server() as running:
        yield running.url


def _set_password(socket_dir: Path, port: int) -> None:
    import psycopg

    with psycopg.connect(host=str(socket_dir), port=port, user=USER, dbname="postgres", autocommit=True) as db:
        db.execute(f"ALTER USER {USER} PASSWORD '{PASSWORD}'")


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the cluster; its URL. Dropped afterwards."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
