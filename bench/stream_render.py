"""Streaming render benchmark: how much slower is the app than a bare client on one long reply?

A DeepSeek-R1 reply can carry 20–90k characters of reasoning, delivered as thousands of
~4-character deltas. A naive page that re-renders the whole Markdown on every chunk is
quadratic: 7.7x a bare client at 26k characters, and 86k does not finish in 3 minutes.
The app coalesces updates (core/frames.py) and only re-sends the live tail (core/livetext.py).
Target (the issue): app / raw client <= 1.5 at 86k characters.

For each size this measures, with the fake upstream streaming at full speed (no delay):
  raw  wall time of plain openai.OpenAI().chat.completions.create(stream=True), iterating
       every chunk and joining reasoning_content/content (the floor: transport + SDK parsing);
  app  wall time in headless Chromium from pressing Enter in the chat input until the reply
       is fully in the DOM: the footer caption ("total"/"总计") under the assistant message
       is there and the answer's last sentence is visible.
Each is the median of --runs runs (a fresh page per app run). Peak RSS is the streamlit
server's VmHWM. Run: .venv/bin/python bench/stream_render.py [--sizes 26000,86000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import openai
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fake_upstream import FakeUpstream, Script, reply  # noqa: E402

PIECE = 4
SENTINEL = "ZQX sentinel end of answer"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SENTENCES = [
    "Let me reconsider the boundary case where the input list is empty.",
    "If we denote the partial sum by \\( S_n = \\sum_{k=1}^{n} a_k \\), the recurrence becomes simpler.",
    "Wait, that contradicts what I assumed earlier, so I should check the second step again.",
    "The user probably wants a concise answer, but the derivation matters for correctness.",
    "So the complexity is $O(n \\log n)$ because each level of the recursion does linear work.",
    "Hmm, maybe there is a closed form: \\( f(x) = \\frac{x^2 + 1}{2x} \\) for every positive x.",
    "Another approach is to test small values first and look for a pattern.",
    "我需要再检查一下这个推导，确保没有遗漏任何边界条件。",
    "用户的问题其实可以分成两部分：先求出通项，再证明它的收敛性。",
    "假设 \\( x > 0 \\)，那么不等式两边同时平方不会改变方向。",
    "这样看来，之前的思路是对的，只是计算时符号写错了。",
    "Costs here are about $5 and $10 per unit, which is not math at all.",
]
ANSWER = """## Result

The sum converges, and its value is \\( \\frac{\\pi^2}{6} \\approx 1.6449 \\). Each term is positive
and bounded by \\( \\frac{1}{k(k-1)} \\) for \\( k \\ge 2 \\), which telescopes, so the series is bounded.

### A quick numerical check

```python
import math

def partial_sum(n: int) -> float:
    \"\"\"Sum of 1/k^2 for k = 1..n.\"\"\"
    return sum(1.0 / (k * k) for k in range(1, n + 1))

for n in (10, 100, 1000, 10000):
    print(n, partial_sum(n), math.pi ** 2 / 6 - partial_sum(n))
```

The error after \\( n \\) terms behaves like \\( \\frac{1}{n} \\), exactly as the integral test predicts:
\\[ \\int_n^\\infty \\frac{dx}{x^2} = \\frac{1}{n}. \\]

### Why the bound works

For every \\( k \\ge 2 \\) we have \\( k^2 > k(k-1) \\), hence \\( \\frac{1}{k^2} < \\frac{1}{k-1} - \\frac{1}{k} \\).
Summing from 2 to \\( n \\) leaves only the first and last terms, so every partial sum stays below 2.
A bounded, increasing sequence converges, which settles the question without computing the limit.
Computing the limit itself needs more: Euler's product for \\( \\sin x / x \\), or Parseval's
identity applied to the Fourier series of \\( f(x) = x \\) on \\( [-\\pi, \\pi] \\).

- Positive terms and a bounded partial sum give convergence.
- Euler's identity \\( e^{i\\pi} + 1 = 0 \\) is the famous companion result.
- 结论：级数收敛，和为 \\( \\pi^2/6 \\)。

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(base_url: str, log_dir: str) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k not in (
        "OPENAI_API_KEY", "OPENAI_BASE_URL", "R1_ROUTE", "R1_MODEL", "COZE_API_TOKEN",
        "R1_MAX_TOKENS", "R1_READ_TIMEOUT")}
    env.update(COZE_WORKLOAD_IDENTITY_API_KEY="dummy-bench-key", COZE_INTEGRATION_MODEL_BASE_URL=base_url,
               R1_LOG_DIR=log_dir)
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("streamlit did not become healthy in 30 s")


def stop_app(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # its own session: only what we started
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def raw_run(up: FakeUpstream, script_events: list[str], expect: int) -> float:
    client = openai.OpenAI(base_url=up.base_url, api_key="dummy-bench-key")
    up.push(Script(events=script_events))
    t0, parts = time.perf_counter(), []
    stream = client.chat.completions.create(model="deepseek-r1-250528", stream=True,
                                            messages=[{"role": "user", "content": "bench"}])
    for chunk in stream:
        for choice in chunk.choices:
            parts.append(getattr(choice.delta, "reasoning_content", None) or "")
            parts.append(choice.delta.content or "")
    elapsed = time.perf_counter() - t0
    assert len("".join(parts)) == expect, "raw client lost text"
    return elapsed


DONE_JS = """([sentinel]) => {
  const msgs = document.querySelectorAll('[data-testid="stChatMessage"]');
  if (msgs.length < 2) return false;
  const last = msgs[msgs.length - 1];
  const caps = [...last.querySelectorAll('[data-testid="stCaptionContainer"]')];
  if (!caps.some(c => /total|总计/.test(c.textContent))) return false;
  const md = [...last.querySelectorAll('[data-testid="stMarkdownContainer"]')];
  return md.some(m => m.textContent.includes(sentinel) && m.checkVisibility());
}"""


def app_run(browser, url: str, up: FakeUpstream, script_events: list[str], timeout: float) -> float:
    page = browser.new_page()
    try:
        page.goto(url)
        box = page.locator('[data-testid="stChatInputTextArea"]:not([disabled])')
        box.wait_for(timeout=30_000)
        box.fill("Benchmark: think long, then answer.")
        up.push(Script(events=script_events))
        t0 = time.perf_counter()
        box.press("Enter")
        try:
            page.wait_for_function(DONE_JS, arg=[SENTINEL], polling=50, timeout=timeout * 1000)
        except Exception as exc:  # Playwright TimeoutError
            if "Timeout" not in type(exc).__name__:
                raise
            return float("inf")
        return time.perf_counter() - t0
    finally:
        page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="26000,86000", help="reasoning sizes in characters, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds before an app run counts as failed")
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks on kill too

    up, proc, pw, browser, rows = FakeUpstream(), None, None, None, []
    with tempfile.TemporaryDirectory(prefix="r1-bench-") as tmp:
        try:
            up.start()
            proc, url = start_app(up.base_url, str(Path(tmp) / "logs"))
            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            app_run(browser, url, up, reply("warm up", "warm up " + SENTINEL, piece=PIECE).events, 60)
            for size in sizes:
                reasoning = reasoning_text(size)
                events = reply(reasoning, ANSWER, piece=PIECE).events
                raw = statistics.median(raw_run(up, events, len(reasoning) + len(ANSWER)) for _ in range(args.runs))
                apps = [app_run(browser, url, up, events, args.timeout) for _ in range(args.runs)]
                app = statistics.median(apps)
                rows.append((size, len(events), raw, app, apps, peak_rss_mb(proc.pid)))
                print(f"  {size}: raw {raw:.2f}s, app runs " + ", ".join(f"{a:.2f}s" for a in apps),
                      file=sys.stderr, flush=True)
        finally:
            if browser:
                browser.close()
            if pw:
                pw.stop()
            stop_app(proc)
            up.stop()

    print(f"\nfake upstream at full speed, {PIECE}-char pieces, answer {len(ANSWER)} chars, "
          f"median of {args.runs}")
    print(f"{'size':>8} {'chunks':>7} {'raw client s':>13} {'app s':>8} {'ratio':>7} {'peak RSS MB':>12}")
    for size, n, raw, app, _, rss in rows:
        ratio = app / raw if raw else float("inf")
        print(f"{size:>8} {n:>7} {raw:>13.2f} {app:>8.2f} {ratio:>7.2f} "
              f"{'-' if rss is None else f'{rss:.0f}':>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
