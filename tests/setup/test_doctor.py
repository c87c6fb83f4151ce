"""The doctor as a user runs it, against the fake upstream: `python -m core.doctor` in a subprocess
for the entry point and the real terminal, its ``main()`` in this process for everything else
(the same arguments, environment and output, at a fraction of a subprocess's start-up time)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_upstream import FakeUpstream, Script

from core import doctor as doctor_module
from core import logs
from core.redact import mask

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "sk-doctor-distinctive-0123456789abcdef"
APP_PREFIXES = ("OPENAI_", "COZE_", "R1_")


def foreign(name: str) -> bool:
    """Variables the doctor must not see from the developer's shell: the app's, proxies and LC_*."""
    return name.startswith(APP_PREFIXES) or name.lower().endswith("_proxy") or name.startswith("LC_")


def app_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir(exist_ok=True)
    return folder


def doctor_process(tmp_path, *args, lang="C.UTF-8", **env_values):
    """Run `python -m core.doctor` with only the given app variables, in a folder of its own."""
    env = {k: v for k, v in os.environ.items() if not foreign(k)}
    env.update(env_values, LANG=lang, R1_LOG_DIR=str(tmp_path / "logs"))
    result = subprocess.run([sys.executable, "-m", "core.doctor", "--dir", str(app_dir(tmp_path)), *args],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert TOKEN not in result.stdout + result.stderr
    return result


@pytest.fixture
def doctor(tmp_path, monkeypatch, capsys):
    """``doctor(*args, lang=..., **env)``: the doctor's main() in this process, as doctor_process runs it."""
    logger = logs.get()  # main() quiets the app logger; give it back as it was
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.chdir(ROOT)

    def run(*args, lang="C.UTF-8", **env_values):
        for name in [k for k in os.environ if foreign(k)]:
            monkeypatch.delenv(name)
        for name, value in {**env_values, "LANG": lang, "R1_LOG_DIR": str(tmp_path / "logs")}.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = doctor_module.main(["--dir", str(app_dir(tmp_path)), *args])
        out, err = capsys.readouterr()
        assert TOKEN not in out + err
        return subprocess.CompletedProcess(["core.doctor", *args], code, out, err)

    return run


def configured(up, **extra):
    # /v1: the fake serves any prefix, and a loopback URL without /v1 draws an Ollama path finding.
    return {"OPENAI_API_KEY": TOKEN, "OPENAI_BASE_URL": up.url + "/v1", **extra}


def test_working_route_exits_0_and_shows_the_checklist(tmp_path, upstream):
    result = doctor_process(tmp_path, **configured(upstream))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Reach the host" in out and "Conversation history accepted" in out and "✓" in out
    assert mask(TOKEN) in out and "OPENAI_API_KEY" in out and "process env" in out
    assert "All good" in out
    assert "\033[" not in out  # no colour when stdout is not a terminal


def test_rejected_token_exits_1_naming_the_step_and_the_fix(doctor):
    with FakeUpstream(api_key="sk-the-right-key-0123456789") as up:
        result = doctor(**configured(up))
    assert result.returncode == 1
    out = result.stdout
    assert "✗ Token accepted" in out
    assert "401" in out and "Check `OPENAI_API_KEY`" in out  # err.auth, the fix
    assert "Failed at “Token accepted”" in out


def test_no_route_exits_2(doctor):
    result = doctor()
    assert result.returncode == 2
    assert "No route is configured" in result.stdout


def test_incomplete_route_exits_2(doctor):
    assert doctor(OPENAI_BASE_URL="https://api.deepseek.com").returncode == 2


@pytest.mark.parametrize(("token", "code", "ok"), [(None, 0, True), ("sk-the-right-key-0123456789", 1, False)])
def test_json_output_parses_with_the_same_exit_codes(doctor, token, code, ok):
    with FakeUpstream(api_key=token) as up:
        result = doctor("--json", **configured(up))
    assert result.returncode == code
    data = json.loads(result.stdout)
    assert data["ok"] is ok and data["route"] == "openai" and data["place"]["kind"] == "local"
    assert [s["name"] for s in data["steps"]] == ["reach", "tls", "auth", "model", "stream",
                                                  "reasoning", "history"]
    key_row = next(r for r in data["settings"] if r["variable"] == "OPENAI_API_KEY")
    assert key_row["value"] == mask(TOKEN)
    assert isinstance(data["findings"], list)
    if not ok:
        auth = data["steps"][2]
        assert auth["status"] == "fail" and auth["kind"] == "auth" and "401" in auth["message"]


def test_json_without_a_route_exits_2(doctor):
    result = doctor("--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["route"] is None and data["steps"] == [] and data["ok"] is False


def test_token_echoed_in_an_error_body_never_reaches_the_terminal(tmp_path, upstream):
    upstream.push(Script(status=401, body={"error": {"message": f"Your api key {TOKEN} is invalid"}}))
    result = doctor_process(tmp_path, **configured(upstream))  # doctor_process asserts the token is absent
    assert result.returncode == 1 and "Provider said" in result.stdout


def test_token_echoed_in_an_error_body_never_reaches_the_json(doctor, upstream):
    upstream.push(Script(status=401, body={"error": {"message": f"Your api key {TOKEN} is invalid"}}))
    result = doctor("--json", **configured(upstream))
    assert json.loads(result.stdout)["last_error"]


def test_refused_port_names_reach_and_its_fix(doctor, upstream):
    url = upstream.url
    upstream.stop()
    result = doctor(OPENAI_API_KEY=TOKEN, OPENAI_BASE_URL=url + "/v1")
    assert result.returncode == 1
    assert "✗ Reach the host" in result.stdout and "Connection refused" in result.stdout


def test_no_verify_sends_nothing(doctor, upstream):
    result = doctor("--no-verify", **configured(upstream))
    assert result.returncode == 0
    assert upstream.requests == [] and "--no-verify" in result.stdout


def test_language_follows_lang_and_the_flag(doctor, upstream):
    assert "令牌有效" in doctor(lang="zh_CN.UTF-8", **configured(upstream)).stdout
    assert "Token accepted" in doctor("--lang", "en", lang="zh_CN.UTF-8",
                                      **configured(upstream)).stdout
    assert "连接主机" in doctor("--lang", "zh-CN", **configured(upstream)).stdout


def test_settings_come_from_the_dir_given(doctor, tmp_path, upstream):
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / ".env.local").write_text(f"OPENAI_API_KEY={TOKEN}\nOPENAI_BASE_URL={upstream.url}/v1\n")
    result = doctor()
    assert result.returncode == 0 and ".env.local" in result.stdout


def test_secrets_toml_is_read(doctor, tmp_path, upstream):
    streamlit_dir = tmp_path / "app" / ".streamlit"
    streamlit_dir.mkdir(parents=True)
    (streamlit_dir / "secrets.toml").write_text(
        f'OPENAI_API_KEY = "{TOKEN}"\nOPENAI_BASE_URL = "{upstream.url}/v1"\n')
    result = doctor()
    assert result.returncode == 0 and "st.secrets" in result.stdout


def test_malformed_secrets_toml_is_reported_not_a_crash(doctor, tmp_path):
    streamlit_dir = tmp_path / "app" / ".streamlit"
    streamlit_dir.mkdir(parents=True)
    (streamlit_dir / "secrets.toml").write_text(f'OPENAI_API_KEY = "{TOKEN}\n')  # unclosed string
    result = doctor()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "secrets.toml" in result.stdout and "not valid TOML" in result.stdout


def test_a_working_coze_bot_route_has_no_error_beside_all_good(doctor):
    from fake_coze import BOT_ID, FakeCoze
    from fake_coze import TOKEN as PAT

    with FakeCoze() as coze:
        result = doctor(COZE_API_TOKEN=PAT, COZE_BOT_ID=BOT_ID, COZE_API_BASE=coze.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All good" in result.stdout and "✗" not in result.stdout
    assert "No problems found" in result.stdout or "non_coze" not in result.stdout
    assert PAT not in result.stdout


def test_a_guess_the_reply_disproves_is_gone_once_verify_passes(doctor, upstream):
    # A key without the provider's usual prefix is a guess; the fake accepts it, so it was wrong.
    pat_like = "pat_" + "Q" * 36
    result = doctor(OPENAI_API_KEY=pat_like, OPENAI_BASE_URL=upstream.url + "/v1")
    assert result.returncode == 0, result.stdout
    assert "✗" not in result.stdout and "All good" in result.stdout
    assert "Coze personal access token" not in result.stdout


def test_a_database_it_cannot_use_is_named_and_fails_the_doctor(doctor, upstream, postgres_server):
    import postgres

    wrong = postgres_server.replace(postgres.PASSWORD, "not-the-password-0123456789")
    result = doctor(**configured(upstream, R1_DATABASE_URL=wrong))
    assert result.returncode == 1
    assert "refused the user name or password" in result.stdout and "R1_DATABASE_URL" in result.stdout
    assert "not-the-password-0123456789" not in result.stdout
    assert doctor(**configured(upstream, R1_DATABASE_URL=postgres_server)).returncode == 0
    zh = doctor(lang="zh_CN.UTF-8", **configured(upstream, R1_DATABASE_URL=wrong))
    assert "拒绝了用户名或密码" in zh.stdout


def test_the_database_is_checked_under_no_verify_and_said_to_answer(doctor, upstream, postgres_server):
    import postgres

    wrong = postgres_server.replace(postgres.PASSWORD, "not-the-password-0123456789")
    refused = doctor("--no-verify", **configured(upstream, R1_DATABASE_URL=wrong))
    assert refused.returncode == 1 and "refused the user name or password" in refused.stdout
    good = doctor("--no-verify", **configured(upstream, R1_DATABASE_URL=postgres_server))
    assert good.returncode == 0 and "which answers" in good.stdout and postgres.PASSWORD not in good.stdout
    as_json = json.loads(doctor("--json", **configured(upstream, R1_DATABASE_URL=postgres_server)).stdout)
    assert as_json["database"]["ok"] and postgres.PASSWORD not in as_json["database"]["url"]


def test_a_database_url_with_an_unencoded_password_fails_the_doctor_with_the_fix(doctor, upstream):
    result = doctor("--no-verify", **configured(upstream, R1_DATABASE_URL="postgresql://app:p@ss/w0rd@db/chats"))
    assert result.returncode == 1 and "p%40ss%2Fword" in result.stdout and "p@ss/w0rd" not in result.stdout
    assert "kept in SQLite" not in result.stdout  # the chat keeps nothing until it is fixed
