"""Streaming render benchmark: how much slower is the app than a bare client on one long reply?

An R1 reply can carry 20-90k characters of reasoning in thousands of ~4-character deltas. A naive
page that re-renders the whole Markdown on every chunk is quadratic: 7.7x a bare client at 26k
characters, and 86k does not finish in 3 minutes. The app coalesces updates (core/chat/frames.py) and
re-sends only the live tail (core/chat/livetext.py). Issue target: app / raw <= 1.5 at 86k characters.

With the fake upstream streaming at full speed (no delay), for each size:
  raw  wall time of plain openai.OpenAI().chat.completions.create(stream=True), iterating every
       chunk and joining reasoning_content/content: the floor (transport + SDK parsing);
  app  wall time in headless Chromium from Enter in the chat input until the reply is complete
       in the DOM: the footer caption ("total"/"总计") is under the assistant message and the
       answer's last sentence is visible.
Raw and app runs alternate so both see the same machine load; figures are medians of --runs
(a fresh page per app run). "server s" is the app's own footer total (request to last chunk,
measured in the streamlit process); app - server is page latency (Enter to request, last frame
to DOM). Peak RSS is the streamlit process's VmHWM. Client, Streamlit and Chromium share the
machine's cores: other load on it moves the app figure more than the raw one.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fake_upstream import FakeUpstream, Script, reply  # noqa: E402

PIECE = 4
SENTINEL = "ZQX sentinel end of answer"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SENTENCES = r"""Let me reconsider the boundary case where the input list is empty.
If we denote the partial sum by \( S_n = \sum_{k=1}^{n} a_k \), the recurrence becomes simpler.
Wait, that contradicts what I assumed earlier, so I should check the second step again.
The user probably wants a concise answer, but the derivation matters for correctness.
So the complexity is $O(n \log n)$ because each level of the recursion does linear work.
Hmm, maybe there is a closed form: \( f(x) = \frac{x^2 + 1}{2x} \) for every positive x.
Another approach is to test small values first and look for a pattern.
我需要再检查一下这个推导，确保没有遗漏任何边界条件。
用户的问题其实可以分成两部分：先求出通项，再证明它的收敛性。
假设 \( x > 0 \)，那么不等式两边同时平方不会改变方向。
这样看来，之前的思路是对的，只是计算时符号写错了。
Costs here are about $5 and $10 per unit, which is not math at all.""".splitlines()
ANSWER = r"""## Result

The sum converges, and its value is \( \frac{\pi^2}{6} \approx 1.6449 \). Each term is positive
and bounded by \( \frac{1}{k(k-1)} \) for \( k \ge 2 \), which telescopes, so the series is bounded.

### A quick numerical check

```python
import math

def partial_sum(n: int) -> float:
    return sum(1.0 / (k * k) for k in range(1, n + 1))  # 1/k^2 for k = 1..n

for n in (10, 100, 1000, 10000):
    print(n, partial_sum(n), math.pi ** 2 / 6 - partial_sum(n))
```

The error after \( n \) terms behaves like \( \frac{1}{n} \), as the integral test predicts:
\[ \int_n^\infty \frac{dx}{x^2} = \frac{1}{n}. \]

For every \( k \ge 2 \) we have \( k^2 > k(k-1) \), hence \( \frac{1}{k^2} < \frac{1}{k-1} - \frac{1}{k} \).
Summing from 2 to \( n \) leaves only the first and last terms, so every partial sum stays below 2.
A bounded, increasing sequence converges; computing the limit itself needs Euler's product for
\( \sin x / x \), or Parseval's identity for the Fourier series of \( f(x) = x \) on \( [-\pi, \pi] \).

- Positive terms and a bounded partial sum give convergence.
- Euler's identity \( e^{i\pi} + 1 = 0 \) is the famous companion result.
- 结论：级数收敛，和为 \( \pi^2/6 \)。

Final remark: """ + SENTINEL + "."


def reasoning_text(size: int, seed: int = 7) -> str:
    """Multi-paragraph English/Chinese reasoning with inline math, paragraphs of 300-600 chars."""
    rng, paras, total = random.Random(seed), [], 0
    while total < size:
        target, para = rng.randint(300, 600), ""
        while len(para) < target:
            para += rng.choice(SENTENCES) + " "
        paras.append(para.strip())
        total += len(paras[-1]) + 2
    text = "\n\n".join(paras)[:size]
    return text[:max(text.rfind(end) + 1 for end in (". ", "。", "\n"))].rstrip()  # whole sentences


@contextmanager
def streamlit_app(base_url: str, log_dir: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """``streamlit run`` on a free port with only the Coze sandbox route configured; stopped on exit."""
    drop = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "R1_ROUTE", "R1_MODEL", "COZE_API_TOKEN")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(COZE_WORKLOAD_IDENTITY_API_KEY="dummy-bench-key", COZE_INTEGRATION_MODEL_BASE_URL=base_url,
               R1_LOG_DIR=log_dir, R1_DATA_DIR=os.path.join(log_dir, "data"))  # never the checkout's data/
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", port, "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}")
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("streamlit was not healthy after 30 s")
        yield proc, url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: only what we started
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def peak_rss_mb(pid: int) -> float:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(x.split()[1]) / 1024 for x in lines if x.startswith("VmHWM:"))


def raw_run(up: FakeUpstream, events: list[str], expect: int) -> float:
    client = openai.OpenAI(base_url=up.base_url, api_key="dummy-bench-key")
    up.push(Script(events=events))
    t0, parts = time.perf_counter(), []
    stream = client.chat.completions.create(model="deepseek-r1-250528", stream=True,
                                            messages=[{"role": "user", "content": "bench"}])
    for chunk in stream:
        for choice in chunk.choices:
            parts.append((getattr(choice.delta, "reasoning_content", None) or "") + (choice.delta.content or ""))
    elapsed = time.perf_counter() - t0
    assert len("".join(parts)) == expect, "the raw client lost text"
    return elapsed


DONE_JS = """([sentinel]) => {
  const msgs = document.querySelectorAll('[data-testid="stChatMessage"]');
  if (msgs.length < 2) return null;
  const last = msgs[msgs.length - 1];
  const foot = [...last.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .find(c => /(total|总计) [0-9.]+/.test(c.textContent));
  const md = [...last.querySelectorAll('[data-testid="stMarkdownContainer"]')];
  return foot && md.some(m => m.textContent.includes(sentinel) && m.checkVisibility()) && foot.textContent;
}"""


def app_run(browser, url: str, up: FakeUpstream, events: list[str], timeout: float) -> tuple[float, float]:
    """Seconds from Enter to the finished reply in the DOM, and the app's own footer total."""
    page = browser.new_page()
    try:
        page.goto(url)
        box = page.locator('[data-testid="stChatInputTextArea"]:not([disabled])')
        box.wait_for(timeout=30_000)
        box.fill("Benchmark: think long, then answer.")
        up.push(Script(events=events))
        t0 = time.perf_counter()
        box.press("Enter")
        try:
            handle = page.wait_for_function(DONE_JS, arg=[SENTINEL], polling=50, timeout=timeout * 1000)
        except PlaywrightTimeout:
            return float("inf"), float("nan")
        elapsed = time.perf_counter() - t0
        return elapsed, float(re.search(r"(?:total|总计) ([0-9.]+)", handle.json_value()).group(1))
    finally:
        page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="26000,86000", help="reasoning sizes in characters, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="runs per size; medians are reported")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds before an app run counts as failed")
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup below on kill too

    rows = []
    with tempfile.TemporaryDirectory(prefix="r1-bench-") as tmp, FakeUpstream() as up, \
            streamlit_app(up.base_url, str(Path(tmp) / "logs")) as (proc, url), sync_playwright() as pw:
        # leaving these blocks stops, in turn: Chromium and its driver, streamlit, the fake upstream
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        app_run(browser, url, up, reply("Warm up.", "Warm up. " + SENTINEL).events, 60)
        for size in sizes:
            reasoning = reasoning_text(size)
            events = reply(reasoning, ANSWER, piece=PIECE).events
            raws, apps = [], []
            for i in range(args.runs):
                raws.append(raw_run(up, events, len(reasoning) + len(ANSWER)))
                apps.append(app_run(browser, url, up, events, args.timeout))
                print(f"  {size} run {i + 1}: raw {raws[-1]:.2f}s, app {apps[-1][0]:.2f}s "
                      f"(server total {apps[-1][1]:.1f}s)", file=sys.stderr, flush=True)
            rows.append((size, len(events), statistics.median(raws), statistics.median(a for a, _ in apps),
                         statistics.median(s for _, s in apps), peak_rss_mb(proc.pid)))

    print(f"\nfake upstream at full speed, {PIECE}-char pieces, answer {len(ANSWER)} chars, "
          f"median of {args.runs}")
    print(f"{'size':>7} {'chunks':>7} {'raw client s':>13} {'app s':>7} {'ratio':>6} {'server s':>9} "
          f"{'peak RSS MB':>12}")
    for size, n, raw, app, server, rss in rows:
        print(f"{size:>7} {n:>7} {raw:>13.2f} {app:>7.2f} {app / raw:>6.2f} {server:>9.1f} "
              f"{rss:>12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
