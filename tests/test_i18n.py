"""Both catalogues say the same things with the same placeholders."""

import re
from pathlib import Path

import pytest

from core import i18n

ROOT = Path(__file__).resolve().parent.parent


def test_catalogues_have_the_same_keys():
    assert set(i18n.CATALOGUES["en"]) == set(i18n.CATALOGUES["zh-CN"])


@pytest.mark.parametrize("key", sorted(i18n.CATALOGUES["en"]))
def test_placeholders_match(key):
    assert i18n.placeholders(i18n.CATALOGUES["en"][key]) == i18n.placeholders(i18n.CATALOGUES["zh-CN"][key])


def test_every_key_used_by_the_pages_exists():
    pattern = re.compile(r"""\bt\(\s*f?["']([a-z_.]+)["']""")
    sources = [ROOT / "streamlit_app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    used = {key for path in sources for key in pattern.findall(path.read_text(encoding="utf-8"))}
    dynamic = {k for k in used if k.endswith(".")}  # f-string prefixes like "err." or "route."
    assert used - dynamic <= set(i18n.CATALOGUES["en"])
    for prefix in dynamic:
        assert any(k.startswith(prefix) for k in i18n.CATALOGUES["en"])


def test_every_diagnosis_kind_has_a_message():
    kinds = {"bad_request", "auth", "balance", "forbidden", "not_found", "rate_limit", "server",
             "http", "timeout", "refused", "dns", "tls", "proxy", "connection", "stream_error",
             "cut_off", "unknown"}
    assert {f"err.{k}" for k in kinds} <= set(i18n.CATALOGUES["en"])


@pytest.mark.parametrize(("locale", "lang"), [
    ("zh-CN", "zh-CN"), ("zh-TW", "zh-CN"), ("en-US", "en"), ("de-DE", "en"), (None, "zh-CN")])
def test_language_follows_the_browser_locale(locale, lang):
    assert i18n.from_locale(locale) == lang


def test_missing_parameter_does_not_raise():
    assert "{n}" in i18n.translate("en", "chat.tokens")
