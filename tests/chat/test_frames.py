"""Coalescing events into a few page updates."""

from core.chat.events import AnswerDelta, AnswerRetracted, Finished, ReasoningDelta
from core.chat.frames import frames
from core.chat.reply import Reply, applied


class Clock:
    """A fake monotonic clock advancing a fixed step per reading."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def run(events, step=0.001):
    reply = Reply(model="m", started=0.0)
    return reply, list(frames(applied(events, reply, Clock(step)), Clock(step), interval=0.08))


def test_updates_are_coalesced_to_a_few_per_second():
    events = [ReasoningDelta("abc ")] * 5000 + [AnswerDelta("x")] * 1000 + [Finished("stop")]
    reply, out = run(events, step=0.0002)  # 6000 events over 1.2 s of fake time
    assert len(out) <= 1.2 / 0.08 + 2
    assert out[-1].final


def test_frames_rebuild_the_full_text():
    text = ("para " * 100 + "\n\n") * 30
    events = [ReasoningDelta(text[i:i + 5]) for i in range(0, len(text), 5)]
    events += [AnswerDelta("done"), Finished("stop")]
    reply, out = run(events, step=0.01)
    shown = "".join(b for f in out for b in f.reasoning_blocks) + out[-1].reasoning_tail
    assert shown == text
    assert out[-1].answer_tail == "done"


def test_thinking_done_is_flagged_when_the_answer_starts():
    reply, out = run([ReasoningDelta("hm"), AnswerDelta("yes"), Finished("stop")], step=0.1)
    assert any(f.thinking_done for f in out)
    assert reply.thought_seconds == reply.answer_start - reply.reasoning_start > 0


def test_retraction_resets_the_answer():
    events = [AnswerDelta("think"), AnswerRetracted(), ReasoningDelta("think"), AnswerDelta("ans"),
              Finished("stop")]
    reply, out = run(events, step=0.1)
    assert any(f.answer_reset for f in out)
    assert (reply.reasoning, reply.answer) == ("think", "ans")


def test_a_quiet_moment_still_yields_a_frame_so_the_page_can_tick():
    out = list(frames([ReasoningDelta("hm"), None, None, AnswerDelta("yes"), Finished("stop")], Clock(0.001)))
    assert len(out) == 3 and out[-1].final and out[-1].answer_tail == "yes"
    assert (out[0].reasoning_tail, out[1].reasoning_tail) == ("hm", None)  # nothing new in the second


def test_thinking_done_again_after_a_retracted_answer():
    events = [ReasoningDelta("a"), AnswerDelta("b"), None, AnswerRetracted(), ReasoningDelta("b"), None,
              AnswerDelta("c"), Finished("stop")]
    out = list(frames(events, Clock(0.001)))
    assert [f.thinking_done for f in out] == [True, False, True]
