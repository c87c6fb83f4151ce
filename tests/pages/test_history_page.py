"""AppTest flows for durable conversations: sidebar, regenerate, edit, resume, who sees what."""

import os
import threading
from pathlib import Path

import pytest
from fake_upstream import fixture
from readonly import unwritable
from stored import stored
from streamlit.testing.v1 import AppTest

from core.conversations import records
from core.conversations.database import connect, sqlite_url
from core.conversations.store import Store, open_store
from ui import context

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def app(clean_env, tmp_path, upstream):
    """The app on the sandbox route against the fake upstream, in English."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    return new_app(tmp_path)


def new_app(tmp_path, query=None):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def send(at, text):
    at.chat_input[0].set_value(text).run()
    assert not at.exception
    return at


def conversation_buttons(at):
    return [b for b in at.sidebar.button if b.key and b.key.startswith("conv_")]


def main_text(at):
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "error", "subheader")
                     for e in getattr(at.main, kind))


def test_the_sidebar_lists_conversations_newest_first_and_opens_one(app):
    send(app, "first question")
    first = app.session_state["conversation_id"]
    app.button(key="new_chat").click().run()
    send(app, "second question")
    assert [b.label for b in conversation_buttons(app)] == ["second question", "first question"]
    app.button(key=f"conv_{first}").click().run()
    assert app.session_state["conversation_id"] == first
    assert "first question" in main_text(app) and "second question" not in main_text(app)


def test_search_filters_the_list_by_message_text(app):
    send(app, "about penguins")
    app.button(key="new_chat").click().run()
    send(app, "about volcanoes")
    app.text_input(key="chat_search").set_value("PENGUIN").run()
    assert [b.label for b in conversation_buttons(app)] == ["about penguins"]
    app.text_input(key="chat_search").set_value("nothing like this").run()
    assert not conversation_buttons(app)
    assert any("nothing like this" in c.value for c in app.sidebar.caption)


def test_search_says_when_it_hides_a_conversation_still_generating(app, upstream):
    from fake_upstream import hold_answer, reply

    script = reply("Thinking. " * 3, "Done.")
    gate = hold_answer(script)
    upstream.push(script)
    app.chat_input[0].set_value("about penguins")
    with pytest.raises(RuntimeError, match="timed out"):
        app.run(timeout=2)  # leave it thinking
    try:
        app.button(key="new_chat").click().run(timeout=5)
        app.text_input(key="chat_search").set_value("volcanoes").run(timeout=5)
        hints = [c.value for c in app.sidebar.caption if "still generating" in c.value]
        assert hints == [":material/progress_activity: The search hides conversations still generating "
                         "a reply (1): clear it to see them."]
        app.text_input(key="chat_search").set_value("penguin").run(timeout=5)
        assert not [c for c in app.sidebar.caption if "still generating" in c.value]  # it is listed
    finally:
        gate.set()


def test_rename_changes_the_title_everywhere(app):
    send(app, "hello")
    app.button(key="rename_open").click().run()
    field = [t for t in app.text_input if t.label == "Title"][0]
    field.set_value("Greetings")
    [b for b in app.button if b.label == "Save"][0].click().run()
    assert not app.exception
    assert app.main.subheader[0].value == "Greetings"
    assert [b.label for b in conversation_buttons(app)] == ["Greetings"]


def test_delete_asks_first_and_cancel_keeps_everything(app):
    send(app, "precious")
    cid = app.session_state["conversation_id"]
    app.button(key="delete_open").click().run()
    assert any("precious" in m.value and "cannot be undone" in m.value for m in app.markdown)
    app.button(key="delete_cancel").click().run()
    assert app.session_state["conversation_id"] == cid and len(stored(app)) == 2
    app.button(key="delete_open").click().run()
    app.button(key="delete_confirm").click().run()
    assert app.session_state["conversation_id"] is None
    assert not conversation_buttons(app)


def test_regenerate_adds_a_version_of_the_last_reply_only(app, upstream):
    send(app, "one")
    send(app, "two")
    before = stored(app)
    app.button(key="regenerate").click().run()
    after = stored(app)
    assert [m["content"] for m in after[:3]] == [m["content"] for m in before[:3]]
    assert [m["role"] for m in after] == ["user", "assistant", "user", "assistant"]
    assert after[3]["id"] != before[3]["id"] and after[3]["status"] == "complete"
    assert (after[3]["version"], after[3]["versions"]) == (2, 2)
    sent = upstream.requests[-1]["json"]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"] and sent[-1]["content"] == "two"
    app.button(key=f"older_{after[3]['id']}").click().run()  # the first reply is one ‹ away
    assert stored(app)[3]["id"] == before[3]["id"]


def test_edit_adds_a_version_of_the_last_question_and_keeps_the_earlier_turns(app, upstream):
    send(app, "one")
    send(app, "tow")
    app.button(key="edit_last").click().run()
    app.text_area(key="edit_text").set_value("two, spelled right")
    [b for b in app.button if b.label == "Send"][0].click().run()
    assert not app.exception
    messages = stored(app)
    assert [m["content"] for m in messages[:3]][0::2] == ["one", "two, spelled right"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert (messages[2]["version"], messages[2]["versions"]) == (2, 2)
    assert upstream.requests[-1]["json"]["messages"][-1] == {"role": "user", "content": "two, spelled right"}
    app.button(key=f"older_{messages[2]['id']}").click().run()  # the question as typed is one ‹ away
    assert [m["content"] for m in stored(app)][0::2] == ["one", "tow"]


def copy_data(at) -> list[dict]:
    """What each Copy answer button would put on the clipboard, with its labels."""
    import json

    return [json.loads(e.proto.json) for e in at.main.get("bidi_component")
            if e.proto.component_name == "copy_answer"]


def test_copy_gives_the_answer_without_its_thinking(app, upstream, tmp_path):
    upstream.push(fixture("answer_with_math_and_code"))
    send(app, "show me")
    answer = stored(app)[-1]
    for at in (app, new_app(tmp_path, {"c": app.session_state["conversation_id"]})):  # live, then stored
        [button] = copy_data(at)
        assert button["text"] == answer["content"] and answer["reasoning"] not in button["text"]
        assert (button["label"], button["copied"]) == ("Copy answer", "Copied")
    assert not app.chat_message[-1].get("popover")  # one click: nothing to open first


def test_export_offers_markdown_and_json(app):
    send(app, "export me")
    labels = [e.proto.label for e in app.main.get("download_button")]
    assert labels == ["Markdown (.md)", "JSON (.json, can be imported)"]
    assert app.toggle(key="export_thinking").value is False


def test_a_refresh_reopens_the_conversation_from_the_link(app, tmp_path):
    send(app, "remember me")
    cid = app.session_state["conversation_id"]
    assert app.query_params["c"] == [cid] or app.query_params["c"] == cid
    again = new_app(tmp_path, {"c": cid})  # a new session, as after a refresh or a restart
    assert again.session_state["conversation_id"] == cid
    assert "remember me" in main_text(again) and len(stored(again)) == 2


def test_a_link_to_an_unknown_conversation_says_so(app, tmp_path):
    again = new_app(tmp_path, {"c": "no-such-id"})
    assert again.session_state["conversation_id"] is None
    assert "isn't here" in main_text(again)


def test_a_reply_cut_off_by_a_crash_reopens_incomplete_with_retry(clean_env, tmp_path, upstream):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    url = sqlite_url(Path(os.environ["R1_DATA_DIR"]))
    store = open_store(url)
    cid = store.create("local", "crashed").id
    store.append("local", cid, records.new_message("user", "question"))
    store.append("local", cid, records.new_message("assistant", "half an ans", status="streaming"))
    store.db.close()
    at = new_app(tmp_path, {"c": cid})
    assert "half an ans" in main_text(at) and "Incomplete" in main_text(at)
    at.button(key="regenerate").click().run()
    assert stored(at)[-1]["status"] == "complete"


def test_a_shared_deployment_keeps_conversations_for_the_session_only(app, clean_env, tmp_path):
    clean_env.setenv("HOSTNAME", "streamlit")  # Community Cloud
    shared = new_app(tmp_path)
    send(shared, "private to this tab")
    assert any("this browser session only" in c.value for c in shared.sidebar.caption)
    assert stored(shared) == []  # nothing in the data folder
    other = new_app(tmp_path)  # another visitor
    assert not conversation_buttons(other)


def test_a_reply_still_streaming_elsewhere_is_shown_as_such(app, tmp_path):
    send(app, "question")  # the app's process has its store open: rows left streaming stay so
    cid = app.session_state["conversation_id"]
    url = sqlite_url(Path(os.environ["R1_DATA_DIR"]))
    other_tab = Store(connect(url))
    other_tab.end_branch_at("local", cid, other_tab.messages("local", cid)[0]["id"])  # its reply asked again
    other_tab.append("local", cid, records.new_message("assistant", "being writ", status="streaming"))
    other_tab.db.close()
    again = new_app(tmp_path, {"c": cid})
    assert "being writ" in main_text(again) and "Still being written" in main_text(again)
    assert not [b for b in again.button if b.key == "regenerate"]  # no reply to ask again while it is written
    assert again.button(key="edit_last").disabled  # an edit would ask again under a reply still being written


def message_cid(app) -> str:
    return app.session_state["conversation_id"]


def test_stop_mid_reply_keeps_the_partial_text_marked_stopped(app, upstream, tmp_path):
    from fake_upstream import hold_answer, reply

    script = reply("Thinking. " * 5, "never shown")
    gate = hold_answer(script)  # upstream goes silent after its reasoning
    upstream.push(script)
    stop = threading.Timer(1.5, lambda: context.replies().stop("local", app.session_state["conversation_id"]))
    stop.start()  # as the Stop button's callback does, while the page follows the reply
    app.chat_input[0].set_value("long one").run(timeout=10)
    gate.set()
    message = stored(app)[-1]
    assert (message["status"], message["reasoning"], message["content"]) == ("stopped", "Thinking. " * 5, "")
    assert "Stopped" in main_text(app) and app.button(key="regenerate").label == "Retry"
    assert app.status[0].label == "Stopped while thinking"  # no thinking time: it never finished
    assert app.status[0].icon == ":material/error:"  # not ticked as done
    assert [m["role"] for m in stored(app)] == ["user", "assistant"]
    again = new_app(tmp_path, {"c": message_cid(app)})  # as stored: its own icon, not a tick
    [thinking] = again.chat_message[-1].expander
    assert (thinking.label, thinking.icon) == ("Stopped while thinking", ":material/stop_circle:")


def test_a_page_that_goes_away_mid_reply_leaves_it_generating(app, upstream, tmp_path):
    from fake_upstream import hold_answer, reply

    script = reply("Thinking. " * 5, "The answer.")
    gate = hold_answer(script)
    upstream.push(script)
    app.chat_input[0].set_value("long one")
    with pytest.raises(RuntimeError, match="timed out"):
        app.run(timeout=2)  # the script is stopped, as leaving or refreshing the page stops it
    cid = app.session_state["conversation_id"]
    assert context.replies().find("local", cid) is not None  # the reply is still generating
    gate.set()
    again = new_app(tmp_path, {"c": cid})  # coming back follows it to its end
    message = stored(again)[-1]
    assert (message["status"], message["content"]) == ("complete", "The answer.")
    assert "The answer." in main_text(again) and len(upstream.requests) == 1


def test_import_opens_the_exported_conversation_as_a_new_one(app):
    from core.conversations import export

    send(app, "round trip")
    original = stored(app)
    data = export.to_json("round trip", original, 0.0).encode()
    app.button(key="import_open").click().run()
    app.file_uploader[0].set_value(("chat.json", data, "application/json")).run()
    assert not app.exception
    imported = stored(app)
    assert app.session_state["conversation_id"] != original[0]["id"]
    assert [(m["role"], m["content"], m["usage"], m["ttft"]) for m in imported] == \
        [(m["role"], m["content"], m["usage"], m["ttft"]) for m in original]
    assert [b.label for b in conversation_buttons(app)] == ["round trip", "round trip"]


def test_a_file_that_is_not_an_export_is_refused_by_name(app):
    app.button(key="import_open").click().run()
    app.file_uploader[0].set_value(("chat.json", b"\xff\xfe not json", "application/json")).run()
    assert not app.exception and not conversation_buttons(app)
    assert any("not imported" in e.value for e in app.error)


def test_a_blank_title_is_refused_with_a_message(app):
    send(app, "keep my title")
    app.button(key="rename_open").click().run()
    [t for t in app.text_input if t.label == "Title"][0].set_value("   ")
    [b for b in app.button if b.label == "Save"][0].click().run()
    assert any("cannot be blank" in e.value for e in app.error)
    assert [b.label for b in conversation_buttons(app)] == ["keep my title"]


def signed_in(tmp_path, email):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    at.user = {"is_logged_in": True, "email": email}
    return at.run()


def test_signed_in_visitors_each_keep_their_own_conversations(app, clean_env, tmp_path):
    clean_env.setenv("HOSTNAME", "streamlit")  # Community Cloud
    alice = signed_in(tmp_path, "alice@example.com")
    send(alice, "alice's plan")
    assert any("saved to your account (al…@example.com)" in c.value for c in alice.sidebar.caption)
    bob = signed_in(tmp_path, "bob@example.com")
    assert not conversation_buttons(bob)
    cid = alice.session_state["conversation_id"]
    bob_with_link = AppTest.from_file(APP, default_timeout=30)
    bob_with_link.user = {"is_logged_in": True, "email": "bob@example.com"}
    bob_with_link.query_params["c"] = cid
    bob_with_link.run()
    assert bob_with_link.session_state["conversation_id"] is None  # a shared link opens nothing
    alice_again = signed_in(tmp_path, "alice@example.com")  # a new session (refresh, restart)
    assert [b.label for b in conversation_buttons(alice_again)] == ["alice's plan"]


def import_plain(app, messages, title="imported"):
    import json

    data = json.dumps({"format": "r1-chat.conversation", "version": 1, "title": title,
                       "messages": messages}).encode()
    app.button(key="import_open").click().run()
    app.file_uploader[0].set_value(("c.json", data, "application/json")).run()
    assert not app.exception
    return app


def test_an_import_ending_in_two_questions_opens_with_one_edit_button(app):
    import_plain(app, [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
    assert [b.key for b in app.button].count("edit_last") == 1
    assert not [b for b in app.button if b.key == "regenerate"]
    assert app.session_state["pending"] is None  # nothing is sent by an import


def test_an_imported_error_of_an_unknown_kind_reads_as_a_generic_error(app):
    import_plain(app, [{"role": "user", "content": "q"},
                       {"role": "assistant", "content": "", "status": "error",
                        "diagnosis": {"kind": "no_such_kind_{0}", "params": {"host": "h"}}},
                       {"role": "assistant", "content": "", "status": "error",
                        "diagnosis": {"kind": "brand_new", "params": {"host": "h"}}}])
    assert [e.value.startswith("**Something went wrong**") for e in app.error] == [True, True]


def test_a_token_typed_as_the_first_message_is_masked_in_the_title(app):
    secret = "fake" * 8  # built, so the repository holds nothing that looks like a real key
    send(app, f"sk-{secret} please check this key")
    title = conversation_buttons(app)[0].label
    assert secret not in title and title.startswith("sk-")


def test_a_database_from_another_app_version_is_named_and_left_alone(clean_env, tmp_path, upstream):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    store = open_store(sqlite_url(Path(os.environ["R1_DATA_DIR"])))
    store.db.execute("UPDATE schema_migrations SET checksum = 'other' WHERE version = 1")
    store.db.close()
    at = new_app(tmp_path)
    send(at, "still works")
    assert any("another version of this app" in w.value for w in at.sidebar.warning)
    assert "You said" in main_text(at)  # chatting goes on, in the session


def test_a_length_cut_names_the_budget_that_reply_had(app, upstream, tmp_path):
    upstream.push(fixture("length_finish"))
    app.number_input(key="max_tokens").set_value(3072)
    send(app, "long")
    cid = app.session_state["conversation_id"]
    assert stored(app)[-1]["max_tokens"] == 3072
    later = new_app(tmp_path, {"c": cid})  # a new session: the setting is back to its default
    assert any("(3072)" in w.value for w in later.main.warning)
    assert any(b.label == "Try again with 6144 tokens" for b in later.button)


# A data folder that already holds chats.db but cannot be written



def saved_conversation(owner="local"):
    """A conversation with one answered question in R1_DATA_DIR's database, closed; its id."""
    store = open_store(sqlite_url(Path(os.environ["R1_DATA_DIR"])))
    cid = store.create(owner, "old question").id
    store.append(owner, cid, records.new_message("user", "old question"))
    store.append(owner, cid, records.new_message("assistant", "the old answer"))
    store.db.close()
    return cid


def folder_files():
    folder = Path(os.environ["R1_DATA_DIR"])
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("blocked", ["folder", "file"])
def test_a_read_only_data_folder_shows_saved_conversations_and_keeps_new_ones_until_restart(
        clean_env, tmp_path, upstream, blocked):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    cid = saved_conversation()
    folder = Path(os.environ["R1_DATA_DIR"])
    before = folder_files()
    with unwritable(folder if blocked == "folder" else folder / "chats.db") as path:
        at = new_app(tmp_path)
        [warning] = at.sidebar.warning
        assert warning.value == (
            "The data folder is read-only: your 1 saved conversation is shown, but new messages are kept"
            f" only until the app restarts: export the ones you want to keep. Make `{path}` writable"
            " and restart the app to save new ones again.")
        assert [b.label for b in conversation_buttons(at)] == ["old question"]
        at.button(key=f"conv_{cid}").click().run()
        assert "the old answer" in main_text(at)
        send(at, "a follow-up")
        assert "You said" in main_text(at)  # the reply streamed into the in-memory copy
        at.button(key="new_chat").click().run()
        send(at, "a new conversation")
        other = new_app(tmp_path, {"c": cid})  # another tab of the same server: the copy is made once
        assert "a follow-up" in main_text(other)
        assert [b.label for b in conversation_buttons(other)] == ["a new conversation", "old question"]
        assert "your 1 saved conversation is shown" in other.sidebar.warning[0].value  # the new one is not saved
        assert folder_files() == before  # nothing written, nothing created beside it


def test_a_read_only_data_folder_is_explained_in_chinese_and_without_paths_to_visitors(
        clean_env, tmp_path, upstream):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    clean_env.setenv("HOSTNAME", "streamlit")  # Community Cloud: saved per signed-in account
    saved_conversation(owner="user:alice@example.com")
    with unwritable(Path(os.environ["R1_DATA_DIR"])):
        alice = AppTest.from_file(APP, default_timeout=30)
        alice.context = {"locale": "zh-CN"}
        alice.user = {"is_logged_in": True, "email": "alice@example.com"}
        alice.run()
    [warning] = alice.sidebar.warning
    assert warning.value.startswith("数据文件夹是只读的：已显示你保存的 1 个对话")
    assert os.environ["R1_DATA_DIR"] not in warning.value and str(tmp_path) not in warning.value
    assert [b.label for b in conversation_buttons(alice)] == ["old question"]


def test_a_data_folder_that_cannot_be_used_is_named_in_words_not_by_exception(clean_env, tmp_path, upstream):
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    (tmp_path / "a-file").write_text("")
    clean_env.setenv("R1_DATA_DIR", str(tmp_path / "a-file"))
    at = new_app(tmp_path)
    [warning] = at.sidebar.warning
    assert "part of the path is a file, not a folder" in warning.value
    assert "Error" not in warning.value and "Exists" not in warning.value  # e.g. FileExistsError
    send(at, "still works")
    assert "You said" in main_text(at)  # chatting goes on, in the session
