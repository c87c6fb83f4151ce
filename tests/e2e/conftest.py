"""Real-browser fixtures: the fake upstream, `streamlit run` as a subprocess, and Debian chromium.

Playwright drives /usr/bin/chromium (browsers are never downloaded). When Playwright or chromium
is missing the e2e tests skip — unless CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fake_upstream import FakeUpstream

ROOT = Path(__file__).resolve().parents[2]  # repo root: tests/e2e/conftest.py -> ../..
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
APP_PREFIXES = ("COZE_", "OPENAI_", "R1_")
TIMEOUT_MS = 15_000
STARTUP_S = 30
STREAM_DELAY = 0.01  # s between the default reply's chunks: a browser test watches it stream


def _unavailable(reason: str):
    """Skip locally; under CI=true a missing browser stack is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"e2e prerequisites missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def sync_playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc}); pip install playwright")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium); browsers are never downloaded")
    return sync_playwright


@pytest.fixture(scope="session")
def browser(sync_playwright_api):
    """One headless Debian chromium for the whole session."""
    with sync_playwright_api() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:  # a broken chromium install is "missing" too
            _unavailable(f"could not launch {CHROMIUM}: {exc}")
        yield b
        b.close()


@pytest.fixture
def keyed_upstream(request):
    """A fake provider that accepts only the test module's ``KEY`` (401 for any other key)."""
    with FakeUpstream(api_key=request.module.KEY, echo_delay=STREAM_DELAY) as up:
        yield up


@pytest.fixture
def upstream():
    """A fresh in-process fake provider per test, so `requests` only holds this test's calls."""
    with FakeUpstream(echo_delay=STREAM_DELAY) as up:
        yield up


def _app_env(upstream, tmp_path: Path) -> dict:
    """The app's environment for the fake upstream: logs and conversations under ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_PREFIXES)}
    env.update({
        "COZE_WORKLOAD_IDENTITY_API_KEY": "dummy",
        "COZE_INTEGRATION_MODEL_BASE_URL": upstream.base_url,
        "R1_LOG_DIR": str(tmp_path / "logs"),
        "R1_DATA_DIR": str(tmp_path / "data"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


@pytest.fixture
def app_env(upstream, tmp_path) -> dict:
    """The app's environment for the fake upstream, as ``app_server`` runs it."""
    return _app_env(upstream, tmp_path)


@pytest.fixture
def app_process(request):
    """``app_process(env, logs)``: a context manager running the app from the checkout, yielding
    ``(url, process)``, for a test that signals the server itself."""
    return lambda env, logs: streamlit_process(request, ROOT, env, logs)


@pytest.fixture
def app_server(request, upstream, tmp_path):
    """`streamlit run streamlit_app.py` on a free 127.0.0.1 port, pointed at the fake upstream."""
    with _streamlit(request, ROOT, _app_env(upstream, tmp_path), tmp_path) as url:
        yield url


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Expose each phase's report on the item, so fixtures can tell a failed test at teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


CHAT_READY = '[data-testid="stChatInputTextArea"]'
HEADING_READY = '[data-testid="stMain"] h1'


def _report_errors(page) -> None:
    """Print the page's uncaught script errors (shown with a failed test's output): a frontend that
    crashed ("Bad delta path index") leaves only a blank page to look at."""
    page.on("pageerror", lambda error: print(f"page error at {page.url}: {error}"))


def _shoot_if_failed(request, contexts) -> None:
    """After a failed test, keep what each of its pages showed last (artifacts/failed_<test>_<n>.png)."""
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.failed:
        return
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for n, page in enumerate(p for context in contexts for p in context.pages):
        try:
            page.screenshot(path=str(ARTIFACTS / f"failed_{name}_{n}.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 -- a page that cannot be shot must not hide the failure
            print(f"no screenshot of page {n}: {exc!r}")


def _pages(request, browser, url: str, ready: str):
    """Yield ``open_page(locale)``: each call a fresh browser context (own Streamlit session) on
    ``url``, returned once ``ready`` is drawn; every context is closed afterwards."""
    contexts = []

    def open_page(locale: str = "en-US"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                      color_scheme="light")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        _report_errors(page)
        page.goto(url, wait_until="domcontentloaded")
        page.locator(ready).first.wait_for(state="visible")
        return page

    yield open_page
    _shoot_if_failed(request, contexts)
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(request, browser, app_server):
    """``new_page(locale)``: a fresh browser context (own cookies, own Streamlit session) on the app."""
    yield from _pages(request, browser, app_server, CHAT_READY)


# ----- First run: a private copy of the app with no route configured --------------------------
# Save writes `.env.local` beside the app, so these tests never run the real checkout: they run a
# copy in tmp (a fresh git repo, without any .env file) and Save writes that copy's `.env.local`.

import shutil  # noqa: E402
from contextlib import contextmanager  # noqa: E402

APP_COPY = ("streamlit_app.py", "pyproject.toml", "app_pages", "core", "ui", ".streamlit")
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "secrets.toml", ".env*")


@contextmanager
def _streamlit(request, cwd: Path, env: dict, tmp_path: Path, port: int | None = None):
    """`streamlit run streamlit_app.py` in ``cwd`` on ``port`` (else a free 127.0.0.1 port); yields
    its URL once healthy. ``tmp_path`` takes the process's stdout and stderr."""
    with streamlit_process(request, cwd, env, tmp_path, port) as (url, _):
        yield url


@contextmanager
def streamlit_process(request, cwd: Path, env: dict, tmp_path: Path, port: int | None = None):
    """As ``_streamlit``, yielding ``(url, process)`` for a test that signals the server itself."""
    port = port or _free_port()
    stderr_path, stdout_path = tmp_path / "streamlit.stderr", tmp_path / "streamlit.stdout"
    tmp_path.mkdir(parents=True, exist_ok=True)
    with open(stderr_path, "wb") as err, open(stdout_path, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.headless=true", "--server.address=127.0.0.1", f"--server.port={port}",
             "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
            cwd=cwd, env=env, stdout=out, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, url, stderr_path)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            sys.stderr.write("\n----- streamlit stderr -----\n" + stderr_path.read_text(errors="replace")
                             + "\n----- streamlit stdout -----\n" + stdout_path.read_text(errors="replace"))


def _wait_healthy(proc, url: str, stderr_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode} before it was healthy:\n"
                        + stderr_path.read_text(errors="replace"), pytrace=False)
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit not healthy after {STARTUP_S} s:\n"
                        + stderr_path.read_text(errors="replace"), pytrace=False)
        time.sleep(0.2)


def _stat(path: Path):
    """What tells a file was touched: its existence, size, mode and mtime (never its content)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mode, st.st_mtime_ns


@pytest.fixture
def app_copy(tmp_path) -> Path:
    """The app's code copied to tmp, as a fresh git repo with no `.env*` and no `.gitignore`."""
    dest = tmp_path / "app"
    dest.mkdir()
    for name in APP_COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=COPY_IGNORE)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    return dest


@pytest.fixture
def first_run_server(request, app_copy, tmp_path):
    """The app copy served with no route configured: no app variable, no env file, no secrets."""
    real_env_files = {name: _stat(ROOT / name) for name in (".env.local", ".env", ".gitignore")}
    home = tmp_path / "home"  # no ~/.streamlit/secrets.toml of the developer's can configure a route
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_PREFIXES)}
    env.update({"HOME": str(home), "R1_LOG_DIR": str(tmp_path / "logs"), "PYTHONUNBUFFERED": "1"})
    with _streamlit(request, app_copy, env, tmp_path) as url:
        yield url
    touched = [name for name, before in real_env_files.items() if _stat(ROOT / name) != before]
    assert not touched, f"the e2e run touched the checkout's own {touched}"


@pytest.fixture
def new_setup_page(request, browser, first_run_server):
    """``new_setup_page(locale)``: a fresh browser context on the first-run app, once its page is drawn."""
    yield from _pages(request, browser, first_run_server, HEADING_READY)


# ----- The Coze bot route: the app copy pointed at a fake Coze Open API v3 ---------------------

from fake_coze import BOT_ID, TOKEN, FakeCoze  # noqa: E402


@pytest.fixture
def coze():
    """A fresh fake Coze API per test, so `requests` only holds this test's calls."""
    with FakeCoze() as fake:
        yield fake


@pytest.fixture
def coze_server(request, coze, app_copy, tmp_path):
    """The app copy served with only the Coze bot route configured (token, bot id, API base)."""
    home = tmp_path / "home"  # no ~/.streamlit/secrets.toml of the developer's can add a route
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(APP_PREFIXES)}
    env.update({"HOME": str(home), "COZE_API_TOKEN": TOKEN, "COZE_BOT_ID": BOT_ID,
                "COZE_API_BASE": coze.url, "R1_LOG_DIR": str(tmp_path / "logs"),
                "PYTHONUNBUFFERED": "1"})
    with _streamlit(request, app_copy, env, tmp_path) as url:
        yield url


@pytest.fixture
def new_coze_page(request, browser, coze_server):
    """``new_coze_page(locale)``: a fresh browser context on the Coze-bot app, once its page is drawn."""
    yield from _pages(request, browser, coze_server, CHAT_READY)


# ----- A server that can be restarted: same port, same data folder, same fake upstream ---------

class RestartableServer:
    """`streamlit run` for the fake upstream that ``restart()`` ends and starts again on the same
    port and ``R1_DATA_DIR``, so an open page's URL (with its ``?c=``) stays valid."""

    def __init__(self, request, env: dict, tmp_path: Path) -> None:
        self.request, self.env, self.tmp_path = request, env, tmp_path
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.starts = 0
        self._running = None

    def start(self) -> None:
        self.starts += 1
        logs = self.tmp_path / f"server{self.starts}"  # each process keeps its own stdout/stderr
        logs.mkdir()
        self._running = _streamlit(self.request, ROOT, self.env, logs, port=self.port)
        assert self._running.__enter__() == self.url

    def stop(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.__exit__(None, None, None)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def restartable_server(request, upstream, tmp_path):
    """Like ``app_server``, but yields a :class:`RestartableServer` (``.url``, ``.restart()``)."""
    server = RestartableServer(request, _app_env(upstream, tmp_path), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def new_restartable_page(request, browser, restartable_server):
    """``new_restartable_page(locale)``: a fresh browser context on the restartable server's app."""
    yield from _pages(request, browser, restartable_server.url, CHAT_READY)


# ----- The app copy with chosen variables, one server per call ----------------------------------

@pytest.fixture
def copy_server(request, app_copy, tmp_path):
    """``copy_server(**variables)``: serve the app copy with only these app variables (no env file,
    no secrets of the developer's); returns its URL. Save writes the copy's `.env.local`."""
    from contextlib import ExitStack
    from itertools import count

    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    numbers = count(1)
    with ExitStack() as stack:
        def start(**variables: str) -> str:
            env = {k: v for k, v in os.environ.items() if not k.startswith(APP_PREFIXES)}
            env.update({"HOME": str(home), "R1_LOG_DIR": str(tmp_path / "logs"),
                        "R1_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1", **variables})
            logs = tmp_path / f"copy_server{next(numbers)}"
            logs.mkdir()
            return stack.enter_context(_streamlit(request, app_copy, env, logs))

        yield start


@pytest.fixture
def open_page(request, browser):
    """``open_page(url, locale, **context_options)``: a fresh browser context on ``url``, once its
    main area has drawn a heading or the chat input; every context is closed afterwards."""
    contexts = []

    def open_(url: str, locale: str = "en-US", **options):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                      color_scheme="light", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        _report_errors(page)
        page.goto(url, wait_until="domcontentloaded")
        page.locator(f"{HEADING_READY}, {CHAT_READY}").first.wait_for(state="visible")
        return page

    yield open_
    _shoot_if_failed(request, contexts)
    for context in contexts:
        context.close()


# ----- Replicas: several app processes on one PostgreSQL database -------------------------------

@pytest.fixture
def replicas(request, upstream, tmp_path):
    """``replicas(n, server=None)``: start ``n`` app processes on one fresh PostgreSQL database
    (``R1_DATABASE_URL``) of the session's cluster, or of the cluster at ``server`` (one a test may
    restart), each with its own data and log folders, all on the fake upstream; returns their URLs."""
    from contextlib import ExitStack

    import postgres

    with ExitStack() as stack:
        def start(n: int, server: str | None = None) -> list[str]:
            # The session's cluster only when asked for: it skips (fails under CI) without PostgreSQL.
            server = server or request.getfixturevalue("postgres_server")
            database = stack.enter_context(postgres.fresh_database(server))
            urls = []
            for i in range(n):
                folder = tmp_path / f"replica{i}"  # its own logs, data folder, stdout and stderr
                env = {**_app_env(upstream, folder), "R1_DATABASE_URL": database}
                urls.append(stack.enter_context(_streamlit(request, ROOT, env, folder)))
            return urls

        yield start
