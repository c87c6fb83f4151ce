"""AppTest: what the chat page does with faults — a question the database cannot take (disk full) is
given back in the input with the reason; an upstream fault is named in words in both languages and
the question stays; a reply the database cannot start asks nothing upstream."""

import re
import sqlite3
from pathlib import Path

import fake_upstream
import pytest
from streamlit.testing.v1 import AppTest

from core.conversations import turns

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
RAW = re.compile(r"\b\w+(Error|Exception)\b|Errno|<html|Traceback")


@pytest.fixture
def app(clean_env, upstream):
    """The app on the sandbox route against the fake upstream, in English."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    return open_app()


def open_app(locale="en-US"):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": locale}
    return at.run()


def page_text(at) -> str:
    return "\n".join(str(e.value) for kind in ("text", "markdown", "caption", "error", "warning", "info")
                     for e in getattr(at.main, kind))


def disk_full(*args, **kwargs):
    """What SQLite raises when the disk is full (with the error name Python 3.11 attaches)."""
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorcode, exc.sqlite_errorname = sqlite3.SQLITE_FULL, "SQLITE_FULL"
    raise exc


def test_a_question_the_disk_cannot_take_goes_back_into_the_input(app, monkeypatch, upstream):
    question = "A long question. " * 3000  # 51 KB, as in the probe
    with monkeypatch.context() as patch:
        patch.setattr(turns, "send", disk_full)
        app.chat_input[0].set_value(question).run()
    assert not app.exception
    assert "the disk is full" in app.error[0].value and "back in the input" in app.error[0].value
    # That the input shows it again is seen in the browser (tests/e2e/test_faults_browser.py):
    # AppTest does not model a chat input's text.
    assert not upstream.requests  # nothing was sent
    app.chat_input[0].set_value(question).run()  # sending again once there is room
    assert not app.error and len(upstream.requests) == 1


def test_the_reason_is_in_the_pages_language(clean_env, upstream, monkeypatch):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    at = open_app("zh-CN")
    with monkeypatch.context() as patch:
        patch.setattr(turns, "send", disk_full)
        at.chat_input[0].set_value("你好").run()
    assert "磁盘已满" in at.error[0].value and "database or disk is full" not in at.error[0].value


def test_a_question_not_sent_is_given_back_after_a_visit_to_setup(app, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(turns, "send", disk_full)
        app.chat_input[0].set_value("keep me").run()
    app.switch_page("app_pages/setup.py").run()
    app.switch_page("app_pages/chat.py").run()
    assert "back in the input" in app.error[0].value  # given back again on coming back
    app.chat_input[0].set_value("keep me").run()  # sent at last
    app.run()
    assert not [e for e in app.error if "back in the input" in e.value]


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_an_upstream_fault_is_named_and_the_question_stays(clean_env, upstream, locale):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    at = open_app(locale)
    upstream.push(fake_upstream.malformed())
    at.chat_input[0].set_value("Why is the sky blue?").run()
    text = page_text(at)
    assert "Why is the sky blue?" in text and "partial" in text
    assert ("could not read" if locale == "en-US" else "无法读取") in at.error[0].value
    assert not RAW.search(text)


def test_a_reply_the_database_cannot_start_asks_nothing_upstream(app, monkeypatch, upstream):
    monkeypatch.setattr(turns, "begin_reply", disk_full)
    app.chat_input[0].set_value("hello").run()
    assert "could not be saved" in app.error[0].value and "Retry" in app.error[0].value
    assert not upstream.requests
    assert "hello" in page_text(app) and "Stopped" not in page_text(app)
    assert [b.label for b in app.main.button if b.key == "regenerate"] == ["Retry"]
