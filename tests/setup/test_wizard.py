"""The Setup wizard's logic: drafts, endpoints, where Save stores things."""

from pathlib import Path

from dotenv import dotenv_values

from core.place import Place
from core.setup import config
from core.setup.envfile import Snapshot
from core.setup.wizard import (
    Draft,
    changes,
    described,
    draft_config,
    draft_values,
    fingerprint,
    held_key,
    initial_draft,
    may_write_files,
    read_env_file,
    reuse_key,
    save,
    secrets_toml,
)

KEY = "sk-wizard-0123456789abcdefghij"


def test_sandbox_draft_writes_only_its_model():
    assert draft_values(Draft("coze-sandbox", "", "https://integration.coze.cn/api/v3", " m ")) == {"R1_MODEL": "m"}
    assert draft_values(Draft("coze-sandbox", "", "https://integration.coze.cn/api/v3", " ")) == {}


def test_blank_token_keeps_the_configured_key(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://api.deepseek.com"})
    draft = Draft("deepseek", "", "https://api.deepseek.com", "deepseek-reasoner")
    assert "OPENAI_API_KEY" not in draft_values(draft)
    assert draft_config(draft, cfg).detection.endpoint.api_key == KEY


def test_initial_draft_mirrors_the_configuration_without_the_token(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://openrouter.ai/api/v1",
                                 "R1_MODEL": "deepseek/deepseek-r1"})
    draft = initial_draft(cfg)
    assert (draft.preset_id, draft.token, draft.model) == ("openrouter", "", "deepseek/deepseek-r1")


def test_draft_route_beats_auto_detection(tmp_path):
    cfg = config.load(tmp_path, {"COZE_WORKLOAD_IDENTITY_API_KEY": "wi-" + "x" * 20,
                                 "COZE_INTEGRATION_MODEL_BASE_URL": "https://integration.coze.cn/api/v3"})
    endpoint = draft_config(Draft("ark", KEY, "https://ark.cn-beijing.volces.com/api/v3", "m"), cfg).detection.endpoint
    assert (endpoint.route, endpoint.api_key) == ("openai", KEY)


def test_only_the_owner_or_an_admin_may_write_files():
    assert may_write_files(Place("local", False), None, "")
    assert not may_write_files(Place("server", True), None, "anything")
    assert not may_write_files(Place("server", True), "s3cret", "wrong")
    assert may_write_files(Place("community-cloud", True), "s3cret", "s3cret")


def test_shared_save_stays_in_the_session(tmp_path):
    session = {}
    outcome = save(Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-reasoner"),
                   config.load(tmp_path, {}), tmp_path, session, writable=False)
    assert outcome.where == "session" and session["OPENAI_API_KEY"] == KEY
    assert not (tmp_path / ".env.local").exists()


def test_local_save_writes_env_local_and_the_app_reads_it(tmp_path):
    session = {"OPENAI_API_KEY": "old-session-value-123"}
    outcome = save(Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-reasoner"),
                   config.load(tmp_path, {}), Path(tmp_path), session, writable=True)
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
    from core.setup.presets import preset_for

    assert preset_for("http://localhost:11434/v1").id == "ollama"
    assert preset_for("http://127.0.0.1:4000/api/v3").id == "custom"


# --- a key stays with the host it was configured for ---------------------------------------------

DEEPSEEK = "https://api.deepseek.com"
EVIL = "https://collector.example:8443/v1"


def test_a_draft_that_moves_the_host_does_not_get_the_configured_key(tmp_path):
    cfg = config.load(tmp_path, {}, secrets={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    draft = Draft("custom", "", EVIL, "deepseek-reasoner")
    target = draft_config(draft, cfg)
    assert target.detection.endpoint is None and target.detection.missing == ("OPENAI_API_KEY",)
    held = held_key(draft, cfg)
    assert (held.key, held.home, held.target) == ("OPENAI_API_KEY", DEEPSEEK, "https://collector.example:8443")


def test_the_same_host_keeps_the_key_and_a_typed_key_goes_with_its_host(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    same = Draft("deepseek", "", DEEPSEEK + "/v1", "deepseek-chat")
    assert held_key(same, cfg) is None and draft_config(same, cfg).detection.endpoint.api_key == KEY
    own = Draft("custom", "sk-own-" + "9" * 20, EVIL, "m")
    assert held_key(own, cfg) is None
    assert draft_config(own, cfg).detection.endpoint.api_key == "sk-own-" + "9" * 20


def test_a_scheme_change_is_another_host(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    assert held_key(Draft("custom", "", "http://api.deepseek.com", "m"), cfg) is not None


def test_the_owner_may_confirm_sending_the_key_to_the_new_host(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    draft = reuse_key(Draft("custom", "", EVIL, "m"), cfg)
    assert held_key(draft, cfg) is None
    assert draft_config(draft, cfg).detection.endpoint.api_key == KEY
    assert draft_values(draft)["OPENAI_API_KEY"] == KEY  # saved together: bound to the new host


def test_the_coze_bot_token_stays_with_its_api_base(tmp_path):
    cfg = config.load(tmp_path, {"COZE_API_TOKEN": "pat_" + "a" * 30, "COZE_BOT_ID": "7000"})
    moved = Draft("coze-bot", "", "https://collector.example", "7000")
    assert held_key(moved, cfg).home == "https://api.coze.cn"
    assert draft_config(moved, cfg).detection.endpoint is None
    assert held_key(Draft("coze-bot", "", "https://api.coze.cn/", "7001"), cfg) is None


def test_a_session_base_url_never_gets_the_servers_key(tmp_path):
    cfg = config.load(tmp_path, {}, secrets={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK},
                      session={"OPENAI_BASE_URL": EVIL, "R1_MODEL": "m"})
    assert cfg.detection.endpoint is None
    assert [(h.key, h.target) for h in cfg.held] == [("OPENAI_API_KEY", "https://collector.example:8443")]
    assert cfg.values["OPENAI_API_KEY"].source == "secrets"  # the table still tells the truth


def test_a_session_key_with_a_session_url_is_the_visitors_own(tmp_path):
    own = "sk-visitor-" + "7" * 20
    cfg = config.load(tmp_path, {}, secrets={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK},
                      session={"OPENAI_API_KEY": own, "OPENAI_BASE_URL": EVIL})
    assert cfg.detection.endpoint.api_key == own and cfg.held == ()


def test_a_draft_and_an_outcome_never_show_the_key_in_repr(tmp_path):
    draft = Draft("deepseek", KEY, DEEPSEEK, "deepseek-reasoner")
    outcome = save(draft, config.load(tmp_path, {}), tmp_path, {}, writable=False)
    assert KEY not in repr(draft) and KEY not in repr(outcome)


def test_fingerprint_tells_endpoints_apart_without_showing_the_key(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    first = fingerprint(cfg.detection.endpoint)
    other = config.load(tmp_path, {"OPENAI_API_KEY": KEY + "x", "OPENAI_BASE_URL": DEEPSEEK})
    assert first != fingerprint(other.detection.endpoint) and KEY not in first
    assert fingerprint(None) == ""


def test_described_names_what_was_written_with_the_key_masked():
    text = described({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    assert "`OPENAI_API_KEY` (sk-" in text and "`OPENAI_BASE_URL`" in text and KEY not in text


def test_save_refuses_a_draft_that_would_send_a_configured_key_elsewhere(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    draft = Draft("custom", "", EVIL, "m")
    session = {}
    outcome = save(draft, cfg, tmp_path, session, writable=False, held=held_key(draft, cfg))
    assert outcome.where == "refused" and outcome.held.target == "https://collector.example:8443"
    assert session == {} and not (tmp_path / ".env.local").exists()


# --- Save refuses what the chat could not use, and pins the route it saved ------------------------

def test_save_refuses_a_pasted_bearer_prefix_and_writes_nothing(tmp_path):
    cfg = config.load(tmp_path, {})
    outcome = save(Draft("custom", "Bearer " + KEY, DEEPSEEK, "m"), cfg, tmp_path, {}, writable=True)
    assert outcome.where == "invalid" and not (tmp_path / ".env.local").exists()


def test_save_refuses_a_route_that_cannot_chat(tmp_path):
    cfg = config.load(tmp_path, {})
    outcome = save(Draft("custom", KEY, "", "m"), cfg, tmp_path, {}, writable=True)
    assert (outcome.where, outcome.missing) == ("incomplete", ("OPENAI_BASE_URL",))
    assert not (tmp_path / ".env.local").exists()


def test_a_provider_saved_beside_a_coze_bot_pins_its_route(tmp_path):
    cfg = config.load(tmp_path, {"COZE_API_TOKEN": "pat_" + "a" * 30, "COZE_BOT_ID": "7000"})
    outcome = save(Draft("custom", KEY, DEEPSEEK, "deepseek-reasoner"), cfg, tmp_path, {}, writable=True)
    assert outcome.values["R1_ROUTE"] == "openai"
    after = config.load(tmp_path, {"COZE_API_TOKEN": "pat_" + "a" * 30, "COZE_BOT_ID": "7000"})
    assert after.detection.route == "openai" and after.detection.endpoint.api_key == KEY


def test_no_route_pin_when_the_saved_values_select_it_anyway(tmp_path):
    outcome = save(Draft("custom", KEY, DEEPSEEK, "m"), config.load(tmp_path, {}), tmp_path, {}, writable=True)
    assert "R1_ROUTE" not in outcome.values


def test_switching_presets_finds_the_configured_values_again(tmp_path):
    from core.setup.wizard import preset_draft

    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "http://10.0.0.5:8000/v1",
                                 "R1_MODEL": "r1-local", "COZE_API_TOKEN": "pat_" + "a" * 30, "COZE_BOT_ID": "7"})
    assert initial_draft(cfg).preset_id == "coze-bot"
    custom = preset_draft("custom", cfg)
    assert (custom.base_url, custom.model) == ("http://10.0.0.5:8000/v1", "r1-local")
    deepseek = preset_draft("deepseek", cfg)
    assert (deepseek.base_url, deepseek.model) == ("https://api.deepseek.com", "deepseek-reasoner")


# Two pages saving .env.local: the second is told, not silently overwriting the first

OTHER = "sk-other-page-0123456789abcdab12"


def test_a_save_over_a_file_someone_else_saved_since_is_a_conflict_and_writes_nothing(tmp_path):
    cfg = config.load(tmp_path, {})
    seen = read_env_file(tmp_path)  # this page drew the form: no .env.local yet
    other = save(Draft("deepseek", OTHER, "https://api.deepseek.com", "deepseek-reasoner"), cfg, tmp_path, {},
                 writable=True, seen=read_env_file(tmp_path))  # another page saved first
    assert other.where == "file"
    before = (tmp_path / ".env.local").read_bytes()
    mine = Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-chat")
    session = {"OPENAI_API_KEY": "stale-session-value"}
    outcome = save(mine, cfg, tmp_path, session, writable=True, seen=seen)
    assert outcome.where == "conflict" and outcome.error is None and outcome.result is None
    assert (tmp_path / ".env.local").read_bytes() == before and session  # nothing written anywhere
    assert outcome.their_changes == {"OPENAI_API_KEY": OTHER, "OPENAI_BASE_URL": "https://api.deepseek.com",
                                     "R1_MODEL": "deepseek-reasoner"}
    assert outcome.theirs == read_env_file(tmp_path) and KEY not in repr(outcome) and OTHER not in repr(outcome)
    again = save(mine, cfg, tmp_path, session, writable=True, seen=outcome.theirs)  # Overwrite
    assert again.where == "file" and again.error is None
    assert config.load(tmp_path, {}).values["OPENAI_API_KEY"].value == KEY
    assert again.result.file == read_env_file(tmp_path)  # the page's next save expects this file


def test_a_save_beside_other_variables_someone_else_saved_since_is_written_keeping_theirs(tmp_path):
    env_file = tmp_path / ".env.local"
    env_file.write_text("R1_MAX_TOKENS=100\n")
    cfg, seen = config.load(tmp_path, {}), read_env_file(tmp_path)
    env_file.write_text("R1_MAX_TOKENS=200\nCOZE_USER_ID=u1\n")  # another page saved other variables
    outcome = save(Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-chat"), cfg, tmp_path, {},
                   writable=True, seen=seen)
    assert outcome.where == "file" and outcome.error is None
    assert dotenv_values(env_file) == {"R1_MAX_TOKENS": "200", "COZE_USER_ID": "u1", "OPENAI_API_KEY": KEY,
                                       "OPENAI_BASE_URL": "https://api.deepseek.com", "R1_MODEL": "deepseek-chat"}
    assert outcome.result.file == read_env_file(tmp_path)  # theirs and ours: what the next save expects


def test_a_save_of_a_variable_someone_else_removed_since_is_a_conflict(tmp_path):
    env_file = tmp_path / ".env.local"
    env_file.write_text("R1_MODEL=deepseek-reasoner\nR1_MAX_TOKENS=100\n")
    cfg, seen = config.load(tmp_path, {}), read_env_file(tmp_path)
    env_file.write_text("R1_MAX_TOKENS=100\n")  # another page removed the model this save writes
    outcome = save(Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-chat"), cfg, tmp_path, {},
                   writable=True, seen=seen)
    assert outcome.where == "conflict" and outcome.their_changes == {"R1_MODEL": None}
    assert env_file.read_text() == "R1_MAX_TOKENS=100\n"


def test_changes_name_what_was_set_changed_or_removed():
    before = Snapshot("a", {"KEPT": "1", "CHANGED": "old", "REMOVED": "x"})
    after = Snapshot("b", {"NEW": "n", "KEPT": "1", "CHANGED": "new"})
    assert changes(before, after) == {"NEW": "n", "CHANGED": "new", "REMOVED": None}


def test_a_session_save_is_not_held_back_by_the_file(tmp_path):
    seen = read_env_file(tmp_path)
    (tmp_path / ".env.local").write_text("OPENAI_API_KEY=" + OTHER + "\n")  # changed, but not written to
    session = {}
    outcome = save(Draft("deepseek", KEY, "https://api.deepseek.com", "deepseek-reasoner"),
                   config.load(tmp_path, {}), tmp_path, session, writable=False, seen=seen)
    assert outcome.where == "session" and session["OPENAI_API_KEY"] == KEY
