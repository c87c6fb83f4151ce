"""Shared fixtures: the fake upstream, a clean environment, the app's log lines, and the app's path."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_upstream import FakeUpstream  # noqa: E402

from core import logs  # noqa: E402

APP_ENV = ("COZE_WORKLOAD_IDENTITY_API_KEY", "COZE_INTEGRATION_MODEL_BASE_URL", "COZE_API_TOKEN",
           "OPENAI_API_KEY", "OPENAI_BASE_URL", "R1_MODEL", "R1_ROUTE", "R1_MAX_TOKENS",
           "R1_READ_TIMEOUT", "R1_MAX_REPLIES", "R1_MAX_REPLIES_PER_VISITOR", "R1_LOG_DIR", "R1_DATA_DIR", "R1_CONFIG_DIR")


@pytest.fixture
def log_lines():
    """The app logger's messages during the test, whatever an earlier test configured."""
    logger, lines = logs.get(), []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    saved = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(saved)


@pytest.fixture
def upstream():
    """A running fake provider on 127.0.0.1."""
    with FakeUpstream() as up:
        yield up


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No app variable from the developer's shell leaks into a test; logs and data go to tmp."""
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("R1_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("R1_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("R1_CONFIG_DIR", str(tmp_path))  # .env.local / .env: Save writes here, never the checkout
    return monkeypatch


def pytest_collection_finish(session):
    """Scan the installed packages for Streamlit components once per run, not once per AppTest."""
    # Each new AppTest reads the metadata of every installed distribution looking for component
    # manifests: about a third of the page tests' time. The packages installed do not change during
    # a run, and the app's one component (ui/messages.py) is declared inline, not installed.
    if "streamlit.testing.v1" not in sys.modules:  # no AppTest in this run: leave Streamlit unloaded
        return
    from streamlit.components.v2 import manifest_scanner

    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a throwaway PostgreSQL cluster this test session started (tests/postgres.py)."""
    import postgres

    reason = postgres.missing()
    if reason:
        postgres.unavailable(reason)
    with postgres.cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database on each engine: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'chats.db'}"
        return
    import postgres

    with postgres.fresh_database(request.getfixturevalue("postgres_server")) as url:
        yield url
