"""core.doctor: the doctor's terminal lines — CJK-aware padding, plain redacted text, marks, closing line."""

import pytest

from core.diagnosis import Diagnosis
from core.doctor import (
    EXIT_OK,
    EXIT_UNCONFIGURED,
    Output,
    Survey,
    pad,
    plain,
    print_findings,
    print_result,
    print_survey,
)
from core.place import Place
from core.redact import mask
from core.setup import config
from core.setup.valuechecks import Finding
from core.setup.verify import Report, Step

KEY = "sk-" + "doctortext" + "0123456789abcdef"  # built, so no token-shaped literal sits in the repo
DEEPSEEK = "https://api.deepseek.com"
MASKED = mask(KEY)


def t(key, **params):
    """A translator that shows which key and values a message would get."""
    return key + "".join(f" {k}={v}" for k, v in sorted(params.items()))


def out(colour=False):
    return Output(t, [KEY], colour)


def report(*steps, request_id=None):
    return Report(list(steps), not any(s.status == "fail" for s in steps), {}, request_id, "")


@pytest.mark.parametrize(("text", "width", "padded"), [
    ("abc", 5, "abc  "), ("令牌", 6, "令牌  "), ("ＡＢ", 5, "ＡＢ "), ("令牌有效", 4, "令牌有效"), ("", 2, "  "),
])
def test_pad_counts_wide_characters_as_two_columns(text, width, padded):
    assert pad(text, width) == padded


@pytest.mark.parametrize(("text", "shown"), [
    ("**401 — rejected** by host", "401 — rejected by host"),
    (":material/check_circle: Ready", "Ready"),
    ("Check `OPENAI_API_KEY` on Setup", "Check `OPENAI_API_KEY` on Setup"),
])
def test_plain_drops_bold_markers_and_icon_codes(text, shown):
    assert plain(text) == shown


def test_a_line_is_indented_plain_and_redacted(capsys):
    out().line(f"**key** {KEY} and Bearer {KEY[::-1]}", 2)
    printed = capsys.readouterr().out
    clean = printed == f"  key {mask(KEY)} and Bearer {mask(KEY[::-1])}\n"
    assert clean, "line not indented, plain and redacted"


def test_paint_colours_only_when_asked():
    assert (out(colour=True).paint("x", "fail"), out().paint("x", "fail")) == ("\033[31mx\033[0m", "x")


def test_a_heading_follows_a_blank_line(capsys):
    out().heading("Settings")
    assert capsys.readouterr().out == "\nSettings\n"


def test_a_finished_step_shows_its_mark_timing_and_what_it_found(capsys):
    out().step(Step("reach", "ok", 0.012, params={"host": "h", "port": 443}))
    assert capsys.readouterr().out.splitlines() == [
        f"  ✓ {pad('verify.step.reach', 32)}   0.01 s", "      verify.note.reach.ok closest=— host=h port=443"]


def test_a_step_skipped_after_a_failure_is_one_line_without_timing(capsys):
    out().step(Step("model", "skip", 0.0, params={"reason": "earlier_failure"}))
    assert capsys.readouterr().out == "  – verify.step.model\n"


def test_a_step_skipped_for_its_own_reason_says_why(capsys):
    out().step(Step("tls", "skip", 0.0, params={"reason": "http"}))
    assert capsys.readouterr().out.splitlines() == ["  – verify.step.tls", "      verify.skip.http"]


def test_a_failed_step_shows_the_cause_and_the_providers_words_redacted(capsys):
    out(colour=True).step(Step("auth", "fail", 0.25, Diagnosis("auth", {"host": "h"}, 401, f"bad key {KEY}")))
    printed = capsys.readouterr().out
    leaked = KEY in printed
    assert not leaked, "full token in the step's lines"  # first, so no later failure prints it
    lines = printed.splitlines()
    assert lines[0].startswith("  \033[31m✗\033[0m verify.step.auth")
    assert lines[1:] == ["      err.auth host=h", f"      err.detail detail=bad key {MASKED}"]


@pytest.mark.parametrize(("the_report", "code", "last"), [
    (None, EXIT_UNCONFIGURED, "doctor.result.unconfigured step="),
    (None, EXIT_OK, "doctor.result.unverified step="),
    (None, 1, "doctor.result.findings step="),
    (report(Step("auth", "ok", 0.1)), EXIT_OK, "doctor.result.ok step="),
    (report(Step("reasoning", "warn", 0.1)), EXIT_OK, "doctor.result.warn step="),
    (report(Step("auth", "fail", 0.1)), 1, "doctor.result.fail step=verify.step.auth"),
], ids=["unconfigured", "no-verify", "no-verify-errors", "ok", "warn", "fail"])
def test_the_closing_line_names_the_outcome(capsys, the_report, code, last):
    print_result(out(), the_report, code)
    assert capsys.readouterr().out.splitlines()[-2:] == ["", last]


def test_without_verify_the_closing_line_says_it_was_skipped(capsys):
    print_result(out(), None, EXIT_OK)
    assert "doctor.no_verify" in capsys.readouterr().out.splitlines()


def test_a_failure_gives_the_providers_request_id(capsys):
    print_result(out(), report(Step("auth", "fail", 0.1), request_id="req-7"), 1)
    assert "  doctor.request_id request_id=req-7" in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(("code", "colour"), [(EXIT_OK, "32"), (1, "31"), (EXIT_UNCONFIGURED, "31")])
def test_the_closing_line_is_green_only_on_success(capsys, code, colour):
    print_result(out(colour=True), report(Step("auth", "ok", 0.1)) if code == EXIT_OK else None, code)
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"\033[{colour}m")


def test_the_survey_shows_the_route_every_setting_and_each_finding_with_its_fix(tmp_path, capsys):
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": DEEPSEEK})
    finding = Finding("token_quoted", "OPENAI_API_KEY", "error", {"setting": "OPENAI_API_KEY", "value": MASKED})
    output = Output(t, cfg.secrets(), False)
    print_survey(output, Survey(cfg, Place("local", False), [finding], "bad toml"))
    print_findings(output, [finding])
    printed = capsys.readouterr().out
    leaked = KEY in printed
    assert not leaked, "full token in the survey"  # first, so no later failure prints it
    lines = printed.splitlines()
    assert lines[:2] == ["doctor.title", "doctor.where place=doctor.place.local"]
    assert lines[2].startswith("doctor.route base_url=https://api.deepseek.com fingerprint=" + MASKED)
    assert lines[3] == "doctor.secrets_bad file=.streamlit/secrets.toml problem=bad toml"
    assert f"  ✓ {'OPENAI_API_KEY':<32} {pad('source.environ', 14)} {MASKED}" in lines
    assert f"  – {'COZE_API_TOKEN':<32} {pad('doctor.unset', 14)} —" in lines
    assert lines[-2:] == [f"  ✗ check.token_quoted setting=OPENAI_API_KEY value={MASKED}",
                          f"      doctor.fix fix=check.token_quoted.fix setting=OPENAI_API_KEY value={MASKED}"]


@pytest.mark.parametrize(("environ", "route_line"), [
    ({}, "setup.unconfigured"),
    ({"OPENAI_BASE_URL": DEEPSEEK}, "setup.route_missing missing=OPENAI_API_KEY route=route.openai"),
])
def test_the_survey_says_what_an_unusable_route_still_needs(tmp_path, capsys, environ, route_line):
    cfg = config.load(tmp_path, environ)
    output = Output(t, [], False)
    print_survey(output, Survey(cfg, Place("server", True), [], None))
    print_findings(output, [])
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == route_line and lines[-1] == "  doctor.no_findings"
