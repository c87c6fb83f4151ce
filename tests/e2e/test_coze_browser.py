"""The Coze bot route in a real browser: COZE_API_TOKEN + COZE_BOT_ID against a fake Coze Open API v3.

The app runs from a copy in tmp (see the ``coze_server`` fixture) with only the Coze bot variables set,
so the route is chosen by detection alone.

Run: .venv/bin/python -m pytest tests/e2e -q   (screenshots land in tests/e2e/artifacts/)
"""

from __future__ import annotations

import re

import pytest
from fake_coze import BOT_ID, TOKEN, hold_answer, refusal, reply
from steps import (
    ALERT,
    ASSISTANT,
    CAPTION,
    MESSAGE,
    NAV_LINK,
    SIDEBAR,
    THINKING,
    expect,
    leaks,
    send,
    settle,
    shoot,
    text_without_mathml,
    wait_idle,
)

pytestmark = pytest.mark.e2e

MAIN = '[data-testid="stMainBlockContainer"]'  # the chat page has no stMain (it scrolls to the bottom)
PAGE_LINK = '[data-testid="stPageLink"]'

REASONING = "The user asks for the square of x. I should name the power plainly and briefly."
ANSWER = "The square of x is \\( x^2 \\), which is x times x."
QUESTION = "What is the square of x?"
FOLLOW_UP = "And the cube?"


def chats(coze) -> list[dict]:
    return [r for r in coze.requests if r["path"].split("?")[0] == "/v3/chat"]


def test_chat_streams_through_a_coze_bot(new_coze_page, coze, artifacts):
    # Slowed so the live "Thinking…" phase is observable.
    script = reply(REASONING, ANSWER, delay=0.08)
    answer_gate = hold_answer(script)  # thinking stays live until the checks below are done
    coze.push(script)
    page = new_coze_page("en-US")
    ex = expect()

    # Configured by the environment alone: the app opens on Chat, not Setup.
    assert not page.url.rstrip("/").endswith("/setup"), page.url
    ex(page.get_by_role("heading", name="DeepSeek-R1", exact=True)).to_be_visible()
    ex(page.locator(MAIN)).to_contain_text(BOT_ID)  # the empty state names the bot as the model
    ex(page.locator(MAIN)).not_to_contain_text("No model is configured yet")
    sidebar = page.locator(SIDEBAR)
    ex(sidebar.locator(NAV_LINK).filter(has_text="Chat")).to_have_attribute("aria-current", "page")
    # The bot's own settings decide its budget and temperature: neither control is offered.
    ex(sidebar).to_contain_text("System prompt")
    ex(sidebar.get_by_label("Max tokens")).to_have_count(0)
    ex(sidebar).not_to_contain_text("Max tokens")
    ex(sidebar).not_to_contain_text("Temperature")

    send(page, QUESTION)
    ex(page.locator(MESSAGE).first).to_contain_text(QUESTION)
    assistant = page.locator(ASSISTANT).last

    # Live: the thinking block opens and fills with the bot's reasoning_content as it streams.
    thinking = assistant.locator(THINKING)
    ex(thinking.locator("summary")).to_contain_text("Thinking")
    ex(thinking.get_by_text("The user asks", exact=False)).to_be_visible()
    answer_gate.set()

    # Done thinking: the label turns into the elapsed time.
    ex(thinking.locator("summary")).to_have_text(re.compile(r"Thought for \d+(\.\d+)? s"))
    ex(thinking.locator("summary")).not_to_contain_text(":shimmer")

    # The answer renders \( x^2 \) with KaTeX, not as raw LaTeX.
    ex(assistant.locator(".katex").first).to_be_visible()
    ex(assistant).to_contain_text("which is x times x")
    shown = text_without_mathml(assistant)
    for raw in ("\\(", "\\)", "x^2", "$"):
        assert raw not in shown, f"raw LaTeX {raw!r} on screen: {shown!r}"

    # The footer names the bot (the route's "model") once the reply is finished.
    ex(assistant.locator(CAPTION).last).to_contain_text(BOT_ID)
    wait_idle(page)
    ex(sidebar.get_by_label("Max tokens")).to_have_count(0)

    # The request Coze got: POST /v3/chat with the bearer token, streaming, this bot.
    sent = chats(coze)
    assert len(sent) == 1, [r["path"] for r in coze.requests]
    first = sent[0]
    assert first["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert first["json"]["stream"] is True
    assert first["json"]["bot_id"] == BOT_ID
    assert [m["role"] for m in first["json"]["additional_messages"]] == ["user"]
    assert first["json"]["additional_messages"][0]["content"] == QUESTION

    # Open the finished thinking block to show the reasoning, then shoot.
    thinking.locator("summary").click()
    ex(thinking.locator("details")).to_have_attribute("open", "")
    settle(thinking)
    ex(thinking.get_by_text("name the power plainly", exact=False)).to_be_visible()
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(300)
    shoot(page, artifacts / "chat_coze_en.png")

    # A follow-up: the whole history goes as additional_messages, without the reasoning.
    send(page, FOLLOW_UP)
    ex(page.locator(ASSISTANT)).to_have_count(2)
    second_reply = page.locator(ASSISTANT).nth(1)
    ex(second_reply).to_contain_text(FOLLOW_UP)  # the fake's default echo
    ex(second_reply.locator(CAPTION).last).to_contain_text(BOT_ID)
    wait_idle(page)

    sent = chats(coze)
    assert len(sent) == 2, [r["path"] for r in coze.requests]
    second = sent[1]
    assert second["headers"]["authorization"] == f"Bearer {TOKEN}"
    assert second["json"]["stream"] is True
    turns = second["json"]["additional_messages"]
    assert [m["role"] for m in turns] == ["user", "assistant", "user"], turns
    assert turns[0]["content"] == QUESTION
    assert turns[1]["content"].strip() == ANSWER
    assert turns[2]["content"] == FOLLOW_UP
    assert all("reasoning_content" not in m for m in turns), turns
    assert "The user asks" not in str(second["json"]), "reasoning must not be sent back"
    assert "name the power plainly" not in str(second["json"]), "reasoning must not be sent back"

    # The token is the server's: never in the page.
    found = leaks(page, TOKEN)
    assert not found, f"the full token is in the page's DOM: {found}"


def test_invalid_coze_token_is_named(new_coze_page, coze, artifacts):
    coze.push(refusal(4100))
    page = new_coze_page("en-US")
    ex = expect()

    send(page, "Hello, bot")
    assistant = page.locator(ASSISTANT).last
    error = assistant.locator(ALERT)
    ex(error).to_be_visible()
    ex(error).to_contain_text("Coze rejected the token")
    ex(error).to_contain_text("COZE_API_TOKEN")
    ex(error).to_contain_text("authentication is invalid")  # Coze's own message, quoted
    link = assistant.locator(PAGE_LINK).filter(has_text="Open Setup")
    ex(link).to_be_visible()
    ex(link.locator('[data-testid="stPageLink-NavLink"]').first).to_have_attribute(
        "href", re.compile(r"(^|/)setup$"))
    ex(assistant.get_by_role("button", name="Retry")).to_be_visible()
    wait_idle(page)
    shoot(page, artifacts / "chat_coze_bad_token_en.png")

    sent = chats(coze)
    assert len(sent) == 1 and sent[0]["headers"]["authorization"] == f"Bearer {TOKEN}"
    found = leaks(page, TOKEN)
    assert not found, f"the full token is in the page's DOM: {found}"

    # The link leads to Setup.
    link.locator('[data-testid="stPageLink-NavLink"]').first.click()
    ex(page.get_by_role("heading", name="Setup", exact=True)).to_be_visible()
