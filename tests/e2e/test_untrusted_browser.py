"""Untrusted text stays inert in a real browser (issue 12.5): links in a reply that could run script
or open a data: page are plain text while web links stay links, and a first message's right-to-left
override is not in the conversation's title.

Run: .venv/bin/python -m pytest tests/e2e/test_untrusted_browser.py -q -p no:xdist
(screenshots land in tests/e2e/artifacts/untrusted_*.png)
"""

from __future__ import annotations

import pytest
from fake_upstream import reply
from steps import ASSISTANT, LIVE, SIDEBAR, THINKING_LABEL, expect, send, settle, shoot, wait_idle

pytestmark = pytest.mark.e2e

ANSWER = ("Try [click](javascript:alert(1)) or ![img](data:text/html;base64,PHNjcmlwdD4=), "
          "and read [ok](https://example.com).")
REASONING = "The user may want [a script](JaVaScRiPt:alert(2)) and [a page](data:text/html,x)."
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "invoice\u202efdp.exe" shows as "invoiceexe.pdf"
CONV = f'{SIDEBAR} [class*="st-key-conv_"]{LIVE} button'  # one per conversation in the list
TITLE = "#stMain h3"  # the open conversation's title (st.subheader)
BAD_HREFS = """() => [...document.querySelectorAll('a[href], img[src], iframe[src]')]
  .map(el => (el.getAttribute('href') ?? el.getAttribute('src')).trim().toLowerCase())
  .filter(url => url.startsWith('javascript:') || url.startsWith('data:'))"""


def test_links_that_could_run_script_are_text_and_a_web_link_stays_a_link(new_page, upstream, artifacts):
    upstream.push(reply(REASONING, ANSWER))
    page = new_page("en-US")
    send(page, "Give me some links")
    wait_idle(page)
    answer = page.locator(ASSISTANT).last
    ex = expect()
    ex(answer.get_by_role("link", name="ok")).to_have_attribute("href", "https://example.com")
    answer.locator(THINKING_LABEL).click()  # open the reasoning, as a reader would
    ex(answer.get_by_text("The user may want")).to_be_visible()
    settle(answer)
    assert page.evaluate(BAD_HREFS) == []  # nowhere on the page, the reasoning included
    assert answer.get_by_role("link").all_inner_texts() == ["ok"]
    ex(answer).to_contain_text("click (javascript:alert(1))")  # the link's text, and its URL as code
    ex(answer).to_contain_text("img (data:text/html;base64,PHNjcmlwdD4=)")
    ex(answer).to_contain_text("a script (JaVaScRiPt:alert(2))")
    shoot(page, artifacts / "untrusted_links.png")


def test_a_right_to_left_override_in_the_first_message_is_not_in_the_title(new_page, upstream, artifacts):
    page = new_page("en-US")
    send(page, f"invoice{RLO}fdp.exe, is it safe?")
    wait_idle(page)
    ex = expect()
    ex(page.locator(CONV)).to_have_count(1)
    ex(page.locator(CONV)).to_have_text("invoicefdp.exe, is it safe?")
    ex(page.locator(TITLE)).to_have_text("invoicefdp.exe, is it safe?")
    assert RLO not in page.locator(CONV).inner_text() + page.locator(TITLE).inner_text()
    shoot(page, artifacts / "untrusted_title.png")
