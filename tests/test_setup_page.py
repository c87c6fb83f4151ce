"""AppTest: the Setup wizard's flows against the fake upstream."""

from pathlib import Path

import pytest
from fake_upstream import FakeUpstream
from stored import stored
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
KEY = "sk-wizard-good-0123456789abcdef"


def open_setup(tmp_path, locale="en-US", secrets=None):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["env_dir"] = str(tmp_path)
    at.context = {"locale": locale}
    for name, value in (secrets or {}).items():
        at.secrets[name] = value
    at.run()
    at.switch_page("app_pages/setup.py").run()
    assert not at.exception
    return at


def fill(at, preset, token, base_url, model="deepseek-r1-250528"):
    at.selectbox(key="wiz_preset").select(preset).run()
    at.text_input(key="wiz_token").input(token)
    at.text_input(key="wiz_base_url").input(base_url)
    at.text_input(key="wiz_model").input(model).run()
    assert not at.exception
    return at


def click(at, label):
    [b for b in at.button if b.label == label][0].click().run()
    assert not at.exception
    return at


def page_text(at):
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "code")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.fixture
def keyed_upstream():
    with FakeUpstream(api_key=KEY) as up:
        yield up


def test_good_token_verifies_every_step(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url)
    click(at, "Verify")
    report = at.session_state["wiz_report"][0]
    assert report.ok
    assert KEY not in page_text(at)


def test_bad_token_is_named_with_its_fix(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", "sk-wrong-0123456789abcdef", keyed_upstream.base_url)
    click(at, "Verify")
    assert not at.session_state["wiz_report"][0].ok
    assert "401" in page_text(at) and "OPENAI_API_KEY" in page_text(at)


def test_wrong_base_url_path_is_named(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.url + "/nope")
    click(at, "Verify")
    assert not at.session_state["wiz_report"][0].ok
    assert "404" in page_text(at)


def test_unreachable_host_is_named(clean_env, tmp_path):
    with FakeUpstream() as up:
        dead = up.base_url
    at = fill(open_setup(tmp_path), "custom", KEY, dead)
    click(at, "Verify")
    assert "refused" in page_text(at).lower()


def test_base_url_with_chat_completions_is_flagged_before_verify(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url + "/chat/completions")
    assert "/chat/completions/chat/completions" in page_text(at)


def test_save_then_chat_answers(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url)
    click(at, "Save")
    env_file = tmp_path / ".env.local"
    assert env_file.exists() and oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert KEY not in page_text(at)
    at.switch_page("app_pages/chat.py").run()
    at.chat_input[0].set_value("hello").run()
    assert stored(at)[-1]["status"] == "complete"


def test_shared_deployment_keeps_a_visitor_token_in_the_session(clean_env, tmp_path, keyed_upstream):
    clean_env.setenv("HOSTNAME", "streamlit")  # looks like Community Cloud
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url)
    click(at, "Save")
    assert not (tmp_path / ".env.local").exists()
    assert at.session_state["session_values"]["OPENAI_API_KEY"] == KEY
    assert 'OPENAI_API_KEY = ""' in page_text(at)  # the secrets.toml block, without the key


def test_admin_password_allows_saving_on_a_shared_deployment(clean_env, tmp_path, keyed_upstream):
    clean_env.setenv("HOSTNAME", "streamlit")
    at = open_setup(tmp_path, secrets={"R1_ADMIN_PASSWORD": "letmein"})
    at.text_input(key="admin_entry").input("letmein")
    fill(at, "custom", KEY, keyed_upstream.base_url)
    click(at, "Save")
    assert (tmp_path / ".env.local").exists()


def test_shell_variable_shadowing_the_saved_value_is_named(clean_env, tmp_path, keyed_upstream):
    clean_env.setenv("OPENAI_API_KEY", "sk-from-shell-0123456789abcdef")
    clean_env.setenv("OPENAI_BASE_URL", keyed_upstream.base_url)
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url)
    click(at, "Save")
    assert any(f.kind == "shadowed_by_environ" for f in _findings(at))


def _findings(at):
    from core import checks

    cfg = at.session_state["config"]
    return checks.find_problems(cfg.values, cfg.layers, cfg.detection, at.session_state["place"],
                                just_saved=at.session_state["just_saved"])
