"""The fault suite: every upstream fault of issue 12, replayed on both routes against the fakes
through the chat's own call (core.chat.session.start_reply: client, retry policy, frames), with
what the user then reads in both languages. Nothing may be lost, nothing raw may be shown."""

import email.utils
import re
import time
from dataclasses import dataclass
from types import ModuleType

import fake_coze
import fake_upstream
import pytest

from core import i18n
from core.chat.endpoint import Endpoint
from core.chat.events import Retrying
from core.chat.frames import frames
from core.chat.retry import Policy
from core.chat.session import Options, make_client, start_reply
from core.diagnosis import words

KEY = "sk-" + "faultsuite" + "0123456789abcdef"
RAW = re.compile(r"\b\w+(Error|Exception)\b|Errno|<html|<title|Traceback")
TURNS = [{"role": "user", "content": "Why is the sky blue?"}]


@dataclass
class Route:
    """One route: its fake, the endpoint the chat uses for it, and how each fault looks on its wire
    (``wire``: fake_upstream or fake_coze, which name their fault builders alike)."""

    name: str
    fake: object
    endpoint: Endpoint
    wire: ModuleType

    def ok(self, answer="fine"):
        return self.wire.reply("thinking", answer)


@pytest.fixture(params=["openai", "coze-bot"])
def route(request):
    if request.param == "openai":
        with fake_upstream.FakeUpstream() as fake:
            yield Route("openai", fake, Endpoint("openai", fake.base_url, KEY, "deepseek-r1-250528", "local",
                                                 False, True, True, 5.0), fake_upstream)
    else:
        with fake_coze.FakeCoze() as fake:
            bot = fake_coze.BOT_ID
            yield Route("coze-bot", fake, Endpoint("coze-bot", fake.url, fake_coze.TOKEN, bot, "coze-bot", False,
                                                   False, False, 5.0, bot_id=bot, user_id="r1-suite"), fake_coze)


def ask(route: Route, *scripts):
    """Ask once as the chat page does; return the reply, every event-derived frame and the waits slept."""
    route.fake.push(*scripts)
    slept: list[float] = []
    policy = Policy(sleep=slept.append)
    result, events = start_reply(make_client(route.endpoint), route.endpoint, TURNS, Options(), retry=policy)
    return result, list(frames(events)), slept


def read(result) -> dict[str, str]:
    """What the user reads about the outcome, in each language."""
    return {lang: words(result.diagnosis, i18n.translator(lang)) for lang in i18n.LANGUAGES}


def retries_shown(frames) -> list[Retrying]:
    return [f.retry for f in frames if f.retry is not None]


def test_a_rate_limit_is_waited_out_as_asked_with_a_countdown(route):
    result, frames, slept = ask(route, route.wire.rate_limited("30"), route.ok())
    assert result.status == "complete" and result.answer == "fine"
    shown = retries_shown(frames)
    assert shown[0].seconds == pytest.approx(30, abs=0.01)  # Retry-After is longer than any backoff
    assert (shown[0].attempt, shown[0].attempts, shown[0].diagnosis.kind) == (1, 2, "rate_limit")
    assert [round(r.seconds, 1) for r in shown][:3] == [30.0, 29.5, 29.0]  # never silent: a tick each 0.5 s
    assert sum(slept) == pytest.approx(30, abs=0.01)
    assert len(route.fake.requests) == 2


def test_a_lasting_rate_limit_says_how_long_and_how_often_it_was_tried(route):
    result, _, _ = ask(route, *[route.wire.rate_limited("30")] * 3)
    assert (result.status, result.diagnosis.kind) == ("error", "rate_limit")
    text = read(result)
    assert "asks to wait 30 s" in text["en"] and "retried 2 times" in text["en"]
    assert "30 秒" in text["zh-CN"] and "2 次" in text["zh-CN"]
    assert len(route.fake.requests) == 3


def test_a_wait_longer_than_a_minute_is_not_sat_through(route):
    result, frames, slept = ask(route, route.wire.rate_limited("600"))
    assert result.diagnosis.params["wait"] == "600" and not slept and not retries_shown(frames)
    assert "retried" not in read(result)["en"]  # it says only what happened
    assert len(route.fake.requests) == 1


def test_one_server_failure_is_retried_on_both_routes(route):
    result, frames, slept = ask(route, route.wire.server_error(), route.ok())
    assert result.status == "complete"
    assert retries_shown(frames)[0].diagnosis.kind == "server"
    assert 0.8 <= sum(slept) <= 1.2  # the first backoff: one second, jittered
    assert len(route.fake.requests) == 2


def test_a_gateway_error_page_is_named_by_its_title_never_pasted(route):
    result, _, _ = ask(route, *[route.wire.html_page()] * 3)
    assert result.diagnosis.kind == "gateway"
    for text in read(result).values():
        assert "502 Bad Gateway" in text and "nginx" not in text and not RAW.search(text)
    assert "proxy or gateway" in read(result)["en"]


def test_a_malformed_chunk_is_named_and_the_partial_reply_kept(route):
    result, _, _ = ask(route, route.wire.malformed(), route.ok())
    assert (result.status, result.diagnosis.kind) == ("interrupted", "bad_data")
    assert result.answer.startswith("partial")
    assert "could not read" in read(result)["en"]
    assert len(route.fake.requests) == 1  # text had arrived: another attempt would repeat it


def test_a_reset_before_any_text_is_retried_and_named_in_words(route):
    result, _, _ = ask(route, *[route.wire.reset_connection(after_text=False)] * 3)
    assert result.diagnosis.kind == "reset"
    assert len(route.fake.requests) == 3
    text = read(result)
    assert "was reset" in text["en"] and "重置" in text["zh-CN"]


def test_a_reset_mid_reply_keeps_what_arrived(route):
    result, _, _ = ask(route, route.wire.reset_connection(after_text=True))
    assert (result.status, result.diagnosis.kind) == ("interrupted", "reset")
    assert result.answer == "partial "
    assert len(route.fake.requests) == 1


def test_a_refused_connection_is_named_and_not_retried(route):
    route.fake.stop()
    result, _, slept = ask(route)
    assert result.diagnosis.kind == "refused" and not slept


def test_an_answer_sent_without_streaming(route):
    if route.name == "openai":
        result, _, _ = ask(route, fake_upstream.whole_answer("The answer.", "Thinking first."))
        assert (result.status, result.answer, result.reasoning) == ("complete", "The answer.", "Thinking first.")
        assert result.usage.completion_tokens == 9
    else:  # Coze's non-streamed chat is an object to poll: nothing to show live
        result, _, _ = ask(route, fake_coze.not_streamed())
        assert result.diagnosis.kind == "not_streamed"
        assert "did not stream" in read(result)["en"]
        assert len(route.fake.requests) == 1


@pytest.mark.parametrize("fault", ["rate", "server", "html", "malformed", "reset", "reset_mid"])
def test_no_message_shows_a_class_name_markup_or_the_key(route, fault):
    scripts = {"rate": [route.wire.rate_limited("1")] * 3, "server": [route.wire.server_error()] * 3,
               "html": [route.wire.html_page()] * 3, "malformed": [route.wire.malformed()],
               "reset": [route.wire.reset_connection(False)] * 3, "reset_mid": [route.wire.reset_connection(True)]}[fault]
    result, frames, _ = ask(route, *scripts)
    for text in read(result).values():
        assert not RAW.search(text), text
        assert route.endpoint.api_key not in text
    for shown in retries_shown(frames):
        assert not RAW.search(i18n.translate("en", f"chat.retrying.{shown.diagnosis.kind}", **shown.diagnosis.params))


def test_a_web_page_answered_with_200_is_no_answer(route):
    portal = route.wire.Script(status=200, body="<html><title>Sign in to Wi-Fi</title></html>", content_type="text/html")
    result, _, _ = ask(route, portal)
    assert (result.diagnosis.kind, result.diagnosis.params["page_title"]) == ("not_streamed", "Sign in to Wi-Fi")
    assert "answered with a web page" in read(result)["en"] and "Sign in to Wi-Fi" in read(result)["en"]
    assert not RAW.search(read(result)["en"])


def test_a_stream_labelled_as_json_still_streams(route):
    script = route.ok("streamed anyway")
    script.headers = {**script.headers, "content-type": "application/json"}
    result, _, _ = ask(route, script)
    assert (result.status, result.answer) == ("complete", "streamed anyway")


def test_a_body_is_read_for_what_it_is_not_for_its_label(route):
    if route.name == "openai":  # a whole answer labelled as a web page is still the answer
        whole = fake_upstream.whole_answer("Labelled wrong.", "Hm.")
        whole.content_type = "text/html"
        result, _, _ = ask(route, whole)
        assert (result.status, result.answer) == ("complete", "Labelled wrong.")
    else:  # Coze's JSON refusal labelled as a web page keeps its code
        refusal = fake_coze.refusal(4015)
        refusal.content_type = "text/html"
        result, _, _ = ask(route, refusal)
        assert (result.diagnosis.kind, result.diagnosis.params["code"]) == ("bot_not_published", "4015")


def test_a_wait_given_as_an_http_date_is_honoured(route):
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    result, frames, slept = ask(route, route.wire.rate_limited(when), route.ok())
    assert result.status == "complete"
    assert 18 <= sum(slept) <= 21 and 18 <= retries_shown(frames)[0].seconds <= 21


def test_a_server_that_asks_for_more_than_a_minute_is_not_sat_through(route):
    script = route.wire.server_error()
    script.headers = {**script.headers, "retry-after": "120"}
    result, _, slept = ask(route, script)
    assert not slept and len(route.fake.requests) == 1
    assert "asks to wait 120 s" in read(result)["en"]
