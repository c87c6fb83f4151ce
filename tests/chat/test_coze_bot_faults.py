"""Coze's three ways of refusing, each turned into one named Diagnosis (no server needed here)."""

import httpx2
import pytest

from core.chat.providers import coze_bot as coze_faults
from core.chat.providers.coze_bot import CozeBot, Fault, api_fault, diagnose, stream_fault, to_int
from core.i18n import CATALOGUES, placeholders, translate

TOKEN = "pat_" + "f" * 40  # token-shaped, built here so nothing tracked looks like a real key
BOT = CozeBot(TOKEN, "7400000000000000001", api_base="https://api.coze.cn/", read_timeout=60.0)


def response(status: int, headers: dict | None = None) -> httpx2.Response:
    return httpx2.Response(status, headers=headers or {})


@pytest.mark.parametrize(("code", "status", "kind"), [
    (4100, 200, "token_refused"), (4100, 401, "token_refused"), (4101, 200, "forbidden"), (4015, 200, "bot_not_published"),
    (4200, 200, "bot_not_found"), (4028, 200, "balance"), (4013, 200, "server"),
    (4999, 200, "coze_error"),  # an unknown code of Coze's own says more than the status
    (None, 200, "coze_error"), (None, 401, "auth"), (None, 404, "api_not_found"),
    (None, 502, "server"), (None, 418, "http"), ("4009", 200, "rate_limit"),
])
def test_a_body_code_wins_over_the_http_status(code, status, kind):
    body = {"code": code, "msg": "refused"} if code is not None else {}
    assert api_fault(body, response(status), BOT).kind == kind


def test_the_logid_comes_from_the_header_or_the_body_detail():
    assert api_fault({"code": 4100}, response(200, {"x-tt-logid": "L1"}), BOT).request_id == "L1"
    assert api_fault({"code": 4100, "detail": {"logid": "L2"}}, response(200), BOT).request_id == "L2"


def test_a_rate_limit_says_how_long_to_wait():
    diagnosis = api_fault({"code": 4009}, response(429, {"retry-after": "7"}), BOT)
    assert diagnosis.params["wait"] == "7"
    assert diagnose(BOT, "rate_limit").params["wait"] == "?"


def test_the_fix_names_the_coze_settings_and_the_bot():
    params = diagnose(BOT, "auth", code=4100).params
    assert (params["key_var"], params["url_var"], params["bot_var"]) == ("COZE_API_TOKEN", "COZE_API_BASE",
                                                                         "COZE_BOT_ID")
    assert (params["host"], params["base_url"], params["code"]) == ("api.coze.cn", "https://api.coze.cn", "4100")
    assert params["bot_id"] == params["model"] == BOT.bot_id


def test_the_token_is_redacted_from_the_providers_message_and_the_message_is_cut():
    diagnosis = api_fault({"code": 4100, "msg": f"bad token {TOKEN} " + "x" * 600}, response(200), BOT)
    assert TOKEN not in diagnosis.detail and len(diagnosis.detail) <= 400


@pytest.mark.parametrize(("name", "data", "kind", "code"), [
    ("conversation.chat.failed", {"last_error": {"code": 4011, "msg": "no balance"}}, "balance", "4011"),
    ("conversation.chat.failed", {"last_error": None}, "stream_error", ""),
    ("error", {"error_code": 4100, "error_message": "token"}, "token_refused", "4100"),
    ("error", {"code": "not a number"}, "stream_error", ""),
    ("conversation.chat.requires_action", {}, "bot_needs_action", ""),
])
def test_failure_events_in_the_stream_are_named(name, data, kind, code):
    diagnosis = stream_fault(name, data, BOT, "L")
    assert (diagnosis.kind, diagnosis.params["code"], diagnosis.request_id) == (kind, code, "L")


def test_codes_come_as_numbers_or_strings():
    assert [to_int(v) for v in (4100, "4100", None, "x", [])] == [4100, 4100, None, None, None]


def test_every_coze_kind_has_a_message_in_both_languages():
    kinds = {*coze_faults.CODE_KINDS.values(), *coze_faults.STATUS_KINDS.values(), *coze_faults.NEW_KINDS,
             "timeout", "cut_off", "stream_error", "unknown", "http", "refused", "dns", "tls", "connection"}
    for catalogue in (CATALOGUES["en"], CATALOGUES["zh-CN"]):
        assert {f"err.{k}" for k in kinds} <= set(catalogue)


def test_coze_catalogues_match_and_only_add_the_new_kinds():
    new = {f"err.{k}" for k in coze_faults.NEW_KINDS}
    assert new <= set(CATALOGUES["en"]) and new <= set(CATALOGUES["zh-CN"])
    for key in new:
        assert placeholders(CATALOGUES["en"][key]) == placeholders(CATALOGUES["zh-CN"][key]), key


@pytest.mark.parametrize(("code", "status", "label"), [
    (None, 502, "HTTP 502"), (None, 503, "HTTP 503"),
    (5000, 200, "Coze 5000"), (4013, 200, "Coze 4013"),  # Coze's own failure on an HTTP success
    (5000, 500, "HTTP 500"),
])
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_server_failure_names_what_came_back(code, status, label, lang):
    body = {"code": code, "msg": "internal error"} if code is not None else {}
    diagnosis = api_fault(body, response(status), BOT)
    assert (diagnosis.kind, diagnosis.params["status"]) == ("server", label)
    text = translate(lang, "err.server", **diagnosis.params)
    assert label in text and "5xx" not in text and "{" not in text


def test_a_server_failure_inside_the_stream_names_coze_code():
    diagnosis = stream_fault("conversation.chat.failed", {"last_error": {"code": 5000, "msg": "x"}}, BOT, None)
    assert (diagnosis.kind, diagnosis.params["status"]) == ("server", "Coze 5000")


def test_no_fault_carries_the_token_in_its_repr():
    fault = Fault(api_fault({"code": 4100, "msg": f"bad token {TOKEN}"}, response(401), BOT))
    assert TOKEN not in repr(fault) and TOKEN not in str(fault)
    assert TOKEN not in repr(stream_fault("error", {"code": 4100, "msg": f"Bearer {TOKEN}"}, BOT, None))
