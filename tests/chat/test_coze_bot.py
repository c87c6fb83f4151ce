"""The Coze route against a fake Coze v3 server: recorded shapes, multi-turn, every named failure."""

import time

import httpx2
import pytest
from fake_coze import (
    BOT_ID,
    LOGID,
    MSGS,
    TOKEN,
    FakeCoze,
    Script,
    event,
    expected,
    failed,
    fixture,
    names,
    refusal,
    reply,
)

from core.chat.events import AnswerDelta, Finished, Interrupted, ReasoningDelta, Usage
from core.chat.history import build_messages
from core.chat.providers.coze_bot import CozeBot, make_http, request_body, stream_bot_reply

ASK = [{"role": "user", "content": "天空为什么是蓝色的？"}]


@pytest.fixture
def coze():
    """A running fake Coze on 127.0.0.1 that knows TOKEN and one published bot."""
    with FakeCoze() as fake:
        yield fake


def bot_for(fake, **overrides):
    fields = {"token": TOKEN, "bot_id": BOT_ID, "api_base": fake.url, "read_timeout": 5.0}
    return CozeBot(**{**fields, **overrides})


def run(fake, script=None, messages=ASK, **overrides):
    if script:
        fake.push(script)
    return list(stream_bot_reply(bot_for(fake, **overrides), messages))


def text(events, kind):
    return "".join(e.text for e in events if isinstance(e, kind))


def wait_for(condition, seconds=3.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert condition()


def sent(fake):
    return fake.requests[-1]["json"]["additional_messages"]


@pytest.mark.parametrize("name", names())
def test_recorded_streams_replay_as_typed_events(coze, name):
    want = expected(name)
    events = run(coze, fixture(name))
    assert text(events, ReasoningDelta) == want["reasoning"]
    assert text(events, AnswerDelta) == want["answer"]
    usage = [{"prompt_tokens": e.prompt_tokens, "completion_tokens": e.completion_tokens}
             for e in events if isinstance(e, Usage)]
    assert usage == ([want["usage"]] if want["usage"] else [])
    if want["finished"]:
        assert events[-1] == Finished(want["finished"])
    else:
        assert events[-1].diagnosis.kind == want["interrupted"]
        assert events[-1].diagnosis.params["code"] == str(want["code"] or "")


def test_reasoning_and_answer_are_split_and_the_answer_comes_after(coze):
    events = run(coze, fixture("r1_reasoning_answer"))
    kinds = [type(e) for e in events]
    assert kinds.index(AnswerDelta) > max(i for i, k in enumerate(kinds) if k is ReasoningDelta)
    assert text(events, AnswerDelta).startswith("天空呈蓝色")  # leading blank lines dropped


def test_usage_maps_coze_counts_and_comes_before_finished(coze):
    events = run(coze, reply("r", "a", usage=(52, 118)))
    assert events[-2:] == [Usage(prompt_tokens=52, completion_tokens=118, reasoning_tokens=None),
                           Finished("stop")]


def test_follow_up_and_verbose_messages_are_not_part_of_the_answer(coze):
    answer = text(run(coze, fixture("r1_reasoning_answer")), AnswerDelta)
    assert "日落" not in answer and "generate_answer_finish" not in answer


def test_multi_turn_sends_every_prior_turn_in_order_without_reasoning(coze):
    turns = [{"role": "user", "content": "q1"},
             {"role": "assistant", "content": "a1", "reasoning": "secret thoughts 1"},
             {"role": "user", "content": "q2"},
             {"role": "assistant", "content": "a2", "reasoning": "secret thoughts 2"},
             {"role": "user", "content": "q3"}]
    run(coze, reply("r", "a3"), messages=build_messages(turns))
    assert [(m["role"], m["type"], m["content"]) for m in sent(coze)] == [
        ("user", "question", "q1"), ("assistant", "answer", "a1"), ("user", "question", "q2"),
        ("assistant", "answer", "a2"), ("user", "question", "q3")]
    assert "secret thoughts" not in str(coze.requests[-1]["json"])


def test_each_reply_is_stateless_on_coze(coze):
    run(coze, reply("r", "a"))
    request = coze.requests[-1]
    assert request["path"] == "/v3/chat"  # no conversation_id to lose on refresh or share
    assert request["json"]["stream"] is True and request["json"]["auto_save_history"] is False
    assert request["json"]["bot_id"] == BOT_ID and request["json"]["user_id"] == "r1-chat-user"
    assert request["headers"]["authorization"] == f"Bearer {TOKEN}"


def test_system_prompt_becomes_a_delimited_instruction_in_the_first_user_message(coze):
    turns = [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"},
             {"role": "user", "content": "q2"}]
    run(coze, reply("r", "a"), messages=build_messages(turns, system_prompt="Answer in French."))
    first, last = sent(coze)[0], sent(coze)[-1]
    assert first["role"] == "user"
    assert first["content"] == "<instructions>\nAnswer in French.\n</instructions>\n\nq1"
    assert last["content"] == "q2"
    assert all(m["role"] in ("user", "assistant") for m in sent(coze))


def test_long_history_keeps_the_newest_turns_within_coze_limit():
    turns = []
    for i in range(80):
        turns += [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]
    turns.append({"role": "user", "content": "now"})
    body = request_body(CozeBot(TOKEN, BOT_ID), build_messages(turns, system_prompt="Be brief."))
    kept = body["additional_messages"]
    assert len(kept) <= 100 and kept[0]["role"] == "user" and kept[-1]["content"] == "now"
    assert kept[0]["content"].startswith("<instructions>\nBe brief.")


def test_history_must_end_with_the_new_user_message():
    with pytest.raises(ValueError):
        request_body(CozeBot(TOKEN, BOT_ID), [{"role": "assistant", "content": "hi"}])


def test_wrong_token_is_named_auth(coze):
    events = run(coze, token="pat_wrongWRONGwrong0123456789")
    diagnosis = events[-1].diagnosis
    assert (diagnosis.kind, diagnosis.params["code"], diagnosis.request_id) == ("token_refused", "4100", LOGID)
    assert diagnosis.detail == "authentication is invalid"


def test_unknown_bot_is_named_with_its_id(coze):
    diagnosis = run(coze, bot_id="7499999999999999999")[-1].diagnosis
    assert diagnosis.kind == "bot_not_found"
    assert diagnosis.params["bot_id"] == "7499999999999999999" and "does not exist" in diagnosis.detail


def test_bot_not_published_as_api_is_named():
    with FakeCoze(bots={BOT_ID: False}) as fake:
        assert run(fake)[-1].diagnosis.kind == "bot_not_published"


@pytest.mark.parametrize(("code", "kind"), [
    (4100, "token_refused"), (4101, "forbidden"), (4102, "risk_control"), (4006, "bot_not_found"),
    (4200, "bot_not_found"), (4015, "bot_not_published"), (4009, "rate_limit"), (4020, "rate_limit"),
    (4008, "daily_limit"), (4011, "balance"), (4019, "balance"), (4022, "balance"), (4028, "balance"),
    (4010, "too_long"), (4012, "bot_model"), (4013, "server"), (4014, "cannot_answer"), (5000, "server"),
    (4000, "bad_request"), (4999, "coze_error"),
])
@pytest.mark.parametrize("status", [200, 400])
def test_refusals_before_the_stream_are_named_by_coze_code(coze, code, kind, status):
    diagnosis = run(coze, refusal(code, status=status))[-1].diagnosis
    assert (diagnosis.kind, diagnosis.params["code"], diagnosis.request_id) == (kind, str(code), LOGID)
    assert diagnosis.detail


def test_json_refusal_sent_as_an_event_stream_is_still_named(coze):
    diagnosis = run(coze, refusal(4101, as_stream=True))[-1].diagnosis
    assert (diagnosis.kind, diagnosis.params["code"]) == ("forbidden", "4101")


def test_logid_comes_from_the_body_when_the_header_is_missing(coze):
    script = refusal(4200)
    script.headers = {}
    assert run(coze, script)[-1].diagnosis.request_id == LOGID


@pytest.mark.parametrize(("status", "kind"), [(502, "gateway"), (429, "rate_limit"), (401, "auth"),
                                              (404, "api_not_found")])
def test_http_errors_without_a_coze_body_are_named_by_status(coze, status, kind):
    script = Script(status=status, body="<html><title>Bad things</title>bad gateway</html>",
                    content_type="text/html", headers={"retry-after": "7"})
    diagnosis = run(coze, script)[-1].diagnosis
    assert (diagnosis.kind, diagnosis.status) == (kind, status)
    assert diagnosis.params["wait"] == "7"
    assert diagnosis.params["page_title"] == "Bad things" and not diagnosis.detail  # never the HTML


def test_base_url_with_a_path_is_named_api_not_found(coze):
    assert run(coze, api_base=coze.url + "/v3")[-1].diagnosis.kind == "api_not_found"


def test_chat_failed_mid_reply_keeps_the_partial_text(coze):
    events = run(coze, failed(4013, after=reply("thinking " * 5, "partial", completed=False)))
    assert text(events, ReasoningDelta).startswith("thinking") and text(events, AnswerDelta) == "partial"
    assert (events[-1].diagnosis.kind, events[-1].diagnosis.params["code"]) == ("server", "4013")
    assert events[-1].diagnosis.detail == MSGS[4013]


def test_chat_failed_with_an_unlisted_code_is_a_stream_error(coze):
    diagnosis = run(coze, failed(7001))[-1].diagnosis
    assert (diagnosis.kind, diagnosis.params["code"]) == ("stream_error", "7001")


def test_error_event_mid_stream_is_named(coze):
    script = reply("r", "part", completed=False)
    script.events.append(event("error", {"code": 4009, "msg": "busy"}))
    events = run(coze, script)
    assert text(events, AnswerDelta) == "part"
    assert (events[-1].diagnosis.kind, events[-1].diagnosis.detail) == ("rate_limit", "busy")


def test_bot_waiting_for_a_tool_result_is_named(coze):
    script = reply("r", "", completed=False)
    script.events.append(event("conversation.chat.requires_action", {"status": "requires_action"}))
    assert run(coze, script)[-1].diagnosis.kind == "bot_needs_action"


def test_stream_ending_without_completed_is_cut_off_with_partial_text_kept(coze):
    events = run(coze, reply("reasoning", "half an ans", completed=False))
    assert isinstance(events[-1], Interrupted) and events[-1].diagnosis.kind == "cut_off"
    assert text(events, AnswerDelta) == "half an ans"


def test_connection_dropped_mid_body_is_cut_off(coze):
    script = reply("thinking " * 20, "partial", completed=False)
    script.cut = True
    events = run(coze, script)
    assert text(events, ReasoningDelta).startswith("thinking") and events[-1].diagnosis.kind == "cut_off"


def test_silent_bot_times_out_between_events(coze):
    script = reply("thinking", "", completed=False)
    script.stall = 3
    events = run(coze, script, read_timeout=0.5)
    assert events[-1].diagnosis.kind == "timeout" and events[-1].diagnosis.params["read_timeout"] == "0.5"


def test_read_timeout_applies_between_events_not_to_the_whole_reply(coze):
    slow = reply("r" * 60, "done", piece=2, delay=0.05)  # about 1.7 s in all, 0.05 s apart
    assert run(coze, slow, read_timeout=0.5)[-1] == Finished("stop")


def test_closing_the_generator_closes_the_http_response(coze):
    responses = []
    coze.push(reply("x" * 6000, "y", piece=2, delay=0.001))
    with httpx2.Client(event_hooks={"response": [responses.append]}) as client:
        events = stream_bot_reply(bot_for(coze), ASK, client)
        next(events)
        events.close()  # what a Stop does; must not hang or raise
        assert responses[0].is_closed
    wait_for(lambda: coze.hangups == 1)  # and the server saw the client go


def test_a_shared_client_survives_a_stop_and_serves_the_next_reply(coze):
    bot = bot_for(coze)
    with make_http(bot) as client:
        coze.push(reply("x" * 2000, "y", piece=2, delay=0.001), reply("r", "second"))
        first = stream_bot_reply(bot, ASK, client)
        next(first)
        first.close()
        wait_for(lambda: coze.hangups == 1)  # the Stop closed the response, not just the generator
        assert text(list(stream_bot_reply(bot, ASK, client)), AnswerDelta) == "second"


def test_refused_connection_is_named(coze):
    url = coze.url
    coze.stop()
    events = list(stream_bot_reply(CozeBot(TOKEN, BOT_ID, api_base=url, read_timeout=2), ASK))
    assert events[-1].diagnosis.kind == "refused"


def test_tls_to_a_plain_http_port_is_named(coze):
    bot = CozeBot(TOKEN, BOT_ID, api_base=coze.url.replace("http://", "https://"), read_timeout=2)
    assert list(stream_bot_reply(bot, ASK))[-1].diagnosis.kind == "tls"


def test_malformed_event_is_a_named_interruption_not_a_traceback(coze):
    script = reply("r", "ok", completed=False)
    script.events.append("event:conversation.message.delta\ndata:{not json")
    events = run(coze, script)
    assert events[-1].diagnosis.kind == "bad_data"
    assert not events[-1].diagnosis.detail  # our parser's words are no provider's message


def test_diagnosis_names_the_coze_settings(coze):
    params = run(coze, refusal(4015))[-1].diagnosis.params
    assert params["host"] == "127.0.0.1"
    assert {k: params[k] for k in ("key_var", "url_var", "bot_var", "bot_id", "model", "read_timeout")} == {
        "key_var": "COZE_API_TOKEN", "url_var": "COZE_API_BASE", "bot_var": "COZE_BOT_ID",
        "bot_id": BOT_ID, "model": BOT_ID, "read_timeout": "5"}
    assert params["base_url"] == coze.url


def test_the_token_never_appears_in_events_diagnosis_or_bot(coze):
    leaky = refusal(4100, msg=f"token {TOKEN} is invalid; Authorization: Bearer {TOKEN}")
    for script in (leaky, fixture("chat_failed_quota"), fixture("r1_reasoning_answer")):
        events = run(coze, script)
        assert TOKEN not in repr(events)
        assert all(TOKEN not in repr(vars(e.diagnosis)) for e in events if isinstance(e, Interrupted))
    assert TOKEN not in repr(CozeBot(TOKEN, BOT_ID))


def test_the_official_sdk_reads_the_fake_stream(coze):
    """Cross-check: the official SDK (a test-only dependency) parses what the fake sends."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # authlib's deprecation notice on import
        from cozepy import ChatEventType, Coze, Message, TokenAuth
    sdk = Coze(auth=TokenAuth(TOKEN), base_url=bot_for(coze).api_base)

    coze.push(reply("想一想", "答案"))
    stream = sdk.chat.stream(
        bot_id=BOT_ID, user_id="r1-chat-user", additional_messages=[Message.build_user_question_text("hi")])
    events = list(stream)
    deltas = [e.message for e in events if e.event == ChatEventType.CONVERSATION_MESSAGE_DELTA]
    assert "".join(m.reasoning_content or "" for m in deltas) == "想一想"
    assert events[-1].event == ChatEventType.CONVERSATION_CHAT_COMPLETED
    assert events[-1].chat.usage.input_count == 40
    assert coze.requests[-1]["headers"]["authorization"] == f"Bearer {TOKEN}"


def test_nothing_built_for_the_coze_route_shows_the_token_in_its_repr():
    from dataclasses import replace

    from core.chat import providers
    from core.chat.endpoint import Endpoint
    from core.chat.providers import coze_bot as coze

    endpoint = Endpoint("coze-bot", "https://api.coze.cn", TOKEN, BOT_ID, "coze", False, False, False, 5.0,
                        bot_id=BOT_ID, user_id="r1-visitor")
    bot = coze.bot_for(endpoint)
    assert bot.token == TOKEN  # it is there, only never shown
    client = providers.of(endpoint.route).make_client(endpoint)
    for thing in (bot, replace(bot, user_id="another"), make_http(bot), client):
        assert TOKEN not in repr(thing) and TOKEN not in str(thing), type(thing)
