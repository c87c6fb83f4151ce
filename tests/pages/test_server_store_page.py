"""AppTest: with R1_DATABASE_URL set the chat keeps conversations in PostgreSQL, names the database
with its password masked; a server it cannot use is named on the page with its fix, a message sent
meanwhile is given back, and the page is whole again once the server answers."""

from __future__ import annotations

import socket
from pathlib import Path

import postgres
import pytest
from streamlit.testing.v1 import AppTest

from core.conversations.store import open_store
from ui import context

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def app_on(clean_env, upstream, url: str) -> AppTest:
    """The app on the sandbox route against the fake upstream, in English, keeping conversations at ``url``."""
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    clean_env.setenv("R1_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=30)
    at.context = {"locale": "en-US"}
    return at.run()


def sidebar_text(at) -> str:
    return "\n".join(str(e.value) for kind in ("caption", "warning") for e in getattr(at.sidebar, kind))


def test_conversations_are_kept_in_postgresql(clean_env, upstream, postgres_server):
    with postgres.fresh_database(postgres_server) as url:
        at = app_on(clean_env, upstream, url)
        at.chat_input[0].set_value("Hello from the team").run()
        assert not at.exception
        shown = sidebar_text(at)
        assert "Conversations are saved in the database `postgresql://postgres:••••••••@127.0.0.1" in shown
        assert postgres.PASSWORD not in shown
        store = open_store(url)
        [conversation] = store.list("local")
        assert [m["role"] for m in store.messages("local", conversation.id)] == ["user", "assistant"]
        store.db.close()


def page_text(at) -> str:
    return "\n".join(str(e.value) for kind in ("title", "caption", "error", "warning", "markdown")
                     for e in getattr(at.main, kind))


def test_a_server_it_cannot_reach_is_named_and_a_message_sent_meanwhile_is_given_back(clean_env, upstream):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"postgresql://app:a-long-database-password@127.0.0.1:{closed.getsockname()[1]}/chats"
    at = app_on(clean_env, upstream, url)
    shown = page_text(at)
    assert not at.exception
    assert "cannot be used now" in shown and "the database server cannot be reached" in shown
    assert "R1_DATABASE_URL" in shown and "a-long-database-password" not in shown
    assert "127.0.0.1" in shown and "asks the database again every 3 s" in shown
    at.chat_input[0].set_value("Still here?").run()
    assert not at.exception and not upstream.requests  # nothing stored, so nothing asked
    assert any("Not sent" in e.value and "back in the input" in e.value for e in at.error)


def test_the_page_comes_back_by_itself_when_the_server_restarts(clean_env, upstream, monkeypatch, log_lines):
    monkeypatch.setattr(context.OUTAGES, "retry_after", 0.0)  # the page's fragment asks every 3 s
    with postgres.server() as server, postgres.fresh_database(server.url) as url:
        at = app_on(clean_env, upstream, url)
        at.chat_input[0].set_value("Before the restart").run()
        watching = watchers(at)
        server.stop()
        at.run()
        assert not at.exception and "the database server cannot be reached" in page_text(at)
        assert watchers(at).isdisjoint(watching), "the conversation's watchers outlived the outage view's run"
        assert any("why: at the top of the page" in e.value for e in at.warning)  # pinned above the input
        kept_on_screen(at, "Before the restart")
        cid = at.session_state.conversation_id
        at.query_params.pop("c")  # as the browser drops it on a switch from Setup and back
        at.run()
        assert at.query_params["c"] in (cid, [cid]), "a refresh now would not find the conversation once it can"
        at.chat_input[0].set_value("During the restart").run()
        assert not at.exception and len(upstream.requests) == 1
        assert any("Not sent" in e.value for e in at.error)
        kept_on_screen(at, "Before the restart")
        server.start()
        at.run()
        assert not at.exception and not at.error
        assert "Before the restart" in page_text(at)
        at.chat_input[0].set_value("During the restart").run()  # sent again, as the notice said
        assert not at.exception and len(upstream.requests) == 2
        conversation = open_store(url).list("local")[0]
        questions = [m["content"] for m in open_store(url).messages("local", conversation.id) if m["role"] == "user"]
        assert questions == ["Before the restart", "During the restart"]
        server.stop()  # a second outage is logged as the first was: the log tells when each began and ended
        at.run()
        assert "the database server cannot be reached" in page_text(at)
        server.start()  # for the database's teardown
    said = [line.split(":")[0] for line in log_lines if "conversation database" in line]
    assert said == ["conversation database could not be used, waiting for it",
                    "conversation database answers again",
                    "conversation database could not be used, waiting for it"]
    assert not any(postgres.PASSWORD in line for line in log_lines)


@pytest.mark.parametrize("status, said", [
    ("streaming", "Was still being written when the database stopped answering: the rest shows once it is back"),
    ("stopped", "Stopped — the partial reply is kept."),
])
def test_a_partial_reply_says_so_while_the_database_is_down(clean_env, upstream, status, said):
    """Its text so far stays on screen with why it is partial (still being written elsewhere: the
    rest comes once the database is back; or stopped): cut off mid-word, it would otherwise pass
    for the whole answer."""
    with postgres.server() as server, postgres.fresh_database(server.url) as url:
        at = app_on(clean_env, upstream, url)
        at.chat_input[0].set_value("Tell me a long story").run()
        store = open_store(url)
        cid = store.list("local")[0].id
        reply = [m for m in store.messages("local", cid) if m["role"] == "assistant"][0]
        store.update(reply["id"], {**reply, "status": status, "content": "Once upon a ti"})  # as another replica writes it
        store.db.close()
        at.run()
        server.stop()
        at.run()
        shown = page_text(at)
        assert "Once upon a ti" in shown
        assert said in shown
        server.start()  # for the database's teardown


def watchers(at) -> set[str]:
    """The ids of the fragments Streamlit would still run for this session (a timer of theirs that
    fires in the browser). Those of a run before a shorter page must be gone once it is drawn: run,
    they would draw where that page has nothing, and the browser blanks the whole page."""
    return set(at._fragment_storage._fragments)  # AppTest keeps the session's storage across runs


def kept_on_screen(at, question: str) -> None:
    """The outage view keeps the conversation the page showed (read-only, not read again) and the
    sidebar: its language switch and settings, and a word on the list instead of its entries."""
    assert [e.value for e in at.main.text] == [question]
    assert f"You said: **{question}**" in page_text(at)
    assert "read-only until it is back" in page_text(at)
    assert not at.button  # no action: nothing could be stored (the conversation menu, Edit, Regenerate)
    assert "unavailable while the conversation database cannot be used" in sidebar_text(at)
    assert at.sidebar.expander and at.sidebar.text_area(key="system_prompt")  # the settings, as ever
    assert at.sidebar.get("button_group")  # the language switch


def test_a_refused_password_or_a_missing_database_is_not_called_a_passing_outage(
        clean_env, upstream, postgres_server):
    """Waiting does not mend a wrong password: the page says an administrator must, not 'asks again'."""
    wrong = postgres_server.replace(postgres.PASSWORD, "not-the-password-0123456789")
    missing = postgres_server.rsplit("/", 1)[0] + "/no_such_database"
    for url, why in ((wrong, "the user name or password was refused"),
                     (missing, "that database does not exist on the server")):
        at = app_on(clean_env, upstream, url)
        shown = page_text(at)
        assert not at.exception and why in shown
        assert "The conversation database refuses this app" in shown and "cannot be used now" not in shown
        assert "an administrator must fix what is named above" in shown and "restart the app" in shown
        assert "that the database server is running" not in shown  # it is: no advice that contradicts
        assert "asks the database again every" not in shown and "not-the-password-0123456789" not in shown


def test_a_server_lost_in_the_middle_of_a_run_is_waited_for_not_shown_as_a_traceback(
        clean_env, upstream, postgres_server, monkeypatch):
    import psycopg
    from sqlalchemy.exc import OperationalError

    from core.conversations.store import Store

    def gone(*args, **kwargs):
        raise OperationalError("SELECT …", {}, psycopg.OperationalError("server closed the connection unexpectedly"))

    with postgres.fresh_database(postgres_server) as url:
        at = app_on(clean_env, upstream, url)
        at.chat_input[0].set_value("Hello").run()
        with monkeypatch.context() as patch:
            patch.setattr(Store, "list", gone)  # the sidebar's list, after the store answered
            at.run()
        assert not at.exception and "the database server cannot be reached" in page_text(at)
        monkeypatch.setattr(context.OUTAGES, "retry_after", 0.0)
        at.run()
        assert not at.exception and "Hello" in page_text(at)


def test_setup_names_a_refused_password_and_says_when_the_database_answers(clean_env, upstream, postgres_server):
    wrong = postgres_server.replace(postgres.PASSWORD, "not-the-password-0123456789")
    at = app_on(clean_env, upstream, wrong)
    at.switch_page("app_pages/setup.py").run()
    shown = page_text(at)
    assert not at.exception and "refused the user name or password" in shown
    assert "R1_DATABASE_URL" in shown and "not-the-password-0123456789" not in shown
    assert not at.success, "no green 'Ready to chat' above a database that refuses the password"
    with postgres.fresh_database(postgres_server) as url:
        at = app_on(clean_env, upstream, url)
        at.switch_page("app_pages/setup.py").run()
        assert not at.exception and "which answers" in page_text(at) and at.success


def test_a_lost_session_conversation_says_why_without_sign_in(clean_env, upstream, postgres_server):
    """Behind a load balancer without sign-in, a conversation is the browser session's on one replica:
    its link opened elsewhere (the replica died) says so, and that sign-in would keep it per user."""
    clean_env.setenv("HOSTNAME", "streamlit")  # a shared deployment (Community Cloud): no sign-in
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    clean_env.setenv("R1_DATABASE_URL", postgres_server)
    for secrets, advice in (({}, "An administrator can turn on sign-in (Streamlit's `[auth]` settings"),
                            ({"auth": {"redirect_uri": "http://localhost/oauth2callback"}},
                             "Sign in to keep your next conversations per user")):
        at = AppTest.from_file(APP, default_timeout=30)
        at.context, at.query_params, at.secrets = {"locale": "en-US"}, {"c": "a1b2c3d4"}, secrets
        at.run()
        [info] = [e.value for e in at.info]
        assert not at.exception and info.startswith("The conversation that was open is not on this server")
        assert "kept only for the browser session, on the server that served it" in info and advice in info


def test_a_lost_conversation_of_a_signed_in_user_or_a_local_app_blames_no_session(clean_env, upstream):
    at = AppTest.from_file(APP, default_timeout=30)
    at.context, at.query_params = {"locale": "en-US"}, {"c": "a1b2c3d4"}
    clean_env.setenv("COZE_WORKLOAD_IDENTITY_API_KEY", "wi-sandbox-token-0123456789abcdefghij")
    clean_env.setenv("COZE_INTEGRATION_MODEL_BASE_URL", upstream.base_url)
    [info] = [e.value for e in at.run().info]
    assert info == "The conversation in the link isn't here: it was deleted, or it belongs to another user or browser session."


def test_what_an_idle_page_asks_every_few_seconds_costs_one_query_per_process(clean_env, upstream, monkeypatch):
    """An idle chat page looks every 3 s whether its server database still answers (ui.outage.watch,
    a fragment AppTest cannot run on a timer): its pages share one SELECT 1 per 3 s while it answers,
    and once it stopped they are told at once, without each waiting to connect."""
    from core.conversations.database import Database

    pings = []
    real_ping = Database.ping
    monkeypatch.setattr(Database, "ping", lambda db: (pings.append(1), real_ping(db))[1])
    with postgres.server() as server, postgres.fresh_database(server.url) as url:
        at = app_on(clean_env, upstream, url)
        at.chat_input[0].set_value("Before the restart").run()
        pings.clear()
        assert all(context.database_failure(url) is None for _ in range(10)) and len(pings) <= 1
        server.stop()
        monkeypatch.setattr(context.OUTAGES, "retry_after", 0.0)  # as 3 s later
        down = context.database_failure(url)
        assert down is not None and context.problem(down) == "unreachable"
        monkeypatch.setattr(context.OUTAGES, "retry_after", 3.0)
        tries = len(pings)
        assert all(context.database_failure(url) is down for _ in range(10)) and len(pings) == tries
        at.run()  # the fragment's rerun: the outage view, the conversation still on screen
        assert not at.exception and "the database server cannot be reached" in page_text(at)
        kept_on_screen(at, "Before the restart")
        server.start()


def test_a_database_from_a_newer_app_is_not_called_a_passing_outage(clean_env, upstream, postgres_server):
    from core.conversations import migrations
    from core.conversations.database import connect

    with postgres.fresh_database(postgres_server) as url:
        db = connect(url)
        migrations.migrate(db)
        db.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x', 0)")
        db.close()
        app_on(clean_env, upstream, url)  # the environment, for the visitor in Chinese below
        at = AppTest.from_file(APP, default_timeout=30)
        at.context = {"locale": "zh-CN"}
        shown = page_text(at.run())
        assert not at.exception and "对话数据库由本应用的其他版本写入" in shown
        assert "需要管理员修正上面指出的问题" in shown and "每 3 秒重新询问" not in shown



def test_a_signed_in_visitor_on_community_cloud_is_not_told_a_database_server_is_wiped(clean_env, upstream,
                                                                                     postgres_server):
    clean_env.setenv("HOSTNAME", "streamlit")  # Community Cloud: conversations kept per signed-in user
    with postgres.fresh_database(postgres_server) as url:
        app_on(clean_env, upstream, url)  # the environment
        at = AppTest.from_file(APP, default_timeout=30)
        at.context, at.secrets["auth"] = {"locale": "en-US"}, {"redirect_uri": "http://localhost/oauth2callback"}
        at.user = {"is_logged_in": True, "email": "alice@example.com"}
        at.run().chat_input[0].set_value("Hello from the team").run()
        shown = sidebar_text(at)
        assert not at.exception and "saved to your account" in shown and "wiped" not in shown
        assert "127.0.0.1" not in shown and postgres.PASSWORD not in shown


@pytest.mark.parametrize("url, why", [
    ("postgresql://app:p@ss/w0rd@127.0.0.1:5432/chats", "holds an `@` or `/` that is not percent-encoded"),
    ("db.example:5432/chats", "is not a `postgresql://` URL"),
])
def test_a_database_url_no_driver_can_use_keeps_nothing_here_instead(clean_env, upstream, tmp_path, url, why):
    """Set but unusable, R1_DATABASE_URL is not taken for unset: each replica would keep conversations
    in a file of its own, apart from the team's, and nobody would know."""
    at = app_on(clean_env, upstream, url)
    shown = page_text(at)
    assert not at.exception and why in shown and "p@ss/w0rd" not in shown
    assert "Waiting will not fix this" in shown and "asks the database again every" not in shown
    assert any("until an administrator fixes" in e.value for e in at.warning)  # pinned above the input
    at.chat_input[0].set_value("Hello").run()
    assert not at.exception and not upstream.requests  # nothing stored, so nothing asked
    assert any("Not sent" in e.value and "back in the input" in e.value for e in at.error)
    assert not list((tmp_path / "data").glob("chats.db*"))  # clean_env's data folder: no SQLite file
