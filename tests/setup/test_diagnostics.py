"""core.setup.diagnostics: describe() picks each step's message key, diagnostics() lays out a redacted report, versions()."""

import platform
import tomllib
from pathlib import Path

import pytest

from core.chat.endpoint import Endpoint
from core.diagnosis import Diagnosis
from core.redact import mask
from core.setup.diagnostics import describe, diagnostics, versions
from core.setup.verify import Report, Step, summary

KEY = "sk-" + "diagnostics" + "0123456789abcdef"  # built, so no token-shaped literal sits in the repo
MASKED = mask(KEY)


def t(key, **params):
    """A translator that shows which key and values a message would get."""
    return key + "".join(f" {k}={v}" for k, v in sorted(params.items()))


def report(steps, ok=False, request_id=None, last_error="", api_key=KEY):
    ep = Endpoint(route="openai", base_url="https://api.deepseek.com", api_key=api_key, model="deepseek-reasoner",
                  provider="deepseek", send_thinking=False, include_usage=True, honours_temperature=False,
                  read_timeout=120.0)
    return Report(steps, ok, summary(ep), request_id, last_error)


@pytest.mark.parametrize(("step", "text"), [
    (Step("auth", "fail", 0.3, Diagnosis("auth", {"host": "h"})), "err.auth host=h"),
    (Step("model", "fail", 0.3, Diagnosis("not_found", {"host": "h"}), {"closest": ["a", "b"]}),
     "err.not_found host=h verify.closest best=a closest=`a`, `b`"),
    (Step("tls", "skip", 0.0, params={"reason": "http"}), "verify.skip.http"),
    (Step("model", "skip", 0.0), "verify.skip.earlier_failure"),
    (Step("stream", "ok", 1.2, params={"finish": "stop"}), "verify.note.stream.ok closest=— finish=stop"),
    (Step("model", "warn", 0.4, params={"model": "r1", "models": 3, "closest": ["deepseek-r1"]}),
     "verify.note.model.warn closest=`deepseek-r1` model=r1 models=3"),
    (Step("stream", "ok", 0.9, params={"bot": True, "bot_id": "b1"}), "verify.note.bot.ok bot=True bot_id=b1 closest=—"),
], ids=["diagnosis", "diagnosis-closest", "skip-reason", "skip-default", "note", "note-closest", "bot"])
def test_describe_picks_the_message_for_what_the_step_found(step, text):
    assert describe(step, t) == text


FAILED = [Step("reach", "ok", 0.012, params={"host": "api.deepseek.com", "port": 443}),
          Step("tls", "ok", 0.05),
          Step("auth", "fail", 0.25, Diagnosis("auth", status=401)),
          Step("model", "skip", 0.0, params={"reason": "earlier_failure"})]


def test_the_report_opens_with_versions_place_and_endpoint():
    text = diagnostics(report(FAILED), "local", {"python": "3.11.9", "openai": "1.99.0"})
    assert text.splitlines()[:9] == [
        "DeepSeek-R1 chat diagnostics", "versions: python 3.11.9, openai 1.99.0", "place: local",
        "route: openai (provider deepseek)", "host: api.deepseek.com", "base_url: https://api.deepseek.com",
        "model: deepseek-reasoner", f"key fingerprint: {MASKED}", "steps:"]


def test_each_step_is_one_aligned_line_with_timing_cause_and_params():
    lines = diagnostics(report(FAILED), "local", {}).splitlines()
    assert lines[9:13] == [
        "  reach     ok     0.01 s host=api.deepseek.com port=443",
        "  tls       ok     0.05 s",
        "  auth      fail   0.25 s auth (HTTP 401)",
        "  model     skip   0.00 s reason=earlier_failure"]


def test_list_params_are_joined_with_commas():
    warn = Step("model", "warn", 0.5, params={"closest": ["deepseek-r1", "deepseek-r1-250528"]})
    assert "closest=deepseek-r1,deepseek-r1-250528" in diagnostics(report([warn], ok=True), "local", {})


def test_a_failed_report_ends_with_the_step_the_error_and_the_request_id():
    text = diagnostics(report(FAILED, request_id="req-42", last_error="Error code: 401"), "server", {})
    assert text.splitlines()[-3:] == ["result: failed at auth", "last error: Error code: 401", "request id: req-42"]


def test_a_passing_report_has_no_error_line_and_a_dash_for_the_request_id():
    text = diagnostics(report([Step("reach", "ok", 0.01)], ok=True), "local", {})
    assert text.splitlines()[-2:] == ["result: ok", "request id: -"]


def test_a_route_without_a_key_says_so():
    assert "key fingerprint: (none)" in diagnostics(report([], ok=True, api_key=""), "local", {}).splitlines()


def test_a_token_echoed_in_the_providers_error_is_redacted():
    text = diagnostics(report(FAILED, last_error=f"Incorrect API key provided: {KEY}"), "local", {})
    leaked = KEY in text
    assert not leaked, "full token in the diagnostics text"
    assert f"key fingerprint: {MASKED}" in text  # the fingerprint is not taken for a credential


def test_versions_name_python_the_sdk_and_this_app():
    found = versions()
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))["project"]
    assert (found["python"], found["app"]) == (platform.python_version(), project["version"])
    assert found["openai"]
    assert set(found) <= {"python", "streamlit", "openai", "app"}
