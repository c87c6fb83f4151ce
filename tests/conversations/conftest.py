"""Fixtures the storage tests share."""

import itertools

import pytest

from core.conversations.store import open_store


@pytest.fixture
def store(database_url):
    """A store on each engine (SQLite and PostgreSQL), with a clock that ticks once a call."""
    ticks = itertools.count(1000)
    store = open_store(database_url, clock=lambda: float(next(ticks)))
    yield store
    store.db.close()
