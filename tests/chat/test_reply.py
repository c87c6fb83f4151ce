"""A reply's status and timings, measured from the stream."""

from core.chat.events import AnswerDelta, Finished, Interrupted, ReasoningDelta, Usage
from core.chat.reply import Reply
from core.diagnosis import Diagnosis


def build(timeline):
    reply = Reply(model="m", started=10.0)
    for at, event in timeline:
        reply.apply(event, at)
    return reply


def test_thinking_time_runs_from_first_reasoning_to_first_answer():
    reply = build([(11.0, ReasoningDelta("a")), (19.2, ReasoningDelta("b")),
                   (19.2, AnswerDelta("x")), (25.0, Finished("stop"))])
    assert round(reply.thought_seconds, 3) == 8.2
    message = reply.to_message()
    assert (message["ttft"], message["total"], message["status"]) == (1.0, 15.0, "complete")


def test_length_finish_is_reported_as_budget_exhausted():
    reply = build([(11.0, ReasoningDelta("a")), (12.0, Finished("length"))])
    assert reply.truncated_by_length
    assert reply.thought_seconds is None  # the budget ran out mid-thought: it never finished thinking


def test_thinking_time_only_when_thinking_finished():
    stopped = build([(11.0, ReasoningDelta("a"))])
    stopped.stop(14.0)
    assert (stopped.status, stopped.thought_seconds) == ("stopped", None)
    answered = build([(11.0, ReasoningDelta("a")), (12.5, AnswerDelta("x"))])
    answered.stop(20.0)
    assert answered.thought_seconds == 1.5
    only_thought = build([(11.0, ReasoningDelta("a")), (13.0, Finished("stop"))])
    assert only_thought.thought_seconds == 2.0
    shutting_down = build([(11.0, ReasoningDelta("a"))])
    shutting_down.stop(12.0, "incomplete")
    assert shutting_down.status == "incomplete"


def test_interruption_after_output_keeps_the_partial_reply():
    cut = Diagnosis("cut_off")
    reply = build([(11.0, AnswerDelta("half")), (12.0, Interrupted(cut))])
    assert (reply.status, reply.answer, reply.diagnosis) == ("interrupted", "half", cut)


def test_failure_before_any_output_is_an_error():
    assert build([(11.0, Interrupted(Diagnosis("auth")))]).status == "error"


def test_stop_marks_a_streaming_reply_stopped_and_keeps_text():
    reply = build([(11.0, ReasoningDelta("r")), (12.0, AnswerDelta("partial"))])
    reply.stop(13.0)
    assert (reply.status, reply.answer, reply.to_message()["total"]) == ("stopped", "partial", 3.0)


def test_stop_after_completion_changes_nothing():
    reply = build([(11.0, AnswerDelta("x")), (12.0, Finished("stop"))])
    reply.stop(20.0)
    assert reply.status == "complete"


def test_usage_is_kept():
    assert build([(11.0, Usage(1, 2, 3))]).usage == Usage(1, 2, 3)
