"""AppTest: a question given back into the input belongs to the conversation it was typed in — it
leaves the input when another conversation opens and comes back, with why, when its own reopens."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fake_upstream import hold_answer, reply
from streamlit.testing.v1 import AppTest

from ui import context

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
REFUSED = "You already have 1 replies generating"


@pytest.fixture
def app(clean_env, upstream):
    """The app on the sandbox route against the fake upstream, in English, one reply per visitor."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    clean_env.setenv("R1_MAX_REPLIES_PER_VISITOR", "1")
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    return at.run()


@pytest.fixture
def gate(upstream):
    """A reply that thinks, then stays silent until the test is over."""
    script = reply("Thinking it over. " * 3, "The answer.")
    held = hold_answer(script)
    upstream.push(script)
    yield held
    held.set()


def errors(at) -> list[str]:
    return [str(e.value) for e in at.error]


def test_a_refused_question_stays_with_its_conversation(app, gate):
    app.chat_input[0].set_value("first")
    with pytest.raises(RuntimeError, match="timed out"):
        app.run(timeout=2)  # the page follows the held reply until the run is stopped
    first = app.session_state["conversation_id"]
    app.button(key="new_chat").click().run(timeout=5)
    app.chat_input[0].set_value("a new chat's question").run(timeout=5)
    assert any(REFUSED in e for e in errors(app))

    gate.set()  # the first reply ends meanwhile
    job = context.replies().find("local", first)
    while job.running:
        threading.Event().wait(0.05)
    app.button(key=f"conv_{first}").click().run(timeout=5)
    assert not any(REFUSED in e for e in errors(app))  # not about this conversation

    app.button(key="new_chat").click().run(timeout=5)
    assert any(REFUSED in e for e in errors(app))  # its own conversation: given back again, with why
    # The input's text itself is seen in the browser (tests/e2e/test_drafts_browser.py): AppTest does
    # not model a chat input's text.
