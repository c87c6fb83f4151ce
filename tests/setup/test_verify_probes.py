"""Transport probes: where the connection really goes, and a host that cannot be reached."""

import socket

from core.chat.endpoint import Endpoint
from core.setup.verify import reach, target, tls


def endpoint(base_url):
    return Endpoint(route="openai", base_url=base_url, api_key="sk-probe-0123456789", model="m",
                    provider="custom", send_thinking=False, include_usage=True, honours_temperature=True,
                    read_timeout=5.0)


def test_target_is_the_host_itself_without_a_proxy(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert target("https://api.example.com/v1") == ("api.example.com", 443, False)
    assert target("http://127.0.0.1:8000/v1") == ("127.0.0.1", 8000, False)


def test_target_is_the_proxy_the_sdk_would_use(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert target("https://api.example.com/v1") == ("proxy.internal", 3128, True)


def test_a_port_that_is_not_a_number_has_no_target():
    assert target("https://api.example.com:abc/v1") == (None, 0, False)


def test_a_closed_port_fails_reach_as_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: refused
        step = reach(endpoint(f"http://127.0.0.1:{port}/v1"))
    assert step.status == "fail" and step.diagnosis.kind == "refused"


def test_plain_http_skips_the_tls_probe():
    assert tls(endpoint("http://127.0.0.1:1/v1")).status == "skip"
