"""Logs go to stderr and a rotating file, with tokens redacted."""

import logging

import pytest

from core import logs
from core.redact import mask, redact

TOKEN = "sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture(autouse=True)
def fresh_logger():
    """setup() configures the app logger once per process; start each test from scratch."""
    logger = logging.getLogger(logs.LOGGER)
    saved = (list(logger.handlers), list(logger.filters))
    logger.handlers.clear()
    logger.filters.clear()
    yield
    for handler in logger.handlers:
        handler.close()
    logger.handlers[:], logger.filters[:] = saved


def test_seeded_token_never_reaches_the_log_file(tmp_path, capsys):
    logger = logs.setup(tmp_path / "logs", [TOKEN])
    try:
        logger.info("calling with key %s", TOKEN)
        logger.warning("header Authorization: Bearer %s", TOKEN)
        try:
            raise RuntimeError(f"upstream echoed {TOKEN}")
        except RuntimeError:
            logger.exception("failed")
        for handler in logger.handlers:
            handler.flush()
        text = (tmp_path / "logs" / "app.log").read_text(encoding="utf-8")
        assert TOKEN not in text and TOKEN not in capsys.readouterr().err
        assert mask(TOKEN) in text
        assert "RuntimeError" in text
    finally:
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)
        logger.filters.clear()


def test_unknown_token_shapes_are_redacted_too():
    assert TOKEN not in redact(f"key={TOKEN}")
    pat = "pat_" + "abcdefghijklmnopqrstuvwxyz0123"  # built, so no token-shaped literal sits in the repo
    assert pat not in redact(f"Bearer {pat}")


def test_mask_shows_only_a_few_leading_and_the_last_four():
    assert mask(TOKEN) == "sk-liv…b1a0"
    assert mask("short") == "••••••••"
    assert mask(None) == ""


def test_logger_does_not_propagate_to_root(tmp_path):
    logger = logs.setup(tmp_path, [])
    try:
        assert logger.propagate is False
        assert logging.getLogger(logs.LOGGER) is logger
    finally:
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)
        logger.filters.clear()


def test_each_line_names_the_replica_that_wrote_it(tmp_path):
    """Behind a load balancer several processes log the same events: each line says whose it is."""
    import os
    import socket

    logger = logs.setup(tmp_path, [])
    try:
        logger.warning("the database server cannot be reached")
        for handler in logger.handlers:
            handler.flush()
        [line] = (tmp_path / "app.log").read_text(encoding="utf-8").splitlines()
        assert f" r1chat [{socket.gethostname()} {os.getpid()}]: the database server" in line
    finally:
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)
        logger.filters.clear()


def test_a_host_name_with_a_percent_sign_is_kept_literally():
    record = logging.LogRecord("r1chat", logging.INFO, __file__, 1, "hello", None, None)
    line = logging.Formatter(logs.line_format("odd%host")).format(record)
    assert f"[odd%host {record.process}]: hello" in line
