"""core.setup.valuechecks: one typed value's cleanup (bare_token, with_scheme, prefixes, closest models) and findings."""

# The findings' kinds and suggestions are pinned at length in test_checks.py through core.setup.checks'
# re-exports; this file pins the helpers they rest on and the edges that table does not reach.

import pytest

from core.redact import mask
from core.setup.presets import BY_ID
from core.setup.valuechecks import (
    FOREIGN_PREFIXES,
    RANK,
    bare_token,
    base_url_problems,
    closest_models,
    foreign_prefix,
    model_problems,
    token_problems,
    with_scheme,
)

# Built at run time, so no token-shaped literal sits in the repo.
SK = "sk-" + "0123456789abcdef" * 2
OR_KEY = "sk-or-v1-" + "0a" * 32
PAT = "pat_" + "AbCdEfGhIj" * 4
MASKED = mask(SK)


@pytest.mark.parametrize(("raw", "bare"), [
    (f"  {SK}\n", SK), (f'"{SK}"', SK), (f"“{SK}”", SK), (f"「{SK}」", SK), (f"\ufeff{SK}", SK),
    (f"Bearer {SK}", SK), (f"bearer\t{SK}", SK), (f" 'Bearer {SK}'\r\n", SK), (f"\ufeff“{PAT}” ", PAT),
], ids=["spaces", "quotes", "curly", "corner", "bom", "bearer", "bearer-tab", "quoted-bearer", "bom-curly"])
def test_bare_token_strips_what_a_paste_wraps_around_a_token(raw, bare):
    clean = bare_token(raw) == bare
    assert clean


@pytest.mark.parametrize(("key", "prefix"), [
    (OR_KEY, "sk-or-"), (SK, "sk-"), (PAT, "pat_"), ("sat_" + "x1" * 10, ""),
    ("8f14e45f-ceea-4e67-a1b2-3c4d5e6f7a8b", ""), ("", ""),
], ids=["openrouter", "sk", "pat", "sat", "uuid", "empty"])
def test_foreign_prefix_names_the_providers_prefix_a_key_starts_with(key, prefix):
    found = foreign_prefix(key)
    assert found == prefix


def test_the_longer_prefix_is_tried_first():
    assert FOREIGN_PREFIXES.index("sk-or-") < FOREIGN_PREFIXES.index("sk-")


@pytest.mark.parametrize(("url", "fixed"), [
    ("api.deepseek.com", "https://api.deepseek.com"),
    ("localhost:11434/v1", "http://localhost:11434/v1"),
    ("127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
    ("[::1]:11434/v1", "http://[::1]:11434/v1"),
    ("htps://api.deepseek.com", "https://api.deepseek.com"),
    ("ftp://api.deepseek.com/v1", "https://api.deepseek.com/v1"),
    ("https:/api.deepseek.com", "https://api.deepseek.com"),
    ("//api.deepseek.com", "https://api.deepseek.com"),
])
def test_with_scheme_gives_http_to_loopback_and_https_to_everything_else(url, fixed):
    assert with_scheme(url) == fixed


@pytest.mark.parametrize("typo", ["https//api.deepseek.com", "https:://api.deepseek.com"])
def test_a_mistyped_scheme_is_suggested_away(typo):
    (found,) = base_url_problems("OPENAI_BASE_URL", typo, BY_ID["deepseek"])
    assert (found.kind, found.params["suggested"]) == ("url_not_http", "https://api.deepseek.com")


@pytest.mark.parametrize("host", ["10.0.0.5", "172.16.3.4", "169.254.1.1", "[fd00::1]", "gpu-box", "box.lan",
                                  "box.internal", "app.localhost"])
def test_plain_http_to_a_lan_or_intranet_host_is_not_flagged(host):
    assert base_url_problems("OPENAI_BASE_URL", f"http://{host}:8000/v1", None) == []


@pytest.mark.parametrize("host", ["8.8.8.8", "api.example.com"])
def test_plain_http_across_the_internet_is_a_warning(host):
    (found,) = base_url_problems("OPENAI_BASE_URL", f"http://{host}/v1", None)
    assert (found.kind, found.severity, found.params["suggested"]) == (
        "url_http_remote", "warning", f"https://{host}/v1")


@pytest.mark.parametrize(("model", "available", "closest"), [
    ("DeepSeek-R1", ["deepseek-r1", "qwen"], ["deepseek-r1"]),
    ("r1", ["deepseek-r1", "deepseek-r1-250528", "deepseek-v3", "r1-distill"],
     ["deepseek-r1", "deepseek-r1-250528", "r1-distill"]),
    ("deepseek-reasonr", ["deepseek-chat", "deepseek-reasoner"], ["deepseek-reasoner", "deepseek-chat"]),
    ("gpt-4o", ["deepseek-r1", "qwen-max"], []),
])
def test_closest_models_prefers_same_name_then_containment_then_spelling(model, available, closest):
    assert closest_models(model, available) == closest


def test_closest_models_gives_at_most_three_names_each_once():
    near = closest_models("r1", [f"r1-v{i}" for i in range(6)] + ["R1"])
    assert near[0] == "R1" and len(near) == 3 == len(set(near))


def test_an_unlisted_model_reports_how_many_models_were_listed():
    (found,) = model_problems("  gpt-4o ", ["deepseek-r1", "qwen-max"])
    assert (found.params["model"], found.params["count"]) == ("gpt-4o", 2)
    assert (found.params["closest"], found.params["suggested"]) == ("", "")


@pytest.mark.parametrize("raw", ["", "   ", "\n"])
def test_a_blank_token_has_no_findings(raw):
    assert token_problems("OPENAI_API_KEY", raw) == []


def test_one_paste_can_carry_several_named_mistakes_each_with_the_tokens_mask():
    found = token_problems("OPENAI_API_KEY", f"“Bearer {SK}”\n")
    assert [(f.kind, f.severity) for f in found] == [
        ("token_whitespace", "info"), ("token_quoted", "error"), ("token_bearer_prefix", "error")]
    assert {f.params["value"] for f in found} == {MASKED}


def test_a_real_key_that_happens_to_contain_a_placeholder_word_is_not_a_placeholder():
    key = "sk-" + "qmzvbthwkl" + "your" + "npdgsfcjra" * 3 + "ehik"  # 48 lowercase letters, SiliconFlow's shape
    kinds = [f.kind for f in token_problems("OPENAI_API_KEY", key)]
    assert kinds == []


def test_errors_rank_before_warnings_before_info():
    assert sorted(RANK, key=RANK.get) == ["error", "warning", "info"]
