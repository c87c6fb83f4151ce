"""The doctor's terminal output: aligned, redacted, optionally coloured lines in one language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from core.checks import explain
from core.config import Config
from core.diagnostics import describe
from core.redact import redact
from core.verify import Report, Step, summary

SECRETS_FILE = ".streamlit/secrets.toml"
EXIT_OK, EXIT_UNCONFIGURED = 0, 2
MARKS = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "–"}
SEVERITY_MARKS = {"error": "fail", "warning": "warn", "info": "skip"}
COLOURS = {"ok": "32", "fail": "31", "warn": "33", "skip": "2", "title": "1"}


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns; CJK characters take two."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)

def plain(text: str) -> str:
    """A catalogue message for a terminal: Markdown bold and Material icon codes removed."""
    return re.sub(r":material/[a-z_]+:\s*", "", text.replace("**", ""))

class Output:
    """Prints redacted, optionally coloured lines in one language."""

    def __init__(self, t: Callable[..., str], secrets: list[str], colour: bool) -> None:
        self.t, self.secrets, self.colour = t, secrets, colour

    def line(self, text: str, indent: int = 0) -> None:
        print(" " * indent + plain(redact(text, self.secrets)), flush=True)

    def paint(self, text: str, style: str) -> str:
        return f"\033[{COLOURS[style]}m{text}\033[0m" if self.colour else text

    def heading(self, text: str) -> None:
        print()
        self.line(self.paint(text, "title"))

    def step(self, step: Step) -> None:
        """One checklist line as the step finishes, then what it found or how to fix it."""
        mark = self.paint(MARKS[step.status], step.status)
        timing = "" if step.status == "skip" else f"{step.seconds:6.2f} s"
        self.line(f"{mark} {pad(self.t(f'verify.step.{step.name}'), 32)} {timing}".rstrip(), 2)
        if step.params.get("reason") != "earlier_failure":
            self.line(describe(step, self.t), 6)  # for a failure: the cause and its fix
        if step.diagnosis and step.diagnosis.detail:
            self.line(self.t("err.detail", detail=step.diagnosis.detail), 6)

def print_survey(out: Output, survey) -> None:
    """Where, which route, every setting, and every finding with its fix."""
    t, config = out.t, survey.config
    out.line(out.paint(t("doctor.title"), "title"))
    out.line(t("doctor.where", place=t(f"doctor.place.{survey.place.kind}")))
    _print_route(out, config)
    if survey.secrets_problem:
        out.line(out.paint(t("doctor.secrets_bad", file=SECRETS_FILE, problem=survey.secrets_problem), "fail"))
    out.heading(t("doctor.settings"))
    for row in config.rows():
        mark = out.paint(MARKS["ok" if row["set"] else "skip"], "ok" if row["set"] else "skip")
        source = t(f"source.{row['source']}") if row["source"] else t("doctor.unset")
        also = f"  ({t('doctor.also_in', sources=row['also_in'])})" if row["also_in"] else ""
        out.line(f"{mark} {row['variable']:<32} {pad(source, 14)} {row['value'] or '—'}{also}", 2)

def print_findings(out: Output, findings: list) -> None:
    """Every finding with its fix, after Verify has settled which of them still stand."""
    t = out.t
    out.heading(t("doctor.findings"))
    if not findings:
        out.line(t("doctor.no_findings"), 2)
    for f in findings:
        status = SEVERITY_MARKS.get(f.severity, "skip")
        message, fix = explain(f, t)
        out.line(f"{out.paint(MARKS[status], status)} {message}", 2)
        out.line(t("doctor.fix", fix=fix), 6)

def _print_route(out: Output, config: Config) -> None:
    t, detection = out.t, config.detection
    if detection.endpoint:
        s = summary(detection.endpoint)
        out.line(t("doctor.route", route=t(f"route.{detection.route}"), provider=s["provider"],
                   base_url=s["base_url"], model=s["model"], fingerprint=s["key"] or "—"))
    elif detection.route:
        out.line(t("setup.route_missing", route=t(f"route.{detection.route}"),
                   missing=", ".join(detection.missing)))
    else:
        out.line(t("setup.unconfigured"))

def print_result(out: Output, report: Report | None, code: int) -> None:
    """The closing line: works, fails at which step, or not configured."""
    t = out.t
    if code == EXIT_UNCONFIGURED:
        key = "doctor.result.unconfigured"
    elif report is None:
        out.heading(t("doctor.no_verify"))
        key = "doctor.result.findings" if code else "doctor.result.unverified"
    elif report.failed:
        if report.request_id:
            out.line(t("doctor.request_id", request_id=report.request_id), 2)
        key = "doctor.result.fail"
    else:
        key = "doctor.result.warn" if any(s.status == "warn" for s in report.steps) else "doctor.result.ok"
    step = t(f"verify.step.{report.failed.name}") if report and report.failed else ""
    print()
    out.line(out.paint(t(key, step=step), "ok" if code == EXIT_OK else "fail"))
