"""AppTest: Regenerate and Edit keep what they replace, as versions to step through ("‹ 2 / 2 ›"); the
model gets the branch on screen; a version can be deleted and any message branched into a new
conversation."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.conversations import records
from core.conversations.database import sqlite_url
from core.conversations.store import open_store

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def send(at, text):
    at.chat_input[0].set_value(text).run()
    assert not at.exception
    return at


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception
    return at


def versions_shown(at) -> list[str]:
    return [c.value for c in at.main.caption if " / " in str(c.value) and len(str(c.value)) <= 9]


def sent_upstream(upstream, index=-1) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in upstream.requests[index]["json"]["messages"] if m["role"] != "system"]


def test_regenerate_keeps_the_first_reply_and_a_follow_up_goes_with_the_version_on_screen(app, upstream):
    send(app, "Name a colour")
    click(app, "regenerate")
    assert versions_shown(app) == ["2 / 2"]
    reply_keys = [b.key for b in app.button if b.key and b.key.startswith("older_")]
    click(app, reply_keys[0])
    assert versions_shown(app) == ["1 / 2"]
    first_answer = sent_upstream(upstream, 0)
    send(app, "And another?")
    history = sent_upstream(upstream)
    assert history[:2] == [("user", "Name a colour"), ("assistant", history[1][1])]
    assert len(upstream.requests) == 3 and first_answer == [("user", "Name a colour")]


def test_editing_the_first_question_keeps_the_original_to_step_back_to(app, upstream):
    for question in ("one", "two", "three"):
        send(app, question)
    first = next(b.key for b in app.button if b.key and b.key.startswith("edit_") and b.key != "edit_last")
    click(app, first)
    app.text_area(key="edit_text").input("one, again")
    [b for b in app.button if b.label == "Send"][0].click().run()
    assert not app.exception
    assert versions_shown(app) == ["2 / 2"]
    assert sent_upstream(upstream) == [("user", "one, again")]
    older = next(b.key for b in app.button if b.key and b.key.startswith("older_"))
    click(app, older)
    text = "\n".join(str(e.value) for e in app.main.text)
    assert "one" in text and "two" in text and "three" in text and "one, again" not in text


def test_a_version_is_deleted_after_confirming_and_the_one_before_is_shown(app, upstream):
    send(app, "Pick a number")
    click(app, "regenerate")
    click(app, "regenerate")
    assert versions_shown(app) == ["3 / 3"]
    drop = next(b.key for b in app.button if b.key and b.key.startswith("drop_"))
    click(app, drop)
    click(app, "delete_version_cancel")
    assert versions_shown(app) == ["3 / 3"]
    click(app, drop)
    click(app, "delete_version_confirm")
    assert versions_shown(app) == ["2 / 2"]


def test_branching_from_a_reply_opens_a_new_conversation_with_the_path_to_it(app, upstream):
    send(app, "first")
    send(app, "second")
    first_cid = app.session_state["conversation_id"]
    branch = [b.key for b in app.button if b.key and b.key.startswith("branch_")]
    click(app, branch[1])  # under the first reply: [question 1, reply 1, question 2, reply 2]
    assert app.session_state["conversation_id"] != first_cid
    assert any("(branch)" in str(s.value) for s in app.main.subheader)
    text = "\n".join(str(e.value) for e in app.main.text)
    assert "first" in text and "second" not in text
    assert len(upstream.requests) == 2  # a branch from a reply asks nothing
    send(app, "third")
    assert sent_upstream(upstream)[-1] == ("user", "third") and len(sent_upstream(upstream)) == 3


def test_while_a_reply_is_written_here_the_versions_wait_until_it_is_done(app, upstream):
    import threading

    from fake_upstream import hold_answer, reply

    send(app, "Name a colour")
    click(app, "regenerate")
    older = next(b.key for b in app.button if b.key and b.key.startswith("older_"))
    script = reply("Thinking it over. " * 3, "Blue.")
    gate = hold_answer(script)
    upstream.push(script)
    app.chat_input[0].set_value("And a fruit?")
    with pytest.raises(RuntimeError, match="timed out"):
        app.run(timeout=2)  # the page follows the reply until this run is cut off
    threading.Timer(1.0, gate.set).start()
    app.button(key=older).click().run(timeout=15)
    assert not app.exception
    # Not switched under the reply (its toast is seen in the browser: AppTest loses a toast sent from a
    # callback when the run then follows a reply to its end).
    assert "2 / 2" in versions_shown(app)
    assert sent_upstream(upstream)[-1] == ("user", "And a fruit?")
    click(app, older)  # the reply is done: now it switches
    assert "1 / 2" in versions_shown(app)


def test_while_another_tab_writes_the_last_reply_the_version_arrows_are_disabled(app, upstream, tmp_path):
    send(app, "Name a colour")
    click(app, "regenerate")
    store = open_store(sqlite_url(tmp_path / "data"))  # clean_env's data folder: another tab's store
    cid = app.session_state["conversation_id"]
    store.append("local", cid, records.new_message("user", "more?"))
    store.append("local", cid, {**records.new_message("assistant", "Writing…"), "status": "streaming"})
    app.run()
    arrows = [b for b in app.button if b.key and b.key.startswith(("older_", "newer_", "drop_"))]
    assert arrows and all(b.disabled for b in arrows)
    assert any("Still being written elsewhere" in str(c.value) for c in app.main.caption)



@pytest.mark.parametrize(("locale", "words"), [
    ("en-US", ["Previous version", "Next version", "Delete this version"]),
    ("zh-CN", ["上一个版本", "下一个版本", "删除这个版本"]),
])
def test_the_icon_only_buttons_have_words_for_a_screen_reader(app, locale, words):
    send(app, "Name a colour")
    click(app, "regenerate")
    at = AppTest.from_file(APP, default_timeout=30)  # a visitor with that language opens it
    at.context = {"locale": locale}
    at.query_params["c"] = app.session_state["conversation_id"]
    at.run()
    icon_only = [b for prefix in ("older_", "newer_", "drop_")
                 for b in at.button if b.key and b.key.startswith(prefix)]
    # Read aloud as their label (an empty one would be read as the icon's name), shown as a tooltip.
    assert [b.label for b in icon_only] == words and [b.help for b in icon_only] == words
    [style] = [h.proto.body for h in at.main.get("html") if "r1-icon-only" in h.proto.body]
    assert all(f"st-key-{prefix}" in style for prefix in ("older_", "newer_", "drop_"))
