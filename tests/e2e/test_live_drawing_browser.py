"""How the Chat page draws a reply while it streams, in a real browser: a long answer stays in order.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_live_drawing_browser.py -q
(screenshots land in tests/e2e/artifacts/live_*.png)
"""

from __future__ import annotations

import pytest
from fake_upstream import reply
from steps import ASSISTANT, expect, send, shoot, wait_idle

pytestmark = pytest.mark.e2e

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
