"""Running for a team: the shipped deploy/nginx.conf, run by Debian's nginx in front of two app
replicas on one PostgreSQL database, and a browser chatting through it.

The test renders the shipped file, changing only its ``listen`` port and its two
``server appN:8501`` addresses (compose.yaml's replicas) to the test's loopback ports, and includes
it in a small nginx.conf of its own (temp folders, pid, a 1 s shutdown timeout so a reload drops
open WebSockets at once). Which replica served a request is read from the access log the shipped
file writes (``upstream=``, ``replica=``).

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_proxy_browser.py -q
(screenshots land in tests/e2e/artifacts/proxy_*.png; without /usr/sbin/nginx, chromium or
PostgreSQL's server binaries these tests skip, and fail under CI=true)
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from contextlib import ExitStack
from pathlib import Path

import postgres
import pytest

# "conftest" is tests/e2e/conftest.py here: pytest imports each conftest under that name, the deepest last.
from conftest import ROOT, _app_env, _free_port, streamlit_process
from steps import (
    APP,
    CHAT_INPUT,
    SIDEBAR,
    TIMEOUT,
    answered,
    ask,
    eventually,
    expect,
    shoot,
)

pytestmark = pytest.mark.e2e

NGINX = Path("/usr/sbin/nginx")
SHIPPED = ROOT / "deploy" / "nginx.conf"
COOKIE = "r1_replica"
COOKIE_SECRET = "one-secret-shared-by-every-replica-" + "0" * 32  # as compose.yaml gives both
STREAM = "/_stcore/stream"
LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) \d+ '
                  r'upstream="(?P<upstream>[^"]*)" replica="(?P<replica>[^"]*)"')
SESSION_ONLY = "conversations last for this browser session only"  # the sidebar on a shared deployment
MAIN = "#stMain"
POPOVER_BODY = '[data-testid="stPopoverBody"]'


def unavailable(reason: str) -> None:
    """Skip locally; under CI=true a missing nginx is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"nginx prerequisites missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def need_nginx() -> None:
    """Debian's nginx must be installed (apt-get install nginx; .ci/run does)."""
    if not (NGINX.is_file() and os.access(NGINX, os.X_OK)):
        unavailable(f"{NGINX} not found (apt-get install nginx)")


# ----- The shipped config, rendered for the test --------------------------------------------------

def render(listen: int, replicas: list[int]) -> str:
    """deploy/nginx.conf with only its listen port and its two replica addresses replaced."""
    text = SHIPPED.read_text(encoding="utf-8")
    swaps = {"listen 80;": f"listen 127.0.0.1:{listen};",
             "server app1:8501;": f"server 127.0.0.1:{replicas[0]};",
             "server app2:8501;": f"server 127.0.0.1:{replicas[1]};"}
    for old, new in swaps.items():
        assert text.count(old) == 1, f"deploy/nginx.conf should say {old!r} once (the test replaces it)"
        text = text.replace(old, new)
    return text


def main_config(folder: Path, site: str) -> Path:
    """An nginx.conf that includes ``site`` in its http block and keeps all nginx writes in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "".join(f"    {kind}_temp_path {folder / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, workers would run as nobody, who cannot enter pytest's folders (private to root).
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(f"{user}worker_processes 1;\n"
                    "worker_shutdown_timeout 1s;  # a reload ends the old worker's WebSockets at once\n"
                    "events { worker_connections 256; }\n"
                    f"http {{\n{temp}    include {folder / 'site.conf'};\n}}\n", encoding="utf-8")
    return conf


def nginx_command(folder: Path, conf: Path, *extra: str) -> list[str]:
    """Debian's nginx on ``conf``, in the foreground, its pid file and error log in ``folder``."""
    return [str(NGINX), "-p", str(folder), "-c", str(conf), *extra,
            "-g", f"daemon off; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'} notice;"]


class Proxy:
    """Debian's nginx running the rendered config in front of the replicas; its stdout is the access log."""

    def __init__(self, folder: Path, replicas: list[int]) -> None:
        self.port, self.folder = _free_port(), folder
        self.url = f"http://127.0.0.1:{self.port}"
        self.replicas = [f"127.0.0.1:{port}" for port in replicas]
        self.conf = main_config(folder, render(self.port, replicas))
        self.access_log = folder / "access.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start nginx and wait until it answers with a replica's health check."""
        with open(self.access_log, "wb") as out, open(self.folder / "nginx.stderr", "wb") as err:
            self.process = subprocess.Popen(nginx_command(self.folder, self.conf), stdout=out, stderr=err)
        deadline = time.monotonic() + 20
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("nginx did not start:\n" + self.errors(), pytrace=False)
            time.sleep(0.2)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def reload(self) -> None:
        """Reload nginx, as after a config change: new workers; the old one drops its WebSockets."""
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        """Stop nginx (fast shutdown) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def errors(self) -> str:
        """nginx's error log and stderr, for a failure message."""
        return "\n".join(path.read_text(errors="replace") for path in
                         (self.folder / "error.log", self.folder / "nginx.stderr") if path.exists())

    def lines(self) -> list[dict]:
        """The access log so far: method, path, status, upstream and replica key of each request."""
        text = self.access_log.read_text(errors="replace")
        return [m.groupdict() for m in map(LINE.search, text.splitlines()) if m]


@pytest.fixture
def proxy(request, upstream, tmp_path):
    """Two replicas of the app on one fresh PostgreSQL database (one cookie secret, the fake
    upstream), behind Debian's nginx running the shipped config: a :class:`Proxy`, started."""
    need_nginx()
    server = request.getfixturevalue("postgres_server")  # skips (fails under CI) without PostgreSQL
    with ExitStack() as stack:
        database = stack.enter_context(postgres.fresh_database(server))
        ports = [_free_port(), _free_port()]
        for name, port in zip(("replica1", "replica2"), ports, strict=True):
            env = {**_app_env(upstream, tmp_path / name), "R1_DATABASE_URL": database,
                   "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET}
            stack.enter_context(streamlit_process(request, ROOT, env, tmp_path / name, port))
        running = Proxy(tmp_path / "nginx", ports)
        stack.callback(running.stop)
        running.start()
        yield running
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print("----- nginx access log -----\n" + running.access_log.read_text(errors="replace")
                  + "\n----- nginx errors -----\n" + running.errors())


def test_nginx_accepts_the_shipped_config(tmp_path):
    need_nginx()
    conf = main_config(tmp_path, render(_free_port(), [_free_port(), _free_port()]))
    checked = subprocess.run(nginx_command(tmp_path, conf, "-t"), capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr, checked.stderr


def test_compose_runs_the_tested_config():
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in compose
    for service in ("app1", "app2"):  # the upstream's addresses are the compose services' names
        assert re.search(rf"^  {service}:$", compose, re.M), f"compose.yaml has no service {service}"
        assert f"server {service}:8501;" in SHIPPED.read_text(encoding="utf-8")
    assert "STREAMLIT_SERVER_COOKIE_SECRET: ${R1_COOKIE_SECRET:?" in compose  # one secret, required


def get(url: str, cookie: str | None = None) -> http.client.HTTPResponse:
    """GET ``url`` (with the replica cookie ``cookie`` when given); the response, already read."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as resp:
        resp.read()
        return resp


def test_nginx_gives_each_browser_a_replica_and_keeps_it(proxy):
    first = get(proxy.url + "/")
    issued = re.fullmatch(rf"{COOKIE}=([0-9a-f]{{32}}); Path=/; HttpOnly; SameSite=Lax",
                          first.headers.get("Set-Cookie", ""))
    assert issued, f"no replica cookie on a first visit: {first.headers.items()}"
    assert get(proxy.url + "/", issued.group(1)).headers.get("Set-Cookie") is None  # a browser keeps its key

    keys = [uuid.uuid4().hex for _ in range(16)]
    for key in keys:  # three in a row: round robin would send them to both replicas
        for _ in range(3):
            get(f"{proxy.url}/_stcore/health?{key}", key)

    def each_key_served_three_times() -> dict[str, set[str]]:
        served: dict[str, list[str]] = {}
        for line in proxy.lines():
            if line["replica"] in keys:
                served.setdefault(line["replica"], []).append(line["upstream"])
        assert sorted(map(len, served.values())) == [3] * len(keys), served
        return {key: set(upstreams) for key, upstreams in served.items()}

    served = eventually(each_key_served_three_times)
    assert all(len(upstreams) == 1 for upstreams in served.values()), f"a key changed replicas: {served}"
    assert set().union(*served.values()) == set(proxy.replicas), f"16 keys, one replica: {served}"


def handshake(proxy: Proxy, host: str, origin: str) -> str:
    """Open a WebSocket to Streamlit's stream through nginx; the status line of the answer."""
    request = (f"GET {STREAM} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n")
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_websocket_upgrade_reaches_streamlit_with_the_public_host(proxy):
    # Streamlit accepts a WebSocket whose Origin is the Host it was sent to: nginx must pass the
    # browser's Host with its port (an address like team.example:8080 is on no allow-list).
    public = "r1.team.example:8080"
    assert handshake(proxy, public, f"http://{public}").startswith("HTTP/1.1 101"), proxy.errors()
    # The check is on (so the 101 above means something): another site's page is refused.
    assert handshake(proxy, public, "http://elsewhere.example").startswith("HTTP/1.1 403")


# ----- In a browser -----------------------------------------------------------------------------------

def open_through(browser, url: str):
    """A fresh browser context (own cookies, own Streamlit session) on ``url``; its page once drawn."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900},
                                  color_scheme="light")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    expect()(page.locator(CHAT_INPUT)).to_be_visible()
    return page


def export_markdown(page) -> str:
    """Download the open conversation as Markdown (a file the session's replica serves); its text."""
    page.locator(f'{MAIN} [data-testid="stPopover"] button:visible').first.click()
    body = page.locator(POPOVER_BODY)
    expect()(body).to_be_visible()
    with page.expect_download() as info:
        body.get_by_role("button", name="Markdown (.md)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    page.keyboard.press("Escape")
    expect()(body).to_have_count(0)
    return text


def replica_key(page) -> str:
    """The replica key nginx gave this page's browser context."""
    keys = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    assert len(keys) == 1, f"expected one {COOKIE} cookie: {page.context.cookies()}"
    return keys[0]


def served_by(proxy: Proxy, key: str, streams: int) -> set[str]:
    """The replicas that served the browser with ``key``, once nginx logged ``streams`` of its
    WebSockets (a WebSocket is logged when it closes, with status 101)."""
    def logged() -> list[dict]:
        mine = [line for line in proxy.lines() if line["replica"] == key]
        closed = [line for line in mine if line["path"] == STREAM and line["status"] == "101"]
        assert len(closed) >= streams, f"{len(closed)} WebSockets logged for {key}, expected {streams}"
        return mine

    return {line["upstream"] for line in eventually(logged)}


def history_sent(upstream) -> list[tuple[str, str]]:
    """(role, content) of the messages the last chat request carried upstream, system prompt aside."""
    last = [r for r in upstream.requests if r["path"].endswith("/chat/completions")][-1]
    return [(m["role"], m["content"]) for m in last["json"]["messages"] if m["role"] != "system"]


def test_a_chat_through_nginx_keeps_its_replica_across_a_reconnect(proxy, browser, upstream, artifacts):
    question, follow_up = "Why is the sky blue?", "And why are sunsets red?"
    page = open_through(browser, proxy.url)
    # nginx's X-Forwarded-For tells the app it is shared: without sign-in, session-only conversations.
    expect()(page.locator(SIDEBAR)).to_contain_text(SESSION_ONLY)
    ask(page, question)
    answered(page, question)
    shoot(page, artifacts / "proxy_chat.png")
    assert question in export_markdown(page)  # the file lives in the replica holding the session

    # nginx reloads: its old worker drops the WebSocket; the page opens another, through the new one.
    with page.expect_websocket(lambda ws: ws.url.endswith(STREAM), timeout=TIMEOUT):
        proxy.reload()
    expect()(page.locator(APP)).to_have_attribute("data-test-connection-state", "CONNECTED")
    ask(page, follow_up)
    answered(page, follow_up)
    sent = history_sent(upstream)  # the same replica resumed the session: the conversation went on
    assert [role for role, _ in sent] == ["user", "assistant", "user"], sent
    assert sent[0] == ("user", question) and sent[2] == ("user", follow_up)
    shoot(page, artifacts / "proxy_reconnected.png")

    key = replica_key(page)
    page.context.close()  # nginx logs a WebSocket when it ends
    assert len(served_by(proxy, key, streams=2)) == 1, "one browser's requests went to two replicas"


def test_page_loads_and_a_second_browser_stay_on_their_replicas(proxy, browser):
    page = open_through(browser, proxy.url)
    for _ in range(3):  # each load is a new Streamlit session and a new WebSocket
        page.reload(wait_until="domcontentloaded")
        expect()(page.locator(CHAT_INPUT)).to_be_visible()
    other = open_through(browser, proxy.url)
    ask(other, "Hello from the second browser")
    answered(other, "Hello from the second browser")
    keys = replica_key(page), replica_key(other)
    assert keys[0] != keys[1], "two browsers got the same replica key"
    page.context.close()
    other.context.close()
    for key, streams in zip(keys, (4, 1), strict=True):
        served = served_by(proxy, key, streams)
        assert len(served) == 1 and served <= set(proxy.replicas), f"{key}: served by {served}"
