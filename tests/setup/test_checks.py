"""Warnings by name: each misconfiguration users hit is found, named, and explained in both languages."""

import openai
import psycopg
import pytest

from core import i18n
from core.chat.providers.openai_compatible import PROVIDER as OPENAI_COMPATIBLE
from core.conversations import probe
from core.conversations.migrations import SchemaMismatch
from core.place import Place
from core.setup import checks, valuechecks
from core.setup.binding import Held
from core.setup.presets import BY_ID
from core.setup.routes import detect
from core.setup.settings import gather, resolve

LOCAL = Place("local", False)
CLOUD = Place("community-cloud", True)
SK = "sk-" + "0123456789abcdef" * 2  # built, so no token-shaped literal sits in the repo
SK2 = "sk-" + "fedcba9876543210" * 2
PAT = "pat_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
OR_KEY = "sk-or-v1-0123456789abcdef0123456789abcdef"
WORKLOAD = "wk-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e"
ARK = "https://ark.cn-beijing.volces.com/api/v3"
COZE_URL = "https://integration.coze.cn/api/v3"


def scan(tmp_path, env_local=None, environ=None, secrets=None, session=None, place=LOCAL, **kw):
    """Findings for a machine whose .env.local holds ``env_local`` (a dict or raw text)."""
    if env_local is not None:
        text = env_local if isinstance(env_local, str) else "".join(f"{k}={v}\n" for k, v in env_local.items())
        (tmp_path / ".env.local").write_text(text, encoding="utf-8")
    layers = gather(tmp_path, environ or {}, secrets, session)
    values = resolve(layers)
    return checks.find_problems(values, layers, detect(values), place, **kw)


def of(findings, kind):
    return [f for f in findings if f.kind == kind]


# --- shadowing -------------------------------------------------------------------------------------------

def test_environ_shadowing_a_different_env_local_value_is_a_warning(tmp_path):
    found = of(scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK},
                    environ={"OPENAI_API_KEY": SK2}), "shadowed_by_environ")
    assert [(f.setting, f.severity) for f in found] == [("OPENAI_API_KEY", "warning")]
    params = found[0].params
    assert (params["winner"], params["source"]) == ("environ", ".env.local")
    assert params["winner_value"].endswith(SK2[-4:]) and params["value"].endswith(SK[-4:])


def test_secrets_shadowing_env_local_is_a_warning(tmp_path):
    found = of(scan(tmp_path, {"OPENAI_BASE_URL": ARK}, secrets={"OPENAI_BASE_URL": "https://api.deepseek.com"}),
               "shadowed_by_environ")
    assert [(f.severity, f.params["winner"], f.params["value"]) for f in found] == [("warning", "secrets", ARK)]


def test_a_just_saved_value_that_environ_overrides_is_reported(tmp_path):
    saved = {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK}
    found = of(scan(tmp_path, environ={"OPENAI_API_KEY": SK2, "OPENAI_BASE_URL": ARK}, just_saved=saved),
               "shadowed_by_environ")
    assert [(f.setting, f.severity, f.params["source"]) for f in found] == [
        ("OPENAI_API_KEY", "warning", ".env.local")]


def test_a_just_saved_value_hidden_by_this_session_is_reported(tmp_path):
    found = of(scan(tmp_path, {"R1_MODEL": "deepseek-reasoner"}, session={"R1_MODEL": "deepseek-r1-250528"},
                    just_saved={"R1_MODEL": "deepseek-reasoner"}), "shadowed_by_environ")
    assert [(f.severity, f.params["winner"]) for f in found] == [("warning", "session")]


def test_a_just_saved_value_that_won_is_not_reported(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK}, just_saved={"OPENAI_API_KEY": SK})
    assert of(found, "shadowed_by_environ") == []


def test_the_same_value_in_two_sources_is_not_shadowing(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK},
                 environ={"OPENAI_API_KEY": SK}, secrets={"OPENAI_API_KEY": f"  {SK}"})
    assert of(found, "shadowed_by_environ") == []


def test_other_sources_with_different_values_are_info(tmp_path):
    (tmp_path / ".env").write_text("R1_MODEL=deepseek-reasoner\n", encoding="utf-8")
    found = of(scan(tmp_path, {"R1_MODEL": "deepseek-r1-250528"}, secrets={"R1_MAX_TOKENS": "4096"},
                    environ={"R1_MAX_TOKENS": "2048"}), "shadowed_by_environ")
    assert sorted((f.setting, f.severity, f.params["winner"], f.params["source"]) for f in found) == [
        ("R1_MAX_TOKENS", "info", "secrets", "environ"), ("R1_MODEL", "info", ".env.local", ".env")]


# --- Coze tokens ---------------------------------------------------------------------------------------

def test_coze_api_token_is_unused_in_the_sandbox(tmp_path):
    found = of(scan(tmp_path, {"COZE_API_TOKEN": PAT},
                    environ={"COZE_WORKLOAD_IDENTITY_API_KEY": WORKLOAD, "COZE_INTEGRATION_MODEL_BASE_URL": COZE_URL}),
               "coze_token_unused")
    assert [(f.severity, f.params["source"], f.params["instead"]) for f in found] == [
        ("warning", ".env.local", "COZE_WORKLOAD_IDENTITY_API_KEY")]


def test_coze_api_token_is_unused_on_the_openai_route(tmp_path):
    found = of(scan(tmp_path, environ={"COZE_API_TOKEN": PAT, "OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK}),
               "coze_token_unused")
    assert [(f.severity, f.params["instead"]) for f in found] == [("warning", "OPENAI_API_KEY")]


def test_coze_api_token_alone_selects_the_bot_route_instead_of_a_finding(tmp_path):
    assert of(scan(tmp_path, secrets={"COZE_API_TOKEN": PAT}), "coze_token_unused") == []


def test_no_coze_api_token_no_finding(tmp_path):
    assert of(scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK}), "coze_token_unused") == []


def test_workload_key_written_into_env_local_is_flagged(tmp_path):
    found = of(scan(tmp_path, {"COZE_WORKLOAD_IDENTITY_API_KEY": WORKLOAD, "COZE_INTEGRATION_MODEL_BASE_URL": COZE_URL}),
               "workload_key_outside_sandbox")
    assert [(f.severity, f.params["source"]) for f in found] == [("warning", ".env.local")]


def test_workload_key_exported_without_its_base_url_is_flagged(tmp_path):
    found = scan(tmp_path, environ={"COZE_WORKLOAD_IDENTITY_API_KEY": WORKLOAD})
    assert [f.params["source"] for f in of(found, "workload_key_outside_sandbox")] == ["environ"]


def test_workload_key_injected_by_the_sandbox_is_fine(tmp_path):
    found = scan(tmp_path, environ={"COZE_WORKLOAD_IDENTITY_API_KEY": WORKLOAD,
                                    "COZE_INTEGRATION_MODEL_BASE_URL": COZE_URL})
    assert found == []


# --- token paste errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "kind", "severity"), [
    (f"  {SK}\t", "token_whitespace", "info"),
    ("sk-0123456789 abcdef0123456789", "token_whitespace", "error"),
    (f"'{SK}'", "token_quoted", "error"),
    (f'"{SK}"', "token_quoted", "error"),
    (f"“{SK}”", "token_quoted", "error"),
    (f"‘{SK}’", "token_quoted", "error"),
    ("sk-0123456789\nabcdef0123456789", "token_newline", "error"),
    ("sk-0123456789\r\nabcdef0123456789", "token_newline", "error"),
    (f"\ufeff{SK}", "token_bom", "error"),
    ("sk-０１２３４５６７８９abcdef", "token_fullwidth", "error"),
    ("sk-ＡＢＣＤＥＦｇｈｉｊｋ0123", "token_fullwidth", "error"),
    ("sk-0123456789\u3000abcdef0123", "token_fullwidth", "error"),
    ("sk-0123456789é0123456789", "token_fullwidth", "error"),
    (f"Bearer {SK}", "token_bearer_prefix", "error"),
    (f"bearer {SK}", "token_bearer_prefix", "error"),
    ("your-api-key", "token_placeholder", "error"),
    ("YOUR_API_KEY_HERE", "token_placeholder", "error"),
    ("sk-xxx", "token_placeholder", "error"),
    ("sk-xxxxxxxxxxxxxxxxxxxx", "token_placeholder", "error"),
    ("<token>", "token_placeholder", "error"),
    ("changeme", "token_placeholder", "error"),
    ("sk-...", "token_placeholder", "error"),
    ("${OPENAI_API_KEY}", "token_placeholder", "error"),
])
def test_token_paste_error_is_named(raw, kind, severity):
    found = of(valuechecks.token_problems("OPENAI_API_KEY", raw), kind)
    assert [(f.setting, f.severity) for f in found] == [("OPENAI_API_KEY", severity)]
    assert found[0].params["setting"] == "OPENAI_API_KEY"


def test_fullwidth_finding_names_the_code_points():
    (found,) = valuechecks.token_problems("OPENAI_API_KEY", "sk-０１abc\u3000def0123456789")
    assert found.params["chars"] == "U+FF10, U+FF11, U+3000"


@pytest.mark.parametrize("raw", [SK, PAT, OR_KEY, WORKLOAD, "8f14e45f-ceea-4e67-a1b2-3c4d5e6f7a8b", ""])
def test_clean_tokens_have_no_paste_errors(raw):
    assert valuechecks.token_problems("OPENAI_API_KEY", raw) == []


def test_paste_error_in_env_local_is_found_with_its_source(tmp_path):
    found = scan(tmp_path, f"OPENAI_API_KEY=“{SK}”\nOPENAI_BASE_URL={ARK}\n")
    assert [(f.kind, f.severity, f.params["source"]) for f in of(found, "token_quoted")] == [
        ("token_quoted", "error", ".env.local")]


def test_paste_error_in_the_coze_api_token_is_an_error_on_the_bot_route(tmp_path):
    found = scan(tmp_path, environ={"COZE_API_TOKEN": f"Bearer {PAT}"})  # the Coze bot route's key
    assert [(f.setting, f.severity) for f in of(found, "token_bearer_prefix")] == [("COZE_API_TOKEN", "error")]


def test_paste_error_in_a_key_the_route_does_not_read_is_only_a_warning(tmp_path):
    found = scan(tmp_path, environ={"COZE_WORKLOAD_IDENTITY_API_KEY": WORKLOAD,
                                    "COZE_INTEGRATION_MODEL_BASE_URL": COZE_URL, "OPENAI_API_KEY": f"Bearer {SK}"})
    assert [f.severity for f in of(found, "token_bearer_prefix")] == ["warning"]


def test_any_key_goes_for_a_local_server(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": "your-api-key", "OPENAI_BASE_URL": "http://localhost:11434/v1",
                            "R1_MODEL": "deepseek-r1"})
    assert of(found, "token_placeholder") == []


# --- key vs endpoint -----------------------------------------------------------------------------------

def test_coze_pat_sent_to_another_provider_is_an_error(tmp_path):
    found = of(scan(tmp_path, {"OPENAI_API_KEY": PAT, "OPENAI_BASE_URL": ARK}), "coze_pat_on_openai_route")
    assert [(f.severity, f.params["host"]) for f in found] == [("error", "ark.cn-beijing.volces.com")]


def test_deepseek_key_on_deepseek_is_fine(tmp_path):
    assert scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": "https://api.deepseek.com",
                           "R1_MODEL": "deepseek-reasoner"}) == []


def test_sk_key_sent_to_coze_is_an_error(tmp_path):
    found = of(scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": COZE_URL}), "non_coze_key_on_coze")
    assert [(f.setting, f.severity, f.params["prefix"]) for f in found] == [("OPENAI_API_KEY", "error", "sk-")]


def test_an_sk_shaped_sandbox_key_is_at_most_a_warning_never_another_providers_key(tmp_path):
    found = scan(tmp_path, environ={"COZE_WORKLOAD_IDENTITY_API_KEY": OR_KEY,
                                    "COZE_INTEGRATION_MODEL_BASE_URL": COZE_URL})
    assert [(f.kind, f.setting, f.severity, f.params["prefix"]) for f in found] == [
        ("sandbox_key_prefix", "COZE_WORKLOAD_IDENTITY_API_KEY", "warning", "sk-or-")]


def test_sk_key_in_coze_api_token_is_flagged(tmp_path):
    found = of(scan(tmp_path, {"COZE_API_TOKEN": SK, "COZE_BOT_ID": "7000"}), "coze_token_not_pat")
    assert [(f.setting, f.severity) for f in found] == [("COZE_API_TOKEN", "error")]


@pytest.mark.parametrize("layer", ["environ", "secrets", "session"])
def test_a_pat_in_coze_api_token_on_the_bot_route_is_not_a_finding(tmp_path, layer):
    found = scan(tmp_path, **{layer: {"COZE_API_TOKEN": PAT, "COZE_BOT_ID": "7340000000000000000"}})
    assert found == []


def test_a_pat_sent_to_the_coze_integration_url_is_not_another_providers_key(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": PAT, "OPENAI_BASE_URL": COZE_URL})
    assert of(found, "non_coze_key_on_coze") == []


# --- once a reply proves the route works -----------------------------------------------------------------

def test_a_working_route_drops_the_guesses_and_keeps_no_error(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": PAT, "OPENAI_BASE_URL": ARK, "R1_MODEL": "m"},
                 environ={"COZE_API_TOKEN": SK})
    assert "error" in {f.severity for f in found}
    settled = checks.settle(found, route_works=True)
    assert of(settled, "coze_pat_on_openai_route") == []
    assert "error" not in {f.severity for f in settled}
    assert checks.settle(found, route_works=False) == found


def test_a_held_key_is_named_with_both_hosts(tmp_path):
    from core.setup import config

    cfg = config.load(tmp_path, {}, secrets={"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK},
                      session={"OPENAI_BASE_URL": "https://collector.example/v1"})
    found = checks.find_problems(cfg.values, cfg.layers, cfg.detection, CLOUD, held=cfg.held)
    held = of(found, "key_held")
    assert [(f.severity, f.params["home"], f.params["target"]) for f in held] == [
        ("error", "https://ark.cn-beijing.volces.com", "https://collector.example")]


def test_key_without_the_providers_prefix_is_a_warning(tmp_path):
    found = of(scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": "https://openrouter.ai/api/v1",
                               "R1_MODEL": "deepseek/deepseek-r1"}), "key_prefix_mismatch")
    assert [(f.severity, f.params["prefix"], f.params["provider"]) for f in found] == [
        ("warning", "sk-or-", "OpenRouter")]


def test_openrouter_key_on_deepseek_is_a_prefix_mismatch(tmp_path):
    found = of(scan(tmp_path, {"OPENAI_API_KEY": OR_KEY, "OPENAI_BASE_URL": "https://api.deepseek.com",
                               "R1_MODEL": "deepseek-reasoner"}), "key_prefix_mismatch")
    assert [(f.params["provider"], f.params["prefix"]) for f in found] == [("DeepSeek", "sk-")]


def test_provider_without_a_known_prefix_accepts_any_key(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": "8f14e45f-ceea-4e67-a1b2-3c4d5e6f7a8b", "OPENAI_BASE_URL": ARK})
    assert found == []


# --- base URLs -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "preset", "kind", "severity", "suggested"), [
    (f"{ARK}/chat/completions", "ark", "url_chat_completions_suffix", "error", ARK),
    (f"{ARK}/chat/completions/", "ark", "url_chat_completions_suffix", "error", ARK),
    (f"{ARK}/api/v3", "ark", "url_path_doubled", "error", ARK),
    ("https://api.siliconflow.cn/v1/v1", "siliconflow", "url_path_doubled", "error", "https://api.siliconflow.cn/v1"),
    ("https://ark.cn-beijing.volces.com", "ark", "url_path_missing", "error", ARK),
    ("https://openrouter.ai/api", "openrouter", "url_path_missing", "error", "https://openrouter.ai/api/v1"),
    ("http://localhost:11434", "ollama", "url_path_missing", "warning", "http://localhost:11434/v1"),
    (f" {ARK}\n", "ark", "url_trailing_space", "info", ARK),
    ("http://api.deepseek.com", "deepseek", "url_http_remote", "warning", "https://api.deepseek.com"),
    ("api.deepseek.com", "deepseek", "url_not_http", "error", "https://api.deepseek.com"),
    ("localhost:11434/v1", "ollama", "url_not_http", "error", "http://localhost:11434/v1"),
    ("htps://api.deepseek.com", "deepseek", "url_not_http", "error", "https://api.deepseek.com"),
    ("https:/api.deepseek.com", "deepseek", "url_not_http", "error", "https://api.deepseek.com"),
])
def test_base_url_mistake_is_named_with_the_fix(raw, preset, kind, severity, suggested):
    found = of(valuechecks.base_url_problems("OPENAI_BASE_URL", raw, BY_ID[preset]), kind)
    assert [(f.severity, f.params["suggested"]) for f in found] == [(severity, suggested)]
    assert found[0].params["request_url"] == OPENAI_COMPATIBLE.request_url(raw)


def test_doubled_chat_completions_is_shown_as_the_url_the_chat_would_call():
    (found,) = valuechecks.base_url_problems("OPENAI_BASE_URL", f"{ARK}/chat/completions", BY_ID["ark"])
    assert found.params["request_url"] == f"{ARK}/chat/completions/chat/completions"


def test_several_mistakes_share_one_suggestion_that_fixes_them_all():
    found = valuechecks.base_url_problems("OPENAI_BASE_URL", "http://api.siliconflow.cn/v1/v1/chat/completions ",
                                     BY_ID["siliconflow"])
    assert [f.kind for f in found] == ["url_trailing_space", "url_http_remote", "url_chat_completions_suffix",
                                       "url_path_doubled"]
    assert {f.params["suggested"] for f in found} == {"https://api.siliconflow.cn/v1"}


@pytest.mark.parametrize(("raw", "preset"), [
    (ARK, "ark"), ("https://api.deepseek.com", "deepseek"), ("https://api.deepseek.com/v1", "deepseek"),
    ("https://openrouter.ai/api/v1/", "openrouter"), ("http://localhost:11434/v1", "ollama"),
    ("http://192.168.1.20:8000/v1", "custom"), ("http://gpu-box.local:8000/v1", "custom"),
    ("http://vllm:8000/v1", "custom"), ("https://example.com/anything", None), ("", "ark"),
])
def test_good_base_urls_have_no_problems(raw, preset):
    assert valuechecks.base_url_problems("OPENAI_BASE_URL", raw, BY_ID.get(preset)) == []


def test_base_url_problems_are_found_in_the_configuration(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": "https://api.deepseek.com/chat/completions",
                            "R1_MODEL": "deepseek-reasoner"})
    assert [(f.kind, f.params["suggested"]) for f in found] == [
        ("url_chat_completions_suffix", "https://api.deepseek.com")]


@pytest.mark.parametrize("base_url", [
    ARK, f"{ARK}/", "https://api.deepseek.com", "https://openrouter.ai/api/v1//", f"{ARK}/chat/completions",
    "http://localhost:11434/v1", "https://example.com/v1?api-version=1",
])
def test_request_url_is_exactly_what_the_openai_sdk_posts_to(base_url):
    client = openai.OpenAI(api_key="k", base_url=base_url)
    assert OPENAI_COMPATIBLE.request_url(base_url) == str(client._prepare_url("/chat/completions"))


def test_request_url_ignores_surrounding_whitespace_like_the_app():
    assert OPENAI_COMPATIBLE.request_url(f"  {ARK} \n") == f"{ARK}/chat/completions"
    assert OPENAI_COMPATIBLE.request_url("  ") == ""


# --- models --------------------------------------------------------------------------------------------

def test_unlisted_model_suggests_the_closest_names():
    (found,) = valuechecks.model_problems("deepseek-r1", ["deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3",
                                                     "Qwen/QwQ-32B", "THUDM/glm-4-9b-chat"])
    assert (found.kind, found.setting, found.severity) == ("model_not_listed", "R1_MODEL", "warning")
    assert found.params["closest"].split(", ")[0] == "deepseek-ai/DeepSeek-R1"
    assert len(found.params["closest"].split(", ")) <= 3


def test_misspelt_model_suggests_the_right_one():
    (found,) = valuechecks.model_problems("deepseek-reasonr", ["deepseek-chat", "deepseek-reasoner"])
    assert found.params["suggested"] == "deepseek-reasoner"


@pytest.mark.parametrize(("model", "available"), [
    ("deepseek-reasoner", ["deepseek-chat", "deepseek-reasoner"]), ("anything", []), ("", ["a"])])
def test_listed_model_or_no_list_is_fine(model, available):
    assert valuechecks.model_problems(model, available) == []


# --- shared deployments, unreadable files, order -------------------------------------------------------

def test_a_shared_deployment_serving_its_own_key_is_warned(tmp_path):
    found = scan(tmp_path, secrets={"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK}, place=CLOUD)
    assert [(f.kind, f.severity, f.params.get("source")) for f in found] == [
        ("platform_key_public", "warning", "secrets"), ("admin_password_missing", "info", None)]


def test_with_an_admin_password_only_the_key_is_mentioned(tmp_path):
    found = scan(tmp_path, environ={"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK}, place=Place("server", True),
                 admin_password_set=True)
    assert [(f.kind, f.params["source"]) for f in found] == [("platform_key_public", "environ")]


@pytest.mark.parametrize(("place", "layer"), [(LOCAL, "secrets"), (CLOUD, "session")])
def test_own_machine_or_visitors_own_key_is_not_public(tmp_path, place, layer):
    found = scan(tmp_path, **{layer: {"OPENAI_API_KEY": SK, "OPENAI_BASE_URL": ARK}}, place=place)
    assert of(found, "platform_key_public") == []


def test_unreadable_env_file_is_reported(tmp_path):
    (tmp_path / ".env.local").write_bytes("OPENAI_API_KEY=密钥\n".encode("gbk"))
    found = scan(tmp_path)
    assert [(f.kind, f.params["file"], f.params["problem"]) for f in found] == [
        ("env_file_unreadable", ".env.local", "not UTF-8")]


def test_findings_come_errors_first_then_warnings_then_info(tmp_path):
    found = scan(tmp_path, {"OPENAI_API_KEY": SK2, "R1_MODEL": "deepseek-reasoner"},
                 environ={"OPENAI_API_KEY": f" {SK} ", "OPENAI_BASE_URL": "http://api.deepseek.com/v1/v1",
                          "R1_MODEL": "deepseek-r1"}, secrets={"R1_MODEL": "x"})
    ranks = [valuechecks.RANK[f.severity] for f in found]
    assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2}


# --- messages and secrecy ------------------------------------------------------------------------------

KINDS = {"shadowed_by_environ", "coze_token_unused", "workload_key_outside_sandbox", "token_whitespace",
         "token_quoted", "token_newline", "token_bom", "token_fullwidth", "token_bearer_prefix",
         "token_placeholder", "coze_pat_on_openai_route", "non_coze_key_on_coze", "key_prefix_mismatch",
         "url_chat_completions_suffix", "url_path_doubled", "url_path_missing", "url_trailing_space",
         "url_http_remote", "url_not_http", "model_not_listed", "platform_key_public",
         "admin_password_missing", "env_file_unreadable", "sandbox_key_prefix", "coze_token_not_pat", "key_held",
         "bad_int", "bad_float", "bad_choice", "bad_path", "bad_url", "bad_database", "database_unencoded",
         # the conversation database (core.conversations.probe), shown on Setup and by the doctor
         "database_unreachable", "database_auth", "database_missing", "database_version", "database_unusable"}
# How a server database fails, as psycopg says it (a failed connection carries no SQLSTATE).
DATABASE_FAULTS = (psycopg.OperationalError("connection to server failed: Connection refused"),
                   psycopg.OperationalError('FATAL:  password authentication failed for user "app"'),
                   psycopg.OperationalError('FATAL:  database "chats" does not exist'),
                   SchemaMismatch("written by a newer version"), RuntimeError("something else"))
SEEDED = [SK, SK2, PAT, OR_KEY, WORKLOAD]


def every_finding(tmp_path):
    """One finding of every kind, from configurations seeded with full tokens."""
    shared = scan(tmp_path / "a", {"OPENAI_API_KEY": SK2, "OPENAI_BASE_URL": ARK, "COZE_API_TOKEN": f"'{PAT}'"},
                  environ={"OPENAI_API_KEY": f"Bearer {SK}", "COZE_WORKLOAD_IDENTITY_API_KEY": f" {OR_KEY}"},
                  place=CLOUD, just_saved={"OPENAI_API_KEY": SK2})
    (tmp_path / "b" / ".env.local").write_bytes(b"\xff\xfe")
    (tmp_path / "c").mkdir()
    routes = scan(tmp_path / "b") + scan(tmp_path / "c", {"OPENAI_API_KEY": PAT, "OPENAI_BASE_URL": ARK})
    routes += scan(tmp_path / "d", {"OPENAI_API_KEY": WORKLOAD, "OPENAI_BASE_URL": "https://openrouter.ai/api/v1"})
    routes += scan(tmp_path / "d", environ={"OPENAI_API_KEY": SK, "COZE_INTEGRATION_MODEL_BASE_URL": COZE_URL,
                                            "COZE_API_TOKEN": OR_KEY, "OPENAI_BASE_URL": COZE_URL},
                   held=(Held("OPENAI_API_KEY", "OPENAI_BASE_URL", ARK, "https://collector.example"),))
    routes += scan(tmp_path / "e", environ={"R1_MAX_TOKENS": "abc", "R1_READ_TIMEOUT": "-5", "R1_ROUTE": "foo",
                                            "R1_DATA_DIR": "~no-such-user/x", "COZE_API_BASE": "api.coze.com"})
    # A database URL that is none, and one whose password's "@" and "/" were not percent-encoded.
    routes += scan(tmp_path / "d", environ={"R1_DATABASE_URL": f"postgres:{SK}"})
    routes += scan(tmp_path / "d", environ={"R1_DATABASE_URL": f"postgresql://app:p@{SK}/x@db.example/chats"})
    tokens = [f for raw in (f"\ufeff{SK}\n", f"{SK[:9]}\n{SK[9:]}", f"{SK[:9]}\u3000{SK[9:]} ", "sk-xxxx", f"“{PAT}”")
              for f in valuechecks.token_problems("OPENAI_API_KEY", raw)]
    urls = [f for raw in (f" http://api.x.com{ARK[-7:]}/api/v3/chat/completions", "api.deepseek.com",
                          "https://ark.cn-beijing.volces.com") for f in valuechecks.base_url_problems(
                              "OPENAI_BASE_URL", raw, BY_ID["ark"])]
    database = resolve(gather(tmp_path / "e", {"R1_DATABASE_URL": f"postgresql://app:{SK}@db.example:5432/chats"},
                              {}, {}))
    unusable = [probe.finding(database, exc) for exc in DATABASE_FAULTS]
    return (shared + routes + tokens + urls + unusable
            + valuechecks.model_problems("deepseek-r1", ["deepseek-ai/DeepSeek-R1"]))


@pytest.fixture
def dirs(tmp_path):
    for name in "abd":
        (tmp_path / name).mkdir()
    return tmp_path


def test_every_kind_is_produced_by_some_configuration(dirs):
    assert {f.kind for f in every_finding(dirs)} == KINDS


def test_messages_exist_for_every_kind(dirs):
    for finding in every_finding(dirs):
        for key in (f"check.{finding.kind}", f"check.{finding.kind}.fix"):
            for catalogue in (i18n.CATALOGUES[lang] for lang in i18n.LANGUAGES):
                assert key in catalogue
                assert i18n.placeholders(catalogue[key]) <= set(finding.params), key


def test_catalogues_cover_the_same_keys_with_the_same_placeholders():
    en, zh = ({k: v for k, v in i18n.CATALOGUES[lang].items() if k.startswith("check.")} for lang in ("en", "zh-CN"))
    assert set(en) == set(zh) == {f"check.{k}{suffix}" for k in KINDS for suffix in ("", ".fix")}
    for key, template in en.items():
        assert i18n.placeholders(template) == i18n.placeholders(zh[key]), key


def test_every_message_renders_in_the_merged_catalogues(dirs):
    for finding in every_finding(dirs):
        for lang in i18n.LANGUAGES:
            text = i18n.translate(lang, f"check.{finding.kind}.fix", **finding.params)
            assert "{" not in text.replace("${", ""), (lang, finding.kind)


def test_no_finding_ever_carries_a_full_token(dirs):
    text = repr(every_finding(dirs))
    assert not [token for token in SEEDED if token in text or token[3:] in text]


@pytest.mark.parametrize("url, kind", [
    ("postgresql://app:s3cr@t/w0rd@db.example/chats", "database_unencoded"),
    ("postgresql://app:s3cr@t@db.example/chats", "database_unencoded"),
    ("db.example:5432/chats", "bad_database"),
])
def test_a_database_url_that_cannot_be_used_as_written_is_an_error_with_its_fix(tmp_path, url, kind):
    found = of(scan(tmp_path, environ={"R1_DATABASE_URL": url}), kind)
    message, fix = checks.explain(found[0], i18n.translator("en"))
    assert found[0].severity == "error" and "SQLite" in message
    assert ("%40" in fix) == (kind == "database_unencoded") and "s3cr" not in message + fix


def test_a_database_that_fails_is_named_by_host_and_database_in_our_own_words(tmp_path):
    url = "postgresql://app:pw@db.example/chats"
    values = resolve(gather(tmp_path, {"R1_DATABASE_URL": url}, {}, {}))
    unreachable, _, missing = (probe.finding(values, exc) for exc in DATABASE_FAULTS[:3])
    zh = i18n.translator("zh-CN")
    assert "`db.example:5432`" in checks.explain(unreachable, zh)[0]
    assert "`chats`" in checks.explain(missing, zh)[0] and "does not exist" not in checks.explain(missing, zh)[0]
