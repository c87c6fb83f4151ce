"""core.setup.presets: the wizard's provider table is consistent, and preset_for() maps a base URL to its preset."""

import pytest

from core.chat import providers
from core.setup.presets import BY_ID, COZE_PAT_PREFIXES, PRESETS, PROVIDER_PRESET, preset_for


@pytest.mark.parametrize(("base_url", "preset_id"), [
    ("https://ark.cn-beijing.volces.com/api/v3", "ark"),
    ("https://api.deepseek.com", "deepseek"),
    ("https://api.deepseek.com/v1", "deepseek"),
    ("https://openrouter.ai/api/v1", "openrouter"),
    ("https://api.siliconflow.cn/v1", "siliconflow"),
    ("https://api.siliconflow.com/v1", "siliconflow"),
    ("https://integration.coze.cn/api/v3", "coze-sandbox"),
    ("http://localhost:11434/v1", "ollama"),
    ("http://127.0.0.1:11434", "ollama"),
    ("http://[::1]:11434/v1", "ollama"),
    ("http://localhost:8000/v1", "custom"),  # vLLM / LM Studio: no path implied
    ("http://localhost/v1", "custom"),
    ("https://gateway.example.com/v1", "custom"),
    ("", "custom"),
    ("  https://api.deepseek.com \n", "deepseek"),
])
def test_a_base_url_maps_to_the_preset_of_its_provider(base_url, preset_id):
    assert preset_for(base_url).id == preset_id


@pytest.mark.parametrize("preset", [p for p in PRESETS if p.route != "coze-bot" and p.base_url],
                         ids=lambda p: p.id)
def test_every_presets_own_base_url_maps_back_to_it(preset):
    assert preset_for(preset.base_url) is preset


def test_ids_are_unique_and_by_id_finds_every_preset():
    assert len(BY_ID) == len(PRESETS)
    assert all(BY_ID[p.id] is p for p in PRESETS)


def test_every_preset_names_a_known_route():
    assert {p.route for p in PRESETS} <= set(providers.ROUTES)


@pytest.mark.parametrize("preset", [p for p in PRESETS if p.path], ids=lambda p: p.id)
def test_a_presets_base_url_ends_with_the_path_it_requires(preset):
    assert preset.base_url.endswith(preset.path)


def test_every_provider_maps_to_an_existing_preset():
    assert set(PROVIDER_PRESET.values()) <= set(BY_ID)


@pytest.mark.parametrize(("preset_id", "prefix"), [
    ("deepseek", "sk-"), ("siliconflow", "sk-"), ("openrouter", "sk-or-"), ("coze-bot", "pat_"),
    ("ark", ""), ("ollama", ""), ("custom", ""), ("coze-sandbox", ""),
])
def test_key_prefixes_are_known_only_where_the_provider_documents_one(preset_id, prefix):
    assert BY_ID[preset_id].key_prefix == prefix


def test_the_coze_bot_prefix_is_a_coze_access_token_prefix():
    assert BY_ID["coze-bot"].key_prefix in COZE_PAT_PREFIXES


def test_only_a_local_ollama_needs_no_key():
    assert [p.id for p in PRESETS if not p.needs_key] == ["ollama"]


def test_coze_routes_do_not_list_models_and_the_openai_compatible_ones_do():
    assert {p.id for p in PRESETS if not providers.of(p.route).lists_models} == {"coze-sandbox", "coze-bot"}


def test_the_custom_preset_leaves_the_base_url_to_the_user():
    custom = BY_ID["custom"]
    assert (custom.base_url, custom.path, custom.key_prefix, custom.route) == ("", "", "", "openai")


def test_every_hosted_preset_is_https_and_says_where_to_get_a_key():
    for p in PRESETS:
        if p.base_url and p.id != "ollama":
            assert p.base_url.startswith("https://"), p.id
        if p.id != "custom":
            assert p.key_url.startswith("https://"), p.id
