"""Whether the server database ``R1_DATABASE_URL`` names can be used, as a Setup finding: a host not
reached, a password refused, a database that does not exist, each named with the variable to fix.

Shared by the Setup page and ``python -m core.doctor``, which name the same problem in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import make_url

from core.conversations import database
from core.conversations.migrations import SchemaMismatch
from core.redact import mask_url, redact
from core.setup.settings import Resolved
from core.setup.valuechecks import Finding

SETTING = "R1_DATABASE_URL"
DEFAULT_PORT = 5432
TIMEOUT = 5  # seconds to wait for a server to answer; a host dropping packets would wait for ever
# The finding for each problem a server names (``database.problem``); anything else is "unusable".
KINDS = {"unreachable": "database_unreachable", "auth": "database_auth", "no_database": "database_missing"}


def server_url(values: Mapping[str, Resolved]) -> str | None:
    """The server database's URL when ``R1_DATABASE_URL`` names one; ``None`` for SQLite."""
    url = values[SETTING].typed
    return url if url and database.server(url) else None


def finding(values: Mapping[str, Resolved], exc: Exception) -> Finding:
    """The finding for the server database that failed with ``exc``, its password masked."""
    url, source = values[SETTING].typed, values[SETTING].source
    where = make_url(url)  # host and database named in our words, not only in the driver's English
    params = {"setting": SETTING, "source": source, "url": mask_url(url),
              "host": f"{where.host}:{where.port or DEFAULT_PORT}", "database": where.database or ""}
    if isinstance(exc, SchemaMismatch):
        return Finding("database_version", SETTING, "error", params)
    kind = KINDS.get(database.problem(exc), "database_unusable")
    cause = redact(str(getattr(exc, "orig", None) or exc)).strip().splitlines()
    return Finding(kind, SETTING, "error", {**params, "error": cause[0][:200] if cause else type(exc).__name__})


def check(values: Mapping[str, Resolved], timeout: float = TIMEOUT) -> Finding | None:
    """Connect once to the server database ``R1_DATABASE_URL`` names: ``None`` when it answers (or
    when conversations are kept in SQLite), else the finding that names why."""
    url = server_url(values)
    if url is None:
        return None
    try:
        database.connect(url, connect_timeout=timeout).close()
    except Exception as exc:  # the driver's error, whatever went wrong: named, never raised
        return finding(values, exc)
    return None
