"""Stop benchmark: how soon does Stop end a reply while the upstream is silent after its reasoning?

R1 can think for a long while without sending anything; Stop must not wait for the next chunk.
The fake upstream streams a short reasoning, then holds the answer (its gate never opens); a second
into that silence the Stop button is clicked with the mouse, in headless Chromium, and the run
measures, from the click:
  shown    until the "Stopped" caption is in the assistant message, timed in the page itself
           (mousedown to the first DOM mutation that shows it: performance.now, no Playwright
           round trips or polling);
  hang-up  until the fake upstream sees the app close the held socket (time.monotonic in this
           process, taken just before the mouse click is sent).
Targets: "Stopped" on screen within 1.0 s of the click, upstream hung up within 0.5 s. A target
counts as met when every run (the max) is under it. One warm-up run first; a fresh browser context
(its own Streamlit session, locale en-US) per run. Browser, Streamlit and this process share the
machine's cores: other load on it moves both figures.
Run: .venv/bin/python bench/stop.py [--runs 5] [--timeout 30]
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
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]
from fake_upstream import FakeUpstream, hold_answer, reply  # noqa: E402
from stream_render import CHROMIUM_ARGS, streamlit_app  # noqa: E402

STOP_SHOWN_S = 1.0  # target: "Stopped" on screen this soon after the click
HANG_UP_S = 0.5  # target: the upstream socket closed this soon after the click
STOP = ".st-key-stop_reply button"  # above the input while a reply generates (as tests/e2e/steps.py)
ASSISTANT = '[data-testid="stChatMessage"]:has([data-testid="stChatMessageAvatarAssistant"])'
STOPPED = "Stopped — the partial reply is kept."
REASONING = "Let me weigh this carefully. " * 2  # short: all of it is sent before the silence

# Moved from tests/e2e/test_replies_browser.py: only this bench times Stop, and bench/ imports no test module.
# Times, in the page itself, from the next mouse press to the first moment a caption containing
# the text is in the DOM: what the user sees, without Playwright's round trips or its polling.
WATCH_FOR_CAPTION = """text => { window.r1Stop = {};
  document.addEventListener('mousedown', () => { window.r1Stop.down ??= performance.now(); }, true);
  const look = () => { if (window.r1Stop.shown === undefined && [...document.querySelectorAll(
      '[data-testid="stChatMessage"] [data-testid="stCaptionContainer"]')].some(c => c.textContent.includes(text)))
    window.r1Stop.shown = performance.now(); };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true}); }"""
SHOWN_JS = "() => window.r1Stop.shown !== undefined && (window.r1Stop.shown - window.r1Stop.down) / 1000"


def click_at(page, locator) -> float:
    """Click the middle of ``locator`` with the mouse; return the time (monotonic) just before.
    Playwright's own click first waits for the element to be stable over animation frames, which
    is the bench's time, not the app's."""
    box = locator.bounding_box()
    clicked = time.monotonic()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return clicked


def thinking_in_silence(page, up: FakeUpstream, timeout: float):
    """Ask a question whose reply streams its reasoning and then holds; return the held gate once the
    reasoning is on screen, Stop is shown and a second of silence has passed."""
    script = reply(REASONING, "never sent")
    gate = hold_answer(script)
    up.push(script)
    box = page.locator('[data-testid="stChatInputTextArea"]:not([disabled])')
    box.wait_for(timeout=timeout * 1000)
    box.fill("Think hard, then answer.")
    box.press("Enter")
    expect(page.locator(ASSISTANT).last).to_contain_text(REASONING.strip(), timeout=timeout * 1000)
    expect(page.locator(STOP)).to_be_visible(timeout=timeout * 1000)
    page.wait_for_timeout(1000)  # a second into the silence, as the browser test waits
    return gate


def hung_up_after(up: FakeUpstream, before: int, clicked: float, timeout: float) -> float:
    """Seconds from ``clicked`` to the fake upstream's next hang-up, or infinity after ``timeout``."""
    deadline = clicked + timeout
    while len(up.server.hung_up) <= before:
        if time.monotonic() > deadline:
            return float("inf")
        time.sleep(0.01)
    return up.server.hung_up[before] - clicked


def run(browser, url: str, up: FakeUpstream, timeout: float) -> tuple[float, float]:
    """One fresh context: think, go silent, click Stop; seconds until "Stopped" shows and until hang-up."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    gate = None
    try:
        page.goto(url)
        gate = thinking_in_silence(page, up, timeout)
        page.evaluate(WATCH_FOR_CAPTION, STOPPED)
        before = len(up.server.hung_up)
        clicked = click_at(page, page.locator(STOP))
        try:
            shown = page.wait_for_function(SHOWN_JS, polling=20, timeout=timeout * 1000).json_value()
        except PlaywrightTimeout:
            shown = float("inf")
        return shown, hung_up_after(up, before, clicked, timeout)
    finally:
        if gate is not None:
            gate.set()  # a reply Stop failed to end must not keep the fake's handler waiting
        context.close()


def summary(name: str, figures: list[float], target: float, timeout: float) -> str:
    """One table row: median and max of ``figures`` against ``target``, all in seconds."""
    def shown(seconds: float) -> str:
        return f"> {timeout:.0f}" if seconds == float("inf") else f"{seconds:.3f}"
    worst = max(figures)
    return (f"{name:<26} {shown(statistics.median(figures)):>9} {shown(worst):>9} "
            f"{'< ' + format(target, '.1f'):>8} {'yes' if worst < target else 'NO':>5}")


def main() -> int:
    """Serve the app against the fake upstream, Stop --runs replies in silence, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="measured runs; median and max are reported")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds before a step counts as failed")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup below on kill too
    results = []
    with tempfile.TemporaryDirectory(prefix="r1-bench-") as tmp, FakeUpstream() as up, \
            streamlit_app(up.base_url, str(Path(tmp) / "logs")) as (_, url), sync_playwright() as pw:
        # leaving these blocks stops, in turn: Chromium and its driver, streamlit, the fake upstream
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        run(browser, url, up, args.timeout)  # warm up: the first run after a start loads modules
        for i in range(args.runs):
            results.append(run(browser, url, up, args.timeout))
            print(f"  run {i + 1}: shown {results[-1][0]:.3f}s, hang-up {results[-1][1]:.3f}s",
                  file=sys.stderr, flush=True)
    print(f"\nStop a second into the upstream's silence after reasoning; {args.runs} runs, "
          "seconds from the click")
    print(f"{'':<26} {'median s':>9} {'max s':>9} {'target':>8} {'met':>5}")
    print(summary('click -> "Stopped" shown', [s for s, _ in results], STOP_SHOWN_S, args.timeout))
    print(summary("click -> upstream hang-up", [h for _, h in results], HANG_UP_S, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
