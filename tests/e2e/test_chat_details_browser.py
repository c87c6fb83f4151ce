"""The chat page's details in a real browser (issue 10.8): one-click Copy answer puts the answer's
Markdown on the clipboard (on localhost and on a plain-http LAN-style address), questions show
verbatim, a refused import says why on the page, the reply settings survive a visit to Setup, and a
conversation with a failed turn and a Coze bot reply looks right.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_chat_details_browser.py -q
(screenshots land in tests/e2e/artifacts/details_*.png)
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from fake_upstream import reply
from steps import (
    ALERT,
    ASSISTANT,
    CAPTION,
    LIVE,
    MESSAGE,
    NAV_LINK,
    SIDEBAR,
    expect,
    send,
    shoot,
    wait_for_run,
    wait_idle,
)

pytestmark = pytest.mark.e2e

ANSWER = "Use **`sorted`**:\n\n```python\nsorted(xs, key=len)\n```\n\nIt costs $O(n \\log n)$."
COPY = '[class*="st-key-copy_"] button'  # the Copy answer component's own button (in its shadow root)
DIALOG = '[role="dialog"]:not([data-testid="stPopoverBody"])'
USER = '[data-testid="stChatMessage"]:has([data-testid="stChatMessageAvatarUser"])'
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
LAN_NAME = "r1-chat.lan"  # resolved to 127.0.0.1 by the browser: an origin that is no secure context
BOT_ID = "7400000000000000001"


def clipboard(context, url: str) -> str:
    """What the browser's clipboard holds, read from a page of ``url``'s (a secure origin)."""
    reader = context.new_page()
    reader.goto(url + "/_stcore/health")
    try:
        return reader.evaluate("navigator.clipboard.readText()")
    finally:
        reader.close()


def put_on_clipboard(context, url: str, text: str) -> None:
    writer = context.new_page()
    writer.goto(url + "/_stcore/health")
    writer.evaluate("text => navigator.clipboard.writeText(text)", text)
    writer.close()


def copy_once(context, app_url: str, page_url: str, upstream) -> None:
    """Ask on ``page_url``, click Copy answer once, and check the clipboard holds the answer's Markdown."""
    page = context.new_page()
    page.goto(page_url)
    upstream.push(reply("Thinking about sorting.", ANSWER))
    send(page, "How do I sort by length?")
    ex = expect()
    copy = page.locator(ASSISTANT).last.locator(COPY)
    ex(copy).to_have_accessible_name("Copy answer")
    wait_idle(page)
    put_on_clipboard(context, app_url, "stale")
    copy.click()
    ex(copy).to_have_accessible_name("Copied")
    assert clipboard(context, app_url) == ANSWER  # the Markdown as stored, without the thinking
    page.close()


def test_copy_answer_is_one_click_on_localhost(browser, app_server, upstream):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        assert urlsplit(app_server).hostname == "127.0.0.1"  # loopback: a secure context
        copy_once(context, app_server, app_server, upstream)
    finally:
        context.close()


def test_copy_answer_is_one_click_on_a_plain_http_lan_address(browser, app_server, upstream):
    """On http://<LAN address> browsers offer no navigator.clipboard; the copy still works."""
    lan = browser.browser_type.launch(executable_path="/usr/bin/chromium", headless=True,
                                      args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {LAN_NAME} 127.0.0.1"])
    try:
        context = lan.new_context(permissions=["clipboard-read", "clipboard-write"])
        lan_url = app_server.replace("127.0.0.1", LAN_NAME)
        probe = context.new_page()
        probe.goto(lan_url + "/_stcore/health")
        assert probe.evaluate("[window.isSecureContext, typeof navigator.clipboard]") == [False, "undefined"]
        probe.close()
        copy_once(context, app_server, lan_url, upstream)
    finally:
        lan.close()


def test_a_question_shows_verbatim_with_its_line_breaks(new_page, artifacts):
    page = new_page("en-US")
    question = "# line\n*two*\n<b>x</b>"
    box = page.locator('[data-testid="stChatInputTextArea"]')
    box.fill(question)  # fill keeps the newlines; Enter sends
    box.press("Enter")
    ex = expect()
    user = page.locator(USER).first
    ex(user).to_contain_text("# line")
    wait_idle(page)
    assert user.locator("h1, h2, em, b").count() == 0  # no heading, no emphasis, no HTML
    assert user.locator('[data-testid="stText"]').inner_text() == question
    font = user.locator('[data-testid="stText"]').evaluate("el => getComputedStyle(el).fontFamily")
    assert "mono" not in font.lower(), font  # the normal font, not code


def test_a_refused_import_says_why_on_the_page(new_page, tmp_path, artifacts):
    page = new_page("en-US")
    page.locator(f"{SIDEBAR} .st-key-import_open{LIVE} button").click()
    dialog = page.locator(DIALOG)
    ex = expect()
    ex(dialog).to_contain_text("An import may hold up to 10 MB and 5000 messages.")
    notes = tmp_path / "chat.md"  # the Markdown export, picked by mistake
    notes.write_text("# How do exports work?\n\n### You\n\nhello\n", encoding="utf-8")
    dialog.locator('input[type="file"]').set_input_files(str(notes))
    error = dialog.locator(ALERT)
    ex(error).to_be_visible()
    ex(error).to_contain_text("This file was not imported")
    ex(error).to_contain_text("could not be read as UTF-8 JSON")
    wait_idle(page)
    shoot(page, artifacts / "details_import_refused_en.png")


def test_reply_settings_survive_a_visit_to_setup(new_page, upstream):
    page = new_page("en-US")
    ex = expect()
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_text("Reply settings").click()
    prompt = sidebar.get_by_label("System prompt")
    prompt.fill("Answer in one line.")
    budget = sidebar.get_by_role("spinbutton", name="Max tokens")
    budget.fill("3072")
    budget.press("Enter")
    # The Enter's run starts a moment after the key; wait_idle alone can see the idle page before it
    # (CI under load once navigated away first and came back to 8192).
    wait_for_run(page)
    wait_idle(page)
    page.locator(NAV_LINK).filter(has_text="Setup").click()
    ex(page.locator('[data-testid="stMain"] h1')).to_have_text("Setup")
    page.locator(NAV_LINK).filter(has_text="Chat").click()
    sidebar.get_by_text("Reply settings").click()
    ex(sidebar.get_by_label("System prompt")).to_have_value("Answer in one line.")
    ex(sidebar.get_by_role("spinbutton", name="Max tokens")).to_have_value("3072")
    send(page, "hi")
    wait_idle(page)
    body = upstream.requests[-1]["json"]
    assert body["messages"][0] == {"role": "system", "content": "Answer in one line."}
    assert body["max_tokens"] == 3072


def conversation() -> dict:
    """An export holding a multi-line question, a Coze bot's reply, and a question whose reply failed."""
    turns = [
        {"role": "user", "content": "# Plan\n- first *this*\n- then <b>that</b>"},
        {"role": "assistant", "content": "Sounds **good**.", "reasoning": "Short.", "thought": 1.2,
         "route": "coze-bot", "model": BOT_ID, "usage": {"completion_tokens": 12}, "total": 2.5},
        {"role": "user", "content": "And the budget?"},
        {"role": "assistant", "content": "", "status": "error", "route": "coze-bot", "model": BOT_ID,
         "diagnosis": {"kind": "server", "params": {"host": "api.coze.cn"}, "status": 503}},
    ]
    return {"format": "r1-chat.conversation", "version": 1, "title": "Details", "messages": turns}


def test_a_failed_turn_a_verbatim_question_and_a_coze_footer_look_right(new_page, tmp_path, artifacts):
    page = new_page("en-US")
    page.locator(f"{SIDEBAR} .st-key-import_open{LIVE} button").click()
    exported = tmp_path / "details.json"
    exported.write_text(json.dumps(conversation()), encoding="utf-8")
    page.locator(DIALOG).locator('input[type="file"]').set_input_files(str(exported))
    ex = expect()
    messages = page.locator(MESSAGE)
    ex(messages).to_have_count(4)
    wait_idle(page)
    ex(messages.nth(0)).to_contain_text("# Plan")
    ex(messages.nth(1).locator(CAPTION).last).to_have_text(f"Coze bot {BOT_ID} · 12 tokens · total 2.5 s")
    failed = messages.nth(3)
    ex(failed.locator(ALERT)).to_contain_text("api.coze.cn answered HTTP 503")
    ex(failed).to_contain_text("Left out of what the model sees next: this question got no answer")
    ex(messages.nth(2)).not_to_contain_text("Not sent")
    ex(messages.nth(1)).not_to_contain_text("Not sent")
    shoot(page, artifacts / "details_en.png")
