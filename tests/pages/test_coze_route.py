"""The Coze bot route end to end in AppTest: the chat page streams through the fake Coze server."""

from pathlib import Path

import pytest
from fake_coze import BOT_ID, TOKEN, FakeCoze, refusal, reply
from stored import stored
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def coze_app(clean_env, tmp_path):
    with FakeCoze() as fake:
        clean_env.setenv("COZE_API_TOKEN", TOKEN)
        clean_env.setenv("COZE_BOT_ID", BOT_ID)
        clean_env.setenv("COZE_API_BASE", fake.url)
        at = AppTest.from_file(APP, default_timeout=30)
        at.context = {"locale": "en-US"}
        yield at.run(), fake


def test_bot_route_opens_on_chat_and_streams_reasoning_and_answer(coze_app):
    at, fake = coze_app
    assert at.session_state["config"].detection.route == "coze-bot"
    fake.push(reply("Let me think.", "The answer is 42."))
    at.chat_input[0].set_value("question").run()
    message = stored(at)[-1]
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
    assert stored(at)[-1]["diagnosis"].kind == "token_refused"
    assert "Coze rejected the token" in "\n".join(e.value for e in at.error)
    assert "COZE_API_TOKEN" in "\n".join(e.value for e in at.error)
    assert TOKEN not in "\n".join(e.value for e in at.error)


def open_setup(tmp_path):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    at.run()
    return at.switch_page("app_pages/setup.py").run()


def fill_bot(at, token, base, bot_id=BOT_ID):
    at.selectbox(key="wiz_preset").select("coze-bot").run()
    at.text_input(key="wiz_token").input(token)
    at.text_input(key="wiz_base_url").input(base)
    return at.text_input(key="wiz_model").input(bot_id).run()


def click(at, label):
    return [b for b in at.button if b.label == label][0].click().run()


def test_wizard_verifies_saves_and_the_bot_answers(clean_env, tmp_path):
    with FakeCoze() as fake:
        at = click(fill_bot(open_setup(tmp_path), TOKEN, fake.url), "Verify")
        report = at.session_state["wiz_report"].report
        assert report.ok and not at.exception
        assert {s.name: s.status for s in report.steps}["model"] == "ok"  # the bot exists and answered
        click(at, "Save")
        saved = (tmp_path / ".env.local").read_text()
        assert f"COZE_BOT_ID={BOT_ID}" in saved and "COZE_API_TOKEN=" in saved
        at.switch_page("app_pages/chat.py").run()
        assert at.session_state["config"].detection.route == "coze-bot"
        at.chat_input[0].set_value("hello").run()
        assert stored(at)[-1]["status"] == "complete"


def test_wizard_names_a_bad_token_and_an_unknown_bot(clean_env, tmp_path):
    with FakeCoze() as fake:
        at = click(fill_bot(open_setup(tmp_path), "pat_wrong-token-0123456789", fake.url), "Verify")
        assert not at.session_state["wiz_report"].report.ok
        assert "COZE_API_TOKEN" in "\n".join(str(e.value) for e in at.error)
        at = click(fill_bot(at, TOKEN, fake.url, bot_id="7499999999999999999"), "Verify")
        failed = at.session_state["wiz_report"].report.failed
        assert failed.name == "model"
        assert failed.diagnosis.kind in ("bot_not_found", "bot_not_published")


def user_ids(fake) -> list[str]:
    return [r["json"]["user_id"] for r in fake.requests if r["path"].endswith("/v3/chat")]


def test_each_browser_session_on_a_shared_server_is_its_own_coze_user(coze_app, clean_env):
    """A bot keeps memory per user id: visitors who shared one could read each other's."""
    at, fake = coze_app
    clean_env.setenv("HOSTNAME", "streamlit")  # Community Cloud: shared, no sign-in → session only
    other = AppTest.from_file(APP, default_timeout=30)
    other.context = {"locale": "en-US"}
    fake.push(reply("r", "a1"), reply("r", "a2"), reply("r", "a3"))
    at.chat_input[0].set_value("one").run()
    at.chat_input[0].set_value("two").run()
    other.run().chat_input[0].set_value("three").run()
    first, again, third = user_ids(fake)
    assert first == again != third
    assert all(u.startswith("r1-") and "session" not in u for u in (first, third))  # a hash, not the key


def test_coze_user_id_when_set_is_sent_as_is(clean_env, tmp_path):
    with FakeCoze() as fake:
        for name, value in (("COZE_API_TOKEN", TOKEN), ("COZE_BOT_ID", BOT_ID), ("COZE_API_BASE", fake.url),
                            ("COZE_USER_ID", "team-42")):
            clean_env.setenv(name, value)
        at = AppTest.from_file(APP, default_timeout=30)
        fake.push(reply("r", "a"))
        at.run().chat_input[0].set_value("hi").run()
        assert user_ids(fake) == ["team-42"]
