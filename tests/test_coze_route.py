"""The Coze bot route end to end in AppTest: the chat page streams through the fake Coze server."""

from pathlib import Path

import pytest
from fake_coze import BOT_ID, TOKEN, FakeCoze, refusal, reply
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


@pytest.fixture
def coze_app(clean_env, tmp_path):
    with FakeCoze() as fake:
        clean_env.setenv("COZE_API_TOKEN", TOKEN)
        clean_env.setenv("COZE_BOT_ID", BOT_ID)
        clean_env.setenv("COZE_API_BASE", fake.url)
        at = AppTest.from_file(APP, default_timeout=30)
        at.session_state["env_dir"] = str(tmp_path)
        at.context = {"locale": "en-US"}
        yield at.run(), fake


def test_bot_route_opens_on_chat_and_streams_reasoning_and_answer(coze_app):
    at, fake = coze_app
    assert at.session_state["config"].detection.route == "coze-bot"
    fake.push(reply("Let me think.", "The answer is 42."))
    at.chat_input[0].set_value("question").run()
    message = at.session_state["messages"][-1]
    assert (message["status"], message["reasoning"], message["content"]) == (
        "complete", "Let me think.", "The answer is 42.")
    assert not at.exception


def test_follow_up_sends_history_without_reasoning(coze_app):
    at, fake = coze_app
    fake.push(reply("secret thoughts", "first answer"), reply("more", "second answer"))
    at.chat_input[0].set_value("one").run()
    at.chat_input[0].set_value("two").run()
    sent = fake.requests[-1]["json"]["additional_messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "secret thoughts" not in str(sent)


def test_invalid_token_is_named_with_its_variable(coze_app):
    at, fake = coze_app
    fake.push(refusal(4100))
    at.chat_input[0].set_value("hi").run()
    assert at.session_state["messages"][-1]["diagnosis"].kind == "auth"
    assert "COZE_API_TOKEN" in "\n".join(e.value for e in at.error)
    assert TOKEN not in "\n".join(e.value for e in at.error)
