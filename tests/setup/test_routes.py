"""Route detection and per-provider request options."""

import pytest

from core.chat.providers.openai_compatible import identify
from core.setup.routes import detect
from core.setup.settings import gather, resolve

SANDBOX = {"COZE_WORKLOAD_IDENTITY_API_KEY": "wi-token-abcdef123456",
           "COZE_INTEGRATION_MODEL_BASE_URL": "https://integration.coze.cn/api/v3"}
OPENAI_VARS = {"OPENAI_API_KEY": "sk-test-abcdef123456", "OPENAI_BASE_URL": "https://api.deepseek.com"}


def detection(tmp_path, environ):
    return detect(resolve(gather(tmp_path, environ)))


def test_sandbox_variables_select_the_sandbox_route(tmp_path):
    d = detection(tmp_path, SANDBOX)
    assert d.route == "coze-sandbox"
    assert d.endpoint.api_key == SANDBOX["COZE_WORKLOAD_IDENTITY_API_KEY"]
    assert d.endpoint.send_thinking and d.endpoint.include_usage


def test_sandbox_needs_no_coze_api_token(tmp_path):
    assert detection(tmp_path, SANDBOX).missing == ()


def test_sandbox_wins_auto_detection_over_openai_vars(tmp_path):
    assert detection(tmp_path, {**SANDBOX, **OPENAI_VARS}).route == "coze-sandbox"


def test_explicit_route_beats_auto_detection(tmp_path):
    d = detection(tmp_path, {**SANDBOX, **OPENAI_VARS, "R1_ROUTE": "openai"})
    assert (d.route, d.explicit, d.endpoint.provider) == ("openai", True, "deepseek")


def test_explicit_route_reports_what_it_misses(tmp_path):
    d = detection(tmp_path, {**OPENAI_VARS, "R1_ROUTE": "coze-sandbox"})
    assert d.endpoint is None
    assert d.missing == ("COZE_WORKLOAD_IDENTITY_API_KEY", "COZE_INTEGRATION_MODEL_BASE_URL")


def test_nothing_configured_names_the_openai_variables(tmp_path):
    d = detection(tmp_path, {})
    assert (d.route, d.endpoint) == (None, None)
    assert d.missing == ("OPENAI_API_KEY", "OPENAI_BASE_URL")


def test_local_server_needs_no_key(tmp_path):
    d = detection(tmp_path, {"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"})
    assert d.endpoint.provider == "local"


def test_remote_base_url_without_key_is_missing_the_key(tmp_path):
    d = detection(tmp_path, {"OPENAI_BASE_URL": "https://api.deepseek.com"})
    assert d.missing == ("OPENAI_API_KEY",)


@pytest.mark.parametrize(("url", "provider", "thinking"), [
    ("https://ark.cn-beijing.volces.com/api/v3", "ark", True),
    ("https://api.deepseek.com", "deepseek", False),
    ("https://openrouter.ai/api/v1", "openrouter", False),
    ("https://api.siliconflow.cn/v1", "siliconflow", False),
    ("http://localhost:8000/v1", "local", False),
    ("https://example.org/v1", "custom", False),
])
def test_provider_is_identified_from_the_host(url, provider, thinking):
    assert identify(url)[:2] == (provider, thinking)


def test_temperature_is_not_offered_for_deepseek_reasoner(tmp_path):
    d = detection(tmp_path, {**OPENAI_VARS, "R1_MODEL": "deepseek-reasoner"})
    assert not d.endpoint.honours_temperature


BOT = {"COZE_API_TOKEN": "pat_" + "x" * 20, "COZE_BOT_ID": "7400000000000000001"}


def test_coze_token_and_bot_select_the_coze_bot_route(tmp_path):
    d = detection(tmp_path, BOT)
    assert (d.route, d.endpoint.bot_id, d.endpoint.base_url) == ("coze-bot", BOT["COZE_BOT_ID"],
                                                                 "https://api.coze.cn")


def test_coze_token_without_a_bot_names_the_missing_bot_id(tmp_path):
    d = detection(tmp_path, {"COZE_API_TOKEN": BOT["COZE_API_TOKEN"]})
    assert (d.route, d.missing) == ("coze-bot", ("COZE_BOT_ID",))


def test_sandbox_still_wins_over_a_coze_bot(tmp_path):
    assert detection(tmp_path, {**SANDBOX, **BOT}).route == "coze-sandbox"


def test_complete_openai_route_wins_over_a_half_set_coze_bot(tmp_path):
    d = detection(tmp_path, {**OPENAI_VARS, "COZE_API_TOKEN": BOT["COZE_API_TOKEN"]})
    assert d.route == "openai"


def test_coze_api_base_points_the_bot_route_elsewhere(tmp_path):
    d = detection(tmp_path, {**BOT, "COZE_API_BASE": "https://api.coze.com"})
    assert d.endpoint.base_url == "https://api.coze.com"


def test_endpoint_repr_shows_no_key(tmp_path):
    token = "sk-" + "0123456789abcdef" * 2  # built at run time: no token-shaped literal in the repo
    d = detection(tmp_path, {"OPENAI_API_KEY": token, "OPENAI_BASE_URL": "https://api.deepseek.com"})
    assert token not in repr(d.endpoint) and token not in repr(d)
    assert "api.deepseek.com" in repr(d.endpoint)


def test_an_unparseable_base_url_is_a_custom_provider_not_a_crash(tmp_path):
    d = detection(tmp_path, {"OPENAI_API_KEY": "sk-test-abcdef123456", "OPENAI_BASE_URL": "http://[::1"})
    assert (d.endpoint.base_url, d.endpoint.provider) == ("http://[::1", "custom")
