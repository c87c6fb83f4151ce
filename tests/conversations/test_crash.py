"""A process killed mid-stream leaves its partial reply saved and marked incomplete."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from crash_child import API_KEY, OWNER, QUESTION
from fake_upstream import reply

from core.conversations.database import DatabaseError, connect, sqlite_url
from core.conversations.store import open_store

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).resolve().parents[1] / "crash_child.py"
MODEL = "deepseek-r1-250528"
REASONING = "Think it over step by step before answering. " * 3  # ≈35 events: about 2 s
ANSWER = "".join(f"Part {i} of a long answer. " for i in range(300))  # ≈1900 events: over 90 s
APP_PREFIXES = ("R1_", "OPENAI_", "COZE_")


def child_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_PREFIXES)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return env


def saved_reply(db):
    """The stored assistant reply, or None while there is none (or no schema yet)."""
    try:
        rows = db.query("SELECT role, content, reasoning, status FROM messages ORDER BY position")
    except DatabaseError:  # the child has not migrated the new file yet
        return None
    return next((r for r in rows if r["role"] == "assistant"), None)


def wait_for_saved_text(proc, path, url, err, timeout=30.0):
    """Poll the database until the child has saved some answer text; fail if the child exits."""
    deadline, db = time.monotonic() + timeout, None
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"the child exited early ({proc.returncode}):\n"
                                     + err.read_text(errors="replace"))
            if db is None and path.exists():
                db = connect(url)
            row = saved_reply(db) if db else None
            if row and row["content"]:
                return row
            time.sleep(0.05)
        raise AssertionError(f"no answer text saved within {timeout} s")
    finally:
        if db:
            db.close()


def test_a_process_killed_mid_stream_leaves_the_partial_reply_marked_incomplete(upstream, tmp_path):
    upstream.push(reply(REASONING, ANSWER, piece=4, delay=0.05))
    url, path = sqlite_url(tmp_path / "data"), tmp_path / "data" / "chats.db"
    out, err = tmp_path / "child.out", tmp_path / "child.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, str(CHILD), url, upstream.base_url, MODEL],
                                cwd=ROOT, env=child_env(), stdin=subprocess.DEVNULL,
                                stdout=stdout, stderr=stderr)
    try:
        live = wait_for_saved_text(proc, path, url, err)
        assert live["status"] == "streaming"
        time.sleep(0.3)  # let a little more stream in that may never be saved
        assert proc.poll() is None, "the child finished the reply before it could be killed"
        proc.kill()
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)

    store = open_store(url)
    (conv,) = store.list(OWNER)
    question, answer = store.messages(OWNER, conv.id)
    assert (question["role"], question["content"]) == ("user", QUESTION)
    assert (answer["role"], answer["status"], answer["model"]) == ("assistant", "incomplete", MODEL)
    assert answer["content"] and ANSWER.startswith(answer["content"])
    assert len(answer["content"]) < len(ANSWER)
    assert len(answer["content"]) >= len(live["content"])
    assert REASONING.startswith(answer["reasoning"]) and answer["reasoning"]
    (request,) = upstream.requests
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"  # the child had the key…
    assert API_KEY.encode() not in out.read_bytes() + err.read_bytes()  # …and never printed it
