"""Diagnosis of connection faults from the exception chain."""

import socket
import ssl

import httpx2
import openai
import pytest

from core import i18n
from core.chat import providers
from core.chat.endpoint import Endpoint
from core.diagnosis import status_label

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
    assert providers.of(EP.route).diagnose(connection_error(cause), EP).kind == kind


def test_fix_names_the_variable_of_the_route():
    sandbox = Endpoint("coze-sandbox", "https://integration.coze.cn/api/v3", "k" * 20, "m", "coze",
                       True, True, True, 30.0)
    params = providers.of(sandbox.route).diagnose(connection_error(OSError("x")), sandbox).params
    assert params["url_var"] == "COZE_INTEGRATION_MODEL_BASE_URL"
    assert params["key_var"] == "COZE_WORKLOAD_IDENTITY_API_KEY"


def test_setup_link_is_offered_only_where_setup_can_fix_it():
    assert providers.of(EP.route).diagnose(connection_error(socket.gaierror(-2, "x")), EP).fix_in_setup
    timeout = openai.APITimeoutError(request=httpx2.Request("POST", "https://api.example.com"))
    assert not providers.of(EP.route).diagnose(timeout, EP).fix_in_setup


def test_token_in_an_error_text_is_redacted():
    diagnosis = providers.of(EP.route).diagnose(ValueError("bad key sk-secret-value-123456"), EP)
    assert "sk-secret-value-123456" not in diagnosis.detail


def status_error(status: int, message: str = "upstream overloaded") -> openai.APIStatusError:
    request = httpx2.Request("POST", "https://api.example.com/v1/chat/completions")
    body = {"error": {"message": message}}
    response = httpx2.Response(status, request=request, json=body)
    return openai.APIStatusError(f"Error code: {status}", response=response, body=body)


@pytest.mark.parametrize("status", [500, 502, 503, 529])
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_5xx_message_names_the_status_received(status, lang):
    diagnosis = providers.of(EP.route).diagnose(status_error(status), EP)
    assert (diagnosis.kind, diagnosis.status, diagnosis.params["status"]) == ("server", status, f"HTTP {status}")
    text = i18n.translate(lang, "err.server", **diagnosis.params)
    assert f"HTTP {status}" in text and "api.example.com" in text
    assert "5xx" not in text and "{" not in text


def test_the_status_label_says_what_came_back():
    assert status_label(503) == "HTTP 503"
    assert status_label(None) == "HTTP 5xx"  # a failure whose status was never recorded
    assert status_label(200, "5000") == "Coze 5000"  # Coze's own code, on an HTTP success
    assert status_label(502, 5000) == "HTTP 502"  # a real HTTP failure says more


def test_no_key_in_the_repr_of_a_diagnosis_or_its_params():
    diagnosis = providers.of(EP.route).diagnose(status_error(401, f"Incorrect API key provided: {EP.api_key}"), EP)
    assert EP.api_key not in repr(diagnosis) and EP.api_key not in str(diagnosis.params)
    assert EP.api_key not in repr(providers.of(EP.route).diagnose(RuntimeError(f"boom {EP.api_key}"), EP))
