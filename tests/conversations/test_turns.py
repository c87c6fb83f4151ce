"""What the chat page does to a stored conversation: send, regenerate, edit, import, and saving a
reply while it streams."""

import itertools
import logging

import pytest

from core.chat.events import AnswerDelta, Finished, ReasoningDelta, Usage
from core.chat.frames import Frame
from core.chat.history import build_messages
from core.chat.reply import Reply
from core.conversations import records, turns
from core.conversations.database import MEMORY
from core.conversations.store import open_store
from core.diagnosis import Diagnosis


@pytest.fixture
def store():
    ticks = itertools.count(1000)
    return open_store(MEMORY, clock=lambda: float(next(ticks)))


def user(text):
    return records.new_message("user", text)


def assistant(text, **extra):
    return records.new_message("assistant", text, reasoning="thinking…", **extra)


def conversation(store, owner, *messages):
    """A stored conversation holding ``messages``; returns its id."""
    return turns.import_messages(store, owner, "chat", messages)


def contents(store, owner, cid):
    return [(m["role"], m["content"]) for m in store.messages(owner, cid)]


def last_question(store, owner, cid):
    """The last user message on screen (what the page's Edit under the last question edits)."""
    messages = store.messages(owner, cid)
    return messages[turns.last_user_index(messages)]


def alternates(history):
    """User first, then strictly user/assistant/user…, ending with the user's turn."""
    roles = [m["role"] for m in history]
    return bool(roles) and roles == ["user", "assistant"] * (len(roles) // 2) + ["user"]


def test_send_starts_a_conversation_titled_from_the_first_message(store):
    cid = turns.send(store, "me", None, "  How do tides work?\nAsking for a friend.", "Untitled")
    assert store.get("me", cid).title == "How do tides work?"
    assert contents(store, "me", cid) == [("user", "  How do tides work?\nAsking for a friend.")]
    assert [c.id for c in store.list("me")] == [cid]


@pytest.mark.parametrize("text", ["- - -", "###", "> ", "***"])
def test_send_falls_back_to_the_untitled_title_when_the_first_line_looks_blank(store, text):
    cid = turns.send(store, "me", None, text, "Untitled")
    assert store.get("me", cid).title == "Untitled"
    assert contents(store, "me", cid) == [("user", text)]


def test_send_titles_the_conversation_without_hidden_characters(store):
    cid = turns.send(store, "me", None, "\u202Eexe.txt and \x1b[31mred\x1b[0m text\nmore", "Untitled")
    assert store.get("me", cid).title == "exe.txt and red text"
    assert store.messages("me", cid)[0]["content"].startswith("\u202Eexe.txt")  # the message stays as typed


def test_send_falls_back_to_the_untitled_title_when_the_first_line_is_hidden_characters_only(store):
    cid = turns.send(store, "me", None, "\u202E\u200B\x1b[0m", "Untitled")
    assert store.get("me", cid).title == "Untitled"


def test_an_imported_title_is_cleaned_before_it_is_redacted(store):
    token = "sk-abcd" + "x" * 24 + "3456"  # token-shaped, built so no scanner takes it for real
    hidden = token[:10] + "\u200B" + token[10:]  # a zero-width space would hide it from the patterns
    cid = turns.import_messages(store, "me", f"\u202Ekey {hidden}", [user("q")])
    title = store.get("me", cid).title
    assert title.startswith("key ") and token not in title and "\u200B" not in title


def test_send_appends_to_an_existing_conversation_and_keeps_its_title(store):
    cid = turns.send(store, "me", None, "first question", "Untitled")
    store.append("me", cid, assistant("first answer"))
    assert turns.send(store, "me", cid, "second question", "Untitled") == cid
    assert contents(store, "me", cid) == [("user", "first question"), ("assistant", "first answer"),
                                          ("user", "second question")]
    assert store.get("me", cid).title == "first question"
    assert len(store.list("me")) == 1


def test_send_into_someone_elses_conversation_starts_a_new_one_instead(store):
    theirs = turns.send(store, "alice", None, "alice's secret", "Untitled")
    mine = turns.send(store, "bob", theirs, "bob writes here", "Untitled")
    assert mine != theirs
    assert contents(store, "alice", theirs) == [("user", "alice's secret")]
    assert contents(store, "bob", mine) == [("user", "bob writes here")]
    assert store.get("bob", mine).title == "bob writes here"
    assert [c.id for c in store.list("alice")] == [theirs]


def test_send_with_a_deleted_conversation_id_starts_a_new_one(store):
    cid = turns.send(store, "me", None, "old", "Untitled")
    store.delete("me", cid)
    fresh = turns.send(store, "me", cid, "new", "Untitled")
    assert fresh != cid and contents(store, "me", fresh) == [("user", "new")]


def test_regenerate_ends_the_branch_at_the_question_and_keeps_the_reply_as_a_version(store):
    cid = conversation(store, "me", user("q1"), assistant("a1"), user("q2"), assistant("a2"))
    before = store.messages("me", cid)
    assert turns.regenerate(store, "me", cid, before)
    assert store.messages("me", cid) == before[:3]
    assert [(m["content"], m["chosen"]) for m in store.tree("me", cid)][-1] == ("a2", False)
    store.append("me", cid, assistant("a2, again"))
    shown = store.messages("me", cid)[-1]
    assert (shown["content"], shown["parent"], shown["version"], shown["versions"]) == (
        "a2, again", before[2]["id"], 2, 2)


def test_regenerate_is_a_no_op_when_the_last_message_is_the_users(store):
    cid = conversation(store, "me", user("q1"), assistant("a1"), user("q2"))
    before = store.messages("me", cid)
    assert not turns.regenerate(store, "me", cid, before)
    assert store.messages("me", cid) == before
    assert not turns.regenerate(store, "me", cid, [])


def test_edit_adds_a_version_of_the_question_and_keeps_the_old_one_with_its_reply(store):
    cid = conversation(store, "me", user("q1"), assistant("a1"), user("q2 with a typo"), assistant("a2"))
    before = store.messages("me", cid)
    assert turns.edit(store, "me", cid, before[2], "q2 fixed")
    after = store.messages("me", cid)
    assert after[:2] == before[:2]
    assert [(m["role"], m["content"], m["parent"], m["version"], m["versions"]) for m in after[2:]] == [
        ("user", "q2 fixed", before[1]["id"], 2, 2)]  # the branch ends there: its reply is asked next
    assert after[2]["id"] != before[2]["id"]
    assert [m["content"] for m in store.tree("me", cid)] == ["q1", "a1", "q2 with a typo", "a2", "q2 fixed"]


def test_edit_works_when_no_reply_followed_the_question(store):
    cid = conversation(store, "me", user("q1"), assistant("a1"), user("q2"))
    assert turns.edit(store, "me", cid, store.messages("me", cid)[2], "q2 again")
    assert contents(store, "me", cid) == [("user", "q1"), ("assistant", "a1"), ("user", "q2 again")]


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_edit_refuses_blank_text_and_changes_nothing(store, text):
    cid = conversation(store, "me", user("q1"), assistant("a1"))
    before = store.messages("me", cid)
    assert not turns.edit(store, "me", cid, before[0], text)
    assert store.messages("me", cid) == before and len(store.tree("me", cid)) == 2


def test_edit_of_a_reply_changes_nothing(store):
    cid = conversation(store, "me", user("q"), assistant("a greeting"))
    before = store.messages("me", cid)
    assert not turns.edit(store, "me", cid, before[1], "hello")
    assert store.messages("me", cid) == before and len(store.tree("me", cid)) == 2


def test_edit_places_the_new_version_where_the_store_has_the_question_not_where_the_caller_says(store):
    cid = conversation(store, "me", user("q1"), assistant("a1"), user("q2"), assistant("a2"))
    before = store.messages("me", cid)
    forged = {**before[2], "parent": None}  # would make it a version of the first question
    assert turns.edit(store, "me", cid, forged, "q2 again")
    after = store.messages("me", cid)
    assert after[:2] == before[:2] and (after[2]["content"], after[2]["parent"]) == ("q2 again", before[1]["id"])
    assert (before[0]["id"], 1) in [(m["id"], m["versions"]) for m in after]  # the first question has no twin


def test_edit_of_a_reply_called_a_question_or_of_another_owners_question_changes_nothing(store):
    cid = conversation(store, "me", user("q"), assistant("a greeting"))
    theirs = conversation(store, "them", user("their question"))
    before = store.messages("me", cid)
    assert not turns.edit(store, "me", cid, {**before[1], "role": "user"}, "hello")
    assert not turns.edit(store, "me", cid, store.messages("them", theirs)[0], "hello")
    assert not turns.edit(store, "me", theirs, store.messages("them", theirs)[0], "hello")
    assert store.messages("me", cid) == before and len(store.tree("me", cid)) == 2
    assert contents(store, "them", theirs) == [("user", "their question")]


def test_last_user_index():
    assert turns.last_user_index([]) is None
    assert turns.last_user_index([assistant("a")]) is None
    assert turns.last_user_index([user("q1"), assistant("a1"), user("q2"), assistant("a2")]) == 2
    assert turns.last_user_index([user("q1"), assistant("a1"), user("q2")]) == 2


def test_history_still_alternates_after_regenerate_and_edit_with_failed_replies_between(store):
    cut = Diagnosis("cut_off", {"host": "api.example"})
    cid = conversation(
        store, "me",
        user("q1"), assistant("a1"),
        user("q2"), assistant("", status="error", diagnosis=Diagnosis("auth")),
        user("q3"), assistant("half an ans", status="stopped"),
        user("q4"), assistant("", status="interrupted", diagnosis=cut),
        user("q5"), assistant("a5", usage=Usage(10, 20, 5)))

    assert turns.regenerate(store, "me", cid, store.messages("me", cid))
    history = build_messages(store.messages("me", cid))
    assert alternates(history) and history[-1]["content"] == "q5"

    assert turns.edit(store, "me", cid, last_question(store, "me", cid), "q5, edited")
    history = build_messages(store.messages("me", cid), "be brief")
    assert history[0]["role"] == "system" and alternates(history[1:])
    assert history[-1]["content"] == "q5, edited"

    store.append("me", cid, assistant("", status="error", diagnosis=Diagnosis("rate_limit")))
    assert turns.edit(store, "me", cid, last_question(store, "me", cid), "q5, once more")
    history = build_messages(store.messages("me", cid))
    assert alternates(history)
    assert [m["content"] for m in history] == ["q1", "a1", "q3", "half an ans", "q5, once more"]


def test_import_creates_a_new_conversation_with_the_messages_in_order(store):
    existing = turns.send(store, "me", None, "already here", "Untitled")
    imported = [user("q1"), assistant("a1", usage=Usage(1, 2, 3), model="deepseek-r1", ttft=0.5),
                user("q2"), assistant("half", status="incomplete")]
    cid = turns.import_messages(store, "me", "Imported chat", imported)
    assert cid != existing
    assert store.get("me", cid).title == "Imported chat"
    stored = store.messages("me", cid)
    assert [(m["role"], m["content"], m["status"]) for m in stored] == [
        ("user", "q1", "complete"), ("assistant", "a1", "complete"),
        ("user", "q2", "complete"), ("assistant", "half", "incomplete")]
    assert (stored[1]["usage"], stored[1]["model"], stored[1]["ttft"]) == (Usage(1, 2, 3), "deepseek-r1", 0.5)
    assert contents(store, "me", existing) == [("user", "already here")]
    assert store.messages("someone else", cid) == []


def test_begin_reply_stores_it_streaming_and_save_updates_it_in_place(store):
    cid = turns.send(store, "me", None, "question", "Untitled")
    reply = Reply(model="deepseek-r1", started=10.0, route="openai")
    mid, save = turns.begin_reply(store, "me", cid, reply)

    question, live = store.messages("me", cid)
    assert question["content"] == "question" and live["id"] == mid
    assert (live["role"], live["status"], live["content"], live["model"]) == (
        "assistant", "streaming", "", "deepseek-r1")

    reply.apply(ReasoningDelta("Let me think."), 10.5)
    reply.apply(AnswerDelta("Forty"), 12.0)
    save(reply)
    (_, live_again) = store.messages("me", cid)
    assert live_again["id"] == live["id"]
    assert (live_again["status"], live_again["content"], live_again["reasoning"]) == (
        "streaming", "Forty", "Let me think.")

    reply.apply(AnswerDelta("-two."), 12.5)
    reply.apply(Usage(12, 30, 10), 13.0)
    reply.apply(Finished("stop"), 13.0)
    save(reply)
    messages = store.messages("me", cid)
    assert len(messages) == 2
    done = messages[1]
    assert (done["id"], done["status"], done["finish_reason"], done["content"]) == (
        live["id"], "complete", "stop", "Forty-two.")
    assert (done["ttft"], done["total"], done["thought"], done["usage"]) == (0.5, 3.0, 1.5, Usage(12, 30, 10))


class FakeClock:
    """Time that moves only when the test's frame source says so."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def timed_frames(clock, steps, log=None):
    """Frames arriving ``steps`` seconds apart on ``clock``."""
    for i, step in enumerate(steps):
        clock.now += step
        if log is not None:
            log.append(i)
        yield Frame(answer_tail=f"frame {i}")


def test_saving_saves_once_per_elapsed_interval_on_the_injected_clock():
    clock, reply, saved = FakeClock(), Reply(model="m", started=0.0), []
    produced = []
    steps = [0.5, 0.25, 0.25, 0.5, 0.25, 0.5, 4.0, 0.5, 0.25, 0.25]  # exact in binary floats
    # at: 0.5 0.75 1.0S 1.5 1.75 2.25S 6.25S 6.75 7.0 7.25S  (S: a save; a long gap is still one)

    def save(current):
        assert current is reply
        saved.append((clock.now, produced[-1]))

    out = list(turns.saving(timed_frames(clock, steps, produced), reply, save, clock=clock, interval=1.0))
    assert len(out) == len(steps)
    assert [frame for _, frame in saved] == [2, 5, 6, 9]
    assert [at for at, _ in saved] == [1.0, 2.25, 6.25, 7.25]


def test_saving_does_not_save_when_the_stream_is_shorter_than_the_interval():
    clock, saved = FakeClock(), []
    out = list(turns.saving(timed_frames(clock, [0.3] * 3), Reply(model="m", started=0.0),
                            saved.append, clock=clock, interval=1.0))
    assert len(out) == 3 and saved == []


def test_saving_passes_every_frame_through_unchanged():
    frames = [Frame(reasoning_tail="a"), Frame(answer_blocks=["b"], answer_tail="c"), Frame(final=True)]
    ticks = itertools.count(0.0, 10.0)  # every frame is an interval late: save each time
    saved = []
    out = list(turns.saving(iter(frames), Reply(model="m", started=0.0), saved.append,
                            clock=lambda: next(ticks), interval=1.0))
    assert len(out) == len(frames) and all(a is b for a, b in zip(out, frames, strict=True))
    assert out == [Frame(reasoning_tail="a"), Frame(answer_blocks=["b"], answer_tail="c"), Frame(final=True)]
    assert len(saved) == 3


def test_closing_saving_early_closes_the_inner_stream():
    closed = []

    def inner():
        try:
            for i in itertools.count():
                yield Frame(answer_tail=str(i))
        finally:
            closed.append(True)

    source = inner()  # kept referenced, so only an explicit close can run its finally
    outer = turns.saving(source, Reply(model="m", started=0.0), lambda _: None, clock=FakeClock())
    assert next(outer).answer_tail == "0"
    assert next(outer).answer_tail == "1"
    assert closed == []
    outer.close()  # GeneratorExit inside saving, as when the page's Stop ends the loop
    assert closed == [True]
    assert source.gi_frame is None  # the inner generator is finished, not just paused


def test_by_default_a_streaming_reply_is_saved_at_least_once_a_second():
    clock, saved = FakeClock(), []
    list(turns.saving(timed_frames(clock, [0.5] * 6), Reply(model="m", started=0.0),
                      lambda _: saved.append(clock.now), clock=clock))
    assert saved == [1.0, 2.0, 3.0]


def test_a_save_that_fails_is_reported_not_raised():
    store = open_store(MEMORY)
    cid = turns.send(store, "me", None, "q", "Untitled")
    _, save = turns.begin_reply(store, "me", cid, Reply(model="m", started=0.0))
    store.db.execute("PRAGMA query_only = ON")  # as a full disk or a read-only folder would
    assert save(Reply(model="m", started=0.0)) is False


def test_a_reply_whose_row_went_elsewhere_is_reported_not_saved(store):
    """Another tab deleted the question's version (and this reply's row): saving must not claim success."""
    cid = turns.send(store, "me", None, "q", "Untitled")
    _, save = turns.begin_reply(store, "me", cid, Reply(model="m", started=0.0))
    assert turns.edit(store, "me", cid, store.messages("me", cid)[0], "q, edited")
    assert store.delete_version("me", cid, store.tree("me", cid)[0]["id"]) == 2
    assert save(Reply(model="m", started=0.0)) is None
    assert contents(store, "me", cid) == [("user", "q, edited")]


def test_a_reply_whose_question_was_edited_elsewhere_goes_on_saving_into_its_own_version(store):
    cid = turns.send(store, "me", None, "q", "Untitled")
    mid, save = turns.begin_reply(store, "me", cid, Reply(model="m", started=0.0))
    assert turns.edit(store, "me", cid, store.messages("me", cid)[0], "q, edited")
    reply = Reply(model="m", started=0.0)
    reply.apply(AnswerDelta("kept"), 1.0)
    assert save(reply) is True
    assert contents(store, "me", cid) == [("user", "q, edited")]
    assert {m["id"]: m["content"] for m in store.tree("me", cid)}[mid] == "kept"


def test_an_import_that_fails_halfway_leaves_no_conversation(store, monkeypatch):
    real_append, calls = store.append, itertools.count()

    def append_then_fail(owner, cid, msg, **where):
        if next(calls) == 2:
            raise OSError("disk full")  # as a failing write would, on the third message
        return real_append(owner, cid, msg, **where)

    monkeypatch.setattr(store, "append", append_then_fail)
    with pytest.raises(OSError):
        conversation(store, "me", user("a"), assistant("b"), user("c"), assistant("d"))
    assert store.list("me") == []


def test_editing_a_question_whose_row_is_gone_changes_nothing(store):
    cid = conversation(store, "me", user("q"), assistant("a"))
    stale = store.messages("me", cid)
    assert store.delete_version("me", cid, stale[0]["id"]) == 2  # deleted in another tab
    assert turns.edit(store, "me", cid, stale[0], "new") is False
    assert contents(store, "me", cid) == [] and store.tree("me", cid) == []



class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_reply_failing_to_save_every_second_logs_its_reason_once_then_rarely():
    """During an outage a reply saves every second or two: the log gets its reason once, then a line
    every 30 s at most, then how many tries the save took."""
    from sqlalchemy.exc import OperationalError

    store, clock = open_store(MEMORY), Clock()
    cid = turns.send(store, "me", None, "q", "Untitled")
    _, save = turns.begin_reply(store, "me", cid, Reply(model="m", started=0.0), clock=clock)
    real_update = store.update
    store.update = lambda *a: (_ for _ in ()).throw(
        OperationalError("UPDATE messages …", {}, OSError("connection refused\nIs the server running?")))
    logger, lines, handler = turns.logs.get(), [], logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    saved_level = logger.level
    logger.setLevel(logging.INFO)  # whatever level an earlier test left it at
    logger.addHandler(handler)
    try:
        for second in range(65):
            clock.now = float(second)
            assert save(Reply(model="m", started=0.0)) is False
        store.update = real_update
        assert save(Reply(model="m", started=0.0)) is True
        assert save(Reply(model="m", started=0.0)) is True
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved_level)
    assert len(lines) == 4, lines  # the first failure, at 30 s, at 60 s, and the success
    assert "failed (other): connection refused; trying again" in lines[0]
    assert "Is the server running" not in "\n".join(lines) and "UPDATE" not in "\n".join(lines)
    assert "still failing after 31 tries" in lines[1] and "after 61 tries" in lines[2]
    assert lines[3].endswith("saved after 66 tries")
