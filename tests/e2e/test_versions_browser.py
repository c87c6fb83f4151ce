"""Versions in a real browser: Regenerate and Edit keep what they replace ("‹ 2 / 2 ›" under the
message), the model gets the branch on screen, Branch opens a new conversation with the path down to
a message, and Delete version asks first.

Everything is done as a person does it: click the chat input, type, click the send arrow; click the
buttons on screen. Never Enter to send, never session state.

Run: .venv/bin/python -m pytest tests/e2e/test_versions_browser.py -q
(screenshots land in tests/e2e/artifacts/versions_*.png)
"""

from __future__ import annotations

import re

import pytest
from fake_upstream import reply
from steps import (
    ASSISTANT,
    CAPTION,
    LIVE,
    MODEL,
    SIDEBAR,
    STOP,
    ask,
    expect,
    shoot,
    wait_idle,
)

pytestmark = pytest.mark.e2e

MAIN = "#stMain"  # on a page with a chat input the <main> has no data-testid="stMain"
USER = '[data-testid="stChatMessage"]:has([data-testid="stChatMessageAvatarUser"])'
QUESTION = '[data-testid="stText"]'  # a question is drawn verbatim (st.text)
ELEMENT = f'[data-testid="stElementContainer"]{LIVE}'
VERSION = re.compile(r"^\s*\d+ / \d+\s*$")  # the "2 / 3" caption between ‹ and ›
CONV = f'{SIDEBAR} [class*="st-key-conv_"]{LIVE}'  # one per listed conversation
TITLE = f"{MAIN} h3"  # the open conversation's title (st.subheader)
DIALOG = '[role="dialog"]:not([data-testid="stPopoverBody"])'
CID = re.compile(r"[?&]c=([0-9a-f-]{8,})")

WORDS = {
    "en-US": {"send": "Send", "older": "Previous version", "newer": "Next version", "branch": "{} (branch)",
              "questions": ("What colour is the sky?", "And the sea?", "And grass?"),
              "edited": "What colour is the sky at night?"},
    "zh-CN": {"send": "发送", "older": "上一个版本", "newer": "下一个版本", "branch": "{}（分支）",
              "questions": ("天空是什么颜色？", "那大海呢？", "那草呢？"),
              "edited": "夜晚的天空是什么颜色？"},
}


# ----- Local helpers ------------------------------------------------------------------------------

def finished(page, answer: str) -> None:
    """The last reply on screen is ``answer``, finished and redrawn from the store."""
    ex = expect()
    last = page.locator(ASSISTANT).last
    ex(last).to_contain_text(answer)
    ex(last.locator(CAPTION).last).to_contain_text(MODEL)
    ex(keyed(page, "regenerate")).to_be_visible()  # drawn from the store once the reply's run ends
    wait_idle(page)


def chat(page, question: str, answer: str | None = None) -> None:
    """Ask ``question`` and wait for its finished reply (the fake upstream's echo by default)."""
    ask(page, question)
    finished(page, answer or f"You said: {question}")


def keyed(scope, key: str):
    """The visible button of the live widget keyed ``key`` (icon buttons with help keep a hidden twin)."""
    return scope.locator(f".st-key-{key}{LIVE} button:visible")


def action(scope, prefix: str):
    """The visible button keyed ``<prefix><message id>`` inside ``scope`` (one message)."""
    return scope.locator(f'[class*="st-key-{prefix}"]{LIVE} button:visible')


def version_of(message):
    """The "n / m" caption under ``message``."""
    return message.locator(f"{ELEMENT} {CAPTION}").filter(has_text=VERSION)


def questions(page):
    return page.locator(USER).locator(QUESTION)


def cid_of(page) -> str:
    """The open conversation's id, from the page's URL (``?c=``)."""
    expect()(page).to_have_url(CID)
    return CID.search(page.url).group(1)


def turns_sent(upstream) -> list[tuple[str, str]]:
    """(role, text) of each non-system message in the last chat request the fake upstream received."""
    chats = [r for r in upstream.requests if r["path"].endswith("/chat/completions")]
    return [(m["role"], m["content"]) for m in chats[-1]["json"]["messages"] if m["role"] != "system"]


def tooltip_of(page, button, text: str) -> None:
    """Hovering an icon-only button shows ``text``: how a new user learns what it does."""
    button.hover()
    expect()(page.get_by_role("tooltip")).to_contain_text(text)
    page.mouse.move(0, 0)
    expect()(page.get_by_role("tooltip")).to_have_count(0)


# ----- 1. Regenerate keeps the first reply; the follow-up goes with the one on screen ------------

@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_regenerate_keeps_version_one_and_a_follow_up_goes_with_it(new_page, upstream, artifacts, locale):
    words, ex = WORDS[locale], expect()
    question, follow_up = words["questions"][:2]
    upstream.push(reply("Thinking of the daytime sky.", "Blue, like a clear day."))
    upstream.push(reply("Thinking of the evening sky.", "Orange, like a sunset."))
    page = new_page(locale)
    chat(page, question, "Blue, like a clear day.")
    ex(version_of(page.locator(ASSISTANT))).to_have_count(0)  # one version: no "‹ 1 / 1 ›"

    keyed(page, "regenerate").click()
    finished(page, "Orange, like a sunset.")
    message = page.locator(ASSISTANT)
    ex(message).to_have_count(1)
    ex(version_of(message)).to_have_text("2 / 2")
    ex(action(message, "newer_")).to_be_disabled()
    tooltip_of(page, action(message, "older_"), words["older"])
    # A screen reader says the words, not the icon's name; the eye sees only the arrow.
    ex(action(message, "older_")).to_have_accessible_name(words["older"])
    ex(action(message, "newer_")).to_have_accessible_name(words["newer"])
    assert action(message, "older_").bounding_box()["width"] < 40
    shoot(page, artifacts / f"versions_regenerated_{locale}.png")

    action(message, "older_").click()
    ex(version_of(message)).to_have_text("1 / 2")
    ex(message).to_contain_text("Blue, like a clear day.")
    ex(message).not_to_contain_text("Orange")
    ex(action(message, "older_")).to_be_disabled()
    wait_idle(page)

    chat(page, follow_up)
    assert turns_sent(upstream) == [("user", question), ("assistant", "Blue, like a clear day."),
                                    ("user", follow_up)]
    page.reload(wait_until="domcontentloaded")
    first, second = page.locator(ASSISTANT).first, page.locator(ASSISTANT).last
    ex(page.locator(ASSISTANT)).to_have_count(2)
    ex(first).to_contain_text("Blue, like a clear day.")
    ex(version_of(first)).to_have_text("1 / 2")
    ex(questions(page)).to_have_text([question, follow_up])
    ex(second).to_contain_text(f"You said: {follow_up}")
    ex(second.locator(".katex")).to_have_count(1)  # the echo's formula: the text is drawn, not a placeholder
    wait_idle(page)
    shoot(page, artifacts / f"versions_follow_up_{locale}.png")


# ----- 2. Edit the first question: a new version, the original three turns one click away --------

def edit(page, message, text: str, send_label: str) -> None:
    """Click the question's Edit, replace its text as a person does, and click Send."""
    action(message, "edit_").click()
    box = page.locator(f".st-key-edit_text{LIVE} textarea")
    expect()(box).to_be_visible()
    box.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text, delay=5)
    expect()(box).to_have_value(text)
    page.locator(MAIN).get_by_role("button", name=send_label, exact=True).click()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_editing_the_first_question_keeps_the_three_turns_to_step_back_to(new_page, upstream, artifacts,
                                                                          locale):
    words, ex = WORDS[locale], expect()
    page = new_page(locale)
    originals = list(words["questions"])
    for question in originals:
        chat(page, question)

    # Slow enough to be seen streaming: Stop shows and the answer grows before it is finished.
    upstream.push(reply("Reconsidering the question. " * 4, "Dark blue, almost black. " * 12, delay=0.03))
    edit(page, page.locator(USER).first, words["edited"], words["send"])
    ex(page.locator(STOP)).to_be_visible()
    ex(page.locator(ASSISTANT).last).to_contain_text("Dark blue")
    finished(page, "Dark blue, almost black.")
    ex(questions(page)).to_have_text([words["edited"]])
    ex(page.locator(ASSISTANT)).to_have_count(1)
    ex(version_of(page.locator(USER))).to_have_text("2 / 2")
    assert turns_sent(upstream) == [("user", words["edited"])]
    shoot(page, artifacts / f"versions_edited_{locale}.png")

    action(page.locator(USER).first, "older_").click()
    ex(questions(page)).to_have_text(originals)
    ex(version_of(page.locator(USER).first)).to_have_text("1 / 2")
    ex(page.locator(ASSISTANT)).to_have_count(3)
    for i, question in enumerate(originals):
        ex(page.locator(ASSISTANT).nth(i)).to_contain_text(f"You said: {question}")
    wait_idle(page)
    shoot(page, artifacts / f"versions_edit_stepped_back_{locale}.png")


def test_the_edit_box_in_the_browser(new_page, artifacts):
    """The edit box on a question that is not the last one, as a new user sees it (screenshot only)."""
    page = new_page("en-US")
    chat(page, "first question")
    chat(page, "second question")
    action(page.locator(USER).first, "edit_").click()
    expect()(page.locator(f".st-key-edit_text{LIVE} textarea")).to_have_value("first question")
    wait_idle(page)
    shoot(page, artifacts / "versions_edit_box_en-US.png")


# ----- 3. Branch from the first reply ------------------------------------------------------------

def test_branching_from_the_first_reply_opens_a_new_conversation(new_page, upstream, artifacts):
    ex = expect()
    page = new_page("en-US")
    chat(page, "first question")
    chat(page, "second question")
    original = cid_of(page)

    action(page.locator(ASSISTANT).first, "branch_").click()
    ex(page).not_to_have_url(re.compile(rf"[?&]c={original}"))
    branch = cid_of(page)
    ex(page.locator(TITLE)).to_have_text("first question (branch)")
    ex(page.locator(f"{SIDEBAR} .st-key-conv_{branch}{LIVE} button")).to_have_text("first question (branch)")
    ex(page.locator(CONV)).to_have_count(2)
    ex(questions(page)).to_have_text(["first question"])
    ex(page.locator(ASSISTANT)).to_have_count(1)
    ex(page.locator(ASSISTANT)).to_contain_text("You said: first question")
    wait_idle(page)
    assert len([r for r in upstream.requests if r["path"].endswith("/chat/completions")]) == 2
    shoot(page, artifacts / "versions_branch_en-US.png")

    page.locator(f"{SIDEBAR} .st-key-conv_{original}{LIVE} button").click()
    ex(page).to_have_url(re.compile(rf"[?&]c={original}"))
    ex(page.locator(TITLE)).to_have_text("first question")
    ex(questions(page)).to_have_text(["first question", "second question"])
    ex(page.locator(ASSISTANT)).to_have_count(2)


# ----- 4. Delete version asks first ------------------------------------------------------------

def test_deleting_a_version_asks_first_and_shows_the_one_before(new_page, upstream, artifacts):
    ex = expect()
    for answer in ("Answer A.", "Answer B.", "Answer C."):
        upstream.push(reply("Picking one.", answer))
    page = new_page("en-US")
    chat(page, "Pick a letter", "Answer A.")
    for answer in ("Answer B.", "Answer C."):
        keyed(page, "regenerate").click()
        finished(page, answer)
    message = page.locator(ASSISTANT)
    ex(version_of(message)).to_have_text("3 / 3")

    ex(action(message, "drop_")).to_have_accessible_name("Delete this version")
    action(message, "drop_").click()
    dialog = page.locator(DIALOG)
    ex(dialog).to_contain_text("Delete this version?")
    wait_idle(page)
    shoot(page, artifacts / "versions_delete_dialog_en-US.png")
    keyed(page, "delete_version_cancel").click()
    ex(dialog).to_have_count(0)
    ex(version_of(message)).to_have_text("3 / 3")
    ex(message).to_contain_text("Answer C.")

    action(message, "drop_").click()
    keyed(page, "delete_version_confirm").click()
    ex(dialog).to_have_count(0)
    ex(version_of(message)).to_have_text("2 / 2")
    ex(message).to_contain_text("Answer B.")
    action(message, "older_").click()
    ex(version_of(message)).to_have_text("1 / 2")
    ex(message).to_contain_text("Answer A.")
    wait_idle(page)
