"""core.chat.session: the chat page's one call, against the fake upstream; client caching, budgets, log lines."""

import itertools

import pytest
from fake_upstream import error, reply

from core.chat.endpoint import Endpoint
from core.chat.events import AnswerDelta, Finished, Interrupted, ReasoningDelta
from core.chat.frames import frames
from core.chat.reply import Reply
from core.chat.session import (
    MAX_TOKENS_CAP,
    Options,
    for_visitor,
    log_outcome,
    make_client,
    raised_budget,
    start_reply,
)
from core.diagnosis import Diagnosis

KEY = "sk-" + "conversation" + "0123456789abcdef"  # built, so no token-shaped literal sits in the repo
TURNS = [{"role": "user", "content": "q1"},
         {"role": "assistant", "content": "a1", "reasoning": "secret thoughts", "status": "complete"},
         {"role": "user", "content": "q2"}]


def endpoint(base_url, **overrides):
    fields = dict(route="openai", base_url=base_url, api_key=KEY, model="deepseek-r1-250528",
                  provider="local", send_thinking=False, include_usage=True,
                  honours_temperature=True, read_timeout=5.0)
    return Endpoint(**{**fields, **overrides})


def talk(up, options=None, **overrides):
    """Start a reply and read every frame, as the chat page does."""
    ep = endpoint(up.base_url, **overrides)
    result, events = start_reply(make_client(ep), ep, TURNS, options or Options())
    return result, list(frames(events))


def test_a_reply_streams_to_completion_through_its_frames(upstream):
    result, frames = talk(upstream)
    assert (result.status, result.finish_reason) == ("complete", "stop")
    assert "q2" in result.answer and result.reasoning
    assert frames[-1].final and not any(f.final for f in frames[:-1])


def test_nothing_is_sent_until_the_first_frame_is_read(upstream):
    ep = endpoint(upstream.base_url)
    _, frame_iter = start_reply(make_client(ep), ep, TURNS, Options())
    before = len(upstream.requests)
    next(frame_iter)
    assert (before, len(upstream.requests)) == (0, 1)


def test_the_reply_carries_the_endpoints_model_route_and_budget(upstream):
    ticks = itertools.count(100.0, 0.25)
    ep = endpoint(upstream.base_url, model="deepseek-reasoner")
    result, frame_iter = start_reply(make_client(ep), ep, TURNS, Options(max_tokens=2048),
                                     clock=lambda: next(ticks))
    list(frame_iter)
    assert (result.model, result.route, result.max_tokens, result.started) == (
        "deepseek-reasoner", "openai", 2048, 100.0)
    assert result.to_message()["total"] > 0


def test_the_options_shape_the_request_and_reasoning_is_never_sent_back(upstream):
    talk(upstream, Options(system_prompt="  Be brief.  ", max_tokens=1024, temperature=0.6))
    sent = upstream.requests[0]["json"]
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, *[
        {"role": t["role"], "content": t["content"]} for t in TURNS]]
    assert (sent["max_tokens"], sent["temperature"]) == (1024, 0.6)


def test_a_temperature_the_endpoint_ignores_is_not_sent(upstream):
    talk(upstream, Options(temperature=0.6), honours_temperature=False)
    sent = upstream.requests[0]["json"]
    assert "temperature" not in sent


def test_a_refused_request_ends_the_reply_as_an_error(upstream):
    upstream.push(error("ark_401"))
    result, frames = talk(upstream)
    assert (result.status, result.diagnosis.kind) == ("error", "auth")
    assert frames[-1].final


def test_the_request_is_logged_without_the_key(upstream, log_lines):
    talk(upstream, Options(max_tokens=1024))
    leaked = any(KEY in line for line in log_lines)
    assert not leaked, "the key reached a log line"  # first, so no later failure prints it
    assert "request route=openai provider=local model=deepseek-r1-250528 turns=3 max_tokens=1024" in log_lines


def test_the_request_is_logged_when_it_goes_out_not_when_it_is_prepared(upstream, log_lines):
    ep = endpoint(upstream.base_url)
    _, events = start_reply(make_client(ep), ep, TURNS, Options())
    assert not [line for line in log_lines if line.startswith("request ")]  # its row may yet fail to store
    upstream.push(reply("r", "a"))
    list(events)
    assert len([line for line in log_lines if line.startswith("request ")]) == 1


def test_a_reply_gets_a_client_of_its_own_for_its_endpoint(upstream):
    first, second = make_client(endpoint(upstream.base_url)), make_client(endpoint(upstream.base_url))
    assert first is not second and first.api_key == KEY  # a hang-up of one reply never cuts another


def finished(*timeline):
    result = Reply(model="m", started=10.0)
    for at, event in timeline:
        result.apply(event, at)
    return result


def test_a_finished_reply_is_logged_with_its_sizes_and_timings(log_lines):
    log_outcome(finished((11.0, ReasoningDelta("abc")), (11.5, AnswerDelta("hi")), (12.25, Finished("stop"))))
    assert log_lines == ["reply status=complete finish=stop reasoning_chars=3 answer_chars=2 "
                         "ttft=1.00s total=2.25s"]


def test_a_failed_reply_is_logged_with_its_diagnosis_and_no_timings(log_lines):
    log_outcome(finished((10.5, Interrupted(Diagnosis("auth", status=401)))))
    (line,) = log_lines
    assert line.startswith("reply status=error finish=None reasoning_chars=0 answer_chars=0 ttft=- total=0.50s")
    assert "error=Diagnosis(kind='auth'" in line and "status=401" in line


@pytest.mark.parametrize(("budget", "raised"), [
    (256, 4096), (2048, 4096), (3000, 6000), (4096, 8192), (8192, 16384), (40000, MAX_TOKENS_CAP),
    (MAX_TOKENS_CAP, MAX_TOKENS_CAP),
])
def test_a_cut_reply_is_offered_double_the_budget_at_least_4096_at_most_the_cap(budget, raised):
    assert raised_budget(budget) == raised


def test_the_default_options_send_no_system_prompt_and_no_temperature_within_the_cap():
    assert Options() == Options(system_prompt="", max_tokens=8192, temperature=None)
    assert Options().max_tokens <= MAX_TOKENS_CAP


def test_each_visitor_is_a_different_coze_user_and_stays_the_same_one():
    bot = endpoint("https://api.coze.cn", route="coze-bot", bot_id="7400000000000000001")
    alice, bob = for_visitor(bot, "user:alice"), for_visitor(bot, "user:bob")
    assert alice.user_id != bob.user_id and alice.user_id == for_visitor(bot, "user:alice").user_id
    assert alice.user_id.startswith("r1-") and "alice" not in alice.user_id  # a hash, not who it is


def test_a_fixed_coze_user_id_and_other_routes_are_left_alone():
    fixed = endpoint("https://api.coze.cn", route="coze-bot", user_id="team-42")
    assert for_visitor(fixed, "user:alice") is fixed
    openai_route = endpoint("https://api.deepseek.com")
    assert for_visitor(openai_route, "user:alice") is openai_route
    assert for_visitor(None, "user:alice") is None
