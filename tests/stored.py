"""Read what an AppTest run stored: the open conversation's messages, from R1_DATA_DIR."""

import os
from pathlib import Path

from core.conversations.database import connect, sqlite_url
from core.conversations.store import Store


def stored(at) -> list[dict]:
    """The messages of an AppTest's open conversation, read from its database (R1_DATA_DIR)."""
    cid = at.session_state["conversation_id"] if "conversation_id" in at.session_state else None  # noqa: SIM401 (no .get on AppTest state)
    store = Store(connect(sqlite_url(Path(os.environ["R1_DATA_DIR"]))))
    try:
        return store.messages("local", cid)
    finally:
        store.db.close()
