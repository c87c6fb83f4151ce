"""AppTest: the chat page's transitions around a reply the server generates — refused sends keep
the text, caps say which, and a reply ended elsewhere is told by a toast."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fake_upstream import hold_answer, reply

from ui import context

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def held(upstream):
    """Queue a reply that thinks, then stays silent until the test lets it answer."""
    gates = []

    def hold(answer="The answer."):
        script = reply("Thinking it over. " * 3, answer)
        gates.append(hold_answer(script))
        upstream.push(script)
        return gates[-1]

    yield hold
    for gate in gates:  # never leave a reply waiting for the next test
        gate.set()


def ask_and_leave(at, text):
    """Send a question; the page follows its reply until the run is stopped (leaving the page)."""
    at.chat_input[0].set_value(text)
    with pytest.raises(RuntimeError, match="timed out"):
        at.run(timeout=2)


def texts(at, kind):
    return [str(e.value) for e in getattr(at, kind)]


def test_a_second_question_in_a_thinking_conversation_is_refused_and_kept(app, held):
    gate = held()
    ask_and_leave(app, "first")
    threading.Timer(1.0, gate.set).start()  # the reply ends while the page follows it again
    app.chat_input[0].set_value("second, drafted while it thought").run(timeout=15)
    # Refused while the reply streamed (the browser test sees the notice then); the run that followed
    # the reply to its end took the notice away, as the question can be sent now.
    assert not any("still answering in this conversation" in e for e in texts(app, "error"))
    # That the input shows it again is seen in the browser: AppTest does not model a chat input's text.
    assert len(app.session_state["unsent"]) == 3 and app.session_state["unsent"][0].startswith("second")
    assert [m.value for m in app.main.markdown if "The answer." in str(m.value)]  # the first reply ended


def test_the_visitor_cap_keeps_the_question_and_says_so(app, held, clean_env):
    clean_env.setenv("R1_MAX_REPLIES_PER_VISITOR", "1")
    gate = held()
    ask_and_leave(app, "first")
    app.button(key="new_chat").click().run(timeout=5)
    app.chat_input[0].set_value("another conversation").run(timeout=5)
    assert any("You already have 1 replies generating" in e for e in texts(app, "error"))
    assert app.session_state["unsent"][0] == "another conversation"
    gate.set()


def test_a_reply_that_ends_elsewhere_is_told_by_a_toast(app, held):
    gate = held()
    ask_and_leave(app, "slow question")
    app.button(key="new_chat").click().run(timeout=5)
    assert app.session_state["generating"]  # the page knows one is still generating
    job = context.replies().find("local", next(iter(app.session_state["generating"])))
    gate.set()
    threading.Event().wait(0.2)
    while job.running:
        threading.Event().wait(0.05)
    app.run(timeout=5)
    assert any("The reply in “slow question” is done." in t for t in texts(app, "toast"))
    assert not app.session_state["generating"]


def test_a_long_answer_that_streams_is_drawn_in_order(app, upstream):
    filler = "This sentence is here to make the paragraph long enough to matter. " * 3
    answer = "\n\n".join(f"Paragraph {n:02d}. {filler}" for n in range(1, 41))
    upstream.push(reply("Thinking briefly.", answer, piece=24, delay=0.005))  # many frames, many blocks
    app.chat_input[0].set_value("Write forty paragraphs").run(timeout=30)
    drawn = "\n\n".join(str(m.value) for m in app.chat_message[-1].markdown)
    numbers = [int(n) for n in re.findall(r"Paragraph (\d\d)\.", drawn)]
    assert numbers == list(range(1, 41))
