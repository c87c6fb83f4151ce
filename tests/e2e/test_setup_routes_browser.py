"""Setup walked as a person walks it, one route at a time: click a field, type, click the next one,
click Save — never Enter first — then chat. And a key configured on the server never reaches a host
a visitor typed.

Each test serves its own copy of the app (``copy_server``), so Save writes that copy's `.env.local`.
"""

from __future__ import annotations

import stat

import pytest
from dotenv import dotenv_values
from fake_coze import BOT_ID, TOKEN, FakeCoze
from fake_coze import reply as coze_reply
from fake_upstream import FakeUpstream
from steps import (
    ALERT,
    ASSISTANT,
    MAIN,
    NAV_LINK,
    SIDEBAR,
    choose_option,
    expect,
    leaks,
    send,
    shoot,
    type_in,
    wait_for_run,
    wait_idle,
)

pytestmark = pytest.mark.e2e

KEY = "sk-e2e-routes-" + "4d7a" * 5
WRONG_KEY = "sk-e2e-wrong-" + "9c0b" * 5
SANDBOX_KEY = "wi-e2e-sandbox-" + "5e1f" * 5
PROXIED = {"X-Forwarded-For": "203.0.113.7"}  # a visitor reaching the server through a reverse proxy



def main(page):
    return page.locator(MAIN)


def go_to(page, title: str) -> None:
    """Click a page in the sidebar navigation and wait until it has drawn."""
    page.locator(SIDEBAR).locator(NAV_LINK).filter(has_text=title).click()
    wait_for_run(page)


def click_button(page, name: str) -> None:
    main(page).get_by_role("button", name=name, exact=True).click()
    wait_for_run(page)


def saved_file(app_copy) -> dict:
    """The copy's `.env.local`, after checking it is private to its owner."""
    env_file = app_copy / ".env.local"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600, oct(env_file.stat().st_mode)
    return dotenv_values(env_file)


def chat_answers(page, question: str, answer_text: str) -> None:
    """Send ``question`` on the Chat page and wait for a streamed answer containing ``answer_text``."""
    send(page, question)
    expect()(page.locator(ASSISTANT).last).to_contain_text(answer_text)
    wait_idle(page)


def test_openai_route_first_run_in_chinese(copy_server, open_page, keyed_upstream, app_copy, artifacts):
    page = open_page(copy_server(), "zh-CN")
    ex = expect()
    choose_option(page, "线路或服务商", "自定义 OpenAI 兼容服务")
    type_in(page, "API 密钥", KEY)  # pasted
    type_in(page, "基础 URL", keyed_upstream.base_url)
    type_in(page, "模型", "deepseek-r1-250528")
    click_button(page, "保存")  # straight from the last field: no Enter anywhere

    saved = main(page).locator(ALERT).filter(has_text="已保存到")
    ex(saved).to_contain_text("OPENAI_API_KEY")
    ex(saved).to_contain_text(KEY[-4:])
    assert saved_file(app_copy) == {"OPENAI_BASE_URL": keyed_upstream.base_url, "R1_MODEL": "deepseek-r1-250528",
                                    "OPENAI_API_KEY": KEY}
    ex(main(page).get_by_label("API 密钥", exact=True)).to_have_value("")
    shoot(page, artifacts / "setup_routes_openai_saved_zh.png")
    assert not leaks(page, KEY)

    go_to(page, "对话")
    chat_answers(page, "你好", "You said: 你好")
    assert keyed_upstream.requests[-1]["headers"]["authorization"] == f"Bearer {KEY}"


def test_coze_bot_route_first_run(copy_server, open_page, app_copy, artifacts):
    with FakeCoze() as coze:
        page = open_page(copy_server(), "en-US")
        choose_option(page, "Route or provider", "Coze bot (personal access token)")
        type_in(page, "Coze personal access token (pat_…)", TOKEN)
        type_in(page, "Coze API base", coze.url)
        type_in(page, "Bot ID (published as API)", BOT_ID)
        click_button(page, "Save")

        expect()(main(page).locator(ALERT).filter(has_text="Saved to")).to_contain_text("COZE_API_TOKEN")
        assert saved_file(app_copy) == {"COZE_API_BASE": coze.url, "COZE_BOT_ID": BOT_ID, "COZE_API_TOKEN": TOKEN}
        expect()(main(page).locator(ALERT).filter(has_text="errors below")).to_have_count(0)
        shoot(page, artifacts / "setup_routes_coze_saved_en.png")

        go_to(page, "Chat")
        coze.push(coze_reply("Thinking it over.", "Forty-two."))
        chat_answers(page, "What is the answer?", "Forty-two.")
        assert coze.requests[-1]["headers"]["authorization"] == f"Bearer {TOKEN}"
        assert not leaks(page, TOKEN)


def test_sandbox_route_saves_the_model_it_shows(copy_server, open_page, upstream, app_copy, artifacts):
    url = copy_server(COZE_WORKLOAD_IDENTITY_API_KEY=SANDBOX_KEY, COZE_INTEGRATION_MODEL_BASE_URL=upstream.base_url)
    page = open_page(url, "en-US")
    go_to(page, "Setup")
    expect()(main(page).get_by_role("combobox", name="Route or provider")).to_have_value(
        "Coze sandbox (nothing to set)")
    type_in(page, "Model", "deepseek-r1-250120")
    click_button(page, "Save")

    expect()(main(page).locator(ALERT).filter(has_text="Saved to")).to_contain_text("R1_MODEL")
    assert saved_file(app_copy) == {"R1_MODEL": "deepseek-r1-250120"}
    go_to(page, "Chat")
    chat_answers(page, "hello sandbox", "You said: hello sandbox")
    assert upstream.requests[-1]["json"]["model"] == "deepseek-r1-250120"


def test_failed_verify_then_the_right_key_then_save(copy_server, open_page, keyed_upstream, app_copy, artifacts):
    page = open_page(copy_server(), "en-US")
    ex = expect()
    choose_option(page, "Route or provider", "Custom OpenAI-compatible")
    type_in(page, "API key", WRONG_KEY)
    type_in(page, "Base URL", keyed_upstream.base_url)
    click_button(page, "Verify")
    ex(main(page).locator('[data-testid="stExpander"]').filter(has_text="Verification failed")).to_be_visible()

    type_in(page, "API key", KEY)  # the right key, pasted over the rejected one
    click_button(page, "Save")
    ex(main(page).locator(ALERT).filter(has_text="Saved to")).to_contain_text(KEY[-4:])
    assert saved_file(app_copy)["OPENAI_API_KEY"] == KEY
    # The failed checklist was about the rejected key; it no longer stands beside the saved one.
    ex(main(page).get_by_text("Verification failed")).to_have_count(0)
    shoot(page, artifacts / "setup_routes_fixed_key_en.png")
    go_to(page, "Chat")
    chat_answers(page, "works now?", "You said: works now?")


def test_a_visitor_cannot_send_the_servers_key_to_their_host(copy_server, open_page, keyed_upstream, artifacts):
    url = copy_server(OPENAI_API_KEY=KEY, OPENAI_BASE_URL=keyed_upstream.base_url)
    with FakeUpstream() as theirs:
        page = open_page(url, "en-US", extra_http_headers=PROXIED)
        go_to(page, "Setup")
        expect()(main(page)).to_contain_text("reachable by others")  # the proxy made this a shared deployment
        choose_option(page, "Route or provider", "Custom OpenAI-compatible")
        type_in(page, "Base URL", theirs.base_url)  # the key field left blank: "keep" the server's key
        click_button(page, "Verify")
        expect()(main(page)).to_contain_text("is only sent to")
        click_button(page, "Save")
        expect()(main(page).locator(ALERT).filter(has_text="Not saved")).to_be_visible()
        shoot(page, artifacts / "setup_routes_key_held_en.png")
        go_to(page, "Chat")
        chat_answers(page, "still the server's route?", "You said: still the server's route?")
        assert theirs.carrying(KEY) == 0, "the server's key reached the visitor's host"
        assert keyed_upstream.carrying(KEY) > 0


def test_a_visitor_cannot_send_the_servers_coze_token_to_their_host(copy_server, open_page, artifacts):
    with FakeCoze() as coze, FakeCoze() as theirs:
        url = copy_server(COZE_API_TOKEN=TOKEN, COZE_BOT_ID=BOT_ID, COZE_API_BASE=coze.url)
        page = open_page(url, "en-US", extra_http_headers=PROXIED)
        go_to(page, "Setup")
        expect()(main(page).get_by_role("combobox", name="Route or provider")).to_have_value(
            "Coze bot (personal access token)")
        type_in(page, "Coze API base", theirs.url)
        click_button(page, "Verify")
        click_button(page, "Save")
        expect()(main(page).locator(ALERT).filter(has_text="Not saved")).to_be_visible()
        go_to(page, "Chat")
        coze.push(coze_reply("Hmm.", "Served by the server's bot."))
        chat_answers(page, "who answers?", "Served by the server's bot.")
        assert theirs.carrying(TOKEN) == 0, "the server's Coze token reached the visitor's host"
        assert coze.carrying(TOKEN) > 0


def test_a_provider_chosen_beside_a_coze_bot_keeps_its_url_and_is_the_one_that_chats(
        copy_server, open_page, keyed_upstream, app_copy, artifacts):
    with FakeCoze() as coze:
        url = copy_server(COZE_API_TOKEN=TOKEN, COZE_BOT_ID=BOT_ID, COZE_API_BASE=coze.url,
                          OPENAI_API_KEY=KEY, OPENAI_BASE_URL=keyed_upstream.base_url)
        page = open_page(url, "en-US")
        go_to(page, "Setup")
        choose_option(page, "Route or provider", "Custom OpenAI-compatible")
        # The configured base URL is found again, not emptied by the switch away from the bot.
        expect()(main(page).get_by_label("Base URL", exact=True)).to_have_value(keyed_upstream.base_url)
        click_button(page, "Save")
        expect()(main(page).locator(ALERT).filter(has_text="Saved to")).to_contain_text("R1_ROUTE")
        assert saved_file(app_copy)["R1_ROUTE"] == "openai"
        shoot(page, artifacts / "setup_routes_custom_beside_bot_en.png")
        go_to(page, "Chat")
        chat_answers(page, "which route?", "You said: which route?")
        assert not [r for r in coze.requests if r["path"].startswith("/v3/chat")]
