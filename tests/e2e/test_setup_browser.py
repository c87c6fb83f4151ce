"""First run in a real browser: no configuration → Setup → Verify → Save → Chat.

The app runs from a copy in tmp (see the ``app_copy`` / ``first_run_server`` fixtures), so Save
writes that copy's `.env.local` and `.gitignore`, never the developer's.

Run: .venv/bin/python -m pytest tests/e2e -q   (screenshots land in tests/e2e/artifacts/)
"""

from __future__ import annotations

import re
import stat

import pytest
from dotenv import dotenv_values
from steps import (
    ALERT,
    ASSISTANT,
    CAPTION,
    LIVE,
    MAIN,
    MODEL,
    NAV_LINK,
    SIDEBAR,
    THINKING_LABEL,
    choose_option,
    expect,
    leaks,
    send,
    settle,
    shoot,
    wait_for_run,
    wait_idle,
)

pytestmark = pytest.mark.e2e

KEY = "sk-e2e-setup-7f3a9c1d5b2e4f60"
WRONG_KEY = "sk-e2e-wrong-00aa11bb22cc33dd"

STATUS = f'[data-testid="stExpander"]{LIVE}'  # st.status renders as an expander (the live copy)
DATAFRAME = '[data-testid="stDataFrame"]'



def main(page):
    return page.locator(MAIN)


def choose_preset(page, label: str, name: str) -> None:
    """Open the "Route or provider" selectbox and pick ``name``."""
    choose_option(page, label, name)


def type_into(page, label: str, text: str) -> None:
    """Replace a text input's value and commit it with Enter, as a user would."""
    field = main(page).get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
    wait_for_run(page)
    expect()(field).to_have_value(text)


def fill_wizard(page, *, preset_label, preset, token_label, url_label, key: str, base_url: str) -> None:
    choose_preset(page, preset_label, preset)
    expect()(main(page).get_by_label(url_label, exact=True)).to_have_value("")  # the custom preset's
    type_into(page, token_label, key)
    type_into(page, url_label, base_url)
    # The caption under Base URL shows the URL the chat will POST to: the reruns have landed.
    expect()(main(page)).to_contain_text(base_url + "/chat/completions")
    expect()(main(page).get_by_label(token_label, exact=True)).to_have_value(key)


def start_first_run(page, title: str, not_ready: str, save: str) -> None:
    """No configuration: the app opened on Setup and says so; waits until the page is fully drawn."""
    ex = expect()
    ex(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    ex(main(page).locator(ALERT).filter(has_text=not_ready)).to_be_visible()
    ex(main(page).get_by_role("button", name=save, exact=True)).to_be_attached()  # the page's last widget
    ex(main(page).locator(DATAFRAME)).to_be_visible()
    page.wait_for_timeout(300)  # let the grid draw its canvas


def dataframe_row(page, variable: str, showing: str) -> list[str]:
    """The cells of one row of the settings table, once the row shows `showing`. The grid draws on a
    canvas; glide-data-grid keeps a hidden copy of the visible cells as a <table> in the DOM, which is
    what is read here. That copy is refreshed after the rerun's other elements (CI once read the row
    from before Save right beside the new "Ready to chat" alert), so the row is awaited, not read once."""
    grid = main(page).locator(DATAFRAME)
    cell = page.locator('td[role="gridcell"]', has_text=re.compile(rf"^{re.escape(variable)}$"))
    row = grid.locator('tr[role="row"]').filter(has=cell)
    expect()(row).to_have_count(1)
    expect()(row).to_contain_text(showing)
    return [c.strip() for c in row.locator('td[role="gridcell"]').all_text_contents()]


def test_first_run_setup_verify_save_then_chat(new_setup_page, keyed_upstream, app_copy, artifacts):
    page = new_setup_page("en-US")
    ex = expect()

    # Nothing configured: the router lands on Setup, which says so.
    start_first_run(page, "Setup", "Not configured yet", "Save")
    shoot(page, artifacts / "setup_first_run_en.png")

    # The wizard: custom provider, the key, the fake's base URL; the model stays as filled in.
    fill_wizard(page, preset_label="Route or provider", preset="Custom OpenAI-compatible", token_label="API key",
                url_label="Base URL",
                key=KEY, base_url=keyed_upstream.base_url)
    ex(main(page).get_by_label("API key", exact=True)).to_have_attribute("type", "password")
    ex(main(page).get_by_label("Model", exact=True)).to_have_value(MODEL)

    # Verify: the checklist runs for real against the fake and ends verified.
    main(page).get_by_role("button", name="Verify").click()
    status = main(page).locator(STATUS).filter(has_text="Verified:")
    ex(status.locator("summary")).to_contain_text(f"Verified: {keyed_upstream.base_url} answers with {MODEL}")
    ex(status).not_to_contain_text("Verification failed")
    settle(status)
    shoot(page, artifacts / "setup_verified_en.png")
    chats = [r for r in keyed_upstream.requests if r["path"].endswith("/chat/completions")]
    assert chats and all(r["headers"]["authorization"] == f"Bearer {KEY}" for r in chats)

    # Save: into the copy's .env.local, private, and git-ignored.
    main(page).get_by_role("button", name="Save").click()
    saved = main(page).locator(ALERT).filter(has_text="Saved to")
    ex(saved).to_contain_text(".env.local")
    ex(saved).to_contain_text(str(app_copy / ".env.local"))
    env_file = app_copy / ".env.local"
    assert env_file.is_file()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600, oct(env_file.stat().st_mode)
    assert dotenv_values(env_file) == {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": keyed_upstream.base_url,
                                       "R1_MODEL": MODEL}
    gitignore = app_copy / ".gitignore"
    assert gitignore.is_file(), "Save in a git repo must git-ignore .env.local"
    assert ".env.local" in gitignore.read_text(encoding="utf-8").splitlines()
    ex(main(page)).to_contain_text("Added .env.local to .gitignore")

    # The table now reads the key from .env.local, masked; the full key is nowhere in the page.
    ex(main(page).locator(ALERT).filter(has_text="Ready to chat")).to_be_visible()
    row = dataframe_row(page, "OPENAI_API_KEY", showing=".env.local")
    assert ".env.local" in row, row
    assert any("…" in cell and cell.endswith(KEY[-4:]) for cell in row), row
    ex(main(page).locator(DATAFRAME)).to_be_visible()
    page.wait_for_timeout(300)  # let the grid finish drawing before the shot
    shoot(page, artifacts / "setup_saved_en.png")
    found = leaks(page, KEY, except_field="API key")
    assert not found, f"the full key is in the page's DOM: {found}"
    # Once saved, the key field should be empty again, its placeholder offering to keep the saved key.
    kept_in_field = main(page).get_by_label("API key", exact=True).input_value() == KEY

    # Chat, through the sidebar navigation: the saved route answers.
    page.locator(SIDEBAR).locator(NAV_LINK).filter(has_text="Chat").click()
    ex(page.locator('[data-testid="stChatInputTextArea"]')).to_be_enabled()
    send(page, "Hello after setup")
    assistant = page.locator(ASSISTANT).last
    ex(assistant.locator(THINKING_LABEL)).to_have_text(re.compile(r"Thought for \d+(\.\d+)? s"))
    ex(assistant).to_contain_text("You said: Hello after setup")
    ex(assistant.locator(CAPTION).last).to_contain_text(MODEL)
    wait_idle(page)
    # Right after the run ends the answer is sometimes painted as an empty grey box for a frame or two.
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(400)
    shoot(page, artifacts / "chat_after_setup_en.png")
    assert not leaks(page, KEY), f"the full key is in the page's DOM: {leaks(page, KEY)}"
    last = [r for r in keyed_upstream.requests if r["path"].endswith("/chat/completions")][-1]
    assert last["headers"]["authorization"] == f"Bearer {KEY}"
    assert last["json"]["messages"][-1]["content"] == "Hello after setup"
    assert not kept_in_field, "after Save the 'API key' field must be empty (the key leaves the DOM)"


def test_bad_token_is_named_on_the_page(new_setup_page, keyed_upstream, app_copy, artifacts):
    page = new_setup_page("zh-CN")
    ex = expect()

    start_first_run(page, "配置", "尚未配置", "保存")
    fill_wizard(page, preset_label="线路或服务商", preset="自定义 OpenAI 兼容服务", token_label="API 密钥",
                url_label="基础 URL",
                key=WRONG_KEY, base_url=keyed_upstream.base_url)

    main(page).get_by_role("button", name="验证").click()
    status = main(page).locator(STATUS).filter(has_text="验证未通过")
    ex(status.locator("summary")).to_contain_text("验证未通过")
    chats = [r for r in keyed_upstream.requests if r["path"].endswith("/chat/completions")]
    assert chats and chats[-1]["headers"]["authorization"] == f"Bearer {WRONG_KEY}"
    # A failed checklist should stay open, showing why. If it collapsed, open it as a user would.
    details = status.locator("details")
    wait_for_run(page)
    settle(status)
    collapsed = details.get_attribute("open") is None
    if collapsed:
        status.locator("summary").click()
        ex(details).to_have_attribute("open", "")
        settle(status)
    # The failed step names the 401 in Chinese, and the variable to fix.
    named = status.get_by_text(re.compile(r"401.*令牌")).first
    ex(named).to_be_visible()
    ex(status.get_by_text("OPENAI_API_KEY").first).to_be_visible()
    ex(status).to_contain_text("请在配置页检查 OPENAI_API_KEY")
    shoot(page, artifacts / "setup_bad_token_zh.png")

    # The rejected key is still in its field, for the user to fix; nowhere else on the page.
    found = leaks(page, WRONG_KEY, except_field="API 密钥")
    assert not found, f"the full key is in the page's DOM: {found}"
    assert not (app_copy / ".env.local").exists(), "Verify alone must not write anything"
    assert not collapsed, "a failed Verify checklist must stay open, showing the 401"
