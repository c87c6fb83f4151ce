"""The chat app in a real browser: streaming, math, languages, Stop, and the history sent upstream.

Run: .venv/bin/python -m pytest tests/e2e -q   (screenshots land in tests/e2e/artifacts/)
"""

from __future__ import annotations

import json
import re

import pytest
from fake_upstream import echo, hold_answer
from steps import (
    ASSISTANT,
    CAPTION,
    CHAT_INPUT,
    LIVE,
    MESSAGE,
    MODEL,
    NAV_LINK,
    SIDEBAR,
    THINKING,
    THINKING_LABEL,
    expect,
    send,
    settle,
    shoot,
    stop_a_long_reply,
    text_without_mathml,
    wait_idle,
)

pytestmark = pytest.mark.e2e

NAV_LABEL = NAV_LINK + ' [data-testid="stMarkdownContainer"]'  # the link's text without its icon name
# While a run is live Streamlit may keep a stale copy of a widget in the DOM: use the live one.
LANG = f'{SIDEBAR} .st-key-lang_choice{LIVE} [role="radiogroup"]'


def choose_language(page, label: str) -> None:
    option = page.locator(LANG).get_by_role("radio", name=label, exact=True)
    option.click()
    expect()(option).to_have_attribute("aria-checked", "true")


def slow(script, delay: float):
    script.delay = delay
    return script


def test_reply_streams_reasoning_then_answer_with_math(new_page, upstream, artifacts):
    question = "What is Euler's identity?"
    # The default echo reply, slowed so the live "Thinking…" phase is observable.
    script = slow(echo([{"role": "user", "content": question}]), 0.15)
    answer_gate = hold_answer(script)  # thinking stays live until the checks below are done
    upstream.push(script)
    page = new_page("en-US")
    ex = expect()

    send(page, question)
    ex(page.locator(MESSAGE).first).to_contain_text(question)
    assistant = page.locator(ASSISTANT).last

    # Live: an expanded thinking block showing the reasoning as it streams.
    thinking = assistant.locator(THINKING)
    ex(thinking.locator("summary")).to_contain_text("Thinking")
    ex(thinking.get_by_text("The user wrote:")).to_be_visible()
    shoot(page, artifacts / "chat_en_thinking.png")
    answer_gate.set()

    # Done thinking: the label turns into the elapsed time and the block collapses.
    ex(thinking.locator("summary")).to_have_text(re.compile(r"Thought for \d+(\.\d+)? s"))
    ex(thinking.locator("summary")).not_to_contain_text(":shimmer")

    # The answer renders its math with KaTeX, not as raw LaTeX.
    ex(assistant.locator(".katex").first).to_be_visible()
    ex(assistant).to_contain_text("You said: " + question)
    shown = text_without_mathml(assistant)
    assert "Euler:" in shown
    for raw in ("\\(", "\\)", "\\pi", "$", "e^{"):
        assert raw not in shown, f"raw LaTeX {raw!r} on screen: {shown!r}"

    # The footer caption names the model once the reply is finished.
    ex(assistant.locator(CAPTION).last).to_contain_text(MODEL)
    wait_idle(page)

    # The finished thinking block still holds the reasoning: open it to show it.
    thinking.locator("summary").click()
    ex(thinking.locator("details")).to_have_attribute("open", "")
    settle(thinking)
    ex(thinking.get_by_text("I should answer briefly")).to_be_visible()
    shoot(page, artifacts / "chat_en.png")


def test_chinese_locale_shows_chinese_ui(new_page, upstream, artifacts):
    page = new_page("zh-CN")
    ex = expect()

    ex(page.locator(CHAT_INPUT)).to_have_attribute("placeholder", "向 DeepSeek-R1 提问…")
    sidebar = page.locator(SIDEBAR)
    ex(sidebar.locator(NAV_LABEL)).to_have_text(["对话", "配置"])
    ex(sidebar).to_contain_text("语言")
    ex(sidebar).to_contain_text("系统提示词")
    ex(sidebar).to_contain_text("新对话")
    ex(sidebar).to_contain_text("回复设置")
    ex(page.locator(LANG).get_by_role("radio", name="中文", exact=True)).to_have_attribute(
        "aria-checked", "true")

    send(page, "你好，欧拉公式是什么？")
    assistant = page.locator(ASSISTANT).last
    ex(assistant.locator(THINKING_LABEL)).to_contain_text("已深度思考")
    ex(assistant.locator(THINKING_LABEL)).to_have_text(re.compile(r"已深度思考（用时 \d+(\.\d+)? 秒）"))
    ex(assistant.locator(".katex").first).to_be_visible()
    ex(assistant.locator(CAPTION).last).to_contain_text(MODEL)
    ex(assistant.locator(CAPTION).last).to_contain_text("总计")
    wait_idle(page)
    shoot(page, artifacts / "chat_zh.png")

    # Setup page, through the sidebar navigation (same session).
    sidebar.locator(NAV_LINK).filter(has_text="配置").click()
    ex(page.get_by_role("heading", name="配置", exact=True)).to_be_visible()
    main = page.locator('[data-testid="stMain"]')
    ex(main).to_contain_text("可以开始对话")
    ex(main).to_contain_text("解析后的配置")
    ex(main.locator('[data-testid="stDataFrame"]')).to_be_visible()
    shoot(page, artifacts / "setup_zh.png")

    # Switch to English in the sidebar: the same page re-renders in English.
    choose_language(page, "English")
    ex(page.get_by_role("heading", name="Setup", exact=True)).to_be_visible()
    ex(main).to_contain_text("Ready to chat")
    ex(main).to_contain_text("Resolved settings")
    ex(sidebar.locator(NAV_LABEL)).to_have_text(["Chat", "Setup"])
    ex(sidebar).to_contain_text("Language")
    ex(main).not_to_contain_text("可以开始对话")
    # The chosen preset's label is redrawn too, not left in the language it was chosen in.
    ex(main.get_by_role("combobox", name="Route or provider")).to_have_value("Coze sandbox (nothing to set)")
    shoot(page, artifacts / "setup_en.png")


def test_stop_keeps_partial_reply(new_page, upstream, artifacts):
    page = new_page("en-US")
    ex = expect()
    assistant = stop_a_long_reply(page, upstream)

    answer = assistant.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Word000")
    ex(answer).to_have_count(1)
    partial = answer.inner_text()
    assert "Word010" in partial
    assert "Word399" not in partial, "the reply should have been cut short by Stop"
    shoot(page, artifacts / "stop_en.png")

    # Stop kept the partial text on the page; nothing else replaced it.
    page.wait_for_timeout(500)
    ex(answer).to_contain_text(partial.strip()[:200])

    # A harmless sidebar interaction reruns the script: the stored reply is replayed as stopped.
    choose_language(page, "中文")
    ex(page.locator(CHAT_INPUT)).to_have_attribute("placeholder", "向 DeepSeek-R1 提问…")
    choose_language(page, "English")
    ex(page.locator(CHAT_INPUT)).to_have_attribute("placeholder", "Ask DeepSeek-R1…")
    wait_idle(page)

    assistant = page.locator(ASSISTANT).last
    ex(assistant.locator(CAPTION).filter(has_text="Stopped")).to_be_visible()
    ex(assistant.get_by_role("button", name="Retry")).to_be_visible()
    ex(assistant).to_contain_text("Word000")
    replayed = assistant.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Word000")
    assert replayed.inner_text().strip().startswith(partial.strip()[:200])
    assert "Word399" not in replayed.inner_text()
    ex(assistant.locator(CAPTION).last).to_contain_text(MODEL)
    shoot(page, artifacts / "stopped_en.png")


def test_follow_up_carries_history(new_page, upstream):
    page = new_page("en-US")
    ex = expect()

    send(page, "first question")
    ex(page.locator(ASSISTANT)).to_have_count(1)
    ex(page.locator(ASSISTANT).nth(0).locator(CAPTION).last).to_contain_text(MODEL)
    wait_idle(page)

    send(page, "second question")
    ex(page.locator(ASSISTANT)).to_have_count(2)
    ex(page.locator(ASSISTANT).nth(1).locator(CAPTION).last).to_contain_text(MODEL)
    ex(page.locator(ASSISTANT).nth(1)).to_contain_text("You said: second question")
    wait_idle(page)

    chats = [r for r in upstream.requests if r["path"].endswith("/chat/completions")]
    assert len(chats) == 2, [r["path"] for r in upstream.requests]
    second = chats[1]["json"]
    turns = [m for m in second["messages"] if m["role"] != "system"]
    assert [m["role"] for m in turns] == ["user", "assistant", "user"]
    assert turns[0]["content"] == "first question"
    assert "You said: **first question**" in turns[1]["content"]
    assert "The user wrote" not in turns[1]["content"], "reasoning must not be sent back as content"
    assert turns[2]["content"] == "second question"
    assert "reasoning_content" not in json.dumps(second), "reasoning_content must never be sent back"
    assert second.get("stream") is True
