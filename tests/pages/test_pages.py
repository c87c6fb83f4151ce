"""AppTest: every page runs, and the chat round trip works against the fake upstream."""

import os
from pathlib import Path

import pytest
from fake_upstream import error, fixture
from stored import stored
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
TOKEN = "wi-sandbox-token-0123456789abcdefghij"


@pytest.fixture
def app(clean_env, tmp_path, upstream):
    """The app on the sandbox route, pointed at the fake upstream, in English."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", TOKEN)
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    return new_app(tmp_path, "en-US")


def new_app(tmp_path, locale):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    return at.run()


def labels(at):
    """Labels of every thinking block (st.status / st.expander) on the page."""
    found, stack = [], [at.main]
    while stack:
        node = stack.pop()
        if getattr(node, "type", "") in ("status", "expandable", "expander"):
            found.append(node.label)
        stack.extend(getattr(node, "children", {}).values())
    return found


def all_text(at):
    parts = [str(getattr(e, "value", "")) for kind in ("markdown", "caption", "error", "warning",
                                                      "info", "success", "title", "subheader")
             for e in getattr(at, kind)]
    parts += labels(at)
    return "\n".join(parts)


def send(at, text):
    at.chat_input[0].set_value(text).run()
    assert not at.exception
    return at


def test_unconfigured_app_opens_on_setup_without_a_traceback(clean_env, tmp_path):
    at = new_app(tmp_path, "en-US")
    assert not at.exception
    assert at.title[0].value == "Setup"
    assert "OPENAI_API_KEY" in all_text(at)


@pytest.mark.parametrize("page", ["app_pages/chat.py", "app_pages/setup.py"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_page_runs_without_an_exception(app, page, locale):
    app.context = {"locale": locale}
    app.switch_page(page).run()
    assert not app.exception


def test_configured_sandbox_opens_on_chat(app):
    assert app.chat_input and not app.exception
    assert "deepseek-r1-250528" in all_text(app)


def test_chat_round_trip_shows_reasoning_and_answer(app, upstream):
    upstream.push(fixture("answer_with_math_and_code"))
    send(app, "show me")
    message = stored(app)[-1]
    assert message["status"] == "complete" and message["reasoning"] and message["content"]
    assert any(label.startswith("Thought for") for label in labels(app))
    assert "$$" in all_text(app) and "\\$5" in all_text(app)
    assert "tokens" in app.main.caption[-1].value


def test_follow_up_carries_answers_but_never_reasoning(app, upstream):
    send(app, "first")
    send(app, "second")
    sent = upstream.requests[-1]["json"]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "reasoning_content" not in str(sent) and "The user wrote" not in str(sent)


def test_system_prompt_and_budget_are_sent(app, upstream):
    app.text_area(key="system_prompt").set_value("Be terse.")
    app.number_input(key="max_tokens").set_value(2048)
    send(app, "hi")
    body = upstream.requests[-1]["json"]
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    assert body["max_tokens"] == 2048


def test_bad_token_says_what_to_fix_and_keeps_the_question(app, upstream):
    upstream.push(error("coze_integration_401"))
    send(app, "keep me")
    text = all_text(app)
    assert "401" in text and "COZE_WORKLOAD_IDENTITY_API_KEY" in text
    assert stored(app)[0]["content"] == "keep me"
    assert TOKEN not in text
    retry = [b for b in app.button if b.label == "Retry"]
    assert retry
    retry[0].click().run()
    assert stored(app)[-1]["status"] == "complete"
    assert [m["role"] for m in stored(app)] == ["user", "assistant"]


def test_cut_stream_keeps_partial_reply_and_offers_retry(app, upstream):
    upstream.push(fixture("interrupted_no_done"))
    send(app, "go")
    message = stored(app)[-1]
    assert message["status"] == "interrupted" and message["content"]
    assert "connection ended before the reply finished" in all_text(app)
    assert any(b.label == "Retry" for b in app.button)


def test_length_finish_offers_a_higher_budget(app, upstream):
    upstream.push(fixture("length_finish"))
    send(app, "long")
    assert "token budget" in all_text(app)
    more = [b for b in app.button if b.label.startswith("Try again with")]
    assert more
    more[0].click().run()
    assert upstream.requests[-1]["json"]["max_tokens"] == 16384


def test_new_chat_empties_the_page_and_keeps_the_old_one_in_the_list(app):
    send(app, "hello")
    first = app.session_state["conversation_id"]
    app.button(key="new_chat").click().run()
    assert app.session_state["conversation_id"] is None and stored(app) == []
    assert not app.main.chat_message
    assert app.button(key=f"conv_{first}").label == "hello"


def test_chinese_locale_speaks_chinese(app):
    zh = new_app(Path(os.environ["R1_CONFIG_DIR"]), "zh-CN")
    send(zh, "你好")
    assert any(label.startswith("已深度思考") for label in labels(zh))


def test_setup_shows_sources_and_masks_the_token(app):
    app.switch_page("app_pages/setup.py").run()
    table = app.dataframe[0].value
    row = table[table["Variable"] == "COZE_WORKLOAD_IDENTITY_API_KEY"].iloc[0]
    assert row["Source"] == "process env" and row["Value"] != TOKEN
    assert TOKEN not in table.to_string() and TOKEN not in all_text(app)


def test_session_values_never_reach_os_environ(app):
    app.session_state["session_values"] = {"OPENAI_API_KEY": "sk-session-only-0123456789"}
    app.run()
    assert "sk-session-only-0123456789" not in os.environ.values()
