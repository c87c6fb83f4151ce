"""The database probe Setup and the doctor share: a server that answers is fine, one that does not is
named by its problem (host not reached, password refused, no such database) with the variable to
fix and its password masked; SQLite is not probed. Against the real PostgreSQL the suite starts."""

from __future__ import annotations

import socket

import postgres
import pytest

from core.conversations import probe
from core.setup.settings import BY_ENV, Resolved

HIDDEN = "a-long-wrong-password-42"


def values(url: str | None) -> dict:
    return {"R1_DATABASE_URL": Resolved(BY_ENV["R1_DATABASE_URL"], url, "environ" if url else None)}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_password(url: str, password: str) -> str:
    return url.replace(postgres.PASSWORD, password)


def test_sqlite_and_unset_are_not_probed(tmp_path):
    assert probe.check(values(None)) is None
    assert probe.check(values(f"sqlite:///{tmp_path}/chats.db")) is None
    assert not (tmp_path / "chats.db").exists()  # nothing created by looking


def test_a_server_that_answers_is_fine(postgres_server):
    assert probe.check(values(postgres_server)) is None


@pytest.mark.parametrize("broken, kind", [
    (lambda url: with_password(url, HIDDEN), "database_auth"),
    (lambda url: url.rsplit("/", 1)[0] + "/no_such_db", "database_missing"),
    (lambda url: f"postgresql://postgres:{HIDDEN}@127.0.0.1:{closed_port()}/chats", "database_unreachable"),
])
def test_a_problem_is_named_with_the_setting_and_the_password_masked(postgres_server, broken, kind):
    url = broken(postgres_server)
    found = probe.check(values(url))
    assert (found.kind, found.setting, found.severity) == (kind, "R1_DATABASE_URL", "error")
    assert found.params["source"] == "environ" and "127.0.0.1" in found.params["url"]
    assert HIDDEN not in str(found) and postgres.PASSWORD not in str(found)


def test_a_host_that_drops_packets_costs_the_timeout_not_more():
    # 192.0.2.0/24 is TEST-NET-1: never routed, so the connection attempt just waits.
    found = probe.check(values("postgresql://app:pw@192.0.2.1:5432/chats"), timeout=1)
    assert found.kind in ("database_unreachable", "database_unusable")
