"""Replicas share everything: two app processes on one PostgreSQL database, driven in a browser.

A conversation started on one replica is listed, opened and continued on the other, and a reply
being generated on one is followed live from the other (it polls the store about once a second).
Both pages reach their replica on 127.0.0.1, so both are the machine's owner: the same conversations.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_replicas_browser.py -q
(screenshots land in tests/e2e/artifacts/replicas_*.png; without PostgreSQL's server binaries
these tests skip, and fail under CI=true)
"""

from __future__ import annotations

import re
import time

import pytest
from fake_upstream import hold_answer, reply
from postgres import PASSWORD
from steps import (
    ASSISTANT,
    CAPTION,
    CHAT_INPUT,
    LIVE,
    MESSAGE,
    MODEL,
    SIDEBAR,
    STOP,
    THINKING_LABEL,
    TIMEOUT,
    answered,
    ask,
    expect,
    shoot,
    wait_idle,
)

pytestmark = pytest.mark.e2e

CONV = f'{SIDEBAR} [class*="st-key-conv_"]{LIVE}'  # one per listed conversation
CID = re.compile(r"[?&]c=([0-9a-f-]{8,})")
WORD = re.compile(r"Word\d{3}")  # the slow answer's words: none of them is in its reasoning

WORDS = {
    "en-US": {"shared": "shared by every copy of this app that uses it",
              "thought": re.compile(r"Thought for (\d+(?:\.\d+)?) s"),
              "question": "Why is the sky blue?", "follow_up": "And why are sunsets red?"},
    "zh-CN": {"shared": "使用它的每个应用副本共享这些对话",
              "thought": re.compile(r"已深度思考（用时 (\d+(?:\.\d+)?) 秒）"),
              "question": "天空为什么是蓝色的？", "follow_up": "那日落为什么是红色的？"},
}


# ----- Local helpers ------------------------------------------------------------------------------

def cid_of(page) -> str:
    """The open conversation's id, from the page's URL (``?c=``)."""
    expect()(page).to_have_url(CID)
    return CID.search(page.url).group(1)


def open_listed(page, cid: str, title: str) -> None:
    """Click conversation ``cid`` in the sidebar, where it is listed under ``title``."""
    button = page.locator(f"{SIDEBAR} .st-key-conv_{cid}{LIVE} button:visible")
    expect()(button).to_have_text(title)
    button.click()
    expect()(page).to_have_url(re.compile(rf"[?&]c={cid}"))


def kept_in_postgres(page, locale: str) -> None:
    """The sidebar says the conversations are in the shared database, its password masked."""
    sidebar = page.locator(SIDEBAR)
    expect()(sidebar).to_contain_text(WORDS[locale]["shared"])
    assert PASSWORD not in sidebar.inner_text()


def user_turns(request: dict) -> list[tuple[str, str]]:
    """The conversation a chat request carried upstream: (role, content) of each non-system message."""
    return [(m["role"], m["content"]) for m in request["json"]["messages"] if m["role"] != "system"]


def chat_requests(upstream) -> list[dict]:
    """The chat requests the fake upstream received, in order (from either replica)."""
    return [r for r in upstream.requests if r["path"].endswith("/chat/completions")]


# ----- 1. Started on one replica, continued on the other -----------------------------------------

@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_conversation_started_on_one_replica_goes_on_on_the_other(replicas, open_page, upstream,
                                                                     artifacts, locale):
    words, ex = WORDS[locale], expect()
    url_a, url_b = replicas(2)
    page_a = open_page(url_a, locale)
    kept_in_postgres(page_a, locale)
    ask(page_a, words["question"])
    answered(page_a, words["question"])
    cid = cid_of(page_a)

    page_b = open_page(url_b, locale)  # another browser, another server process
    kept_in_postgres(page_b, locale)
    ex(page_b.locator(CONV)).to_have_count(1)
    open_listed(page_b, cid, words["question"])
    ex(page_b.locator(MESSAGE).first).to_contain_text(words["question"])
    ex(page_b.locator(ASSISTANT).last).to_contain_text("You said: " + words["question"])
    ask(page_b, words["follow_up"])
    ex(page_b.locator(ASSISTANT)).to_have_count(2)
    answered(page_b, words["follow_up"])
    shoot(page_b, artifacts / f"replicas_continued_on_b_{locale}.png")

    # A, left open and idle, shows B's turn by itself (it looks every 3 s): no click, no reload.
    ex(page_a.locator(MESSAGE)).to_have_count(4, timeout=12_000)
    answered(page_a, words["follow_up"])

    page_a.reload(wait_until="domcontentloaded")  # the same conversation, read back from the store
    ex(page_a.locator(CHAT_INPUT)).to_be_visible()
    assert cid_of(page_a) == cid
    ex(page_a.locator(MESSAGE)).to_have_count(4)
    answered(page_a, words["follow_up"])
    ex(page_a.locator(MESSAGE).nth(2)).to_contain_text(words["follow_up"])

    first, follow_up = chat_requests(upstream)
    assert user_turns(follow_up)[:1] == [("user", words["question"])]
    assert user_turns(follow_up)[1][0] == "assistant" and words["question"] in user_turns(follow_up)[1][1]
    assert user_turns(follow_up)[2:] == [("user", words["follow_up"])], "B sent the whole conversation"


# ----- 2. A reply generating on one replica, followed from the other ----------------------------

ANSWER = " ".join(f"Word{i:03d}" for i in range(60))  # 80 chunks: about 8 s at 0.1 s each
REASONING = "Let me weigh this carefully. "


@pytest.fixture
def new_context(browser):
    """``new_context(locale)``: a fresh browser context's page, not yet on any URL; all closed afterwards."""
    contexts = []

    def new(locale: str):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                      color_scheme="light")
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        return context.new_page()

    yield new
    for context in contexts:
        context.close()


def open_together(new_context, urls: list[str], locales: list[str]) -> list:
    """A fresh browser context on each URL, loaded at once, so the replicas' first sessions start
    together (on an empty database each runs the migrations while the other may too)."""
    pages = []
    for url, locale in zip(urls, locales, strict=True):
        pages.append(new_context(locale))
        pages[-1].goto(url, wait_until="commit")  # not waiting for the app: the next one starts now
    for page in pages:
        expect()(page.locator(CHAT_INPUT)).to_be_visible()
    return pages


def answer_words(page) -> int:
    """How many words of the slow answer the last reply on screen shows."""
    return len(WORD.findall(page.locator(ASSISTANT).last.inner_text()))


def watch_grow(page, total: int, on_second_step) -> list[int]:
    """Read the answer's length on ``page`` about every half second until it has all ``total`` words;
    return the lengths seen, in order. ``on_second_step`` runs once the second partial length shows."""
    seen, deadline = [], time.monotonic() + 3 * TIMEOUT / 1000
    while not seen or seen[-1] < total:
        assert time.monotonic() < deadline, f"the answer stopped growing on the follower: {seen}"
        count = answer_words(page)
        if not seen or count != seen[-1]:
            seen.append(count)
            if len([n for n in seen if 0 < n < total]) == 2:
                on_second_step()
        page.wait_for_timeout(500)
    return seen


def thought_seconds(page, locale: str) -> str:
    """The finished reply's thinking time, as its label says it."""
    label = page.locator(ASSISTANT).last.locator(THINKING_LABEL)
    expect()(label).to_contain_text(WORDS[locale]["thought"])
    return WORDS[locale]["thought"].search(label.inner_text()).group(1)


def test_a_reply_generating_on_one_replica_is_followed_from_the_other(replicas, new_context, upstream,
                                                                       artifacts):
    ex = expect()
    script = reply(REASONING * 2, ANSWER, delay=0.1)
    gate = hold_answer(script)  # thinking until the follower has the conversation open
    upstream.push(script)
    page_a, page_b = open_together(new_context, replicas(2), ["en-US", "zh-CN"])
    ask(page_a, "Count slowly, please.")
    ex(page_a.locator(ASSISTANT).last).to_contain_text(REASONING.strip())
    ex(page_a.locator(STOP)).to_be_visible()
    cid = cid_of(page_a)

    page_b.reload(wait_until="domcontentloaded")  # its list was drawn before the conversation began
    open_listed(page_b, cid, "Count slowly, please.")
    ex(page_b.locator(MESSAGE).first).to_contain_text("Count slowly, please.")
    ex(page_b.locator(ASSISTANT)).to_have_count(1)
    gate.set()

    total = len(ANSWER.split())
    seen = watch_grow(page_b, total, lambda: shoot(page_b, artifacts / "replicas_following_zh.png"))
    partial = [n for n in seen if 0 < n < total]
    assert len(set(partial)) >= 2, f"the follower saw the answer at {seen} words only"
    assert seen == sorted(seen), f"the answer shrank on the follower: {seen}"

    wait_idle(page_a)
    wait_idle(page_b)
    assert WORD.findall(page_b.locator(ASSISTANT).last.inner_text()) == ANSWER.split()
    assert WORD.findall(page_a.locator(ASSISTANT).last.inner_text()) == ANSWER.split()
    ex(page_b.locator(ASSISTANT).last.locator(CAPTION).last).to_contain_text(MODEL)
    assert thought_seconds(page_b, "zh-CN") == thought_seconds(page_a, "en-US")
    shoot(page_b, artifacts / "replicas_followed_zh.png")
    assert len(chat_requests(upstream)) == 1, "following must not ask again"
