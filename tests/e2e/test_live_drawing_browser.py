"""How the Chat page draws a reply while it streams, in a real browser: a long answer stays in order,
nothing of another message or conversation shows under a live reply, and a refusal said while a reply
streamed goes once that reply is done.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_live_drawing_browser.py -q
(screenshots land in tests/e2e/artifacts/live_*.png)
"""

from __future__ import annotations

import re

import pytest
import stored
from fake_upstream import hold_answer, reply
from steps import (
    ALERT,
    ASSISTANT,
    CAPTION,
    CHAT_INPUT,
    LIVE,
    MESSAGE,
    MODEL,
    SIDEBAR,
    STOP,
    THINKING_LABEL,
    expect,
    send,
    shoot,
    stop_a_long_reply,
    wait_idle,
)

pytestmark = pytest.mark.e2e

THINKING_NOW = re.compile(r"Thinking… \d+ s")
MAIN = '[data-testid="stMainBlockContainer"]'  # the main area of a page with a chat input
REASONING = "Let me weigh this carefully. "
PARAGRAPHS = 40
CODE_AFTER = 20  # the code block sits between paragraphs 20 and 21

# Watches the last chat message on every change to the page and remembers the first moment its
# numbered paragraphs ("Paragraph 07. …") are not 1, 2, 3, … in document order. Stale copies
# Streamlit keeps during a run are left out: only what this run drew counts.
WATCH_ORDER = """() => { window.r1Order = {bad: null, most: 0};
  const look = () => {
    const messages = document.querySelectorAll('[data-testid="stChatMessage"]');
    const last = messages[messages.length - 1];
    if (!last) return;
    const numbers = [...last.querySelectorAll('p')].filter(p => !p.closest('[data-stale="true"]'))
      .map(p => /^Paragraph (\\d\\d)\\./.exec(p.textContent)).filter(Boolean).map(m => +m[1]);
    window.r1Order.most = Math.max(window.r1Order.most, numbers.length);
    if (window.r1Order.bad === null && numbers.some((n, i) => n !== i + 1)) window.r1Order.bad = numbers.join(' ');
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true}); }"""

# The numbered paragraphs and the code block of the last chat message, in document order.
READ_ORDER = """() => { const messages = document.querySelectorAll('[data-testid="stChatMessage"]');
  return [...messages[messages.length - 1].querySelectorAll('p, pre')].map(el => el.tagName === 'PRE'
    ? 'code' : (/^Paragraph (\\d\\d)\\./.exec(el.textContent) || [])[1]).filter(Boolean); }"""


def long_answer() -> str:
    """40 numbered paragraphs of about 750 characters each, with a code block halfway: some 20 blocks
    frozen while it streams."""
    filler = "This sentence is here to make the paragraph long enough to matter. " * 11
    parts = [f"Paragraph {n:02d}. {filler}" for n in range(1, PARAGRAPHS + 1)]
    parts.insert(CODE_AFTER, "```python\nfor n in range(3):\n    print(n)\n```")
    return "\n\n".join(parts)


def held(upstream, answer: str):
    """Queue a reply that streams its reasoning, then stays silent until the returned gate is set."""
    script = reply(REASONING * 2, answer)
    gate = hold_answer(script)
    upstream.push(script)
    return gate


def thinking_live(page) -> None:
    """The last message is a live thinking block, counting seconds, with Stop above the input."""
    ex = expect()
    ex(page.locator(ASSISTANT).last.locator(THINKING_LABEL)).to_contain_text(THINKING_NOW)
    ex(page.locator(ASSISTANT).last).to_contain_text(REASONING.strip())
    ex(page.locator(STOP)).to_be_visible()


def conv_button(page, title: str):
    """The sidebar button that opens the conversation titled ``title``."""
    return page.locator(f'{SIDEBAR} [class*="st-key-conv_"]{LIVE} button:visible').filter(has_text=title)


def stale(page) -> int:
    """How many elements the main area shows from an earlier run (faded, until this run ends); those it
    keeps hidden (an empty slot, a widget it retains) show nothing."""
    return page.locator(MAIN).evaluate(
        """m => [...m.querySelectorAll('[data-stale="true"]')].filter(e => e.checkVisibility()).length""")


def leftovers(page) -> list[str]:
    """What the main area shows that no live reply has: a stored answer's actions and footer."""
    return page.locator(MAIN).evaluate("""(main, model) => [
      ...[...main.querySelectorAll('[class*="st-key-regenerate"], [class*="st-key-copy_"]')]
        .map(el => 'action: ' + el.className.match(/st-key-[a-z_]+/)[0]),
      ...[...main.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .filter(c => c.textContent.includes(model)).map(c => 'footer: ' + c.textContent)]""", MODEL)


def text_without_buttons(locator) -> str:
    """The element's text minus its buttons' (a question's actions: Edit, Branch and their icons'
    names); whatever else it holds, another message's text included, stays."""
    return locator.evaluate(
        "el => { const c = el.cloneNode(true);"
        " c.querySelectorAll('[data-testid=\"stElementContainer\"]:has(button)').forEach(n => n.remove());"
        " return c.textContent; }")


# ----- 1. A long answer stays in order -----------------------------------------------------------

def test_a_long_answer_streams_in_order(new_page, upstream, artifacts):
    ex = expect()
    upstream.push(reply("Thinking briefly about a long answer.", long_answer(), piece=48, delay=0.01))
    page = new_page("en-US")
    page.evaluate(WATCH_ORDER)
    send(page, "Write forty paragraphs")
    assistant = page.locator(ASSISTANT).last
    ex(assistant).to_contain_text("Paragraph 25.")
    shoot(page, artifacts / "live_long_answer_streaming.png")
    wait_idle(page)
    ex(assistant).to_contain_text(f"Paragraph {PARAGRAPHS}.")
    shoot(page, artifacts / "live_long_answer_done.png")

    watched = page.evaluate("() => window.r1Order")
    assert watched["bad"] is None, f"while it streamed the paragraphs read {watched['bad']}"
    assert watched["most"] == PARAGRAPHS
    want = [f"{n:02d}" for n in range(1, PARAGRAPHS + 1)]
    want.insert(CODE_AFTER, "code")
    assert page.evaluate(READ_ORDER) == want, "the finished reply is out of order"


# ----- 2. Nothing of another message or conversation under a live reply --------------------------

def test_opening_a_thinking_conversation_shows_nothing_of_the_one_before(new_page, upstream, artifacts):
    ex = expect()
    page = new_page("en-US")
    send(page, "alpha question")  # the default reply: answered at once
    ex(page.locator(ASSISTANT).last).to_contain_text("You said: alpha question")
    wait_idle(page)
    send(page, "alpha again")  # two turns: more than the thinking conversation has
    ex(page.locator(ASSISTANT).last).to_contain_text("You said: alpha again")
    wait_idle(page)
    page.locator(f".st-key-new_chat{LIVE} button").click()
    ex(page.locator(ASSISTANT)).to_have_count(0)
    gate = held(upstream, "Beta answer.")
    send(page, "beta question")
    thinking_live(page)

    conv_button(page, "alpha question").click()  # beta goes on thinking out of sight
    ex(page.locator(ASSISTANT).last).to_contain_text("You said: alpha again")
    wait_idle(page)
    conv_button(page, "beta question").click()
    thinking_live(page)
    page.wait_for_timeout(1500)  # a few live frames later: still following the reply
    shoot(page, artifacts / "live_opened_thinking.png")
    assert leftovers(page) == [] and stale(page) == 0
    ex(page.locator(MAIN)).not_to_contain_text("alpha")
    ex(page.locator(STOP)).to_be_visible()  # the checks above ran while the reply was live

    gate.set()
    ex(page.locator(ASSISTANT).last).to_contain_text("Beta answer.")
    wait_idle(page)


def test_retry_after_stop_shows_nothing_of_the_stopped_reply(new_page, upstream, artifacts):
    ex = expect()
    page = new_page("en-US")
    stop_a_long_reply(page, upstream)
    gate = held(upstream, "A fresh answer.")
    page.locator(f".st-key-regenerate{LIVE} button").click()
    thinking_live(page)
    page.wait_for_timeout(1500)
    shoot(page, artifacts / "live_retry_thinking.png")
    assistant = page.locator(ASSISTANT).last
    ex(assistant).not_to_contain_text("Word0")
    ex(assistant).not_to_contain_text("Stopped")
    assert leftovers(page) == [] and stale(page) == 0
    ex(page.locator(STOP)).to_be_visible()

    gate.set()
    ex(assistant).to_contain_text("A fresh answer.")
    wait_idle(page)


def seed(tmp_path, turns: int) -> str:
    """A stored conversation of ``turns`` answered questions, in the server's data folder; its id."""
    return stored.seed(tmp_path / "data", turns, reasoning=lambda n: f"About {n}.", model=MODEL)


def test_showing_older_messages_while_a_reply_thinks_mixes_no_two_messages(new_page, upstream, tmp_path,
                                                                             artifacts):
    ex = expect()
    cid = seed(tmp_path, 10)
    page = new_page("en-US")
    page.locator(f"{SIDEBAR} .st-key-conv_{cid}{LIVE} button").click()
    ex(page.locator(ASSISTANT).last).to_contain_text("Answer 10.")
    wait_idle(page)
    gate = held(upstream, "The eleventh answer.")
    send(page, "Question 11")
    thinking_live(page)

    page.get_by_role("button", name=re.compile(r"Show older messages")).click()
    ex(page.get_by_text("Question 1", exact=True)).to_be_visible()
    thinking_live(page)
    page.wait_for_timeout(1500)
    shoot(page, artifacts / "live_older_while_thinking.png")
    assert stale(page) == 0
    ex(page.locator(MESSAGE)).to_have_count(22)
    for n in range(1, 11):  # each question alone in its message, each answer with its own footer
        question = page.locator(MESSAGE).nth(2 * n - 2).locator('[data-testid="stChatMessageContent"]')
        assert re.fullmatch(rf"\s*Question {n}\s*", text_without_buttons(question))
        ex(page.locator(ASSISTANT).nth(n - 1)).to_contain_text(f"Answer {n}.")
    ex(page.locator(STOP)).to_be_visible()

    gate.set()
    ex(page.locator(ASSISTANT).last).to_contain_text("The eleventh answer.")
    wait_idle(page)


# ----- 3. A refusal goes once the reply is done ---------------------------------------------------

def test_a_refusal_said_while_a_reply_streamed_goes_when_it_is_done(new_page, upstream, artifacts):
    ex = expect()
    gate = held(upstream, "First answer.")
    page = new_page("en-US")
    send(page, "first question")
    thinking_live(page)
    box = page.locator(CHAT_INPUT)
    box.click()
    page.keyboard.type("second question", delay=20)
    box.press("Enter")  # one reply at a time per conversation: refused, and given back
    refusal = page.locator(ALERT).filter(has_text="still answering in this conversation")
    ex(refusal).to_be_visible()
    ex(box).to_have_value("second question")

    gate.set()  # the reply ends in place
    ex(page.locator(ASSISTANT).last).to_contain_text("First answer.")
    wait_idle(page)
    shoot(page, artifacts / "live_refusal_gone.png")
    ex(refusal).to_have_count(0)
    ex(box).to_have_value("second question")  # still there, to be sent now


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_follow_up_leaves_nothing_of_the_last_turns_actions_behind(new_page, upstream, locale, artifacts):
    ex = expect()
    page = new_page(locale)
    upstream.push(reply("Short.", "The first answer."))
    send(page, "A first question")
    ex(page.locator(ASSISTANT).last).to_contain_text("The first answer.")
    wait_idle(page)
    ex(page.locator(f".st-key-regenerate{LIVE} button")).to_have_count(1)  # the last turn's actions
    ex(page.locator(f".st-key-edit_last{LIVE} button")).to_have_count(1)
    gate = held(upstream, "The second answer.")
    send(page, "A follow-up")
    ex(page.locator(ASSISTANT).last).to_contain_text(REASONING.strip())
    page.wait_for_timeout(1500)  # well into the run that follows the reply
    shoot(page, artifacts / f"live_follow_up_{locale}.png")
    # Regenerate and Edit moved on with the turn: not even a faded copy stays under the first answer.
    assert stale(page) == 0
    ex(page.locator('[class*="st-key-regenerate"], [class*="st-key-edit_last"]')).to_have_count(0)
    ex(page.locator(MAIN).locator(CAPTION).filter(has_text=MODEL)).to_have_count(1)  # the first answer's footer
    gate.set()
    ex(page.locator(ASSISTANT).last).to_contain_text("The second answer.")
    wait_idle(page)
