"""A question the page gave back stays with its conversation, the sidebar's panels keep their
state across a language switch, and a refresh keeps the language — in a real browser, as a person clicks.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_drafts_browser.py -q
(screenshots land in tests/e2e/artifacts/drafts_*.png)
"""

from __future__ import annotations

import pytest
from fake_upstream import hold_answer, reply
from steps import ALERT, ASSISTANT, CHAT_INPUT, LIVE, SIDEBAR, STOP, expect, send, shoot, wait_idle

pytestmark = pytest.mark.e2e

WORDS = {
    "en-US": {"busy": "still answering in this conversation", "new": "New chat", "settings": "Reply settings",
              "system": "System prompt", "other": "中文", "other_settings": "回复设置", "other_system": "系统提示词"},
    "zh-CN": {"busy": "仍在回答本对话", "new": "新对话", "settings": "回复设置", "system": "系统提示词",
              "other": "English", "other_settings": "Reply settings", "other_system": "System prompt"},
}
LANG = f'{SIDEBAR} .st-key-lang_choice{LIVE} [role="radiogroup"]'


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_refused_draft_stays_with_its_conversation(new_page, upstream, locale, artifacts):
    page, words, ex = new_page(locale), WORDS[locale], expect()
    script = reply("Weighing it up. " * 3, "Done.")
    gate = hold_answer(script)
    upstream.push(script)
    try:
        send(page, "first question")
        ex(page.locator(STOP)).to_be_visible()
        first_url = page.url
        draft = "a follow-up typed while it thinks"
        send(page, draft)
        box, notice = page.locator(CHAT_INPUT), page.locator(f"{ALERT}{LIVE}").filter(has_text=words["busy"])
        ex(notice).to_be_visible()
        ex(box).to_have_value(draft)
        shoot(page, artifacts / f"drafts_refused_{locale}.png")

        page.locator(SIDEBAR).get_by_role("button", name=words["new"]).click()
        ex(box).to_have_value("")  # not carried into a new chat, where Enter would send it
        ex(notice).to_have_count(0)
        shoot(page, artifacts / f"drafts_new_chat_{locale}.png")

        page.locator(SIDEBAR).locator('[class*="st-key-conv_"] button').first.click()
        ex(page).to_have_url(first_url)
        ex(box).to_have_value(draft)  # back with its conversation, and why it is there
        ex(notice).to_be_visible()
    finally:
        gate.set()
    ex(page.locator(ASSISTANT).last).to_contain_text("Done.")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_language_switch_keeps_reply_settings_open(new_page, locale):
    page, words, ex = new_page(locale), WORDS[locale], expect()
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text(words["settings"]).click()
    sidebar.get_by_label(words["system"]).fill("Be brief.")
    page.locator(LANG).get_by_role("radio", name=words["other"], exact=True).click()
    ex(sidebar.get_by_text(words["other_settings"])).to_be_visible()
    ex(sidebar.get_by_label(words["other_system"])).to_have_value("Be brief.")  # still open, text kept
    wait_idle(page)
    back = "English" if locale == "en-US" else "中文"
    page.locator(LANG).get_by_role("radio", name=back, exact=True).click()
    ex(sidebar.get_by_label(words["system"])).to_have_value("Be brief.")  # and back again
    wait_idle(page)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_refresh_keeps_the_language_chosen(new_page, locale):
    page, words, ex = new_page(locale), WORDS[locale], expect()
    page.locator(LANG).get_by_role("radio", name=words["other"], exact=True).click()
    ex(page.locator(SIDEBAR).get_by_text(words["other_settings"])).to_be_visible()
    wait_idle(page)
    page.reload()
    ex(page.locator(SIDEBAR).get_by_text(words["other_settings"])).to_be_visible()  # not the browser's language
    ex(page.locator(LANG).get_by_role("radio", name=words["other"], exact=True)).to_have_attribute(
        "aria-checked", "true")
