"""AppTest: the chat page's details (issue 10.8) — settings that survive Setup, failed turns marked as
not sent, questions shown verbatim, one-click copy, import refusals on the page, the Coze footer."""

import json
from pathlib import Path

import pytest
from fake_upstream import error
from stored import stored
from streamlit.testing.v1 import AppTest

from core.conversations import export

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
TOKEN = "wi-sandbox-token-0123456789abcdefghij"
NOT_SENT = "Left out of what the model sees next: this question got no answer"


@pytest.fixture
def app(clean_env, tmp_path, upstream):
    """The app on the sandbox route against the fake upstream, in English."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", TOKEN)
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    return new_app(tmp_path)


def new_app(tmp_path, query=None, locale="en-US"):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def reopen(at, tmp_path, locale="en-US"):
    """The open conversation in a new session (a refresh): drawn from the store only."""
    return new_app(tmp_path, {"c": at.session_state["conversation_id"]}, locale)


def send(at, text):
    at.chat_input[0].set_value(text).run()
    assert not at.exception
    return at


def captions(message) -> list[str]:
    return [c.value for c in message.caption]


def import_plain(at, messages):
    data = json.dumps({"format": "r1-chat.conversation", "version": 1, "title": "imported",
                       "messages": messages}).encode()
    at.button(key="import_open").click().run()
    at.file_uploader[0].set_value(("c.json", data, "application/json")).run()
    assert not at.exception
    return at


# ----- 3. The sidebar's reply settings survive a visit to Setup -------------------------------

def test_system_prompt_and_max_tokens_survive_a_visit_to_setup(app, upstream):
    app.text_area(key="system_prompt").set_value("Be terse.")
    app.number_input(key="max_tokens").set_value(2048)
    app.run()
    app.switch_page("app_pages/setup.py").run()
    app.run()  # anything done on Setup reruns it: the values must outlive more than one run
    assert not app.exception
    app.switch_page("app_pages/chat.py").run()
    assert app.text_area(key="system_prompt").value == "Be terse."
    assert app.number_input(key="max_tokens").value == 2048
    send(app, "hi")
    body = upstream.requests[-1]["json"]
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    assert body["max_tokens"] == 2048


def test_settings_never_set_stay_unset_across_setup(app, upstream):
    app.switch_page("app_pages/setup.py").run()
    app.switch_page("app_pages/chat.py").run()
    assert app.text_area(key="system_prompt").value == ""
    send(app, "hi")
    assert upstream.requests[-1]["json"]["messages"][0]["role"] == "user"


# ----- 4. A failed turn is marked as not sent to the model ------------------------------------

def test_a_failed_turn_is_marked_as_not_sent_live_and_after_a_reload(app, upstream, tmp_path):
    upstream.push(error("ark_401"))
    send(app, "forgotten question")
    live = app.chat_message[-1]
    assert stored(app)[-1]["status"] == "error"
    assert [c for c in captions(live) if NOT_SENT in c]  # under the reply that just failed
    send(app, "remembered question")
    sent = upstream.requests[-1]["json"]["messages"]
    assert "forgotten question" not in str(sent)
    page = reopen(app, tmp_path)
    marks = [[c for c in captions(m) if "Left out of what the model sees next" in c] for m in page.chat_message]
    assert [len(m) for m in marks] == [0, 1, 0, 0]  # the failed pair once, under its reply


def test_the_mark_speaks_chinese(app, upstream, tmp_path):
    upstream.push(error("ark_401"))
    send(app, "q")
    zh = reopen(app, tmp_path, "zh-CN")
    assert any("不会发给模型" in c for c in captions(zh.chat_message[-1]))


def test_a_stopped_reply_with_text_is_sent_and_not_marked(app):
    import_plain(app, [{"role": "user", "content": "q"},
                       {"role": "assistant", "content": "half an answer", "status": "stopped"}])
    assert not any("Not sent" in c for m in app.chat_message for c in captions(m))


def test_an_imported_question_replaced_by_the_next_and_a_lone_reply_are_marked(app):
    import_plain(app, [{"role": "assistant", "content": "lone reply"},
                       {"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
    first, replaced, pending = ([c for c in captions(m) if "Left out of what the model" in c] for m in app.chat_message)
    assert first and "no question comes right before this reply" in first[0]
    assert replaced and NOT_SENT in replaced[0]
    assert not pending  # the last question goes with the next reply


# ----- 5. The user's messages show verbatim ---------------------------------------------------

def test_a_question_shows_verbatim_with_its_line_breaks(app):
    question = "# line\n*two*\n<b>x</b>\n$5 and $10"
    send(app, question)
    user = app.chat_message[0]
    assert [e.value for e in user.text] == [question]
    assert not [m for m in user.markdown if "line" in m.value]  # not drawn as Markdown anywhere
    assert app.session_state["conversation_id"] and stored(app)[0]["content"] == question


# ----- 6. Copy answer is one click (the clipboard itself: tests/e2e/test_chat_details_browser.py)

def test_a_failed_reply_without_text_has_no_copy_button(app, upstream):
    upstream.push(error("ark_401"))
    send(app, "q")
    assert not app.main.get("bidi_component")


# ----- 7. An import that is refused says why on the page --------------------------------------

def test_any_file_reaches_the_import_and_a_refusal_is_an_error_on_the_page(app):
    app.button(key="import_open").click().run()
    uploader = app.file_uploader[0]
    assert not list(uploader.proto.type)  # no type filter the browser would enforce with a tooltip only
    assert any("10 MB and 5000 messages" in c.value for c in app.caption)  # the limits, up front
    uploader.set_value(("chat.md", b"# An export as Markdown\n", "text/markdown")).run()
    assert any("not imported" in e.value and "could not be read as UTF-8 JSON" in e.value for e in app.error)


def test_a_file_over_the_import_limit_is_refused_by_name(app):
    app.button(key="import_open").click().run()
    assert app.file_uploader[0].proto.max_upload_size_mb > export.MAX_MB  # it reaches the app
    big = b" " * (export.MAX_BYTES + 1)
    app.file_uploader[0].set_value(("big.json", big, "application/json")).run()
    assert any("too large" in e.value and "10 MB" in e.value for e in app.error)


# ----- 8. The Coze bot route's footer names the bot as a bot ----------------------------------

def test_on_the_coze_bot_route_the_footer_names_the_bot(clean_env, tmp_path):
    from fake_coze import BOT_ID, FakeCoze, reply

    with FakeCoze() as fake:
        for name, value in (("COZE_API_TOKEN", "pat_fake-test-token-0123456789-abcdefghij"),
                            ("COZE_BOT_ID", BOT_ID), ("COZE_API_BASE", fake.url)):
            clean_env.setenv(name, value)
        at = new_app(tmp_path)
        fake.push(reply("Let me think.", "42."))
        send(at, "question")
        footers = [reopen(at, tmp_path).chat_message[-1].caption[-1].value, at.chat_message[-1].caption[-1].value]
    assert all(f.startswith(f"Coze bot {BOT_ID} · ") for f in footers), footers
