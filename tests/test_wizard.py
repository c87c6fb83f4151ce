"""The Setup wizard's logic: drafts, endpoints, where Save stores things."""

from pathlib import Path

from core import config
from core.place import Place
from core.wizard import Draft, detect_draft, draft_values, initial_draft, may_write_files, save, secrets_toml

KEY = "sk-wizard-0123456789abcdefghij"


def test_sandbox_draft_writes_nothing():
    assert draft_values(Draft("coze-sandbox", "", "https://integration.coze.cn/api/v3", "m")) == {}


def test_blank_token_keeps_the_configured_key(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://api.deepseek.com"})
    draft = Draft("deepseek", "", "https://api.deepseek.com", "deepseek-reasoner")
    assert "OPENAI_API_KEY" not in draft_values(draft)
    assert detect_draft(draft, cfg).endpoint.api_key == KEY


def test_initial_draft_mirrors_the_configuration_without_the_token(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://openrouter.ai/api/v1",
                                 "R1_MODEL": "deepseek/deepseek-r1"})
    draft = initial_draft(cfg)
    assert (draft.preset_id, draft.token, draft.model) == ("openrouter", "", "deepseek/deepseek-r1")


def test_draft_route_beats_auto_detection(tmp_path):
    cfg = config.load(tmp_path, {"COZE_WORKLOAD_IDENTITY_API_KEY": "wi-" + "x" * 20,
                                 "COZE_INTEGRATION_MODEL_BASE_URL": "https://integration.coze.cn/api/v3"})
    endpoint = detect_draft(Draft("ark", KEY, "https://ark.cn-beijing.volces.com/api/v3", "m"), cfg).endpoint
    assert (endpoint.route, endpoint.api_key) == ("openai", KEY)


def test_only_the_owner_or_an_admin_may_write_files():
    assert may_write_files(Place("local", False), None, "")
    assert not may_write_files(Place("server", True), None, "anything")
    assert not may_write_files(Place("server", True), "s3cret", "wrong")
    assert may_write_files(Place("community-cloud", True), "s3cret", "s3cret")


def test_shared_save_stays_in_the_session(tmp_path):
    session = {}
    outcome = save(Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-reasoner"),
                   tmp_path, session, writable=False)
    assert outcome.where == "session" and session["OPENAI_API_KEY"] == KEY
    assert not (tmp_path / ".env.local").exists()


def test_local_save_writes_env_local_and_the_app_reads_it(tmp_path):
    session = {"OPENAI_API_KEY": "old-session-value-123"}
    outcome = save(Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-reasoner"),
                   Path(tmp_path), session, writable=True)
    assert outcome.where == "file" and outcome.error is None
    assert "OPENAI_API_KEY" not in session
    cfg = config.load(tmp_path, {})
    assert cfg.values["OPENAI_API_KEY"].source == ".env.local"
    assert cfg.detection.endpoint.model == "deepseek-reasoner"


def test_secrets_block_never_holds_the_token():
    block = secrets_toml({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://api.deepseek.com"})
    assert KEY not in block
    assert 'OPENAI_BASE_URL = "https://api.deepseek.com"' in block
    assert 'OPENAI_API_KEY = ""' in block


def test_a_loopback_server_is_ollama_only_on_its_port():
    from core.presets import preset_for

    assert preset_for("http://localhost:11434/v1").id == "ollama"
    assert preset_for("http://127.0.0.1:4000/api/v3").id == "custom"
