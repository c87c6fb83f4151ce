"""Logging to stderr and a rotating file, with every known secret redacted on the way out."""

from __future__ import annotations

import logging
import logging.handlers
import socket
from collections.abc import Iterable
from pathlib import Path

from core.redact import redact

LOGGER = "r1chat"
# Which replica wrote each line: behind a load balancer several app processes (often on several
# hosts) log the same events, and a shared log or a collector mixes their lines.
FORMAT = "%(asctime)s %(levelname)s %(name)s [{host} %(process)d]: %(message)s"


def line_format(host: str | None = None) -> str:
    """The log line's format, naming ``host`` (this machine's name by default) and the process id."""
    host = (host or socket.gethostname() or "?").replace("%", "%%")  # a literal in a %-style format
    return FORMAT.format(host=host)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final text so no secret reaches any handler."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = set(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message (and any traceback) in place; never drop a record."""
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = redact(message, self.secrets), None
        return True


def setup(log_dir: Path, secrets: Iterable[str] = (), level: int = logging.INFO) -> logging.Logger:
    """Configure the app logger once; later calls only add newly known secrets."""
    logger = logging.getLogger(LOGGER)
    existing = [f for f in logger.filters if isinstance(f, RedactingFilter)]
    if existing:
        existing[0].secrets.update(s for s in secrets if s)
        return logger
    logger.setLevel(level)
    logger.propagate = False
    logger.addFilter(RedactingFilter(s for s in secrets if s))
    formatter = logging.Formatter(line_format())
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(
            log_dir / "app.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"))
    except OSError as exc:  # a read-only deployment still gets stderr
        logger.warning("file logging disabled: %s", exc)
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    return logger


def get() -> logging.Logger:
    """The app logger (redacting once ``setup`` has run)."""
    return logging.getLogger(LOGGER)
