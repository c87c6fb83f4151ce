"""The streaming client against the fake upstream: real HTTP, recorded shapes, faults."""

import time

import pytest
from fake_upstream import Script, error, fixture, reply
from sse_replay import expected

from core.chat import providers
from core.chat.endpoint import ChatRequest, Endpoint
from core.chat.events import AnswerDelta, AnswerRetracted, Finished, Interrupted, ReasoningDelta, Usage
from core.chat.providers.openai_compatible import request_kwargs
from core.chat.retry import Policy, with_retries


def make_client(endpoint):
    """The route's client, as the chat builds it."""
    return providers.of(endpoint.route).make_client(endpoint)


def stream_reply(client, endpoint, request):
    """The route's reply stream, as the chat reads it."""
    return providers.of(endpoint.route).stream(client, endpoint, request)

REQUEST = ChatRequest([{"role": "user", "content": "hi"}], max_tokens=512)


def endpoint(base_url, **overrides):
    fields = dict(route="openai", base_url=base_url, api_key="sk-test-key-0123456789abcdef",
                  model="deepseek-r1-250528", provider="ark", send_thinking=True, include_usage=True,
                  honours_temperature=True, read_timeout=5.0)
    return Endpoint(**{**fields, **overrides})


def run(up, script=None, retries=0, **overrides):
    """The reply's events, retried as the chat retries them (without sleeping out the waits)."""
    if script:
        up.push(script)
    ep = endpoint(up.base_url, **overrides)
    client = make_client(ep)
    policy = Policy(retries=retries, sleep=lambda seconds: None)
    return list(with_retries(lambda: stream_reply(client, ep, REQUEST), policy))


def joined(events, kind):
    text = ""
    for e in events:
        if isinstance(e, kind):
            text += e.text
        elif isinstance(e, AnswerRetracted) and kind is AnswerDelta:
            text = ""
    return text


@pytest.mark.parametrize("name", ["deepseek_reasoning_content", "ark_reasoning_content",
                                  "coze_integration", "openrouter_reasoning", "vllm_reasoning",
                                  "ollama_think_tags", "r1_0528_missing_open_think",
                                  "answer_with_math_and_code", "length_finish"])
def test_recorded_streams_replay_through_the_sdk(upstream, name):
    want = expected(name)
    events = run(upstream, fixture(name))
    assert joined(events, ReasoningDelta) == want["reasoning"]
    assert joined(events, AnswerDelta) == want["answer"]
    assert events[-1] == Finished(want["finish_reason"])


def test_stream_ending_without_finish_reason_is_interrupted_not_success(upstream):
    events = run(upstream, fixture("interrupted_no_done"))
    assert isinstance(events[-1], Interrupted)
    assert events[-1].diagnosis.kind == "cut_off"
    assert joined(events, AnswerDelta)  # the partial answer still arrived


def test_connection_cut_mid_body_keeps_partial_text(upstream):
    script = reply("thinking " * 20, "partial answer", finish=None)
    script.cut = True
    events = run(upstream, script)
    assert joined(events, ReasoningDelta).startswith("thinking")
    assert isinstance(events[-1], Interrupted)
    assert events[-1].diagnosis.kind in ("connection", "cut_off")


def test_midstream_error_event_is_named(upstream):
    events = run(upstream, fixture("midstream_error"))
    assert isinstance(events[-1], Interrupted)
    assert events[-1].diagnosis.kind == "stream_error"


def test_read_timeout_applies_between_chunks_not_to_the_whole_reply(upstream):
    slow = reply("r" * 60, "done", piece=2, delay=0.05)  # 1.5 s in all, 0.05 s between chunks
    events = run(upstream, slow, read_timeout=0.5)
    assert events[-1] == Finished("stop")


def test_silent_upstream_times_out(upstream):
    script = reply("thinking", "", finish=None)
    script.stall = 3
    events = run(upstream, script, read_timeout=0.5)
    assert events[-1].diagnosis.kind == "timeout"


@pytest.mark.parametrize(("name", "kind"), [
    ("ark_401", "auth"), ("deepseek_401", "auth"), ("coze_integration_401", "auth"),
    ("deepseek_402", "balance"), ("openrouter_402", "balance"), ("ark_403", "balance"),
    ("openrouter_403_moderation", "forbidden"),
    ("ark_404_model", "not_found"), ("deepseek_429", "rate_limit"), ("ark_429", "rate_limit"),
    ("deepseek_503", "server"), ("generic_500", "server"),
    ("deepseek_400_successive", "bad_request"),
])
def test_error_responses_are_diagnosed_by_name(upstream, name, kind):
    events = run(upstream, error(name))
    diagnosis = events[-1].diagnosis
    assert diagnosis.kind == kind
    assert diagnosis.detail
    assert "sk-test-key-0123456789abcdef" not in repr(diagnosis)


def test_permission_403_is_not_mistaken_for_balance(upstream):
    script = error("ark_403")
    script.body = {"error": {"code": "AccessDenied", "message": "no access to model", "type": "Forbidden"}}
    assert run(upstream, script)[-1].diagnosis.kind == "forbidden"


def test_rate_limit_reports_the_wait_after_retries(upstream):
    limited = error("deepseek_429")
    limited.headers["retry-after"] = "1"
    upstream.push(limited, limited)
    events = run(upstream, retries=1)
    assert events[-1].diagnosis.params["wait"] == "1"
    assert events[-1].diagnosis.params["retries"] == "1"
    assert len(upstream.requests) == 2


def test_the_sdk_itself_never_retries(upstream):
    upstream.push(error("generic_500"), reply("ok", "fine"))
    assert run(upstream)[-1].diagnosis.kind == "server"
    assert len(upstream.requests) == 1  # core.chat.retry decides, the same way on both routes


def test_retry_recovers_from_one_rate_limit(upstream):
    limited = error("ark_429")
    limited.headers["retry-after"] = "0.1"
    upstream.push(limited, reply("ok", "fine"))
    assert run(upstream, retries=2)[-1] == Finished("stop")


def test_refused_connection_is_named(upstream):
    port = upstream.server.server_address[1]
    upstream.stop()
    ep = endpoint(f"http://127.0.0.1:{port}/api/v3")
    events = list(stream_reply(make_client(ep), ep, REQUEST))
    assert events[-1].diagnosis.kind == "refused"


def test_tls_to_a_plain_http_port_is_named(upstream):
    ep = endpoint(upstream.base_url.replace("http://", "https://"))
    events = list(stream_reply(make_client(ep), ep, REQUEST))
    assert events[-1].diagnosis.kind == "tls"


def test_request_asks_for_usage_and_ark_thinking(upstream):
    run(upstream, reply("r", "a"))
    body = upstream.requests[-1]["json"]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["thinking"] == {"type": "enabled"}
    assert upstream.requests[-1]["headers"]["authorization"] == "Bearer sk-test-key-0123456789abcdef"


def test_unknown_provider_gets_no_provider_specific_options():
    ep = endpoint("https://example.org/v1", send_thinking=False, include_usage=False,
                  honours_temperature=False)
    kwargs = request_kwargs(ep, ChatRequest([], 100, temperature=0.3))
    assert "stream_options" not in kwargs and "temperature" not in kwargs
    assert kwargs["extra_body"] == {"messages": []}  # no Ark `thinking`


def test_the_messages_go_upstream_as_they_are(upstream):
    request = ChatRequest([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                           {"role": "user", "content": "数学 $x^2$"}], 100)
    ep = endpoint(upstream.base_url)
    upstream.push(reply("r", "a"))
    list(stream_reply(make_client(ep), ep, request))
    assert upstream.requests[-1]["json"]["messages"] == request.messages


def test_usage_event_carries_reasoning_tokens(upstream):
    events = run(upstream, fixture("deepseek_reasoning_content"))
    usage = [e for e in events if isinstance(e, Usage)][-1]
    assert usage.reasoning_tokens == expected("deepseek_reasoning_content")["usage"]["reasoning_tokens"]


def test_closing_the_generator_closes_the_stream(upstream):
    upstream.push(reply("x" * 4000, "y", piece=2, delay=0.001))
    ep = endpoint(upstream.base_url)
    events = stream_reply(make_client(ep), ep, REQUEST)
    next(events)
    events.close()  # what a Stop does; must not hang or raise
    deadline = time.monotonic() + 3
    while upstream.hangups == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert upstream.hangups == 1  # the server saw the client go: the response closed, not just the generator


def test_script_defaults_are_an_empty_success():
    assert Script().status == 200


def test_malformed_chunk_becomes_a_named_interruption_not_a_traceback(upstream):
    events = run(upstream, Script(events=['data: {"choices": [{"index": 0, "delta": {"content": "ok"}}]}',
                                          "data: {not json"]))
    assert isinstance(events[-1], Interrupted)
    assert events[-1].diagnosis.kind == "bad_data"
    assert joined(events, AnswerDelta) == "ok"  # what arrived before it is kept
    assert not events[-1].diagnosis.detail  # our parser's words are no provider's message


def test_done_without_finish_reason_counts_as_complete(upstream):
    script = reply("r", "answer", finish=None)
    script.events.append("data: [DONE]")
    events = run(upstream, script)
    assert events[-1] == Finished("stop")
    assert joined(events, AnswerDelta) == "answer"


def test_nothing_the_client_builds_shows_the_key_in_its_repr():
    ep = endpoint("https://api.example.com/v1")
    request = ChatRequest([{"role": "user", "content": "hi"}], max_tokens=512)
    for thing in (make_client(ep), request, request_kwargs(ep, request)):
        assert ep.api_key not in repr(thing) and ep.api_key not in str(thing), type(thing)
