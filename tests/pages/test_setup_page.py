"""AppTest: the Setup wizard's flows against the fake upstream."""

import socket
from pathlib import Path

import pytest
from dotenv import dotenv_values
from fake_upstream import FakeUpstream
from stored import stored
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
KEY = "sk-wizard-good-0123456789abcdef"


def open_setup(tmp_path, locale="en-US", secrets=None):
    at = AppTest.from_file(APP, default_timeout=30)
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
    report = at.session_state["wiz_report"].report
    assert report.ok
    assert KEY not in page_text(at)


def test_bad_token_is_named_with_its_fix(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", "sk-wrong-0123456789abcdef", keyed_upstream.base_url)
    click(at, "Verify")
    assert not at.session_state["wiz_report"].report.ok
    assert "401" in page_text(at) and "OPENAI_API_KEY" in page_text(at)


def test_wrong_base_url_path_is_named(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.url + "/nope")
    click(at, "Verify")
    assert not at.session_state["wiz_report"].report.ok
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
    from core.setup import checks

    cfg = at.session_state["config"]
    return checks.find_problems(cfg.values, cfg.layers, cfg.detection, at.session_state["place"],
                                just_saved=at.session_state["just_saved"])


# --- a key stays with the host it was configured for ------------------------------------------------

def visitor_setup(tmp_path, secrets):
    """Setup as a visitor of a shared deployment (Community Cloud) whose server holds ``secrets``."""
    at = open_setup(tmp_path, secrets=secrets)
    assert at.session_state["place"].shared
    return at


def test_a_visitor_never_gets_the_servers_key_sent_to_their_host(clean_env, tmp_path, keyed_upstream):
    clean_env.setenv("HOSTNAME", "streamlit")
    with FakeUpstream() as theirs:
        at = visitor_setup(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": keyed_upstream.base_url})
        fill(at, "custom", "", theirs.base_url)
        assert "only sent to" in page_text(at)
        click(at, "Verify")
        click(at, "Save")
        assert "Not saved" in page_text(at) and at.session_state["session_values"] == {}
        at.switch_page("app_pages/chat.py").run()
        if at.chat_input and not at.chat_input[0].disabled:
            at.chat_input[0].set_value("hello").run()
        assert theirs.carrying(KEY) == 0
        assert not at.exception


def test_a_visitors_session_base_url_is_not_paired_with_the_servers_key(clean_env, tmp_path, keyed_upstream):
    clean_env.setenv("HOSTNAME", "streamlit")
    with FakeUpstream() as theirs:
        at = visitor_setup(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": keyed_upstream.base_url})
        at.session_state["session_values"] = {"OPENAI_BASE_URL": theirs.base_url}  # an older session save
        at.run()
        endpoint = at.session_state["config"].detection.endpoint
        assert endpoint is None or endpoint.api_key != KEY  # a loopback host gets the "no key" stand-in
        assert "is not sent there" in page_text(at)
        assert theirs.carrying(KEY) == 0


def test_the_owner_sends_the_key_elsewhere_only_after_confirming_both_hosts(clean_env, tmp_path, keyed_upstream):
    clean_env.setenv("OPENAI_API_KEY", KEY)
    clean_env.setenv("OPENAI_BASE_URL", keyed_upstream.base_url)
    with FakeUpstream(api_key=KEY) as other:
        at = fill(open_setup(tmp_path), "custom", "", other.base_url)
        click(at, "Verify")
        assert other.carrying(KEY) == 0  # (a loopback host is tried with the "no key" stand-in)
        box = [c for c in at.checkbox if other.url in c.label]
        assert len(box) == 1 and keyed_upstream.url in box[0].label and KEY not in box[0].label
        box[0].check().run()
        click(at, "Verify")
        assert at.session_state["wiz_report"].report.ok and other.carrying(KEY) > 0
        click(at, "Save")
        saved = (tmp_path / ".env.local").read_text()
        assert f"OPENAI_API_KEY={KEY}" in saved.replace("'", "").replace('"', "")
        assert other.base_url in saved


def test_save_uses_the_values_of_the_click_not_of_the_run_before(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", "sk-wrong-0123456789abcdef", keyed_upstream.base_url, "deepseek-r1-0528")
    click(at, "Verify")
    assert not at.session_state["wiz_report"].report.ok
    # Fix the key and the model and click Save in the same interaction (no Enter in between).
    at.text_input(key="wiz_token").input(KEY)
    at.text_input(key="wiz_model").input("deepseek-r1-250528")
    click(at, "Save")
    values = __import__("dotenv").dotenv_values(tmp_path / ".env.local")
    assert values["OPENAI_API_KEY"] == KEY and values["R1_MODEL"] == "deepseek-r1-250528"
    text = page_text(at)
    assert "`OPENAI_API_KEY` (sk-" in text and "`R1_MODEL`" in text and KEY not in text
    assert "Verification failed" not in text  # that report was about the old key


def test_the_sandbox_model_field_is_saved(clean_env, tmp_path, keyed_upstream):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-" + "s" * 24)
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", keyed_upstream.base_url)
    at = open_setup(tmp_path)
    at.text_input(key="wiz_model").input("deepseek-r1-250120")
    click(at, "Save")
    assert (tmp_path / ".env.local").read_text().strip().endswith("R1_MODEL=deepseek-r1-250120")


def test_save_refuses_what_the_chat_could_not_use(clean_env, tmp_path, keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", "Bearer " + KEY, keyed_upstream.base_url)
    click(at, "Save")
    assert "Not saved: fix what is marked above" in page_text(at) and not (tmp_path / ".env.local").exists()
    at = fill(open_setup(tmp_path), "custom", KEY, "")
    click(at, "Save")
    assert "still needs `OPENAI_BASE_URL`" in page_text(at) and not (tmp_path / ".env.local").exists()


def test_a_provider_saved_beside_a_coze_bot_is_the_one_that_chats(clean_env, tmp_path, keyed_upstream):
    from fake_coze import BOT_ID
    from fake_coze import TOKEN as PAT

    clean_env.setenv("COZE_API_TOKEN", PAT)
    clean_env.setenv("COZE_BOT_ID", BOT_ID)
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url)
    click(at, "Save")
    assert "`R1_ROUTE`" in page_text(at)
    assert at.session_state["config"].detection.route == "openai"


def test_a_pat_on_the_coze_bot_route_shows_no_error(clean_env, tmp_path):
    from fake_coze import BOT_ID, FakeCoze
    from fake_coze import TOKEN as PAT

    with FakeCoze() as coze:
        for name, value in (("COZE_API_TOKEN", PAT), ("COZE_BOT_ID", BOT_ID), ("COZE_API_BASE", coze.url)):
            clean_env.setenv(name, value)
        at = open_setup(tmp_path)
        assert not at.error and "Configured, but" not in page_text(at)
        assert at.success and not [w for w in at.warning if "errors below" in str(w.value)]


# Two pages saving .env.local: the second is warned, and may overwrite

OTHER = "sk-other-page-0123456789abcdab12"


def conflict_warnings(at):
    return [w.value for w in at.warning if "`.env.local`" in w.value]


def test_a_file_saved_elsewhere_since_the_page_read_it_is_not_overwritten_unasked(clean_env, tmp_path,
                                                                                   keyed_upstream):
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url)
    env_file = tmp_path / ".env.local"
    env_file.write_text(f"OPENAI_API_KEY={OTHER}\n")  # another page saved between render and Save
    click(at, "Save")
    assert conflict_warnings(at) == [("`.env.local` changed since this page read it — someone else saved"
                             " `OPENAI_API_KEY` (sk-oth…ab12). Overwrite it with yours?")]
    assert env_file.read_text() == f"OPENAI_API_KEY={OTHER}\n"
    assert at.text_input(key="wiz_token").value == KEY  # what the user typed is kept for the Overwrite
    assert OTHER not in page_text(at) and KEY not in page_text(at)
    click(at, "Overwrite")
    assert any("Saved" in s.value for s in at.success)
    assert dotenv_values(env_file)["OPENAI_API_KEY"] == KEY
    at.text_input(key="wiz_model").input("deepseek-chat").run()
    click(at, "Save")  # the page's own save is what it has read now: no conflict with itself
    assert not conflict_warnings(at) and dotenv_values(env_file)["R1_MODEL"] == "deepseek-chat"


def test_the_conflict_is_explained_in_chinese_with_what_was_removed(clean_env, tmp_path, keyed_upstream):
    env_file = tmp_path / ".env.local"
    env_file.write_text("R1_MODEL=old-model\n")
    at = fill(open_setup(tmp_path, locale="zh-CN"), "custom", KEY, keyed_upstream.base_url)
    env_file.write_text(f"OPENAI_API_KEY={OTHER}\n")  # someone set a key and dropped the model
    [b for b in at.button if b.label == "保存"][0].click().run()
    assert conflict_warnings(at) == [("此页面读取 `.env.local` 之后，它已被修改——有人保存了 `OPENAI_API_KEY` (sk-oth…ab12),"
                             " `R1_MODEL`（已删除）。要用你的内容覆盖它吗？")]
    [b for b in at.button if b.label == "覆盖"][0].click().run()
    assert dotenv_values(env_file)["OPENAI_API_KEY"] == KEY


def test_a_file_changed_elsewhere_only_beside_what_the_page_saves_is_saved_keeping_theirs(clean_env, tmp_path,
                                                                                          keyed_upstream):
    env_file = tmp_path / ".env.local"
    env_file.write_text("R1_MODEL=m\n")
    at = fill(open_setup(tmp_path), "custom", KEY, keyed_upstream.base_url)
    env_file.write_text("# a note someone added\nR1_MODEL=m\nR1_MAX_TOKENS=4096\n")  # nothing this page writes
    click(at, "Save")
    assert not conflict_warnings(at) and any("Saved" in s.value for s in at.success)
    assert env_file.read_text().startswith("# a note someone added\n")
    assert dotenv_values(env_file) == {"R1_MODEL": "deepseek-r1-250528", "R1_MAX_TOKENS": "4096",
                                       "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": keyed_upstream.base_url}


def test_a_page_left_and_entered_again_reads_the_file_anew(clean_env, tmp_path, keyed_upstream):
    env_file = tmp_path / ".env.local"
    env_file.write_text("R1_MODEL=old-model\n")
    at = open_setup(tmp_path)
    env_file.write_text(f"OPENAI_API_KEY={OTHER}\nR1_MODEL=their-model\n")  # saved while Setup was open
    at.switch_page("app_pages/chat.py").run()
    at.switch_page("app_pages/setup.py").run()  # a later visit: their save is what the page reads now
    fill(at, "custom", KEY, keyed_upstream.base_url)
    click(at, "Save")
    assert not conflict_warnings(at) and dotenv_values(env_file)["OPENAI_API_KEY"] == KEY
    theirs = env_file.read_text().replace("R1_MODEL=deepseek-r1-250528", "R1_MODEL=their-model")
    env_file.write_text(theirs)  # but a save between reruns of the page is noticed
    at.text_input(key="wiz_model").input("deepseek-chat").run()
    click(at, "Save")
    assert len(conflict_warnings(at)) == 1 and env_file.read_text() == theirs


def test_a_shared_deployments_database_is_named_to_visitors_by_scheme_only(clean_env, tmp_path):
    # Nothing listens on the port: the database finding shows, and it must not name host or user either.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"postgresql://teamuser:a-long-password@127.0.0.1:{closed.getsockname()[1]}/teamchats"
    clean_env.setenv("HOSTNAME", "streamlit")
    clean_env.setenv("R1_DATABASE_URL", url)
    at = open_setup(tmp_path, secrets={"R1_ADMIN_PASSWORD": "letmein"})
    shown = page_text(at) + at.dataframe[0].value.to_csv()
    assert "cannot be reached" in shown and "postgresql://••••••••" in shown
    assert not [part for part in ("teamuser", "teamchats", "127.0.0.1", "a-long-password") if part in shown], shown
    at.text_input(key="admin_entry").input("letmein").run()
    shown = page_text(at) + at.dataframe[0].value.to_csv()
    assert "teamuser" in shown and "127.0.0.1" in shown and "a-long-password" not in shown
