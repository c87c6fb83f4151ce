"""One message as plain data: its fields, the JSON round trip, and what an import may not carry."""

import json

import pytest

from core.chat.events import Usage
from core.conversations import records
from core.diagnosis import Diagnosis
from core.i18n import translate, translator


def full_reply():
    return records.new_message(
        "assistant", "The answer is $x^2$.", reasoning="Let me think…", status="interrupted",
        finish_reason=None, model="deepseek-r1-250528", route="openai", thought=2.5, ttft=0.4,
        total=6.25, created=1748400000.5, usage=Usage(12, 340, 300),
        diagnosis=Diagnosis("cut_off", {"host": "api.example", "after": "12"}, 502,
                            "connection reset", "req-1"))


def plain_user(**changes):
    return {"role": "user", "content": "hi", **changes}


def test_a_new_message_has_every_field_with_defaults():
    msg = records.new_message("user", "hello")
    assert set(msg) == set(records.FIELDS)
    assert (msg["role"], msg["content"], msg["reasoning"], msg["status"]) == ("user", "hello", "", "complete")
    assert all(msg[name] is None for name in records.FIELDS if name not in ("role", "content", "reasoning",
                                                                           "status"))


def test_new_message_extras_override_the_defaults():
    msg = records.new_message("assistant", "", status="streaming", model="m", id="abc")
    assert (msg["status"], msg["model"], msg["id"]) == ("streaming", "m", "abc")


def test_a_reply_round_trips_through_json_with_usage_and_diagnosis():
    msg = full_reply()
    plain = records.to_plain({**msg, "id": "db-id-1"})
    assert "id" not in plain
    assert plain["usage"] == {"prompt_tokens": 12, "completion_tokens": 340, "reasoning_tokens": 300}
    assert plain["diagnosis"]["kind"] == "cut_off"
    back = records.from_plain(json.loads(json.dumps(plain)))
    assert back == msg
    assert isinstance(back["usage"], Usage) and isinstance(back["diagnosis"], Diagnosis)


def test_a_minimal_message_round_trips():
    msg = records.new_message("user", "only text")
    assert records.from_plain(json.loads(json.dumps(records.to_plain(msg)))) == msg


def test_missing_optional_fields_take_their_defaults():
    msg = records.from_plain({"role": "assistant"})
    assert (msg["content"], msg["reasoning"], msg["status"], msg["usage"], msg["diagnosis"]) == (
        "", "", "complete", None, None)


def test_whole_number_timings_become_floats():
    msg = records.from_plain(plain_user(ttft=1, created=1748400000))
    assert msg["ttft"] == 1.0 and isinstance(msg["ttft"], float) and isinstance(msg["created"], float)


def test_an_imported_streaming_reply_never_looks_live():
    msg = records.from_plain({"role": "assistant", "content": "half", "status": "streaming"})
    assert (msg["status"], msg["content"]) == ("incomplete", "half")


@pytest.mark.parametrize(("data", "field"), [
    (["not", "a", "mapping"], "message"),
    (plain_user(role="system"), "role"),
    ({"content": "no role"}, "role"),
    (plain_user(status="done"), "status"),
    (plain_user(content=42), "content"),
    (plain_user(content=None), "content"),
    (plain_user(reasoning=["x"]), "reasoning"),
    (plain_user(model=3), "model"),
    (plain_user(finish_reason={"r": 1}), "finish_reason"),
    (plain_user(ttft=True), "ttft"),
    (plain_user(total=False), "total"),
    (plain_user(thought="2.5"), "thought"),
    (plain_user(created=[1]), "created"),
    (plain_user(usage={"prompt_tokens": 1.5}), "usage.prompt_tokens"),
    (plain_user(usage={"completion_tokens": "12"}), "usage.completion_tokens"),
    (plain_user(usage={"reasoning_tokens": True}), "usage.reasoning_tokens"),
    (plain_user(diagnosis={"params": {}, "detail": "no kind"}), "diagnosis.kind"),
    (plain_user(diagnosis={"kind": 7}), "diagnosis.kind"),
    (plain_user(diagnosis={"kind": "auth", "params": ["a"]}), "diagnosis.params"),
    (plain_user(diagnosis={"kind": "auth", "status": "401"}), "diagnosis.status"),
    (plain_user(diagnosis={"kind": "auth", "status": True}), "diagnosis.status"),
    (plain_user(usage=[12, 340]), "usage"),
    (plain_user(diagnosis="cut_off"), "diagnosis.kind"),
])
def test_a_bad_field_is_refused_by_name(data, field):
    with pytest.raises(ValueError) as excinfo:
        records.from_plain(data)
    assert excinfo.value.args == (field,)



@pytest.mark.parametrize(("saved", "label"), [
    ({"kind": "server", "params": {"host": "h"}, "status": 503}, "HTTP 503"),
    ({"kind": "server", "params": {"host": "h", "code": "5000"}, "status": 200}, "Coze 5000"),
    ({"kind": "server", "params": {"host": "h"}}, "HTTP 5xx"),
    ({"kind": "server", "params": {"host": "h", "status": "HTTP 502"}, "status": 502}, "HTTP 502"),
])
def test_a_5xx_saved_before_messages_named_the_status_still_names_it(saved, label):
    diagnosis = records.diagnosis_from_plain(saved)
    assert diagnosis.params["status"] == label
    for lang in ("en", "zh-CN"):
        assert label in translate(lang, "err.server", **diagnosis.params)


def test_other_kinds_get_no_status_added():
    assert "status" not in records.diagnosis_from_plain({"kind": "auth", "params": {}, "status": 401}).params


BOT_ID = "7400000000000000001"


@pytest.mark.parametrize(("lang", "label"), [("en", "Coze bot 7400000000000000001"),
                                             ("zh-CN", "Coze 智能体 7400000000000000001")])
def test_on_the_coze_bot_route_the_footer_names_the_bot_not_a_model(lang, label):
    reply = records.new_message("assistant", "a", model=BOT_ID, route="coze-bot", total=3.0)
    line = records.footer(reply, translator(lang))
    assert line.startswith(label + " · ")
    assert line.count(BOT_ID) == 1


def test_on_other_routes_the_footer_starts_with_the_model():
    for route in ("openai", "coze-sandbox", None):  # None: rows saved before the route was kept
        reply = records.new_message("assistant", "a", model="deepseek-r1-250528", route=route, total=3.0)
        assert records.footer(reply, translator("en")) == "deepseek-r1-250528 · total 3.0 s"


@pytest.mark.parametrize(("fields", "label"), [
    ({"thought": 3.25, "content": "a", "status": "complete"}, "Thought for 3.2 s"),
    ({"thought": 3.0, "content": "partial answer", "status": "stopped"}, "Thought for 3.0 s"),
    ({"thought": None, "content": "a", "status": "complete"}, "Thought"),
    ({"thought": None, "content": "", "status": "stopped"}, "Stopped while thinking"),
    ({"thought": 9.0, "content": "", "status": "stopped"}, "Stopped while thinking"),  # an older row's stop time
    ({"thought": None, "content": "", "status": "interrupted"}, "Cut off while thinking"),
    ({"thought": None, "content": "", "status": "length"}, "Cut off while thinking"),
    ({"thought": None, "content": "", "status": "incomplete"}, "Cut off while thinking"),
    ({"thought": None, "content": "", "status": "streaming"}, "Still thinking…"),
])
def test_thinking_label_tells_a_duration_only_when_thinking_finished(fields, label):
    assert records.thinking_label({"reasoning": "r", **fields}, translator("en")) == label


@pytest.mark.parametrize("status, content, end", [
    ("complete", "", "finished"), (None, "", "finished"), ("stopped", "partial", "finished"),
    ("stopped", "", "stopped"), ("streaming", "", "streaming"), ("incomplete", "", "cut"),
    ("interrupted", "", "cut"), ("length", "", "cut"),
])
def test_thinking_end_tells_how_the_thinking_ended(status, content, end):
    assert records.thinking_end({"reasoning": "r", "status": status, "content": content}) == end


def test_with_last_reply_brings_only_a_last_reply_up_to_date():
    question = {"role": "user", "content": "Why?", "status": "complete"}
    start = {"role": "assistant", "content": "Beca", "status": "streaming", "id": "m2"}
    ended = {"content": "Because.", "status": "complete"}
    assert records.with_last_reply([question, start], ended) == [question, {**start, **ended}]
    assert records.with_last_reply([question], ended) == [question]
    assert records.with_last_reply([], ended) == []
