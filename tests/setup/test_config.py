"""core.setup.config: load() resolves every source and the route; Config's rows, secrets, readiness, problems."""

from core.redact import mask
from core.setup import config
from core.setup.settings import SETTINGS

# Built at run time, so no token-shaped literal sits in the repo; comparisons involving a full
# token are made before the assert, so a failure never prints one.
KEY = "sk-" + "0123456789abcdef" * 2
OTHER_KEY = "sk-" + "fedcba9876543210" * 2
PAT = "pat_" + "AbCdEfGhIj" * 4
DEEPSEEK = "https://api.deepseek.com"
MASKED = mask(KEY)


def row(cfg, name):
    return next(r for r in cfg.rows() if r["variable"] == name)


def test_rows_list_every_setting_once_in_table_order(tmp_path):
    assert [r["variable"] for r in config.load(tmp_path, {}).rows()] == [s.env for s in SETTINGS]


def test_a_secret_row_shows_only_its_mask(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    leaked = KEY in repr(cfg.rows())
    assert not leaked, "full token in a display row"
    key_row = row(cfg, "OPENAI_API_KEY")
    assert key_row == {"variable": "OPENAI_API_KEY", "set": True, "source": "environ", "value": MASKED,
                       "also_in": ""}


def test_a_plain_row_shows_its_value(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_BASE_URL": DEEPSEEK})
    assert (row(cfg, "OPENAI_BASE_URL")["value"], row(cfg, "OPENAI_BASE_URL")["set"]) == (DEEPSEEK, True)


def test_a_default_is_shown_but_does_not_count_as_set(tmp_path):
    model = row(config.load(tmp_path, {}), "R1_MODEL")
    assert (model["set"], model["source"], model["value"]) == (False, "default", "deepseek-r1-250528")


def test_an_unset_row_is_blank(tmp_path):
    assert row(config.load(tmp_path, {}), "OPENAI_API_KEY") == {
        "variable": "OPENAI_API_KEY", "set": False, "source": "", "value": "", "also_in": ""}


def test_also_in_names_every_losing_source_in_precedence_order(tmp_path):
    (tmp_path / ".env").write_text("R1_MODEL=deepseek-reasoner\n", encoding="utf-8")
    (tmp_path / ".env.local").write_text("R1_MODEL=deepseek-r1\n", encoding="utf-8")
    cfg = config.load(tmp_path, {"R1_MODEL": "deepseek-r1-250528"})
    model = row(cfg, "R1_MODEL")
    assert (model["source"], model["also_in"]) == ("environ", ".env.local, .env")


def test_session_beats_secrets_which_beat_the_environment(tmp_path):
    cfg = config.load(tmp_path, {"R1_MODEL": "from-environ"}, secrets={"R1_MODEL": "from-secrets"},
                      session={"R1_MODEL": "from-session"})
    assert (cfg.values["R1_MODEL"].value, row(cfg, "R1_MODEL")["also_in"]) == ("from-session", "secrets, environ")


def test_secrets_lists_every_secret_value_in_play_and_nothing_else(tmp_path):
    (tmp_path / ".env.local").write_text(f"COZE_API_TOKEN={PAT}\n", encoding="utf-8")
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    listed = sorted(cfg.secrets()) == sorted([KEY, PAT])
    assert listed, f"secrets() gave {[mask(s) for s in cfg.secrets()]}"


def test_secrets_holds_the_winning_value_only(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY}, session={"OPENAI_API_KEY": OTHER_KEY})
    winner_only = cfg.secrets() == [OTHER_KEY]
    assert winner_only, f"secrets() gave {[mask(s) for s in cfg.secrets()]}"


def test_a_complete_route_is_ready(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    ready, route, provider = cfg.ready, cfg.detection.route, cfg.detection.endpoint.provider
    assert (ready, route, provider) == (True, "openai", "deepseek")


def test_a_half_set_route_is_not_ready_and_says_what_it_misses(tmp_path):
    cfg = config.load(tmp_path, {"OPENAI_BASE_URL": DEEPSEEK})
    assert not cfg.ready
    assert (cfg.detection.route, cfg.detection.missing) == ("openai", ("OPENAI_API_KEY",))


def test_nothing_set_is_not_ready(tmp_path):
    cfg = config.load(tmp_path, {})
    assert not cfg.ready and cfg.detection.route is None


def test_problems_are_the_env_files_that_could_not_be_read(tmp_path):
    (tmp_path / ".env.local").write_bytes("OPENAI_API_KEY=密钥\n".encode("gbk"))
    cfg = config.load(tmp_path, {})
    assert cfg.problems == [(".env.local", "not UTF-8")]
    assert cfg.values["OPENAI_API_KEY"].value is None


def test_a_readable_folder_has_no_problems(tmp_path):
    (tmp_path / ".env").write_text(f"OPENAI_BASE_URL={DEEPSEEK}\n", encoding="utf-8")
    assert config.load(tmp_path, {}).problems == []
