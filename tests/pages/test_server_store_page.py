"""AppTest: with R1_DATABASE_URL set the chat keeps conversations in PostgreSQL, names the database
with its password masked, and a server it cannot use is named on the page, chatting on meanwhile."""

from __future__ import annotations

import socket
from pathlib import Path

import postgres
from streamlit.testing.v1 import AppTest

from core.conversations.store import open_store

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def app_on(clean_env, upstream, url: str) -> AppTest:
    """The app on the sandbox route against the fake upstream, in English, keeping conversations at ``url``."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    clean_env.setenv("R1_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    return at.run()


def sidebar_text(at) -> str:
    return "\n".join(str(e.value) for kind in ("caption", "warning") for e in getattr(at.sidebar, kind))


def test_conversations_are_kept_in_postgresql(clean_env, upstream, postgres_server):
    with postgres.fresh_database(postgres_server) as url:
        at = app_on(clean_env, upstream, url)
        at.chat_input[0].set_value("Hello from the team").run()
        assert not at.exception
        shown = sidebar_text(at)
        assert "Conversations are saved in the database `postgresql://postgres:r1-t…6789@127.0.0.1" in shown
        assert postgres.PASSWORD not in shown
        store = open_store(url)
        [conversation] = store.list("local")
        assert [m["role"] for m in store.messages("local", conversation.id)] == ["user", "assistant"]
        store.db.close()


def test_a_server_it_cannot_reach_is_named_and_the_chat_goes_on(clean_env, upstream):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"postgresql://app:a-long-database-password@127.0.0.1:{closed.getsockname()[1]}/chats"
    at = app_on(clean_env, upstream, url)
    shown = sidebar_text(at)
    assert "could not be used" in shown and "the database server cannot be reached" in shown
    assert "R1_DATABASE_URL" in shown and "a-long-database-password" not in shown
    at.chat_input[0].set_value("Still here?").run()
    assert not at.exception and any("Still here?" in str(m.value) for m in at.main.text)
