"""Shared fixtures: the fake upstream, a clean environment, and the app's path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_upstream import FakeUpstream  # noqa: E402

APP_ENV = ("COZE_WORKLOAD_IDENTITY_API_KEY", "COZE_INTEGRATION_MODEL_BASE_URL", "COZE_API_TOKEN",
           "OPENAI_API_KEY", "OPENAI_BASE_URL", "R1_MODEL", "R1_ROUTE", "R1_MAX_TOKENS",
           "R1_READ_TIMEOUT", "R1_LOG_DIR", "R1_DATA_DIR", "R1_CONFIG_DIR")


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

