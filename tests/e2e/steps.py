"""The DOM hooks and user steps every browser test shares.

The selectors are the stable ``data-testid`` hooks Streamlit puts in the DOM; the steps are what a
user does (type and send, wait for a run to end) and what a test needs to look (screenshot, let
animations settle, read text without KaTeX's hidden source, find a secret in the page).

Test modules import from here (``from steps import ...``): tests/e2e is on ``sys.path`` the same
way ``fake_upstream`` is importable.
"""

from __future__ import annotations

import re
import time

from fake_upstream import reply

MODEL = "deepseek-r1-250528"  # the model the fake upstream (and the app's default route) names
TIMEOUT = 15_000  # ms, for every expect()

# Stable hooks Streamlit puts in the DOM.
LIVE = ':not([data-stale="true"])'  # during a rerun Streamlit may keep a stale copy of an element
APP = '[data-testid="stApp"]'
CHAT_INPUT = '[data-testid="stChatInputTextArea"]'
SUBMIT = '[data-testid="stChatInputSubmitButton"]'  # the arrow; idle
STOP = '.st-key-stop_reply button'  # above the input while a reply is generating in this conversation
MESSAGE = '[data-testid="stChatMessage"]'
ASSISTANT = '[data-testid="stChatMessage"]:has([data-testid="stChatMessageAvatarAssistant"])'
THINKING = '[data-testid="stExpander"]'  # st.status renders as an expander
THINKING_LABEL = '[data-testid="stExpander"] summary'
CAPTION = '[data-testid="stCaptionContainer"]'
ALERT = '[data-testid="stAlert"]'
SIDEBAR = '[data-testid="stSidebar"]'
NAV_LINK = '[data-testid="stSidebarNavLink"]'


def expect():
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=TIMEOUT)
    return _expect


def send(page, text: str) -> None:
    """Type into the chat input and press Enter, as a user would."""
    box = page.locator(CHAT_INPUT)
    expect()(box).to_be_enabled()
    box.fill(text)
    box.press("Enter")


def wait_idle(page) -> None:
    """The run is over when no reply is generating here (no Stop above the input) and the script is
    not running. The input no longer turns into a stop button the moment it is sent, so first give
    a just-sent question's run the moment it takes to start."""
    page.wait_for_timeout(300)
    expect()(page.locator(STOP)).to_have_count(0)
    expect()(page.locator(SUBMIT)).to_have_count(1)
    expect()(page.locator(APP)).to_have_attribute("data-test-script-state", "notRunning")


def shoot(page, path) -> None:
    """Screenshot the whole app: Streamlit scrolls inside its own container, so grow the viewport to
    fit the content first (a full_page shot alone stops at the window); animations are settled."""
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...['stAppScrollToBottomContainer', 'stMain', 'stAppViewContainer',"
        " 'stSidebarContent'].map(id => document.querySelector(`[data-testid=\"${id}\"]`)"
        "?.scrollHeight || 0))")
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(int(height), 4000)})
        page.wait_for_timeout(200)  # let the layout settle at the new size
    try:
        page.screenshot(path=str(path), animations="disabled")
    finally:
        page.set_viewport_size(size)


def settle(locator) -> None:
    """Wait for the animations inside ``locator`` (e.g. an expander opening) to end; one cancelled
    midway (an expander that re-renders while it opens) counts as ended too."""
    locator.evaluate("el => Promise.allSettled(el.getAnimations({subtree: true}).map(a => a.finished))")


def text_without_mathml(locator) -> str:
    """The element's text minus KaTeX's hidden MathML annotation (which holds the LaTeX source)."""
    return locator.evaluate(
        "el => { const c = el.cloneNode(true);"
        " c.querySelectorAll('.katex-mathml').forEach(n => n.remove()); return c.textContent; }")


def leaks(page, secret: str, *, except_field: str | None = None) -> list[str]:
    """Where ``secret`` appears in the page's HTML, with a little context around each occurrence;
    ``except_field`` leaves out the value of the input with that label (what the user is typing)."""
    html = page.content() if except_field is None else page.evaluate(
        "label => { const c = document.documentElement.cloneNode(true);"
        " c.querySelectorAll('input').forEach(i => { if (i.getAttribute('aria-label') === label)"
        " i.removeAttribute('value'); }); return c.outerHTML; }", except_field)
    return [html[max(0, m.start() - 160): m.end() + 40] for m in re.finditer(re.escape(secret), html)]


def stop_a_long_reply(page, upstream):
    """Ask for a slow, long reply and press Stop once part of it is on screen; return its message."""
    long_reasoning = "Let me think about this step by step. " * 8
    long_answer = " ".join(f"Word{i:03d}" for i in range(400))
    upstream.push(reply(long_reasoning, long_answer, delay=0.05))
    send(page, "Tell me something long")
    assistant = page.locator(ASSISTANT).last
    expect()(assistant.get_by_text("Word010", exact=False)).to_be_visible()
    expect()(page.locator(STOP)).to_be_visible()
    page.locator(STOP).click()
    wait_idle(page)
    return assistant


MAIN = '[data-testid="stMain"]'


def wait_for_run(page) -> None:
    """Let the rerun an interaction started finish. Typing into a field while the run of an earlier
    change is still in flight can lose what was typed (a callback's values land after it)."""
    page.wait_for_timeout(150)  # the script state turns to "running" a moment after the event
    expect()(page.locator(APP)).to_have_attribute("data-test-script-state", "notRunning")


def choose_option(page, label: str, name: str) -> None:
    """Open the selectbox labelled ``label`` in the main area and pick ``name``."""
    box = page.locator(MAIN).get_by_role("combobox", name=label, exact=True)
    # The popover closes on scroll: bring the box into view first, let the scroll end, then click.
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box.click()
    if box.get_attribute("aria-expanded") != "true":  # a late scroll event closed it: once more
        page.wait_for_timeout(300)
        box.click()
    expect()(box).to_have_attribute("aria-expanded", "true")
    page.get_by_role("option", name=name, exact=True).click()
    expect()(box).to_have_value(name)
    wait_for_run(page)


def type_in(page, label: str, text: str) -> None:
    """Click a field and type into it, as a person does: no Enter; the next click commits it."""
    field = page.locator(MAIN).get_by_label(label, exact=True)
    field.click()
    field.fill(text)


def ask(page, text: str) -> None:
    """Click the chat input, type ``text`` and click the send arrow, as a person does."""
    box = page.locator(CHAT_INPUT)
    expect()(box).to_be_enabled()
    box.click()
    page.keyboard.type(text, delay=10)
    expect()(box).to_have_value(text)
    page.locator(SUBMIT).click()


def answered(page, question: str) -> None:
    """The last reply on screen is the fake upstream's finished answer to ``question``."""
    assistant = page.locator(ASSISTANT).last
    expect()(assistant).to_contain_text("You said: " + question)
    expect()(assistant.locator(CAPTION).last).to_contain_text(MODEL)
    wait_idle(page)


def eventually(check, timeout: float = TIMEOUT / 1000):
    """Retry ``check`` (which raises AssertionError) until it passes or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
