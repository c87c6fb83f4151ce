"""The database restarts under two replicas: tried in a browser as a new user of a team deployment.

Two app processes share one PostgreSQL cluster of this test's own (the session's is never
stopped: other tests use it). A conversation is started on one replica and opened on the other;
then the server stops, as in a restart (``pg_ctl -m fast``: clients are cut off). The idle page
notices by itself, names the problem and keeps the conversation on screen (read-only), gives a
message sent meanwhile back into the input, asks nobody upstream, and comes back by itself once the
server is started again; nothing is lost. A reply that ends while the database is down is saved
whole once it is back, and the page that followed it stops saying it could not be saved by itself.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_database_restart_browser.py -q
(screenshots land in tests/e2e/artifacts/restart_*.png; without PostgreSQL's server binaries
these tests skip, and fail under CI=true)
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import postgres
import pytest
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
    SUBMIT,
    answered,
    ask,
    expect,
    shoot,
    wait_for_run,
    wait_idle,
)
from test_replicas_browser import chat_requests, cid_of, open_listed, user_turns

pytestmark = pytest.mark.e2e

CONV = f'{SIDEBAR} [class*="st-key-conv_"]{LIVE}'  # one per listed conversation
BODY = '[data-testid="stMainBlockContainer"]'  # the main area, without the input pinned below it
EXCEPTION = '[data-testid="stException"]'  # Streamlit's box for an uncaught error: a traceback
BACK_WITHIN_MS = 12_000  # the page asks every 3 s, and a failure counts for 3 s: about 6 s, with room
WORD = re.compile(r"Word\d{3}")  # the slow answer's words: none of them is in its reasoning

NOTICED_WITHIN_MS = 10_000  # an idle page looks every 3 s; a healthy answer counts for 3 s: about 6 s
WORDS = {
    "en-US": {"down": "The conversation database cannot be used now",
              "list": "Your conversations are unavailable while the conversation database cannot be used",
              "why": "the database server cannot be reached", "fix": "R1_DATABASE_URL",
              "retrying": "This page asks the database again every 3 s",
              "not_sent": "Not sent: the conversation database cannot be used now",
              "question": "Why is the sky blue?", "follow_up": "And why are sunsets red?"},
    "zh-CN": {"down": "暂时无法使用对话数据库", "list": "对话数据库无法使用期间，无法查看你的对话列表", "why": "无法连接数据库服务器", "fix": "R1_DATABASE_URL",
              "retrying": "本页面每 3 秒重新询问一次数据库",
              "not_sent": "未发送：暂时无法使用对话数据库",
              "question": "天空为什么是蓝色的？", "follow_up": "那日落为什么是红色的？"},
}


@pytest.fixture
def database_server():
    """A PostgreSQL cluster of this test's own, which it stops and starts again under the replicas."""
    # Tests request it before ``replicas``: it is torn down after them, once their database is dropped.
    reason = postgres.missing()
    if reason:
        postgres.unavailable(reason)
    with postgres.server() as cluster:
        yield cluster


@contextmanager
def database_down(cluster):
    """The database server stopped as in a restart, started again on leaving (also when a step failed,
    so that the teardown can drop the test's database)."""
    cluster.stop("fast")  # clients are cut off, as a restart or a failover does
    try:
        yield
    finally:
        cluster.start()


# ----- What the page shows ------------------------------------------------------------------------

def outage_shown(page, words: dict, timeout: int | None = None) -> None:
    """The page names the problem, its cause and its fix, says it asks again, and shows no traceback."""
    error = page.locator(f"{BODY} {ALERT}{LIVE}").filter(has_text=words["down"])
    expect()(error).to_be_visible(**({"timeout": timeout} if timeout else {}))
    expect()(error).to_contain_text(words["why"])
    expect()(error).to_contain_text(words["fix"])
    expect()(page.locator(BODY)).to_contain_text(words["retrying"])
    expect()(page.locator(EXCEPTION)).to_have_count(0)
    assert postgres.PASSWORD not in page.content()


def given_back(page, words: dict, text: str) -> None:
    """A message sent during the outage is back in the input, with the notice that it was not sent."""
    expect()(page.locator(CHAT_INPUT)).to_have_value(text)
    expect()(page.locator(ALERT).filter(has_text=words["not_sent"])).to_be_visible()
    expect()(page.locator(EXCEPTION)).to_have_count(0)


def comes_back(page, words: dict, messages: int) -> float:
    """Without a reload, the page shows the conversation list and ``messages`` messages again and the
    error is gone; return how many seconds that took."""
    began = time.monotonic()
    expect()(page.locator(CONV)).to_have_count(1, timeout=BACK_WITHIN_MS)
    expect()(page.locator(MESSAGE)).to_have_count(messages)
    expect()(page.locator(ALERT).filter(has_text=words["down"])).to_have_count(0)
    took = time.monotonic() - began
    wait_for_run(page)  # until the run ends, the outage view's caption lingers, faded, among the messages
    expect()(page.locator(BODY)).not_to_contain_text(words["retrying"])
    expect()(page.locator(EXCEPTION)).to_have_count(0)
    return took


def type_and_send(page, text: str) -> None:
    """Click the chat input, type ``text`` and click the send arrow (``ask``, for an input that may be
    redrawn while the page is waiting for the database)."""
    box = page.locator(CHAT_INPUT)
    box.click()
    page.keyboard.type(text, delay=10)
    expect()(box).to_have_value(text)
    page.locator(SUBMIT).click()


# ----- 1. Chat on A, continue on B, the database restarts under them ------------------------------

def chat_on_a_open_on_b(replica_urls: list[str], open_page, words: dict, locale: str):
    """Ask the question on A, open the conversation from B's sidebar; return both pages and its id."""
    page_a = open_page(replica_urls[0], locale)
    ask(page_a, words["question"])
    answered(page_a, words["question"])
    cid = cid_of(page_a)
    page_b = open_page(replica_urls[1], locale)  # another browser, another server process
    open_listed(page_b, cid, words["question"])
    answered(page_b, words["question"])
    return page_a, page_b, cid


def kept_on_screen(page, words: dict, messages: int) -> None:
    """While the database is down the page keeps what it showed: the conversation (read-only, without
    its actions), the language switch, and a line where the conversation list was."""
    expect()(page.locator(f"{BODY} {MESSAGE}{LIVE}")).to_have_count(messages)
    expect()(page.locator(f"{BODY} {MESSAGE}").first).to_contain_text(words["question"])
    expect()(page.locator(f"{BODY} {MESSAGE} button")).to_have_count(0)  # no Edit, Regenerate, Copy
    expect()(page.locator(SIDEBAR)).to_contain_text(words["list"])
    expect()(page.locator(f'{SIDEBAR} [data-testid="stButtonGroup"]')).to_be_visible()  # the language switch


def send_while_down(page, cid: str, words: dict, shot_path) -> None:
    """A person who only reads is told by the page itself, within seconds, with the conversation still
    on screen; they type the follow-up and send it anyway; it is given back."""
    outage_shown(page, words, timeout=NOTICED_WITHIN_MS)  # nobody clicked anything
    kept_on_screen(page, words, messages=2)
    expect()(page).to_have_url(re.compile(rf"[?&]c={cid}"))  # the conversation stays chosen
    type_and_send(page, words["follow_up"])
    given_back(page, words, words["follow_up"])
    outage_shown(page, words)
    shoot(page, shot_path)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_database_restart_under_two_replicas_loses_nothing(database_server, replicas, open_page,
                                                              upstream, artifacts, locale):
    words, ex = WORDS[locale], expect()
    page_a, page_b, cid = chat_on_a_open_on_b(replicas(2, database_server.url), open_page, words, locale)
    asked = len(chat_requests(upstream))
    with database_down(database_server):
        send_while_down(page_b, cid, words, artifacts / f"restart_down_{locale}.png")
        page_b.wait_for_timeout(4000)  # a poll or more meanwhile: still waiting, still holding the text
        given_back(page_b, words, words["follow_up"])
        assert len(chat_requests(upstream)) == asked, "a message sent while the database was down was asked"
    took = comes_back(page_b, words, messages=2)
    ex(page_b.locator(CHAT_INPUT)).to_have_value(words["follow_up"])  # still there, ready to send
    shoot(page_b, artifacts / f"restart_back_{locale}.png")
    print(f"{locale}: the page came back {took:.1f} s after the database was started")
    page_b.locator(SUBMIT).click()
    ex(page_b.locator(ASSISTANT)).to_have_count(2)
    answered(page_b, words["follow_up"])
    page_a.reload(wait_until="domcontentloaded")  # the whole conversation, read back from the store
    ex(page_a.locator(MESSAGE)).to_have_count(4)
    answered(page_a, words["follow_up"])
    follow_up = chat_requests(upstream)[-1]
    assert len(chat_requests(upstream)) == asked + 1
    assert user_turns(follow_up)[0] == ("user", words["question"])
    assert user_turns(follow_up)[2:] == [("user", words["follow_up"])], "B sent the whole conversation"


# ----- 2. A reply that ends while the database is down ----------------------------------------------

ANSWER = " ".join(f"Word{i:03d}" for i in range(60))
REASONING = "Let me weigh this carefully. "
QUESTION = "Count slowly, please."
SAVE_FAILED = "This reply could not be saved to the conversation database yet"
NOT_SAVING = "so this reply is not being saved. It goes on here"


def answer_words(page) -> list[str]:
    """The slow answer's words the last reply on screen shows."""
    return WORD.findall(page.locator(ASSISTANT).last.inner_text())


def stored_replies(cluster) -> list[tuple[str, str]]:
    """(status, content) of every assistant message in the test's database on ``cluster``."""
    import psycopg

    with psycopg.connect(cluster.url, autocommit=True) as admin:
        (name,), = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'").fetchall()
    with psycopg.connect(cluster.url.rsplit("/", 1)[0] + "/" + name) as db:
        return db.execute("SELECT status, content FROM messages WHERE role = 'assistant'").fetchall()


def stored_whole(cluster) -> None:
    """The reply is stored complete, every word, soon after the database is back (the registry tries
    its save again every 2 s)."""
    deadline = time.monotonic() + 10
    while (stored := stored_replies(cluster)) != [("complete", ANSWER)] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert stored == [("complete", ANSWER)], "the reply was not stored whole"


def thinking_on_a(replica_url: str, open_page, upstream, delay: float = 0.05):
    """Ask A for a slow answer (``delay`` s a word) that is held while R1 thinks; return A's page and
    the gate that lets the answer come."""
    script = reply(REASONING * 2, ANSWER, delay=delay)
    gate = hold_answer(script)
    upstream.push(script)
    page = open_page(replica_url, "en-US")
    ask(page, QUESTION)
    expect()(page.locator(ASSISTANT).last).to_contain_text(REASONING.strip())
    expect()(page.locator(STOP)).to_be_visible()
    return page, gate


def reply_ends_while_down(page, gate, shot_path) -> None:
    """Let the held answer stream while the database is down: A's page follows it to its end (it lives
    in A's server process) and says it could not be saved yet."""
    gate.set()
    expect()(page.locator(ASSISTANT).last.get_by_text("Word059", exact=False)).to_be_visible()
    expect()(page.locator(STOP)).to_have_count(0)
    assert answer_words(page) == ANSWER.split()
    expect()(page.locator(ASSISTANT).last.locator(ALERT)).to_contain_text(SAVE_FAILED)
    page.wait_for_timeout(4500)  # the save tried again twice meanwhile, in vain
    expect()(page.locator(EXCEPTION)).to_have_count(0)
    # By itself, the page tells the database is down, and keeps the reply as it ended, still unsaved.
    outage_shown(page, WORDS["en-US"], timeout=NOTICED_WITHIN_MS)
    expect()(page.locator(ASSISTANT).last.locator(ALERT)).to_contain_text(SAVE_FAILED)
    # The warning says to copy it: its Copy button stays in the read-only view.
    expect()(page.locator(ASSISTANT).last.locator('[class*="st-key-copy_"] button')).to_be_visible()
    assert answer_words(page) == ANSWER.split()
    shoot(page, shot_path)


def whole_reply(page) -> None:
    """The conversation's reply on ``page`` is the complete answer with its footer, not incomplete."""
    expect()(page.locator(MESSAGE)).to_have_count(2)
    assistant = page.locator(ASSISTANT).last
    expect()(assistant.locator(CAPTION).last).to_contain_text(MODEL)
    assert answer_words(page) == ANSWER.split()
    expect()(assistant).not_to_contain_text("ncomplete")  # "Incomplete", "Reply incomplete"


def test_a_reply_that_ends_while_the_database_restarts_is_kept_whole(database_server, replicas, open_page,
                                                                      upstream, artifacts):
    url_a, url_b = replicas(2, database_server.url)
    page_a, gate = thinking_on_a(url_a, open_page, upstream)
    cid = cid_of(page_a)
    page_b = open_page(url_b, "zh-CN")  # follows the reply from the store, about once a second
    open_listed(page_b, cid, QUESTION)
    with database_down(database_server):
        outage_shown(page_b, WORDS["zh-CN"])  # by itself: the follower's next look fails
        shoot(page_b, artifacts / "restart_follower_down_zh-CN.png")
        reply_ends_while_down(page_a, gate, artifacts / "restart_reply_ended_while_down_en-US.png")
    for page, locale in ((page_a, "en-US"), (page_b, "zh-CN")):
        comes_back(page, WORDS[locale], messages=2)  # by itself, without a reload
        whole_reply(page)
    stored_whole(database_server)
    page_a.reload(wait_until="domcontentloaded")
    expect()(page_a.locator(CHAT_INPUT)).to_be_visible()
    whole_reply(page_a)
    wait_idle(page_a)
    assert len(chat_requests(upstream)) == 1, "nothing was asked again"


def test_the_could_not_be_saved_warning_goes_by_itself_once_the_reply_is_saved(database_server, replicas,
                                                                                open_page, upstream, artifacts):
    """While the reply streams, the page says it is not being saved; once it ended, that it could not
    be saved yet; nobody clicks: once the registry stored it, the page says nothing more about it."""
    page, gate = thinking_on_a(replicas(1, database_server.url)[0], open_page, upstream, delay=0.25)
    with database_down(database_server):
        gate.set()  # 15 s of answer: its progress saves fail meanwhile
        expect()(page.locator(ASSISTANT).last.locator(ALERT)).to_contain_text(NOT_SAVING)
        expect()(page.locator(STOP)).to_be_visible()  # said while it streams, not only once it ended
        shoot(page, artifacts / "restart_not_saving_en-US.png")
        expect()(page.locator(ASSISTANT).last.locator(ALERT)).to_contain_text(SAVE_FAILED, timeout=30_000)
        expect()(page.locator(ASSISTANT).last.locator(ALERT)).to_have_count(1)  # the live warning went
    stored_whole(database_server)
    expect()(page.locator(ALERT).filter(has_text=SAVE_FAILED)).to_have_count(0, timeout=BACK_WITHIN_MS)
    whole_reply(page)
