"""AppTest: no value of any setting raises on any page; a bad one is named on Setup, the default used."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.setup.settings import SETTINGS
from ui import context

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
SANDBOX = {"COZE_WORKLOAD_IDENTITY_API_KEY": "wi-sandbox-token-0123456789abcdefghij",
           "COZE_INTEGRATION_MODEL_BASE_URL": "http://127.0.0.1:9/api/v3"}  # nothing is sent on page load
NUL = "a\x00b"  # the environment cannot hold a NUL, so these go in through the session layer
NO_HOME = "~no-such-user-r1/x"  # expanduser() raises for it
FILE = "<a file>"  # replaced by the path of an existing file: a data folder that is not a folder

# Runs of bad values. Each run keeps a working route where its values leave one, so the chat page
# draws everything that reads a setting (the sidebar's budget among them); values that pick the
# route get runs of their own.
RUNS = {
    "numbers-and-folders": ({**SANDBOX, "R1_MAX_TOKENS": "abc", "R1_READ_TIMEOUT": "-5", "R1_ROUTE": "foo",
                             "R1_LOG_DIR": NO_HOME, "R1_DATA_DIR": NO_HOME, "COZE_API_BASE": "api.coze.com",
                             "COZE_USER_ID": "x" * 10_000, "R1_ADMIN_PASSWORD": "   ", "R1_CONFIG_DIR": NO_HOME,
                             "R1_MAX_REPLIES": "0", "R1_MAX_REPLIES_PER_VISITOR": "many",
                             "R1_DATABASE_URL": "mysql://app:pw@db/chats"}, {}),
    "out-of-range": ({**SANDBOX, "R1_MAX_TOKENS": "100000", "R1_READ_TIMEOUT": "1e999", "R1_DATA_DIR": FILE,
                      "COZE_API_BASE": "http://[::1", "R1_MODEL": "   ", "COZE_BOT_ID": "   ",
                      "R1_MAX_REPLIES": "100000", "R1_MAX_REPLIES_PER_VISITOR": "-1",
                      "R1_DATABASE_URL": "postgresql://[::1"}, {}),
    "control-characters": (SANDBOX, {name: NUL for name in (
        "R1_MAX_TOKENS", "R1_READ_TIMEOUT", "R1_ROUTE", "R1_LOG_DIR", "R1_DATA_DIR", "R1_MODEL",
        "R1_ADMIN_PASSWORD", "COZE_USER_ID", "COZE_API_BASE", "R1_DATABASE_URL")}),
    "openai-route": ({"OPENAI_API_KEY": "your-api-key", "OPENAI_BASE_URL": "api.deepseek.com",
                      "R1_MAX_TOKENS": "-5", "R1_READ_TIMEOUT": "nan", "R1_ROUTE": "OPENAI "}, {}),
    "coze-bot-route": ({"COZE_API_TOKEN": "sk-" + "0a" * 16, "COZE_BOT_ID": "7", "R1_ROUTE": "COZE-BOT",
                        "COZE_API_BASE": "api.coze.com", "R1_MAX_TOKENS": "１e3", "COZE_USER_ID": "\t"}, {}),
    "sandbox-route": ({"COZE_WORKLOAD_IDENTITY_API_KEY": '"wi-quoted-0123456789"', "R1_ROUTE": "coze-sandbox",
                       "COZE_INTEGRATION_MODEL_BASE_URL": "integration.coze.cn/api/v3",
                       "OPENAI_BASE_URL": "https://api.deepseek.com/chat/completions"},
                      {"COZE_BOT_ID": NUL, "COZE_API_TOKEN": NUL, "OPENAI_API_KEY": NUL}),
}
# Unparseable route base URLs (an unclosed IPv6 bracket) must not raise anywhere either.
UNPARSEABLE = {
    "openai-url-unparseable": ({"OPENAI_API_KEY": "sk-" + "0a" * 16, "OPENAI_BASE_URL": "http://[::1"}, {}),
    "sandbox-url-unparseable": ({**SANDBOX, "COZE_INTEGRATION_MODEL_BASE_URL": "http://[::1"}, {}),
}
OTHER_APP_VARS = ("COZE_API_BASE", "COZE_BOT_ID", "COZE_USER_ID", "R1_ADMIN_PASSWORD")  # not in clean_env


def test_the_runs_give_every_setting_a_bad_value():
    covered = {name for runs in (RUNS, UNPARSEABLE) for environ, session in runs.values()
               for name in (*environ, *session)}
    assert covered >= {s.env for s in SETTINGS}


def open_app(env, tmp_path, environ, session):
    """The app with these values in the environment and this session's layer, on its first page."""
    for name in OTHER_APP_VARS:
        env.delenv(name, raising=False)
    # A bad R1_DATA_DIR or R1_LOG_DIR falls back to its default, relative to the app folder: keep
    # that in tmp, not in the checkout (the pages import this same module).
    env.setattr(context, "APP_DIR", tmp_path)
    (tmp_path / "not-a-folder").write_text("")
    for name, value in environ.items():
        env.setenv(name, str(tmp_path / "not-a-folder") if value == FILE else value)
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["session_values"] = dict(session)
    at.context = {"locale": "en-US"}
    return at.run()


def every_page(at):
    """Run the router's first page, then the chat page and Setup, failing on any exception."""
    assert not at.exception, at.exception
    for page in ("app_pages/chat.py", "app_pages/setup.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    return at


@pytest.mark.parametrize("run", RUNS)
def test_no_bad_value_raises_on_any_page(clean_env, tmp_path, run):
    every_page(open_app(clean_env, tmp_path, *RUNS[run]))


@pytest.mark.parametrize("run", UNPARSEABLE)
def test_an_unparseable_base_url_raises_on_no_page(clean_env, tmp_path, run):
    every_page(open_app(clean_env, tmp_path, *UNPARSEABLE[run]))


def test_a_bad_budget_leaves_the_default_in_the_sidebar(clean_env, tmp_path):
    at = open_app(clean_env, tmp_path, {**SANDBOX, "R1_MAX_TOKENS": "100000"}, {})
    at.switch_page("app_pages/chat.py").run()
    assert at.number_input(key="max_tokens").value == 8192


def test_setup_names_a_bad_budget_and_its_fix(clean_env, tmp_path):
    at = open_app(clean_env, tmp_path, {**SANDBOX, "R1_MAX_TOKENS": "abc"}, {})
    at.switch_page("app_pages/setup.py").run()
    warnings = "\n".join(w.value for w in at.warning)
    assert "`R1_MAX_TOKENS` is `abc`" in warnings and "whole number from 256 to 65536" in warnings
    assert "`R1_MAX_TOKENS=8192`" in warnings
