"""The history sent to the model."""

from core.history import build_messages


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
