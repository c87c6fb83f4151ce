"""Outages: a server database that failed is not tried again by every page run, only every few
seconds and by one thread at a time; the failure is raised again meanwhile."""

from __future__ import annotations

import threading

import pytest

from core.conversations.outages import Outages

URL = "postgresql://app:secret@db.example/chats"


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def fail(exc):
    def attempt():
        attempt.calls += 1
        raise exc
    attempt.calls = 0
    return attempt


def test_a_success_is_returned_and_nothing_is_remembered():
    outages = Outages(clock=Clock())
    assert outages.use(URL, lambda: "store") == "store"
    assert outages.failure(URL) is None


def test_a_failure_is_raised_again_without_trying_until_retry_after_has_passed():
    clock, refused = Clock(), ConnectionRefusedError("down")
    outages, attempt = Outages(retry_after=3.0, clock=clock), fail(refused)
    for _ in range(3):
        with pytest.raises(ConnectionRefusedError):
            outages.use(URL, attempt)
    assert attempt.calls == 1 and outages.failure(URL) is refused
    clock.now += 3.0
    assert outages.use(URL, lambda: "back") == "back"
    assert outages.failure(URL) is None


def test_another_url_is_tried_on_its_own():
    outages = Outages(clock=Clock())
    with pytest.raises(ConnectionRefusedError):
        outages.use(URL, fail(ConnectionRefusedError()))
    assert outages.use("postgresql://other/db", lambda: 1) == 1


def test_while_one_thread_tries_again_the_others_get_the_last_failure_at_once():
    clock = Clock()
    outages, trying, release = Outages(retry_after=1.0, clock=clock), threading.Event(), threading.Event()
    outages.record(URL, TimeoutError("no answer"))
    clock.now += 5.0

    def slow():
        trying.set()
        release.wait(5)
        return "back"

    worker = threading.Thread(target=lambda: outages.use(URL, slow))
    worker.start()
    trying.wait(5)
    with pytest.raises(TimeoutError):  # a host dropping packets costs this run nothing
        outages.use(URL, lambda: "never tried")
    release.set()
    worker.join(5)
    assert outages.failure(URL) is None


def test_a_failure_met_mid_run_counts_as_one_and_the_repr_names_no_url():
    outages = Outages(clock=Clock())
    outages.record(URL, ConnectionResetError("gone"))
    with pytest.raises(ConnectionResetError):
        outages.use(URL, lambda: "not yet")
    assert "secret" not in repr(outages)


def test_check_asks_at_most_once_per_retry_after_however_many_pages_check():
    """Idle pages look every few seconds: while the database answers, they share one query."""
    clock, calls = Clock(), []
    outages = Outages(retry_after=3.0, clock=clock)
    for _ in range(10):
        assert outages.check(URL, lambda: calls.append(1)) is None
    assert len(calls) == 1
    clock.now += 3.0
    assert outages.check(URL, lambda: calls.append(1)) is None and len(calls) == 2


def test_check_names_a_failure_and_one_met_mid_run_is_seen_at_once():
    clock, refused = Clock(), ConnectionRefusedError("down")
    outages = Outages(retry_after=3.0, clock=clock)
    assert outages.check(URL, lambda: None) is None
    outages.record(URL, refused)  # a page run lost the server a moment after it answered
    assert outages.check(URL, lambda: None) is refused
    clock.now += 3.0
    assert outages.check(URL, fail(refused)) is refused
    clock.now += 3.0
    assert outages.check(URL, lambda: None) is None and outages.failure(URL) is None


def test_a_database_that_answers_again_is_announced_once_per_outage():
    clock, back = Clock(), []
    outages = Outages(retry_after=3.0, clock=clock, on_back=back.append)
    outages.use(URL, lambda: "store")
    assert back == []  # never down: nothing to announce
    for _ in range(2):  # two outages, each followed by an answer and a few more uses
        with pytest.raises(ConnectionRefusedError):
            outages.use(URL, fail(ConnectionRefusedError("down")))
        clock.now += 3.0
        for _ in range(3):
            outages.use(URL, lambda: "store")
    assert back == [URL, URL]
