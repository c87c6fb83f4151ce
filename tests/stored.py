"""The app's stored conversations in tests: read what an AppTest run stored, or seed a conversation
into a data folder (R1_DATA_DIR) before the app opens it."""

import os
from collections.abc import Callable
from pathlib import Path

from core.conversations import records
from core.conversations.database import connect, sqlite_url
from core.conversations.store import Store, open_store


def stored(at) -> list[dict]:
    """The messages of an AppTest's open conversation, read from its database (R1_DATA_DIR)."""
    cid = at.session_state["conversation_id"] if "conversation_id" in at.session_state else None  # noqa: SIM401 (no .get on AppTest state)
    store = Store(connect(sqlite_url(Path(os.environ["R1_DATA_DIR"]))))
    try:
        return store.messages("local", cid)
    finally:
        store.db.close()


def seed(folder: Path, turns: int, title: str = "A stored conversation",
         answer: Callable[[int], str] = lambda n: f"Answer {n}.",
         reasoning: Callable[[int], str] = lambda n: f"Thinking about {n}.", **fields) -> str:
    """Store a conversation of ``turns`` answered questions ("Question n") in the data folder
    ``folder``; return its id. Each reply thought for 1.5 s, plus ``fields``."""
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(sqlite_url(folder))
    with store.transaction():
        cid = store.create("local", title).id
        for n in range(1, turns + 1):
            store.append("local", cid, records.new_message("user", f"Question {n}"))
            store.append("local", cid, records.new_message("assistant", answer(n), reasoning=reasoning(n),
                                                           thought=1.5, **fields))
    store.db.close()
    return cid
