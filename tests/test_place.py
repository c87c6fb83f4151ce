"""Where the app runs, and whether strangers can reach the Setup page."""

from pathlib import Path

import pytest

from core.place import detect_place

HERE = Path("/home/me/r1chat")


@pytest.mark.parametrize(("environ", "app_dir", "address", "ip", "headers", "kind", "shared"), [
    ({}, HERE, "127.0.0.1", None, {}, "local", False),
    ({}, HERE, None, None, {}, "local", False),
    ({}, HERE, None, "203.0.113.9", {}, "server", True),
    ({}, HERE, "0.0.0.0", None, {"X-Forwarded-For": "203.0.113.9"}, "server", True),
    ({}, Path("/mount/src/r1chat"), None, None, {}, "community-cloud", True),
    ({"HOSTNAME": "streamlit"}, HERE, None, None, {}, "community-cloud", True),
    ({"COZE_WORKLOAD_IDENTITY_API_KEY": "k"}, HERE, None, None, {}, "coze-sandbox", False),
    ({"COZE_WORKLOAD_IDENTITY_API_KEY": "k"}, HERE, None, "198.51.100.7", {}, "coze-sandbox", True),
])
def test_place_is_classified(environ, app_dir, address, ip, headers, kind, shared):
    place = detect_place(environ, app_dir, address, ip, headers)
    assert (place.kind, place.shared) == (kind, shared)


def test_a_local_reverse_proxy_does_not_make_every_visitor_the_owner():
    assert detect_place({}, HERE, "0.0.0.0", None, {"forwarded": "for=203.0.113.9"}).shared


def test_a_proxy_in_front_of_a_loopback_bind_makes_the_deployment_shared():
    # nginx/Caddy on the same machine, Streamlit on 127.0.0.1: the usual server setup.
    assert detect_place({}, HERE, "127.0.0.1", None, {"X-Forwarded-For": "203.0.113.9"}).shared


@pytest.mark.parametrize(("ip", "shared"), [
    ("127.0.0.1", False), ("127.5.0.1", False), ("::1", False),
    ("::ffff:127.0.0.1", False),  # a browser at http://127.0.0.1 on a server listening on "::" (the default)
    ("::ffff:203.0.113.9", True), ("2001:db8::7", True), ("fe80::1%eth0", True), ("not an ip", True),
])
def test_a_visitor_on_this_machine_is_the_owner_however_the_server_sees_its_address(ip, shared):
    assert detect_place({}, HERE, None, ip).shared is shared
