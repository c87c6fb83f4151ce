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
