"""The parser, replaying recorded provider streams and hand-made edge cases."""

import pytest
from sse_replay import chunks, expected, names

from core.chat.events import AnswerDelta, AnswerRetracted, Finished, ReasoningDelta, Usage
from core.chat.reasoning import ReasoningParser


def parse(chunk_list):
    parser = ReasoningParser()
    events = [e for c in chunk_list for e in parser.feed(c)]
    return events + list(parser.finish())


def texts(events):
    reasoning, answer = "", ""
    for e in events:
        if isinstance(e, ReasoningDelta):
            reasoning += e.text
        elif isinstance(e, AnswerDelta):
            answer += e.text
        elif isinstance(e, AnswerRetracted):
            answer = ""
    return reasoning, answer


def delta(**fields):
    return {"choices": [{"index": 0, "delta": fields, "finish_reason": None}]}


@pytest.mark.parametrize("name", [n for n in names() if n != "midstream_error"])
def test_recorded_stream_splits_reasoning_from_answer(name):
    want = expected(name)
    events = parse(chunks(name))
    reasoning, answer = texts(events)
    assert reasoning == want["reasoning"]
    assert answer == want["answer"]
    finished = [e.reason for e in events if isinstance(e, Finished)]
    assert finished == ([want["finish_reason"]] if want["finish_reason"] else [])


@pytest.mark.parametrize("name", [n for n in names() if expected(n)["usage"]])
def test_recorded_usage_is_reported_with_reasoning_tokens(name):
    want = expected(name)["usage"]
    usage = [e for e in parse(chunks(name)) if isinstance(e, Usage)][-1]
    assert usage.prompt_tokens == want["prompt_tokens"]
    assert usage.completion_tokens == want["completion_tokens"]
    assert usage.reasoning_tokens == want.get("reasoning_tokens")


def test_stream_without_finish_reason_does_not_finish():
    events = parse(chunks("interrupted_no_done"))
    assert not any(isinstance(e, Finished) for e in events)


@pytest.mark.parametrize("pieces", [
    ["<think>abc</think>answer"],
    ["<", "think", ">abc<", "/", "think>", "answer"],
    ["  \n<thi", "nk>abc</thi", "nk>\n\nans", "wer"],
])
def test_think_tags_split_anywhere_are_recognised(pieces):
    assert texts(parse([delta(content=p) for p in pieces])) == ("abc", "answer")


def test_bare_closing_tag_moves_earlier_text_to_reasoning():
    events = parse([delta(content="let me think"), delta(content=" more</think>\n\nDone.")])
    assert any(isinstance(e, AnswerRetracted) for e in events)
    assert texts(events) == ("let me think more", "Done.")


def test_content_without_any_tag_is_answer():
    assert texts(parse([delta(content="Plain "), delta(content="answer.")])) == ("", "Plain answer.")


def test_reasoning_field_makes_content_plain_answer_even_with_tags():
    events = parse([delta(reasoning_content="why"), delta(content="a </think> b")])
    assert texts(events) == ("why", "a </think> b")


def test_usage_chunk_with_empty_choices_is_read():
    usage = {"prompt_tokens": 3, "completion_tokens": 9,
             "completion_tokens_details": {"reasoning_tokens": 5}}
    events = parse([{"choices": [], "usage": usage}])
    assert events == [Usage(3, 9, 5)]
