"""core.chat.retry: which faults earn another attempt, how long it waits, and that Stop ends the wait."""

import email.utils
import time

import httpx2
import pytest

from core import i18n
from core.chat.events import AnswerDelta, Finished, Interrupted, Retrying
from core.chat.faults import is_html, page_title
from core.chat.retry import RETRYABLE, Policy, asked_wait, with_retries
from core.diagnosis import Diagnosis

FAST = Policy(sleep=lambda seconds: None)


@pytest.mark.parametrize(("kind", "wait", "done", "expected"), [
    ("rate_limit", "?", 0, (0.8, 1.2)),  # no Retry-After: the backoff
    ("server", "?", 1, (1.6, 2.4)),  # doubled for the second retry
    ("rate_limit", "30", 0, (30, 30)),  # Retry-After wins over a shorter backoff
    ("rate_limit", "0", 0, (0.8, 1.2)),  # ...but never makes it shorter
    ("rate_limit", "61", 0, None),  # longer than a minute: not waited out
    ("server", "?", 2, None),  # two retries are the most
    ("server", "?", 5, None),
    ("reset", "?", 1, (1.6, 2.4)),
    ("auth", "?", 0, None), ("not_found", "?", 0, None), ("refused", "?", 0, None),
    ("timeout", "?", 0, None), ("bad_data", "?", 0, None),
])
def test_delay(kind, wait, done, expected):
    delay = Policy().delay(Diagnosis(kind, {"wait": wait}), done)
    if expected is None:
        assert delay is None
    else:
        assert expected[0] <= delay <= expected[1]


def attempts(*outcomes):
    """A start() whose successive attempts yield the given events."""
    queue = list(outcomes)
    return lambda: (event for event in queue.pop(0))  # a generator, as a provider's stream is


def test_a_fault_after_text_is_never_retried():
    fault = Interrupted(Diagnosis("server"))
    events = list(with_retries(attempts([AnswerDelta("a"), fault], [AnswerDelta("b")]), FAST))
    assert events == [AnswerDelta("a"), fault]


def test_the_final_fault_says_how_many_retries_were_made():
    fault = Interrupted(Diagnosis("server", {"host": "h"}))
    events = list(with_retries(attempts([fault], [fault], [fault]), FAST))
    assert events[-1].diagnosis.params == {"host": "h", "retries": "2"}
    assert {e.attempt for e in events if isinstance(e, Retrying)} == {1, 2}


def test_a_success_after_a_retry_ends_the_countdown():
    events = list(with_retries(attempts([Interrupted(Diagnosis("reset"))], [Finished("stop")]), FAST))
    assert isinstance(events[0], Retrying) and events[-1] == Finished("stop")


def test_closing_during_the_wait_closes_the_attempt_and_sleeps_no_more():
    closed, slept = [], []

    def start():
        try:
            yield Interrupted(Diagnosis("rate_limit", {"wait": "30"}))
        finally:
            closed.append(True)

    events = with_retries(start, Policy(sleep=slept.append))
    assert isinstance(next(events), Retrying)
    events.close()  # what Stop does
    assert closed == [True] and sum(slept) == 0


def test_the_wait_a_response_asks_for():
    later = email.utils.formatdate(time.time() + 30, usegmt=True)  # an HTTP date 30 s ahead
    assert asked_wait(httpx2.Headers({"retry-after": "7"})) == "7"
    assert asked_wait(httpx2.Headers({"retry-after-ms": "1500"})) == "1.5"
    assert 28 <= float(asked_wait(httpx2.Headers({"retry-after": later}))) <= 30
    assert asked_wait(httpx2.Headers({"retry-after-ms": "soon", "retry-after": "5"})) == "5"  # each on its own
    for nonsense in ("soon", "nan", "inf", "-3", ""):
        assert asked_wait(httpx2.Headers({"retry-after": nonsense})) == "?"
    assert asked_wait(httpx2.Headers({})) == "?"


def test_closing_mid_attempt_closes_the_attempt():
    closed = []

    def start():
        try:
            yield AnswerDelta("half")
            yield AnswerDelta("never read")
        finally:
            closed.append(True)

    events = with_retries(start, FAST)
    assert next(events) == AnswerDelta("half")
    events.close()  # a Stop while text streams
    assert closed == [True]


@pytest.mark.parametrize(("body", "title"), [
    ("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "502 Bad Gateway"),
    ("<!DOCTYPE html><html><body><h1>Service &amp; co <b>down</b></h1></body></html>", "Service & co down"),
    ("<html><head><style>p{}</style></head><body><p>Down for maintenance</p></body></html>",
     "Down for maintenance"),
    ("<html><body><script>x()</script></body></html>", "503 Service Unavailable"),
    ("<html><title>\u202eevil &#x202e;[x](data:a)</title></html>", "evil [x](data:a)"),  # one clean line
])
def test_a_web_page_is_known_by_its_title(body, title):
    assert is_html(body) and page_title(body, 503) == title


def test_json_is_no_web_page():
    assert not is_html('{"error": {"message": "<b>x</b>"}}', "application/json")


@pytest.mark.parametrize("kind", sorted(RETRYABLE))
def test_every_retried_fault_has_words_for_its_countdown_and_its_end(kind):
    for lang in i18n.LANGUAGES:
        assert f"chat.retrying.{kind}" in i18n.CATALOGUES[lang]
        assert f"err.{kind}" in i18n.CATALOGUES[lang]


def test_jitter_never_passes_the_longest_delay():
    policy = Policy(retries=10)
    assert all(policy.delay(Diagnosis("server"), 6) <= policy.longest_delay for _ in range(200))
