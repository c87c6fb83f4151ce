"""Settings resolution: one documented precedence, pinned by a table."""

import pytest

from core.setup.settings import SETTINGS, SOURCES, gather, read_env_file, resolve

KEY = "OPENAI_API_KEY"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))


# Which sources hold a value for KEY -> which source must win.
PRECEDENCE = [
    ({"session", "secrets", "environ", ".env.local", ".env"}, "session"),
    ({"secrets", "environ", ".env.local", ".env"}, "secrets"),
    ({"environ", ".env.local", ".env"}, "environ"),
    ({".env.local", ".env"}, ".env.local"),
    ({".env"}, ".env"),
    ({"secrets", ".env"}, "secrets"),
    ({"environ", ".env"}, "environ"),
    (set(), None),
]


@pytest.mark.parametrize(("present", "winner"), PRECEDENCE)
def test_precedence_table(tmp_path, present, winner):
    if ".env.local" in present:
        write(tmp_path / ".env.local", f"{KEY}=from-.env.local\n")
    if ".env" in present:
        write(tmp_path / ".env", f"{KEY}=from-.env\n")
    layers = gather(
        tmp_path,
        environ={KEY: "from-environ"} if "environ" in present else {},
        secrets={KEY: "from-secrets"} if "secrets" in present else {},
        session={KEY: "from-session"} if "session" in present else {},
    )
    resolved = resolve(layers)[KEY]
    assert resolved.source == winner
    assert resolved.value == (f"from-{winner}" if winner else None)
    assert set(resolved.present_in) == present


def test_sources_are_listed_in_precedence_order():
    assert SOURCES == ("session", "secrets", "environ", ".env.local", ".env", "default")


def test_default_applies_when_nothing_sets_the_model(tmp_path):
    model = resolve(gather(tmp_path, {}))["R1_MODEL"]
    assert (model.value, model.source) == ("deepseek-r1-250528", "default")


def test_model_is_overridable_by_documented_variable(tmp_path):
    model = resolve(gather(tmp_path, {"R1_MODEL": "deepseek-reasoner"}))["R1_MODEL"]
    assert (model.value, model.source) == ("deepseek-reasoner", "environ")


def test_blank_values_count_as_unset(tmp_path):
    write(tmp_path / ".env.local", f"{KEY}=from-file\n")
    resolved = resolve(gather(tmp_path, {KEY: "   "}))[KEY]
    assert resolved.source == ".env.local"


def test_reading_config_never_mutates_environ(tmp_path, monkeypatch):
    import os

    monkeypatch.delenv(KEY, raising=False)
    write(tmp_path / ".env.local", f"{KEY}=file-only\n")
    before = dict(os.environ)
    resolve(gather(tmp_path, os.environ))
    assert dict(os.environ) == before


def test_non_utf8_env_file_is_reported_and_ignored(tmp_path):
    write(tmp_path / ".env.local", f"{KEY}=caf\xe9\n", encoding="latin-1")
    layers = gather(tmp_path, {})
    assert layers.problems == [(".env.local", "not UTF-8")]
    assert resolve(layers)[KEY].value is None
    assert (tmp_path / ".env.local").read_bytes() == f"{KEY}=caf\xe9\n".encode("latin-1")


def test_env_file_values_keep_quotes_hashes_and_equals(tmp_path):
    write(tmp_path / ".env.local", 'A="x # not a comment"\nB=a=b=c\n# comment\nC=\'single\'\n')
    values, problem = read_env_file(tmp_path / ".env.local")
    assert problem is None
    assert values == {"A": "x # not a comment", "B": "a=b=c", "C": "single"}


def test_secret_settings_are_the_keys():
    assert {s.env for s in SETTINGS if s.secret} == {"COZE_WORKLOAD_IDENTITY_API_KEY", "OPENAI_API_KEY",
                                                     "COZE_API_TOKEN", "R1_ADMIN_PASSWORD"}


# Built at run time, so no token-shaped literal sits in the repo.
TOKEN = "sk-" + "0123456789abcdef" * 2


def test_resolved_repr_masks_a_secret_but_shows_other_values(tmp_path):
    got = resolve(gather(tmp_path, {KEY: f" {TOKEN} ", "R1_MODEL": "deepseek-reasoner"}))
    assert TOKEN not in repr(got[KEY]) and TOKEN[3:] not in repr(got[KEY])
    assert "deepseek-reasoner" in repr(got["R1_MODEL"])


def test_layers_repr_shows_no_value_from_any_source(tmp_path):
    write(tmp_path / ".env.local", f"COZE_API_TOKEN={TOKEN}\n")
    layers = gather(tmp_path, {KEY: TOKEN}, secrets={"R1_ADMIN_PASSWORD": TOKEN}, session={KEY: TOKEN})
    assert TOKEN not in repr(layers) and TOKEN[3:] not in repr(layers)
    assert "environ" in repr(layers)
