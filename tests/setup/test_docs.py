"""Every setting is documented, and the docs agree with the settings table."""

from pathlib import Path

import pytest

from core.setup.docs import BEGIN, END, env_example, markdown_table
from core.setup.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["README.md", "README.zh-CN.md"])
def test_readme_table_matches_the_settings_table(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    table = text.split(BEGIN)[1].split(END)[0].strip()
    assert table == markdown_table(), "run `python -m core.setup.docs` to regenerate"


def test_env_example_matches_the_settings_table():
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == env_example()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_in_both_readmes(setting):
    for name in ("README.md", "README.zh-CN.md"):
        assert f"`{setting.env}`" in (ROOT / name).read_text(encoding="utf-8")


def test_readme_gives_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./scripts/run" in text and "./scripts/test" in text


def test_readme_documents_the_doctor_command():
    for name in ("README.md", "README.zh-CN.md"):
        assert "python -m core.doctor" in (ROOT / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "words"), [
    ("README.md", ("`R1_DATA_DIR`", "`?c=", "shared deployment", "signed-in user", "browser session")),
    ("README.zh-CN.md", ("`R1_DATA_DIR`", "`?c=", "共享部署", "登录用户", "浏览器会话")),
])
def test_readme_says_where_conversations_are_kept_and_who_sees_them(name, words):
    text = (ROOT / name).read_text(encoding="utf-8")
    for word in words:
        assert word in text
