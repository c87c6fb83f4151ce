"""Storage benchmark: what keeping conversations costs while streaming and when a page opens.

Prints, for a SQLite file in a temporary folder (WAL, as the app uses it):
  save      one save of a streaming reply (UPDATE of the whole message), median and p99 in ms, as
            the chat page does about once a second: it must stay far below a frame (80 ms);
  open      reading one conversation of --turns turns (the chat page does it on every rerun);
  list      the sidebar: the newest 200 of --conversations conversations, and a text search;
  size      the database file after all of it.
Run: .venv/bin/python bench/store.py [--conversations 500] [--turns 40] [--reply-chars 6000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.chat.events import Usage  # noqa: E402
from core.conversations import records  # noqa: E402
from core.conversations.database import sqlite_url  # noqa: E402
from core.conversations.store import open_store  # noqa: E402


def timed(fn, repeat: int) -> list[float]:
    """Milliseconds per call of ``fn``, ``repeat`` times."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def fill(store, conversations: int, turns: int, chars: int) -> str:
    """Create the conversations; return the id of the last one."""
    answer = ("Lorem ipsum dolor sit amet, 数学 $x^2$. " * (chars // 36 + 1))[:chars]
    cid = ""
    for n in range(conversations):
        cid = store.create("local", f"Conversation {n}").id
        for t in range(turns):
            store.append("local", cid, records.new_message("user", f"question {n}.{t}"))
            store.append("local", cid, records.new_message(
                "assistant", answer, reasoning=answer, model="deepseek-r1-250528", route="openai",
                thought=3.2, ttft=0.4, total=9.1, usage=Usage(100, 2000, 1200)))
    return cid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--reply-chars", type=int, default=6000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(sqlite_url(Path(folder)))
        start = time.perf_counter()
        cid = fill(store, args.conversations, 4, 2000)  # many small ones for the list
        cid = fill(store, 1, args.turns, args.reply_chars)
        built = time.perf_counter() - start
        reply = records.new_message("assistant", "", status="streaming")
        mid = store.append("local", cid, reply)
        text = "x" * 40_000  # a long reply near its end: the worst save
        saves = timed(lambda: store.update(mid, {**reply, "content": text, "reasoning": text}), 200)
        opens = timed(lambda: store.messages("local", cid), 20)
        lists = timed(lambda: store.list("local"), 20)
        searches = timed(lambda: store.list("local", "question 7.3"), 10)
        size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e6
        print(f"built {args.conversations + 1} conversations in {built:.1f} s; file {size:.1f} MB")
        print(f"save    median {statistics.median(saves):6.2f} ms   p99 {sorted(saves)[197]:6.2f} ms")
        print(f"open    median {statistics.median(opens):6.2f} ms   ({args.turns} turns of "
              f"{args.reply_chars} chars + reasoning)")
        print(f"list    median {statistics.median(lists):6.2f} ms   search {statistics.median(searches):6.2f} ms")


if __name__ == "__main__":
    main()
