"""Verify against the fake upstream: each failure named at the right step, and the token never shown."""

import socket

import pytest
from fake_upstream import FakeUpstream, Script, error, reply

from core import i18n
from core.chat.endpoint import Endpoint
from core.redact import mask
from core.setup.diagnostics import describe, diagnostics, versions
from core.setup.verify import STEPS, verify

TOKEN = "sk-verify-distinctive-0123456789abcdef"


def endpoint(base_url, **overrides):
    fields = dict(route="openai", base_url=base_url, api_key=TOKEN, model="deepseek-r1-250528",
                  provider="local", send_thinking=False, include_usage=True,
                  honours_temperature=True, read_timeout=5.0)
    return Endpoint(**{**fields, **overrides})


def statuses(report):
    return {s.name: s.status for s in report.steps}


def step(report, name):
    return next(s for s in report.steps if s.name == name)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_good_token_passes_every_step_with_timings(upstream):
    report = verify(endpoint(upstream.base_url))
    assert report.ok and report.failed is None and report.last_error == ""
    assert [s.name for s in report.steps] == list(STEPS)
    assert statuses(report) == {"reach": "ok", "tls": "skip", "auth": "ok", "model": "ok",
                                "stream": "ok", "reasoning": "ok", "history": "ok"}
    assert all(s.seconds >= 0 for s in report.steps)
    assert step(report, "stream").seconds > 0 and step(report, "history").seconds > 0
    assert step(report, "model").params["models"] == len(upstream.models)


def test_verify_uses_the_chats_request_shape(upstream):
    verify(endpoint(upstream.base_url))
    first, second = (r["json"] for r in upstream.requests)
    assert first["stream"] is True and first["stream_options"] == {"include_usage": True}
    assert first["messages"] == [{"role": "user", "content": "Reply with OK."}]
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert all("reasoning_content" not in m for m in second["messages"])
    assert upstream.requests[0]["headers"]["authorization"] == f"Bearer {TOKEN}"


def test_length_finish_still_proves_streaming_and_history_gets_an_answer(upstream):
    upstream.push(reply("thinking and thinking", "", finish="length"))
    report = verify(endpoint(upstream.base_url))
    assert statuses(report)["stream"] == "ok" and step(report, "stream").params["finish"] == "length"
    assert upstream.requests[1]["json"]["messages"][1] == {"role": "assistant", "content": "OK"}


def test_bad_token_fails_at_auth_and_skips_the_rest():
    with FakeUpstream(api_key="sk-the-right-key-0123456789") as up:
        report = verify(endpoint(up.base_url))
        assert len(up.requests) == 1  # no completion after the key was refused
    auth = step(report, "auth")
    assert auth.status == "fail" and auth.diagnosis.kind == "auth" and auth.diagnosis.status == 401
    assert [statuses(report)[n] for n in ("model", "stream", "reasoning", "history")] == ["skip"] * 4
    assert not report.ok and report.failed is auth
    assert report.request_id and "Request id" in report.last_error


def test_refused_key_on_the_model_list_fails_auth_before_any_completion(upstream):
    class Locked(upstream.server.RequestHandlerClass):
        def do_GET(self):
            self._json(401, {"error": {"message": "Authentication Fails", "type": "auth"}})

    upstream.server.RequestHandlerClass = Locked
    report = verify(endpoint(upstream.base_url))
    assert step(report, "auth").diagnosis.kind == "auth"
    assert upstream.requests == []


def test_unknown_model_warns_with_the_closest_listed_names(upstream):
    report = verify(endpoint(upstream.base_url, model="deepseek-r1"))
    model = step(report, "model")
    assert model.status == "warn"
    assert "deepseek-r1-250528" in model.params["closest"]
    assert report.ok  # some providers accept ids they do not list
    assert "deepseek-r1-250528" in describe(model, i18n.translator("en"))


def test_unlisted_model_that_the_provider_rejects_fails_at_model(upstream):
    upstream.push(error("ark_404_model"))
    report = verify(endpoint(upstream.base_url, model="deepseek-r9"))
    model = step(report, "model")
    assert model.status == "fail" and model.diagnosis.kind == "not_found"
    assert statuses(report)["stream"] == "skip"


def test_wrong_base_path_is_named_not_found(upstream):
    report = verify(endpoint(upstream.url + "/nope"))  # the fake serves only real providers' paths
    assert statuses(report)["model"] == "skip"  # the list 404s too: the completion decides
    stream = step(report, "stream")
    assert stream.status == "fail" and stream.diagnosis.kind == "not_found"
    assert statuses(report)["reasoning"] == "skip" and not report.ok


def test_a_404_never_proves_the_token(upstream):
    report = verify(endpoint(upstream.url + "/nope"))
    assert statuses(report)["auth"] == "skip" and step(report, "auth").params == {"reason": "unproven"}


def test_a_base_url_ending_in_chat_completions_never_proves_the_token(upstream):
    report = verify(endpoint(upstream.base_url + "/chat/completions"))
    assert statuses(report)["auth"] != "ok" and not report.ok


def test_a_model_list_without_a_key_does_not_prove_the_token(upstream):
    upstream.push(error("deepseek_401"))  # the list answers anyone; the completion refuses the key
    report = verify(endpoint(upstream.base_url))
    assert step(report, "auth").status == "fail" and step(report, "auth").diagnosis.kind == "auth"


@pytest.mark.parametrize(("model", "known", "suggested"), [
    ("deepseek-r1-0528", ("deepseek-r1-250528", "deepseek-r1-250120"), "deepseek-r1-250528"),
    ("deepseek-reasonr", ("deepseek-reasoner", "deepseek-chat"), "deepseek-reasoner"),
])
def test_a_rejected_model_without_a_list_gets_the_presets_closest_names(upstream, model, known, suggested):
    upstream.push(error("ark_404_model"))
    report = verify(endpoint(upstream.base_url, model=model), lists_models=False, known_models=known)
    model_step = step(report, "model")
    assert model_step.status == "fail" and model_step.params["closest"][0] == suggested
    assert f"{suggested}" in describe(model_step, i18n.translator("en"))
    assert statuses(report)["auth"] == "skip"  # a 404 proved nothing about the key


def test_a_rejected_model_we_know_is_left_to_the_stream_step(upstream):
    upstream.push(error("ark_404_model"))
    report = verify(endpoint(upstream.base_url), lists_models=False, known_models=("deepseek-r1-250528",))
    assert statuses(report)["model"] == "skip" and statuses(report)["stream"] == "fail"


def test_provider_without_model_listing_skips_the_model_step(upstream):
    report = verify(endpoint(upstream.base_url), lists_models=False)
    assert step(report, "model").params == {"reason": "no_list"}
    assert report.ok
    assert all(r["path"].endswith("/chat/completions") for r in upstream.requests)


def test_refused_port_fails_at_reach():
    report = verify(endpoint(f"http://127.0.0.1:{free_port()}/api/v3"))
    reach = step(report, "reach")
    assert reach.status == "fail" and reach.diagnosis.kind == "refused"
    assert set(statuses(report).values()) == {"fail", "skip"}


def test_unresolvable_host_fails_at_reach_as_dns(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # never wait on a slow resolver
    report = verify(endpoint("https://r1-provider.invalid/v1"))
    reach = step(report, "reach")
    assert reach.diagnosis.kind == "dns" and reach.diagnosis.params["host"] == "r1-provider.invalid"
    assert statuses(report)["tls"] == "skip"


def test_http_endpoint_skips_tls(upstream):
    tls = step(verify(endpoint(upstream.base_url)), "tls")
    assert tls.status == "skip" and tls.params == {"reason": "http"}


def test_tls_to_a_plain_http_port_fails_at_tls(upstream):
    report = verify(endpoint(upstream.base_url.replace("http://", "https://")))
    assert statuses(report)["reach"] == "ok"
    assert step(report, "tls").diagnosis.kind == "tls"


def test_reply_without_reasoning_warns(upstream):
    upstream.push(reply("", "OK"))
    report = verify(endpoint(upstream.base_url))
    assert statuses(report)["reasoning"] == "warn"
    assert statuses(report)["history"] == "ok" and report.ok


def test_history_rejected_fails_at_history(upstream):
    upstream.push(reply("thinking", "OK"), error("deepseek_400_successive"))
    report = verify(endpoint(upstream.base_url))
    history = step(report, "history")
    assert history.status == "fail" and history.diagnosis.kind == "bad_request"
    assert "successive" in report.last_error
    assert report.request_id == "0f2e4d6c8b0a1f3e5d7c9b1a3f5e7d9c"


def test_on_step_reports_each_step_once_in_order(upstream):
    seen = []
    report = verify(endpoint(upstream.base_url), on_step=seen.append)
    assert [s.name for s in seen] == list(STEPS)
    assert seen == report.steps


def test_on_step_after_a_failure_still_covers_every_step():
    seen = []
    verify(endpoint(f"http://127.0.0.1:{free_port()}/v1"), on_step=seen.append)
    assert [s.name for s in seen] == list(STEPS)


def test_token_never_appears_in_report_or_diagnostics(upstream):
    echoing = Script(status=401, body={"error": {"message": f"Your api key: {TOKEN} is invalid"}},
                     headers={"x-request-id": "req-123"})
    upstream.push(echoing)
    report = verify(endpoint(upstream.base_url))
    text = diagnostics(report, "local", versions())
    assert step(report, "auth").diagnosis.kind == "auth"
    assert TOKEN not in repr(report) and TOKEN not in text
    assert f"key fingerprint: {mask(TOKEN)}" in text.splitlines()
    assert "req-123" in text and "auth" in text
    for name in ("python", "openai", "app"):
        assert f"{name} " in text


def test_diagnostics_lists_every_step_with_its_timing(upstream):
    text = diagnostics(verify(endpoint(upstream.base_url)), "local", {"python": "3.11"})
    assert all(f"  {name}" in text for name in STEPS)
    assert "result: ok" in text and upstream.base_url in text and " s" in text


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_step_outcome_has_a_message(upstream, lang, monkeypatch):
    t = i18n.translator(lang)
    upstream.push(reply("", "OK"))
    reports = [verify(endpoint(upstream.base_url, model="deepseek-r1")),
               verify(endpoint(upstream.base_url), lists_models=False),
               verify(endpoint(f"http://127.0.0.1:{free_port()}/v1"))]
    for s in (s for r in reports for s in r.steps):
        text = describe(s, t)
        assert not text.startswith(("verify.", "err.")) and "{" not in text, (s, text)
        assert t(f"verify.step.{s.name}") != f"verify.step.{s.name}"
        assert t(f"verify.status.{s.status}") != f"verify.status.{s.status}"


def test_empty_model_list_leaves_the_decision_to_the_completion(upstream):
    upstream.models = []
    report = verify(endpoint(upstream.base_url))
    assert step(report, "model").params == {"reason": "no_list"} and report.ok
