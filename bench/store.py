"""Storage benchmark: what keeping conversations costs while streaming and when a page opens.

Prints, side by side for a SQLite file in a temporary folder (WAL, as the app uses it) and a
throwaway PostgreSQL 15 cluster (started as the tests start one, where its binaries are installed):
  save      one save of a streaming reply (UPDATE of the whole message), median and p99 in ms, as
            the chat page does about once a second: it must stay far below a frame (80 ms);
  open      reading one conversation of --turns turns (the chat page does it on every rerun);
  list      the sidebar: the newest 200 of --conversations conversations, and a text search;
Run: .venv/bin/python bench/store.py [--conversations 500] [--turns 40] [--reply-chars 6000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # tests/postgres.py starts the PostgreSQL cluster

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


def measure(url: str, args) -> dict:
    """Fill a store at ``url`` and time its operations; the figures as a dict of strings."""
    store = open_store(url)
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
    store.db.close()
    return {"build (s)": f"{built:.1f}", "save median (ms)": f"{statistics.median(saves):.2f}",
            "save p99 (ms)": f"{sorted(saves)[197]:.2f}", "open (ms)": f"{statistics.median(opens):.2f}",
            "list (ms)": f"{statistics.median(lists):.2f}", "search (ms)": f"{statistics.median(searches):.2f}"}


def engines(folder: Path) -> Iterator[tuple[str, str]]:
    """(name, URL) of each engine to measure: a SQLite file, and a throwaway PostgreSQL cluster
    where Debian's server binaries are installed (as the tests start one)."""
    yield "SQLite", sqlite_url(folder)
    import postgres

    reason = postgres.missing()
    if reason:
        print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
        return
    with postgres.cluster() as server, postgres.fresh_database(server) as url:
        yield "PostgreSQL", url


def main() -> None:
    """Measure each engine and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--reply-chars", type=int, default=6000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = {name: measure(url, args) for name, url in engines(Path(folder))}
    print(f"{args.conversations + 1} conversations; open = {args.turns} turns of {args.reply_chars} chars "
          "+ reasoning; save = a 40k-char streaming reply")
    names = list(figures)
    print(f"{'':18}" + "".join(f"{name:>12}" for name in names))
    for row in next(iter(figures.values())):
        print(f"{row:18}" + "".join(f"{figures[name][row]:>12}" for name in names))


if __name__ == "__main__":
    main()
