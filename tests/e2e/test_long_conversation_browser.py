"""A long conversation in a real browser (issue 13.5): it opens at its newest turn, older turns come on
demand, a stored reply's thinking opens on a click, and the page follows a streaming reply while the
reader is at the bottom, not once they have scrolled up.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_long_conversation_browser.py -q
(screenshots land in tests/e2e/artifacts/long_*.png)
"""

from __future__ import annotations

import pytest
import stored
from fake_upstream import reply
from steps import ASSISTANT, CAPTION, LIVE, MESSAGE, SIDEBAR, THINKING_LABEL, expect, send, shoot, wait_idle

from ui.page_state import HISTORY_PAGE, OLDER_PAGE

pytestmark = pytest.mark.e2e

TURNS = HISTORY_PAGE * 2  # opens at the newest HISTORY_PAGE messages, half of them turns
SCROLLER = "#stMain"  # the element the chat scrolls in (on a page with a chat input, <main>)
BELOW = f"() => {{ const el = document.querySelector('{SCROLLER}'); " \
        "return el.scrollHeight - el.scrollTop - el.clientHeight; }"
TOP = f"() => document.querySelector('{SCROLLER}').scrollTop"
LINE_IN_VIEW = """() => [...document.querySelectorAll('p')].find(p => p.textContent.startsWith('Line ')
  && p.getBoundingClientRect().top > 200 && p.getBoundingClientRect().bottom < 700).textContent"""


def seed(tmp_path, turns: int = TURNS) -> str:
    """A stored conversation of ``turns`` answered questions, each answer a screen tall or so."""
    return stored.seed(tmp_path / "data", turns, "A long conversation", model="deepseek-r1-250528", answer=lambda n:
                       "\n\n".join([f"Answer {n}."] + [f"Paragraph {k} of answer {n}." for k in range(1, 9)]))


def open_conversation(page, cid: str) -> None:
    """Click the conversation in the sidebar and wait for its newest answer."""
    page.locator(f"{SIDEBAR} .st-key-conv_{cid}{LIVE} button").click()
    expect()(page.locator(ASSISTANT).last).to_contain_text(f"Answer {TURNS}.")


def wheel(page, dy: int) -> None:
    """Turn the mouse wheel over the conversation, as a reader scrolls."""
    page.mouse.move(800, 400)
    page.mouse.wheel(0, dy)


def settle_scrolling(page) -> None:
    """Wait until the wheel's smooth scrolling has come to rest."""
    top = None
    while top != (top := page.evaluate(TOP)):
        page.wait_for_timeout(250)


def at_bottom(page) -> None:
    """The view is (or soon gets) scrolled to the end of the conversation."""
    page.wait_for_function(f"() => ({BELOW})() <= 2", timeout=5_000)


def test_a_long_conversation_opens_at_its_newest_turn_and_shows_older_ones_on_demand(
        new_page, tmp_path, artifacts):
    cid = seed(tmp_path)
    page = new_page("en-US")
    ex = expect()
    open_conversation(page, cid)
    newest = page.locator(ASSISTANT).last
    ex(newest.locator(CAPTION).last).to_be_in_viewport()  # its footer: the turn is in view to its end
    at_bottom(page)
    ex(page.locator(MESSAGE)).to_have_count(HISTORY_PAGE)
    ex(page.get_by_text(f"Question {TURNS - HISTORY_PAGE // 2 + 1}", exact=True)).not_to_be_in_viewport()
    shoot(page, artifacts / "long_opened.png")

    older = page.get_by_role("button", name=f"Show older messages ({2 * TURNS - HISTORY_PAGE} more)")
    ex(older).to_have_count(1)
    older.click()  # scrolled into view first, as a reader scrolls up to it
    ex(page.locator(MESSAGE)).to_have_count(min(2 * TURNS, HISTORY_PAGE + OLDER_PAGE))
    first = max(1, TURNS - (HISTORY_PAGE + OLDER_PAGE) // 2 + 1)  # the oldest turn drawn now
    ex(page.get_by_text(f"Question {first}", exact=True)).to_be_visible()
    wait_idle(page)
    ex(newest.locator(CAPTION).last).not_to_be_in_viewport()  # the reader went up: the page stays there

    # A stored reply's thinking is drawn when opened.
    thinking = page.locator(ASSISTANT).first.locator(THINKING_LABEL)
    ex(thinking).to_contain_text("Thought for 1.5 s")
    thinking.click()
    ex(page.get_by_text(f"Thinking about {first}.")).to_be_visible()


def test_the_page_follows_a_streaming_reply_at_the_bottom_but_not_after_scrolling_up(
        new_page, upstream, tmp_path, artifacts):
    cid = seed(tmp_path)
    page = new_page("en-US")
    ex = expect()
    open_conversation(page, cid)
    at_bottom(page)
    lines = "\n\n".join(f"Line {i:03d} of the long answer." for i in range(1, 241))
    upstream.push(reply("Thinking briefly.", lines, piece=12, delay=0.03))
    send(page, "Tell me something long")
    answer = page.locator(ASSISTANT).last

    ex(answer).to_contain_text("Line 040")
    at_bottom(page)  # followed while it grows
    ex(answer).to_contain_text("Line 080")
    at_bottom(page)

    wheel(page, -1200)  # the reader scrolls up to read a line
    settle_scrolling(page)
    line = page.get_by_text(page.evaluate(LINE_IN_VIEW), exact=True)
    y = line.bounding_box()["y"]
    ex(answer).to_contain_text("Line 130")  # the reply grew meanwhile
    assert abs(line.bounding_box()["y"] - y) <= 2, "the line being read moved"
    assert page.evaluate(BELOW) > 600
    shoot(page, artifacts / "long_scrolled_up.png")

    wheel(page, 100_000)  # back to the bottom: it follows again
    ex(answer).to_contain_text("Line 170")
    at_bottom(page)
    ex(answer).to_contain_text("Line 200")
    at_bottom(page)
    wait_idle(page)
    ex(answer.locator(CAPTION).last).to_be_in_viewport()
