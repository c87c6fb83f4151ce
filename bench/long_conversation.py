"""Long-conversation benchmark (issue 13.5): does a long conversation cost the page anything extra?

Seeds the app's SQLite store with conversations of realistic turns (about 3k characters of
reasoning and 2k of answer with code and math each), starts the app on them with the fake upstream
at full speed, and measures in headless Chromium, median of --runs (a fresh page each run):
  open  from a click on the conversation in the sidebar until its newest turn is visible;
  ask   from Enter in the chat input until the new answer is visible (asked once the page is idle:
        a person reads and types first);
  ratio ask / ask in a fresh conversation.
Targets: at 60 turns ask <= 1.3x fresh and open <= 1 s; at 5,000 messages (the import maximum)
open and ask <= 2 s each. A run that does not finish within --timeout prints as "> N s".
Run: .venv/bin/python bench/long_conversation.py [--turns 30,60,2500] [--runs 3] [--timeout 120]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]
from fake_upstream import FakeUpstream, reply  # noqa: E402
from stream_render import ANSWER, CHROMIUM_ARGS, reasoning_text, streamlit_app  # noqa: E402

from core.conversations import records  # noqa: E402
from core.conversations.database import sqlite_url  # noqa: E402
from core.conversations.store import open_store  # noqa: E402

OWNER = "local"  # the one owner of a server on loopback
VISIBLE_JS = """([marker]) => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
  .some(m => m.textContent.includes(marker) && m.checkVisibility())"""


def seed(data_dir: Path, turns: int) -> str:
    """A conversation of ``turns`` answered questions in the app's store; its id."""
    store = open_store(sqlite_url(data_dir))
    reasoning = reasoning_text(3000)
    with store.transaction():
        cid = store.create(OWNER, f"{turns} turns").id
        for n in range(1, turns + 1):
            store.append(OWNER, cid, records.new_message("user", f"Question {n}: and then?"))
            store.append(OWNER, cid, records.new_message(
                "assistant", ANSWER.replace("Final remark: ", f"Final remark, turn {n}: "),
                reasoning=reasoning, model="deepseek-r1-250528", route="coze-sandbox",
                thought=12.5, ttft=0.8, total=30.2))
    store.db.close()
    return cid


def until(page, marker: str, timeout: float) -> float:
    """Seconds until ``marker`` is visible on the page, or infinity after ``timeout``."""
    t0 = time.perf_counter()
    try:
        page.wait_for_function(VISIBLE_JS, arg=[marker], polling=50, timeout=timeout * 1000)
    except PlaywrightTimeout:
        return float("inf")
    return time.perf_counter() - t0


def settle(page) -> None:
    """Wait until the page has finished drawing what it shows (a person reads and types meanwhile)."""
    page.wait_for_function("""() => document.querySelector('[data-testid="stApp"]')
      ?.getAttribute('data-test-script-state') !== 'running'""", polling=50, timeout=60_000)
    page.evaluate("() => new Promise(done => requestIdleCallback(done, {timeout: 10000}))")


def run(browser, url: str, up: FakeUpstream, cid: str | None, turns: int, n: int,
        timeout: float) -> tuple[float, float]:
    """One fresh page: open the conversation from the sidebar (if any), then ask; both in seconds.
    Its newest turn, which opening must show, is the one the previous run asked (or the seeded last)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url)
        box = page.locator('[data-testid="stChatInputTextArea"]:not([disabled])')
        box.wait_for(timeout=60_000)
        opened = 0.0
        if cid:
            page.locator(f'.st-key-conv_{cid} button').first.click()
            opened = until(page, f"ZQX run {n - 1} of {turns}" if n else f"turn {turns}:", timeout)
        settle(page)
        marker = f"ZQX run {n} of {turns}"
        up.push(reply("Think briefly.", f"Answer. {marker}."))
        box.fill("One more question.")
        t0 = time.perf_counter()
        box.press("Enter")
        asked = until(page, marker, timeout)
        return opened, (asked if asked == float("inf") else time.perf_counter() - t0)
    finally:
        page.close()


def shown(seconds: float, timeout: float) -> str:
    return f"> {timeout:.0f}" if seconds == float("inf") else f"{seconds:.2f}"


def main() -> int:
    """Seed, serve, measure, print one row per conversation length."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", default="30,60,2500", help="conversation lengths in turns (2 messages each)")
    ap.add_argument("--runs", type=int, default=3, help="runs per length; medians are reported")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a step counts as failed")
    args = ap.parse_args()
    lengths = [int(x) for x in args.turns.split(",") if x.strip()]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup below on kill too
    rows = []
    with tempfile.TemporaryDirectory(prefix="r1-bench-") as tmp:
        logs = Path(tmp) / "logs"
        (logs / "data").mkdir(parents=True)
        conversations = {turns: seed(logs / "data", turns) for turns in lengths}
        with FakeUpstream() as up, streamlit_app(up.base_url, str(logs)) as (_, url), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            run(browser, url, up, None, 0, 0, args.timeout)  # warm up
            for turns, cid in [(0, None), *conversations.items()]:
                results = [run(browser, url, up, cid, turns, i, args.timeout) for i in range(args.runs)]
                rows.append((turns, statistics.median(o for o, _ in results),
                             statistics.median(a for _, a in results)))
                print(f"  {turns} turns: {results}", file=sys.stderr, flush=True)
    fresh = rows[0][2]
    print(f"\nmedian of {args.runs}; each stored turn ~3k chars of reasoning + {len(ANSWER)} of answer")
    print(f"{'turns':>6} {'messages':>9} {'open s':>8} {'ask s':>8} {'ask/fresh':>10}")
    for turns, opened, asked in rows:
        print(f"{turns:>6} {2 * turns:>9} {shown(opened, args.timeout) if turns else '-':>8} "
              f"{shown(asked, args.timeout):>8} {asked / fresh:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
