"""Diagnosis of connection faults from the exception chain."""

import socket
import ssl

import httpx2
import openai
import pytest

from core.errors import diagnose
from core.routes import COZE_SANDBOX, Endpoint

EP = Endpoint("openai", "https://api.example.com/v1", "sk-secret-value-123456", "m", "custom",
              False, False, True, 30.0)


def connection_error(cause):
    request = httpx2.Request("POST", "https://api.example.com/v1/chat/completions")
    try:
        try:
            raise cause
        except Exception as inner:
            raise openai.APIConnectionError(request=request) from inner
    except openai.APIConnectionError as exc:
        return exc


@pytest.mark.parametrize(("cause", "kind"), [
    (socket.gaierror(-2, "Name or service not known"), "dns"),
    (ConnectionRefusedError(111, "Connection refused"), "refused"),
    (ssl.SSLCertVerificationError("certificate verify failed"), "tls"),
    (OSError("Tunnel connection failed: 407 Proxy Authentication Required"), "proxy"),
    (OSError("network unreachable"), "connection"),
])
def test_connection_faults_are_named(cause, kind):
    assert diagnose(connection_error(cause), EP).kind == kind


def test_fix_names_the_variable_of_the_route():
    sandbox = Endpoint(COZE_SANDBOX, "https://integration.coze.cn/api/v3", "k" * 20, "m", "coze",
                       True, True, True, 30.0)
    params = diagnose(connection_error(OSError("x")), sandbox).params
    assert params["url_var"] == "COZE_INTEGRATION_MODEL_BASE_URL"
    assert params["key_var"] == "COZE_WORKLOAD_IDENTITY_API_KEY"


def test_setup_link_is_offered_only_where_setup_can_fix_it():
    assert diagnose(connection_error(socket.gaierror(-2, "x")), EP).fix_in_setup
    timeout = openai.APITimeoutError(request=httpx2.Request("POST", "https://api.example.com"))
    assert not diagnose(timeout, EP).fix_in_setup


def test_token_in_an_error_text_is_redacted():
    diagnosis = diagnose(ValueError("bad key sk-secret-value-123456"), EP)
    assert "sk-secret-value-123456" not in diagnosis.detail
