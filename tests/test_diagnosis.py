"""core.diagnosis.words: the one place a failure becomes the message a user reads."""

import pytest

from core import i18n
from core.diagnosis import Diagnosis, words

EN = i18n.translator("en")
ZH = i18n.translator("zh-CN")
HOST = {"host": "api.example.com", "url_var": "OPENAI_BASE_URL", "key_var": "OPENAI_API_KEY",
        "model": "m", "base_url": "https://api.example.com/v1", "read_timeout": "120"}


def test_a_wait_the_provider_named_picks_its_own_wording():
    assert "asks to wait 30 s" in words(Diagnosis("rate_limit", {**HOST, "wait": "30"}), EN)
    assert "Wait a minute" in words(Diagnosis("rate_limit", {**HOST, "wait": "?"}), EN)
    assert "asks to wait 120 s" in words(Diagnosis("server", {**HOST, "wait": "120", "status": "HTTP 503"}), EN)


def test_retries_are_told_only_when_made():
    assert "retried 2 times" in words(Diagnosis("server", {**HOST, "status": "HTTP 503", "retries": "2"}), EN)
    assert "retried" not in words(Diagnosis("server", {**HOST, "status": "HTTP 503"}), EN)
    assert "1 time," in words(Diagnosis("reset", {**HOST, "retries": "1"}), EN)


def test_a_page_title_from_the_wire_is_one_inert_line():
    title = "\u202eSign in [here](data:text/html;base64,PHNjcmlwdD4=)"
    for t in (EN, ZH):
        text = words(Diagnosis("not_streamed", {**HOST, "page_title": title}), t)
        assert "\u202e" not in text and "](data:" not in text and "Sign in" in text
    assert "answered with a web page" in words(Diagnosis("not_streamed", {**HOST, "page_title": "Portal"}), EN)


def test_the_providers_words_are_inert_too():
    text = words(Diagnosis("stream_error", HOST, detail="see [docs](javascript:alert(1))"), EN)
    assert "Provider said" in text and "](javascript:" not in text


@pytest.mark.parametrize("kind", ["reset", "connection", "refused", "dns", "tls", "cut_off", "timeout"])
def test_a_transport_fault_shows_no_detail_even_one_stored_by_an_older_version(kind):
    old = Diagnosis(kind, HOST, detail="ConnectionResetError: [Errno 104] Connection reset by peer")
    text = words(old, EN)
    assert "Errno" not in text and "ConnectionResetError" not in text


def test_a_kind_this_version_does_not_know_reads_as_unknown():
    assert "Something went wrong" in words(Diagnosis("from_the_future", HOST), EN)
