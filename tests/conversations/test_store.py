"""Storage: round trips, ownership, search, ending a branch and crash recovery (versions: test_versions)."""

from pathlib import Path

import pytest

from core.chat.events import Usage
from core.conversations import records
from core.conversations.database import sqlite_url
from core.conversations.message import ConversationGone
from core.conversations.store import open_store, title_from
from core.diagnosis import Diagnosis

ROOT = Path(__file__).resolve().parents[2]


def reply(**extra):
    return records.new_message("assistant", "The answer is $x^2$.", reasoning="Let me think…",
                               model="deepseek-r1-250528", route="openai", thought=2.5, ttft=0.4,
                               total=6.25, usage=Usage(12, 340, 300), **extra)


def test_a_reply_round_trips_with_timings_usage_and_status(store):
    conv = store.create("me", "Squares")
    store.append("me", conv.id, records.new_message("user", "x squared?"))
    diagnosis = Diagnosis("cut_off", {"host": "api.example"}, None, "connection reset", "req-1")
    store.append("me", conv.id, reply(status="interrupted", finish_reason=None, diagnosis=diagnosis))
    user, assistant = store.messages("me", conv.id)
    assert user["content"] == "x squared?" and user["role"] == "user"
    assert {k: assistant[k] for k in ("content", "reasoning", "status", "model", "route", "thought",
                                      "ttft", "total")} == {
        "content": "The answer is $x^2$.", "reasoning": "Let me think…", "status": "interrupted",
        "model": "deepseek-r1-250528", "route": "openai", "thought": 2.5, "ttft": 0.4, "total": 6.25}
    assert assistant["usage"] == Usage(12, 340, 300)
    assert assistant["diagnosis"] == diagnosis
    assert assistant["id"] and assistant["created"]


def test_nobody_sees_another_owners_conversation(store):
    conv = store.create("alice", "private")
    store.append("alice", conv.id, records.new_message("user", "secret plan"))
    assert store.get("bob", conv.id) is None
    assert store.messages("bob", conv.id) == []
    assert store.list("bob") == []
    assert not store.rename("bob", conv.id, "mine now") and not store.delete("bob", conv.id)
    with pytest.raises(ConversationGone):
        store.append("bob", conv.id, records.new_message("user", "hi"))
    assert not store.end_branch_at("bob", conv.id, store.messages("alice", conv.id)[0]["id"])
    assert store.messages("alice", conv.id)[0]["content"] == "secret plan"


def test_list_is_newest_first_and_a_new_message_moves_a_conversation_up(store):
    old = store.create("me", "old")
    store.create("me", "new")
    assert [c.title for c in store.list("me")] == ["new", "old"]
    store.append("me", old.id, records.new_message("user", "bump"))
    assert [c.title for c in store.list("me")] == ["old", "new"]


def test_search_matches_titles_and_message_text_case_insensitively(store):
    a, b = store.create("me", "Python tips"), store.create("me", "数学")
    store.append("me", b.id, records.new_message("user", "证明 100% 的 Pythagoras 定理"))
    assert [c.id for c in store.list("me", "python")] == [a.id]
    assert [c.id for c in store.list("me", "PYTHAGORAS")] == [b.id]
    assert [c.id for c in store.list("me", "证明")] == [b.id]
    assert [c.id for c in store.list("me", "100%")] == [b.id]
    assert store.list("me", "_") == []  # LIKE wildcards are taken literally


def test_rename_and_delete(store):
    conv = store.create("me", "first")
    store.append("me", conv.id, records.new_message("user", "hello"))
    assert not store.rename("me", conv.id, "   ")
    assert store.rename("me", conv.id, "  Renamed  ") and store.get("me", conv.id).title == "Renamed"
    assert store.delete("me", conv.id)
    assert store.get("me", conv.id) is None and store.messages("me", conv.id) == []
    assert store.db.query("SELECT COUNT(*) AS n FROM messages")[0]["n"] == 0


def test_ending_the_branch_keeps_the_messages_before_it_and_what_followed_as_a_version(store):
    conv = store.create("me", "t")
    for text in ("q1", "a1", "q2", "a2"):
        store.append("me", conv.id, records.new_message("user" if text[0] == "q" else "assistant", text))
    q2 = store.messages("me", conv.id)[2]["id"]
    assert store.end_branch_at("me", conv.id, q2)
    assert [m["content"] for m in store.messages("me", conv.id)] == ["q1", "a1", "q2"]
    store.append("me", conv.id, records.new_message("assistant", "a2 again"))
    last = store.messages("me", conv.id)[-1]
    assert (last["content"], last["version"], last["versions"]) == ("a2 again", 2, 2)
    assert [m["content"] for m in store.tree("me", conv.id)] == ["q1", "a1", "q2", "a2", "a2 again"]


def test_update_overwrites_a_streaming_reply(store):
    conv = store.create("me", "t")
    mid = store.append("me", conv.id, records.new_message("assistant", "", status="streaming"))
    assert store.update(mid, reply(status="complete"))
    (msg,) = store.messages("me", conv.id)
    assert (msg["status"], msg["content"], msg["usage"]) == ("complete", "The answer is $x^2$.", Usage(12, 340, 300))


def test_a_reply_left_streaming_reopens_incomplete_with_its_text(tmp_path):
    url = sqlite_url(tmp_path)
    first = open_store(url)
    conv = first.create("me", "t")
    mid = first.append("me", conv.id, records.new_message("assistant", "", status="streaming"))
    first.update(mid, records.new_message("assistant", "partial answ", reasoning="r", status="streaming"))
    # No close: the process "died". The next process opens the same file.
    (msg,) = open_store(url).messages("me", conv.id)
    assert (msg["status"], msg["content"], msg["reasoning"]) == ("incomplete", "partial answ", "r")


@pytest.mark.parametrize(("text", "title"), [
    ("Hello there", "Hello there"),
    ("\n\n  # Heading line\nbody", "Heading line"),
    ("a  b\tc", "a b c"),
    ("x" * 100, "x" * 47 + "…"),
    ("   ", ""),
])
def test_title_from_first_message(text, title):
    assert title_from(text) == title


def test_a_leading_rule_or_empty_heading_is_not_the_title():
    assert title_from("---\nWhat is 2+2?") == "What is 2+2?"
    assert title_from("#\n\n> \nReal question") == "Real question"


@pytest.mark.parametrize(("text", "title"), [
    ("\u202Eexe.txt", "exe.txt"),                                   # a right-to-left override
    ("\x1b[31mAlert\x1b[0m now", "Alert now"),                      # a terminal colour sequence
    ("zero\u200Bwidth \u2066isolate\u2069\u200F", "zerowidth isolate"),
    ("\u202E\u200B\n\x1b[0m\nReal question", "Real question"),      # a line of hidden characters only
])
def test_title_from_drops_hidden_characters(text, title):
    assert title_from(text) == title


def test_titles_are_stored_clean_and_a_rename_to_hidden_characters_only_is_refused(store):
    conv = store.create("me", "a\u202Eb\x07c")
    assert conv.title == "abc" and store.get("me", conv.id).title == "abc"
    assert store.db.query("SELECT title FROM conversations")[0]["title"] == "abc"
    assert not store.rename("me", conv.id, "\u202E\u200B\x1b[0m ")
    assert store.rename("me", conv.id, " new\u2066  title\x1b[31m ")
    assert store.get("me", conv.id).title == "new title"
    assert store.db.query("SELECT title FROM conversations")[0]["title"] == "new title"


def test_a_title_stored_before_titles_were_cleaned_reads_clean(store):
    dirty, hidden_only = store.create("me", "x"), store.create("me", "y")
    # As an old database holds them: written straight into the table, past create() and rename().
    for conv, title in ((dirty, "\u202Eexe.txt\x1b[31m red"), (hidden_only, "\u202E\u200B")):
        store.db.execute("UPDATE conversations SET title = :t WHERE id = :id", {"t": title, "id": conv.id})
    assert {c.id: c.title for c in store.list("me")} == {dirty.id: "exe.txt red", hidden_only.id: ""}
    assert store.get("me", dirty.id).title == "exe.txt red"
    assert store.get("me", hidden_only.id).title == ""  # empty, as an untitled one: the page says "Untitled"


def test_search_folds_case_beyond_ascii(store):
    a = store.create("me", "Überblick")
    b = store.create("me", "Привет")
    assert [c.id for c in store.list("me", "überblick")] == [a.id]
    assert [c.id for c in store.list("me", "ПРИВЕТ")] == [b.id]
    assert store.list("me", "!") == []  # the LIKE escape character is literal too


def test_concurrent_appends_from_two_processes_keep_every_message(tmp_path):
    import subprocess
    import sys

    url = sqlite_url(tmp_path)
    cid = open_store(url).create("me", "busy").id
    code = ("import sys; from core.conversations import records; from core.conversations.store import open_store\n"
            "s = open_store(sys.argv[1])\n"
            "for i in range(100): s.append('me', sys.argv[2], records.new_message('user', str(i)))\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, url, cid], cwd=str(ROOT)) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    messages = open_store(url).messages("me", cid)
    assert len(messages) == 300 and len({m["id"] for m in messages}) == 300


def test_a_folder_name_with_url_characters_opens_that_folder(tmp_path):
    folder = tmp_path / "my#data?x=1%41"
    open_store(sqlite_url(folder)).create("me", "t")
    assert (folder / "chats.db").exists()


def test_update_of_a_message_that_is_gone_says_so(store):
    conv = store.create("me", "t")
    mid = store.append("me", conv.id, records.new_message("assistant", "", status="streaming"))
    assert store.delete_version("me", conv.id, mid) == 1  # deleted in another tab
    assert store.update(mid, reply(status="complete")) is False
    assert store.messages("me", conv.id) == []



def test_messages_can_start_later_and_leave_the_reasoning_out(store):
    conv = store.create("me", "t")
    for n in range(3):
        store.append("me", conv.id, records.new_message("user", f"q{n}"))
        store.append("me", conv.id, records.new_message("assistant", f"a{n}", reasoning=f"r{n}", thought=1.0))
    whole = store.messages("me", conv.id)
    assert store.messages("me", conv.id, since=4) == whole[4:]
    light = store.messages("me", conv.id, reasoning=False)
    assert [m["reasoning"] for m in light] == [""] * 6  # most of the bytes, never sent back
    assert [{**m, "reasoning": ""} for m in whole] == light  # everything else as it is
    store.end_branch_at("me", conv.id, whole[1]["id"])
    store.append("me", conv.id, records.new_message("user", "again"))
    # "since" counts the branch on screen, not positions (q1…a2 keep theirs, one step away).
    assert [m["content"] for m in store.messages("me", conv.id, since=2)] == ["again"]
    assert [m["content"] for m in store.messages("me", conv.id, since=1, reasoning=False)] == ["a0", "again"]


def test_a_streaming_reply_that_stopped_being_saved_is_recovered_by_age(database_url):
    clock = [1000.0]
    store = open_store(database_url, clock=lambda: clock[0])
    conv = store.create("me", "t")
    ghost = store.append("me", conv.id, records.new_message("assistant", "half", status="streaming"))
    clock[0] += 30
    live = store.append("me", conv.id, records.new_message("assistant", "going", status="streaming"))
    clock[0] += 45  # the ghost unsaved for 75 s, the live one for 45 s
    assert store.recover_stale(after=60) == 1
    statuses = {m["id"]: m["status"] for m in store.messages("me", conv.id)}
    assert statuses == {ghost: "incomplete", live: "streaming"}  # another replica's reply goes on
    store.db.close()


def test_opening_a_server_store_leaves_other_replicas_live_replies_alone(postgres_server):
    import postgres

    with postgres.fresh_database(postgres_server) as url:
        first = open_store(url)
        conv = first.create("me", "t")
        first.append("me", conv.id, records.new_message("assistant", "going", status="streaming"))
        second = open_store(url)  # a replica starting while the first one writes
        assert [m["status"] for m in second.messages("me", conv.id)] == ["streaming"]
        first.db.close()
        second.db.close()
