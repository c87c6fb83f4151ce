"""AppTest: a long conversation draws only its newest messages, older ones a page at a time on demand
(issue 13.5), and a stored reply's thinking is drawn only once it is opened."""

from pathlib import Path

import pytest
import stored
from streamlit.testing.v1 import AppTest

from ui.messages import window_start
from ui.page_state import HISTORY_PAGE, OLDER_PAGE

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def app(clean_env, tmp_path, upstream):
    """The app on the sandbox route against the fake upstream, in English."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    return at.run()


def seed(tmp_path, turns: int) -> str:
    """A stored conversation of ``turns`` answered questions (R1_DATA_DIR); its id."""
    return stored.seed(tmp_path / "data", turns, f"{turns} turns")


def open_conversation(at, cid: str) -> None:
    """Click the conversation in the sidebar (after a run that lists it, as a page would)."""
    at.run()
    at.button(key=f"conv_{cid}").click().run()
    assert not at.exception


def drawn(at) -> list[str]:
    """The text of each drawn message, in page order: a question's words or an answer's Markdown."""
    return [(m.text[0].value if m.name == "user" else m.markdown[0].value) for m in at.chat_message]


def test_a_long_conversation_draws_its_newest_messages_and_older_ones_on_demand(app, tmp_path):
    cid = seed(tmp_path, 30)  # 60 messages
    open_conversation(app, cid)
    assert len(app.chat_message) == HISTORY_PAGE
    assert drawn(app)[-2:] == ["Question 30", "Answer 30."]
    older = app.button(key="show_older")
    assert older.label == f"Show older messages ({60 - HISTORY_PAGE} more)"
    older.click().run()
    assert len(app.chat_message) == HISTORY_PAGE + OLDER_PAGE
    assert drawn(app)[-2:] == ["Question 30", "Answer 30."]  # the page grows upwards
    while [b for b in app.button if b.key == "show_older"]:
        app.button(key="show_older").click().run()
    assert drawn(app) == [text for n in range(1, 31) for text in (f"Question {n}", f"Answer {n}.")]


def test_opening_another_conversation_starts_again_at_its_newest_messages(app, tmp_path):
    first, second = seed(tmp_path, 30), seed(tmp_path, 25)
    open_conversation(app, first)
    app.button(key="show_older").click().run()
    open_conversation(app, second)
    assert len(app.chat_message) == HISTORY_PAGE
    assert app.button(key="show_older").label == f"Show older messages ({50 - HISTORY_PAGE} more)"
    assert drawn(app)[-1] == "Answer 25."
    open_conversation(app, first)  # and back: its newest page again, not the older ones asked for before
    assert len(app.chat_message) == HISTORY_PAGE


def test_a_short_conversation_is_drawn_whole_without_a_show_older_button(app, tmp_path):
    cid = seed(tmp_path, HISTORY_PAGE // 2)
    open_conversation(app, cid)
    assert len(app.chat_message) == HISTORY_PAGE
    assert not [b for b in app.button if b.key == "show_older"]


def test_new_turns_add_below_the_drawn_messages_without_moving_them(app, tmp_path):
    # The window's top stays put while turns are added, so the browser keeps what it has drawn.
    cid = seed(tmp_path, 30)
    open_conversation(app, cid)
    first = drawn(app)[0]
    for n in range(HISTORY_PAGE):
        app.chat_input[0].set_value(f"One more, {n}").run()
        assert not app.exception
    assert drawn(app)[0] == first and drawn(app)[-2] == f"One more, {HISTORY_PAGE - 1}"
    assert len(app.chat_message) == 3 * HISTORY_PAGE


def test_a_stored_replys_thinking_is_labelled_and_drawn_only_when_opened(app, tmp_path):
    cid = seed(tmp_path, 2)
    open_conversation(app, cid)
    last = app.chat_message[-1]
    [thinking] = last.expander
    assert thinking.label == "Thought for 1.5 s" and thinking.icon == ":material/check:"
    assert "Thinking about 2." not in [c.value for c in app.caption]


def roles(text: str) -> list[dict]:
    return [{"role": "user" if c == "u" else "assistant"} for c in text]


@pytest.mark.parametrize("messages", ["a" + "ua" * 30, "ua" * 30, "u" + "ua" * 30, "uu" + "ua" * 29])
@pytest.mark.parametrize("top", [0, 1, 2, 51, 52])
def test_the_window_never_starts_with_a_reply_whose_question_is_left_out(messages, top):
    messages = roles(messages)
    start = window_start(messages, top)
    assert start in (top, top - 1)
    assert not (start and messages[start]["role"] == "assistant" and messages[start - 1]["role"] == "user")
