"""The reply worker: a reply generated on a server thread, followed by pages that come and go,
stopped at once even while upstream is silent, and saved when the server shuts down. Both routes
run against their fakes on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from types import ModuleType

import fake_coze
import fake_upstream
import pytest

from core.chat.endpoint import Endpoint
from core.chat.events import AnswerDelta, ReasoningDelta
from core.chat.session import Options
from core.conversations import turns
from core.conversations.database import MEMORY
from core.conversations.store import open_store
from core.replies.registry import Limits, NoRoom, Replies

KEY = "sk-replies-test-0123456789abcdef"
OWNER, VISITOR = "me", "visitor-1"
ROOMY = Limits(per_visitor=10, per_process=10)


@dataclass
class Route:
    fake: object
    endpoint: Endpoint
    wire: ModuleType


@pytest.fixture(params=["openai", "coze-bot"])
def route(request):
    if request.param == "openai":
        with fake_upstream.FakeUpstream() as fake:
            yield Route(fake, Endpoint("openai", fake.base_url, KEY, "deepseek-r1-250528", "local",
                                       False, True, True, 5.0), fake_upstream)
    else:
        with fake_coze.FakeCoze() as fake:
            bot = fake_coze.BOT_ID
            yield Route(fake, Endpoint("coze-bot", fake.url, fake_coze.TOKEN, bot, "coze-bot", False, False,
                                       False, 5.0, bot_id=bot, user_id="r1-test"), fake_coze)


@pytest.fixture
def store():
    return open_store(MEMORY)


@pytest.fixture
def replies():
    board = Replies(register_exit=False)
    yield board
    board.shutdown()


def ask(store, replies, route, question="q", cid=None, visitor=VISITOR, limits=ROOMY):
    cid = turns.send(store, OWNER, cid, question, "Untitled")
    return replies.start(store, OWNER, cid, visitor, route.endpoint, Options(), limits)


def held(route, reasoning="Let me think about this.", answer="Forty-two."):
    """A reply that streams its reasoning, then goes silent until the gate opens."""
    script = route.wire.reply(reasoning, answer)
    return script, route.wire.hold_answer(script)


def thinking(store, replies, route):
    """Ask for a held reply and wait until it is thinking; return it and the gate that lets it answer."""
    script, gate = held(route)
    route.fake.push(script)
    job = ask(store, replies, route)
    wait_for(lambda: job.reply.reasoning)
    return job, gate


def wait_for(condition, timeout=5.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def text_of(events):
    return ("".join(e.text for e in events if isinstance(e, ReasoningDelta)),
            "".join(e.text for e in events if isinstance(e, AnswerDelta)))


def last(store, cid):
    return store.messages(OWNER, cid)[-1]


def test_a_reply_runs_on_its_worker_to_the_end_and_is_stored_once(store, replies, route):
    job = ask(store, replies, route)
    wait_for(lambda: not job.running)
    done = last(store, job.cid)
    assert (done["role"], done["status"], done["content"]) == ("assistant", "complete", job.reply.answer)
    assert len(route.fake.requests) == 1
    assert replies.find(VISITOR, job.cid) is None and replies.generating(VISITOR) == set()


def test_a_page_that_leaves_stops_only_following(store, replies, route):
    script, gate = held(route)
    route.fake.push(script)
    job = ask(store, replies, route)
    page = job.follow()
    wait_for(lambda: any(e for e in [next(page)] if e is not None))  # the page saw thinking
    page.close()  # the user went elsewhere, refreshed, or closed the tab
    assert job.running
    gate.set()
    wait_for(lambda: not job.running)
    assert last(store, job.cid)["status"] == "complete"
    assert len(route.fake.requests) == 1


def test_a_page_that_comes_back_sees_everything_from_the_start(store, replies, route):
    script, gate = held(route)
    route.fake.push(script)
    job = ask(store, replies, route)
    wait_for(lambda: job.reply.reasoning == "Let me think about this.")
    gate.set()
    late = [e for e in job.follow() if e is not None]  # attached mid-way, followed to the end
    assert text_of(late) == ("Let me think about this.", "Forty-two.")


def test_two_pages_follow_one_reply_live(store, replies, route):
    job = ask(store, replies, route)
    seen = [[], []]
    pages = [threading.Thread(target=lambda out=out: out.extend(e for e in job.follow() if e)) for out in seen]
    for page in pages:
        page.start()
    for page in pages:
        page.join(5)
    assert text_of(seen[0]) == text_of(seen[1]) == (job.reply.reasoning, job.reply.answer)


def test_a_quiet_upstream_still_lets_a_follower_tick(store, replies, route):
    script, gate = held(route)
    route.fake.push(script)
    job = ask(store, replies, route)
    page = job.follow(tick=0.05)
    ticks = 0
    while ticks < 5:
        ticks += next(page) is None
    gate.set()


def test_stop_during_upstream_silence_hangs_up_at_once(store, replies, route):
    job, gate = thinking(store, replies, route)
    time.sleep(0.3)  # upstream is silent now, the worker blocked reading
    asked = time.monotonic()
    assert replies.stop(VISITOR, job.cid)
    stopped = time.monotonic()
    assert not job.running and stopped - asked < 0.5
    stored = last(store, job.cid)
    assert (stored["status"], stored["reasoning"], stored["content"]) == ("stopped", "Let me think about this.", "")
    assert stored["thought"] is None  # it never finished thinking
    wait_for(lambda: route.fake.server.hung_up, timeout=2)
    assert route.fake.server.hung_up[0] - asked < 0.5  # the provider saw the connection close
    gate.set()
    time.sleep(0.2)
    assert last(store, job.cid)["status"] == "stopped"  # the worker's own end does not overwrite it
    assert len(route.fake.requests) == 1


def test_stop_during_a_retry_wait_asks_nothing_more(store, replies, route):
    route.fake.push(route.wire.rate_limited("30"), route.wire.reply("r", "a"))
    job = ask(store, replies, route)
    wait_for(lambda: len(route.fake.requests) == 1)
    time.sleep(0.2)
    replies.stop(VISITOR, job.cid)
    time.sleep(0.7)
    assert len(route.fake.requests) == 1
    assert last(store, job.cid)["status"] == "stopped"


def test_several_conversations_generate_at_once(store, replies, route):
    scripts = [held(route, reasoning=f"thinking {n}", answer=f"answer {n}") for n in range(3)]
    route.fake.push(*(script for script, _ in scripts))
    jobs = [ask(store, replies, route, question=f"q{n}") for n in range(3)]
    wait_for(lambda: all(job.reply.reasoning for job in jobs))
    assert replies.generating(VISITOR) == {job.cid for job in jobs}
    assert replies.generating("someone else") == set()
    for _, gate in scripts:
        gate.set()
    wait_for(lambda: not any(job.running for job in jobs))
    assert sorted(last(store, job.cid)["content"] for job in jobs) == ["answer 0", "answer 1", "answer 2"]


def test_shutdown_saves_running_replies_as_incomplete(store, replies, route):
    job, gate = thinking(store, replies, route)
    replies.shutdown()
    stored = last(store, job.cid)
    assert (stored["status"], stored["reasoning"]) == ("incomplete", "Let me think about this.")
    gate.set()


def test_a_visitor_attaches_only_to_their_own_replies(store, replies, route):
    script, gate = held(route)
    route.fake.push(script)
    job = ask(store, replies, route)
    assert replies.find("someone else", job.cid) is None
    assert not replies.stop("someone else", job.cid) and job.running
    assert replies.find(VISITOR, job.cid) is job
    gate.set()


def test_caps_per_conversation_visitor_and_process(store, replies, route):
    held_scripts = [held(route) for _ in range(3)]
    route.fake.push(*(script for script, _ in held_scripts))
    limits = Limits(per_visitor=2, per_process=3)
    first = ask(store, replies, route, limits=limits)
    with pytest.raises(NoRoom) as busy:
        replies.check_room(VISITOR, first.cid, limits)
    assert busy.value.reason == "busy"
    ask(store, replies, route, limits=limits)
    with pytest.raises(NoRoom) as mine:
        ask(store, replies, route, limits=limits)
    assert (mine.value.reason, mine.value.limit) == ("visitor", 2)
    ask(store, replies, route, visitor="visitor-2", limits=limits)
    with pytest.raises(NoRoom) as everyone:
        replies.check_room("visitor-3", None, limits)
    assert (everyone.value.reason, everyone.value.limit) == ("process", 3)
    for _, gate in held_scripts:
        gate.set()


def test_a_deleted_conversation_ends_its_reply(store, replies, route):
    job, gate = thinking(store, replies, route)
    store.delete(OWNER, job.cid)
    gate.set()  # its next save finds no row: the worker hangs up instead of streaming on
    wait_for(lambda: not job.running)
    assert job.saved is None and store.get(OWNER, job.cid) is None


def test_a_reply_never_shows_the_key(store, replies, route):
    job = ask(store, replies, route)
    wait_for(lambda: not job.running)
    assert KEY not in repr(job) + repr(replies) and fake_coze.TOKEN not in repr(job)


def test_a_silent_reply_still_shows_it_is_alive(store, route):
    board = Replies(register_exit=False, heartbeat=0.2)
    script, gate = held(route)
    route.fake.push(script)
    job = ask(store, board, route)
    wait_for(lambda: job.reply.reasoning)  # then upstream goes silent

    def saved_at():
        return store.db.query("SELECT updated_at FROM messages WHERE status = 'streaming'")[0]["updated_at"]

    first = saved_at()
    wait_for(lambda: saved_at() > first + 0.3)  # saved again meanwhile: other replicas see it alive
    gate.set()
    board.shutdown()


def test_a_reply_that_ends_while_the_database_is_down_is_saved_once_it_can_be(store, route, monkeypatch):
    board = Replies(register_exit=False, retry_save=0.05)
    script, gate = held(route)
    route.fake.push(script)
    job = ask(store, board, route)
    wait_for(lambda: job.reply.reasoning)
    working = store.update

    def down(mid, msg):
        raise sqlite3.OperationalError("the database server went away")

    monkeypatch.setattr(store, "update", down)
    gate.set()
    wait_for(lambda: not job.running)
    assert job.saved is False and board.unsaved() == [job]
    assert store.messages(OWNER, job.cid)[-1]["status"] == "streaming"  # its last save before the fault
    time.sleep(0.2)  # tried again meanwhile, still failing: kept
    assert board.unsaved() == [job]
    monkeypatch.setattr(store, "update", working)
    wait_for(lambda: not board.unsaved())
    stored = store.messages(OWNER, job.cid)[-1]
    assert (stored["status"], stored["content"]) == ("complete", "Forty-two.") and job.saved is True
    board.shutdown()
