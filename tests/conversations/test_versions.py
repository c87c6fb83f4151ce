"""Versions in the store, on SQLite and PostgreSQL: regenerate and edit keep what they replace; choose,
delete a version, the path to a message, search, branching, the JSON tree, and owners kept apart."""

import json

from core.chat.events import Usage
from core.conversations import export, records, turns
from core.conversations.store import open_store

OWNER = "me"


def say(store, cid, role, text, **extra):
    """Append a message below the last one on screen; its id."""
    return store.append(OWNER, cid, records.new_message(role, text, **extra))


def shown(store, cid):
    """The branch on screen as (content, version, versions)."""
    return [(m["content"], m["version"], m["versions"]) for m in store.messages(OWNER, cid)]


def regenerate(store, cid, text):
    """What the page's Regenerate does: end the branch at the question, then store the new reply."""
    assert turns.regenerate(store, OWNER, cid, store.messages(OWNER, cid))
    return say(store, cid, "assistant", text)


def three_turns(store):
    """A conversation of three questions, each answered; its id."""
    cid = turns.send(store, OWNER, None, "q1", "Untitled")
    for text in ("a1", "q2", "a2", "q3", "a3"):
        say(store, cid, "user" if text[0] == "q" else "assistant", text)
    return cid


def test_regenerating_twice_keeps_three_versions_of_the_reply(store):
    cid = turns.send(store, OWNER, None, "q1", "Untitled")
    first = say(store, cid, "assistant", "a1")
    regenerate(store, cid, "a1, again")
    last = regenerate(store, cid, "a1, once more")
    assert shown(store, cid) == [("q1", 1, 1), ("a1, once more", 3, 3)]
    question = store.messages(OWNER, cid)[0]["id"]
    replies = [m for m in store.tree(OWNER, cid) if m["role"] == "assistant"]
    assert [(m["content"], m["parent"], m["version"], m["chosen"]) for m in replies] == [
        ("a1", question, 1, False), ("a1, again", question, 2, False), ("a1, once more", question, 3, True)]
    assert (replies[0]["id"], replies[2]["id"]) == (first, last)


def test_choosing_a_version_shows_it_and_below_it_what_was_chosen_there_before(store):
    cid = turns.send(store, OWNER, None, "q1", "Untitled")
    first = say(store, cid, "assistant", "a1")
    regenerate(store, cid, "a1b")
    third = regenerate(store, cid, "a1c")
    assert store.choose(OWNER, cid, first)
    assert shown(store, cid) == [("q1", 1, 1), ("a1", 1, 3)]  # nothing was chosen below it yet
    say(store, cid, "user", "follow-up")  # below version 1, the one on screen
    assert shown(store, cid) == [("q1", 1, 1), ("a1", 1, 3), ("follow-up", 1, 1)]
    below = {m["parent"] for m in store.tree(OWNER, cid) if m["content"] == "follow-up"}
    assert below == {first}  # versions 2 and 3 keep their own, empty, subtrees
    assert store.choose(OWNER, cid, third) and shown(store, cid) == [("q1", 1, 1), ("a1c", 3, 3)]
    assert store.choose(OWNER, cid, first)
    assert shown(store, cid) == [("q1", 1, 1), ("a1", 1, 3), ("follow-up", 1, 1)]


def test_the_chosen_branch_survives_reopening_the_database(store, database_url):
    cid = turns.send(store, OWNER, None, "q1", "Untitled")
    first = say(store, cid, "assistant", "a1")
    regenerate(store, cid, "a1b")
    store.choose(OWNER, cid, first)
    again = open_store(database_url)  # a refresh, another replica or a restart reads the same choice
    assert [(m["content"], m["version"]) for m in again.messages(OWNER, cid)] == [("q1", 1), ("a1", 1)]
    again.db.close()


def test_editing_the_first_question_adds_a_first_version_and_choosing_back_shows_all_turns(store):
    cid = three_turns(store)
    before = store.messages(OWNER, cid)
    assert turns.edit(store, OWNER, cid, before[0], "q1, edited")
    assert shown(store, cid) == [("q1, edited", 2, 2)]  # the branch ends there: its reply is asked next
    edited = store.messages(OWNER, cid)[0]
    assert edited["parent"] is None and len(store.tree(OWNER, cid)) == 7
    say(store, cid, "assistant", "a1 to the edit")
    assert shown(store, cid) == [("q1, edited", 2, 2), ("a1 to the edit", 1, 1)]
    assert store.choose(OWNER, cid, before[0]["id"])
    assert [(m["id"], m["content"]) for m in store.messages(OWNER, cid)] == [
        (m["id"], m["content"]) for m in before]
    assert store.messages(OWNER, cid)[0]["version"] == 1 and store.messages(OWNER, cid)[0]["versions"] == 2
    assert store.choose(OWNER, cid, edited["id"])
    assert shown(store, cid) == [("q1, edited", 2, 2), ("a1 to the edit", 1, 1)]


def test_editing_a_later_question_keeps_the_turns_above_it(store):
    cid = three_turns(store)
    before = store.messages(OWNER, cid)
    assert turns.edit(store, OWNER, cid, before[2], "q2, edited")
    assert shown(store, cid) == [("q1", 1, 1), ("a1", 1, 1), ("q2, edited", 2, 2)]
    assert store.messages(OWNER, cid)[2]["parent"] == before[1]["id"]


def replies_with_a_subtree(store):
    """q1 with replies a1, a1b (chosen, followed by q2 and a2) and a1c; the conversation and ids by text."""
    cid = turns.send(store, OWNER, None, "q1", "Untitled")
    say(store, cid, "assistant", "a1")
    regenerate(store, cid, "a1b")
    say(store, cid, "user", "q2")
    say(store, cid, "assistant", "a2")
    store.end_branch_at(OWNER, cid, store.messages(OWNER, cid)[0]["id"])
    say(store, cid, "assistant", "a1c")
    ids = {m["content"]: m["id"] for m in store.tree(OWNER, cid)}
    store.choose(OWNER, cid, ids["a1b"])
    return cid, ids


def test_deleting_a_version_removes_it_and_what_hangs_below_it_only(store):
    cid, ids = replies_with_a_subtree(store)
    assert shown(store, cid) == [("q1", 1, 1), ("a1b", 2, 3), ("q2", 1, 1), ("a2", 1, 1)]
    assert store.delete_version(OWNER, cid, ids["a1b"]) == 3
    assert [m["content"] for m in store.tree(OWNER, cid)] == ["q1", "a1", "a1c"]
    assert shown(store, cid) == [("q1", 1, 1), ("a1", 1, 2)]  # the version before it takes its place


def test_deleting_the_first_version_shows_the_one_after_it(store):
    cid, ids = replies_with_a_subtree(store)
    store.choose(OWNER, cid, ids["a1"])
    assert store.delete_version(OWNER, cid, ids["a1"]) == 1
    assert shown(store, cid) == [("q1", 1, 1), ("a1b", 1, 2), ("q2", 1, 1), ("a2", 1, 1)]


def test_deleting_the_only_version_before_the_last_shows_the_last(store):
    cid, ids = replies_with_a_subtree(store)
    store.delete_version(OWNER, cid, ids["a1b"])
    store.choose(OWNER, cid, ids["a1"])
    assert store.delete_version(OWNER, cid, ids["a1"]) == 1
    assert shown(store, cid) == [("q1", 1, 1), ("a1c", 1, 1)]


def test_deleting_a_version_not_on_screen_leaves_the_branch_as_it_is(store):
    cid, ids = replies_with_a_subtree(store)
    before = shown(store, cid)
    assert store.delete_version(OWNER, cid, ids["a1c"]) == 1
    assert shown(store, cid) == [before[0], ("a1b", 2, 2), *before[2:]]
    assert store.delete_version(OWNER, cid, ids["a1c"]) == 0  # already gone


def test_deleting_the_only_first_message_empties_the_conversation_but_keeps_it(store):
    cid, ids = replies_with_a_subtree(store)
    assert store.delete_version(OWNER, cid, ids["q1"]) == 6
    assert store.messages(OWNER, cid) == [] and store.tree(OWNER, cid) == []
    assert store.get(OWNER, cid) is not None
    say(store, cid, "user", "a fresh start")
    assert shown(store, cid) == [("a fresh start", 1, 1)]


def test_the_path_runs_from_the_first_message_to_any_version(store):
    cid, ids = replies_with_a_subtree(store)
    assert [m["content"] for m in store.path(OWNER, cid, ids["a2"])] == ["q1", "a1b", "q2", "a2"]
    assert [m["content"] for m in store.path(OWNER, cid, ids["a1c"])] == ["q1", "a1c"]  # not on screen
    assert [m["content"] for m in store.path(OWNER, cid, ids["q1"])] == ["q1"]
    assert store.path(OWNER, cid, "no-such-message") == []
    full = store.path(OWNER, cid, ids["a2"])[1]
    assert (full["reasoning"], full["version"], full["versions"], full["chosen"]) == ("", 2, 3, True)


def test_branching_copies_the_path_into_a_new_conversation_of_one_branch(store):
    cid, ids = replies_with_a_subtree(store)
    new = turns.branch(store, OWNER, cid, ids["q2"], "q1 (branch)")
    assert new != cid and store.get(OWNER, new).title == "q1 (branch)"
    assert shown(store, new) == [("q1", 1, 1), ("a1b", 1, 1), ("q2", 1, 1)]
    assert len(store.tree(OWNER, cid)) == 6  # the original keeps every version
    assert turns.branch(store, OWNER, cid, "no-such-message", "x") is None


def test_search_finds_a_word_that_is_only_in_a_version_not_on_screen(store):
    cid = turns.send(store, OWNER, None, "Name a colour", "Untitled")
    say(store, cid, "assistant", "Vermilion.")
    regenerate(store, cid, "Blue.")
    other = turns.send(store, OWNER, None, "Something else", "Untitled")
    assert "Vermilion." not in [m["content"] for m in store.messages(OWNER, cid)]
    assert [c.id for c in store.list(OWNER, "vermilion")] == [cid]
    assert [c.id for c in store.list(OWNER, "blue")] == [cid]
    assert other not in [c.id for c in store.list(OWNER, "vermilion")]
    assert store.list("someone else", "vermilion") == []


def test_nobody_reaches_another_owners_versions(store):
    cid, ids = replies_with_a_subtree(store)
    before = store.tree(OWNER, cid)
    assert not store.choose("bob", cid, ids["a1"])
    assert store.delete_version("bob", cid, ids["a1b"]) == 0
    assert not store.end_branch_at("bob", cid, ids["q1"])
    assert store.path("bob", cid, ids["a2"]) == [] and store.tree("bob", cid) == []
    assert store.outline("bob", cid).nodes == [] and store.outline("bob", cid).leaf() is None
    assert store.messages("bob", cid) == [] and turns.branch(store, "bob", cid, ids["a2"], "mine") is None
    assert not turns.edit(store, "bob", cid, store.messages(OWNER, cid)[0], "mine now")
    assert store.tree(OWNER, cid) == before and store.list("bob") == []


def rich_tree(store):
    """A conversation with versions at three levels, a stopped reply, usage and a version 1 on screen."""
    cid = turns.send(store, OWNER, None, "How do tides work?", "Untitled")
    say(store, cid, "assistant", "The Moon.", reasoning="gravity", usage=Usage(5, 40, 30), model="deepseek-r1",
        thought=1.5, ttft=0.3, total=4.0, finish_reason="stop", max_tokens=4096)
    say(store, cid, "user", "Why two bulges?")
    say(store, cid, "assistant", "Because the far side", reasoning="inertia", status="stopped")
    regenerate(store, cid, "Inertia.")
    turns.edit(store, OWNER, cid, store.messages(OWNER, cid)[2], "Why two bulges, not one?")
    say(store, cid, "assistant", "Two, because…")
    turns.edit(store, OWNER, cid, store.messages(OWNER, cid)[0], "What makes tides?")
    store.choose(OWNER, cid, store.tree(OWNER, cid)[0]["id"])  # back to the first question's version 1
    return cid


def test_the_json_export_carries_the_whole_tree_and_imports_back_identically(store):
    cid = rich_tree(store)
    tree = store.tree(OWNER, cid)
    text = export.to_json("Tides", tree, exported_at=1.0)
    title, messages = export.from_json(text)
    copy = turns.import_messages(store, OWNER, title, messages)
    again = export.to_json(title, store.tree(OWNER, copy), exported_at=2.0)
    first, second = json.loads(text), json.loads(again)
    assert (first.pop("exported_at"), second.pop("exported_at")) == (1.0, 2.0)
    assert first == second and len(first["messages"]) == len(tree) == 8
    assert shown(store, copy) == shown(store, cid)  # the same branch on screen
    assert [(m["parent"], m["chosen"]) for m in first["messages"]] == [
        (None, True), (1, True), (2, False), (3, False), (3, True), (2, True), (6, True), (None, False)]


def test_an_old_single_branch_export_imports_as_one_branch(store):
    plain = [records.to_plain(m) for m in (records.new_message("user", "q1"), records.new_message("assistant", "a1"),
                                           records.new_message("user", "q2"))]
    doc = {"format": export.FORMAT, "version": 1, "title": "Old", "exported_at": 1.0, "messages": plain}
    title, messages = export.from_json(json.dumps(doc))
    cid = turns.import_messages(store, OWNER, title, messages)
    stored = store.messages(OWNER, cid)
    assert shown(store, cid) == [("q1", 1, 1), ("a1", 1, 1), ("q2", 1, 1)]
    assert [m["parent"] for m in stored] == [None, stored[0]["id"], stored[1]["id"]]
    assert len(store.tree(OWNER, cid)) == 3
