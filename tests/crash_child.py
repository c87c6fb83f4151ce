"""Run by tests/test_crash.py: stream one reply into a database until the test kills this process.

Usage: python tests/crash_child.py DB_URL BASE_URL MODEL  (the repo root on PYTHONPATH). It
prints nothing; the fake upstream accepts any key, so the key below is a test value.
"""

from __future__ import annotations

import sys

from core.chat import session as conversation
from core.chat.endpoint import Endpoint
from core.conversations import turns
from core.conversations.store import open_store

API_KEY = "sk-crash-test-key-0123456789abcdef"
OWNER = "local"
QUESTION = "question"


def endpoint(base_url: str, model: str) -> Endpoint:
    return Endpoint(route="openai", base_url=base_url, api_key=API_KEY, model=model, provider="local",
                    send_thinking=False, include_usage=True, honours_temperature=True, read_timeout=30.0)


def main(url: str, base_url: str, model: str) -> None:
    store = open_store(url)
    cid = turns.send(store, OWNER, None, QUESTION, "Untitled")
    ep = endpoint(base_url, model)
    client = conversation.make_client(ep)
    reply, frames = conversation.start_reply(client, ep, store.messages(OWNER, cid), conversation.Options())
    _, save = turns.begin_reply(store, OWNER, cid, reply)
    for _ in turns.saving(frames, reply, save):
        pass
    save(reply)  # the test kills this process long before the reply ends


if __name__ == "__main__":
    main(*sys.argv[1:4])
