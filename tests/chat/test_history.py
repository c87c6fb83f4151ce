"""The history sent to the model."""

import pytest

from core.chat.history import answers, build_messages, left_out, sent
from core.conversations import records, turns
from core.conversations.store import open_store


def user(text):
    return {"role": "user", "content": text}


def assistant(text, reasoning="secret thoughts", status="complete"):
    return {"role": "assistant", "content": text, "reasoning": reasoning, "status": status}


def test_reasoning_is_not_sent_back():
    messages = build_messages([user("q1"), assistant("a1"), user("q2")])
    assert messages == [user("q1"), {"role": "assistant", "content": "a1"}, user("q2")]
    assert "secret thoughts" not in repr(messages)


def test_failed_turn_never_leaves_two_user_messages_in_a_row():
    turns = [user("q1"), assistant("", status="error"), user("q2")]
    assert build_messages(turns) == [user("q2")]


def test_unanswered_user_turn_is_replaced_by_the_next():
    assert build_messages([user("q1"), user("q2")]) == [user("q2")]


def test_roles_strictly_alternate_after_any_mix_of_failures():
    turns = [user("a"), assistant("x"), user("b"), assistant("  ", status="stopped"),
             user("c"), assistant("", status="interrupted"), user("d"), assistant("y"), user("e")]
    roles = [m["role"] for m in build_messages(turns, "be brief")]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]


def test_stopped_partial_answer_is_kept_as_context():
    messages = build_messages([user("q"), assistant("half an answer", status="stopped"), user("go on")])
    assert messages[1] == {"role": "assistant", "content": "half an answer"}


def test_system_prompt_leads_and_blank_one_is_omitted():
    assert build_messages([user("q")], "  ")[0]["role"] == "user"
    assert build_messages([user("q")], "Be terse.")[0] == {"role": "system", "content": "Be terse."}


def test_left_out_names_the_failed_pair_and_the_replaced_question():
    turns = [user("a"), assistant("", status="error"), user("b"), user("c"), assistant("y"), user("d")]
    assert sent(turns) == [3, 4, 5]
    assert left_out(turns) == {0, 1, 2}


def test_a_reply_without_a_question_before_it_is_left_out():
    turns = [assistant("orphan"), user("q"), assistant("x"), assistant("second reply")]
    assert left_out(turns) == {0, 3}
    assert build_messages(turns) == [user("q"), {"role": "assistant", "content": "x"}]


def test_reasoning_alone_is_no_answer():
    assert not answers(assistant("", reasoning="long thoughts", status="length"))
    assert not answers(assistant(" \n "))
    assert answers(assistant("half", status="stopped"))


def test_what_is_sent_is_exactly_what_is_not_left_out():
    """One rule: the request is the stored turns minus those the page marks as not sent."""
    turns = [user("a"), assistant("x"), user("b"), assistant("", status="error"), user("c"), user("d"),
             assistant("  ", status="stopped"), assistant("z"), user("e"), assistant("w"), user("f")]
    kept = [i for i in range(len(turns)) if i not in left_out(turns)]
    assert [m["content"] for m in build_messages(turns)] == [turns[i]["content"].strip() for i in kept]


# On a branch: the model gets the messages on screen, and only those (versions beside them stay out).


@pytest.fixture
def store(database_url):
    """A store on each engine (SQLite and PostgreSQL)."""
    store = open_store(database_url)
    yield store
    store.db.close()


def two_versions_of_the_answer(store):
    """The question "Capital of France?" answered "Paris." (version 1), then regenerated as "Lyon?" (version 2)."""
    cid = turns.send(store, "me", None, "Capital of France?", "Untitled")
    first = store.append("me", cid, records.new_message("assistant", "Paris.", reasoning="Easy."))
    assert turns.regenerate(store, "me", cid, store.messages("me", cid))
    store.append("me", cid, records.new_message("assistant", "Lyon?", reasoning="Hmm."))
    return cid, first


def test_the_history_of_a_branch_carries_the_chosen_version_of_an_answer(store):
    cid, first = two_versions_of_the_answer(store)
    assert [m["content"] for m in build_messages(store.messages("me", cid))][-1] == "Lyon?"
    assert store.choose("me", cid, first)
    turns.send(store, "me", cid, "And of Italy?", "Untitled")
    history = build_messages(store.messages("me", cid, reasoning=False), "be brief")
    assert history == [{"role": "system", "content": "be brief"}, user("Capital of France?"),
                       {"role": "assistant", "content": "Paris."}, user("And of Italy?")]
    assert "Lyon" not in repr(history)


def test_the_history_after_editing_a_question_leaves_the_old_question_and_its_answers_out(store):
    cid, _ = two_versions_of_the_answer(store)
    question = store.messages("me", cid)[0]
    assert turns.edit(store, "me", cid, question, "Capital of Spain?")
    assert build_messages(store.messages("me", cid)) == [user("Capital of Spain?")]
