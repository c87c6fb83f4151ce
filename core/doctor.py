"""`python -m core.doctor`: the Setup page's detection and verification, in a terminal — the survey,
the live checklist, and its aligned, redacted, optionally coloured lines in one language.

A front end beside the pages: it reads ``core.setup`` and prints; nothing imports it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core import i18n, logs
from core.conversations import probe
from core.place import Place, detect_place
from core.redact import mask_url, redact
from core.setup.checks import explain, find_problems, settle
from core.setup.config import Config, load
from core.setup.diagnostics import describe
from core.setup.presets import for_endpoint
from core.setup.verify import Report, Step, summary, verify

ROOT = Path(__file__).resolve().parent.parent
EXIT_FAILED = 1
SECRETS_FILE = ".streamlit/secrets.toml"
EXIT_OK, EXIT_UNCONFIGURED = 0, 2
MARKS = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "–"}
SEVERITY_MARKS = {"error": "fail", "warning": "warn", "info": "skip"}
COLOURS = {"ok": "32", "fail": "31", "warn": "33", "skip": "2", "title": "1"}


@dataclass
class Survey:
    """Everything read without a network call: configuration, place, findings, unreadable files."""

    config: Config
    place: Place
    findings: list
    secrets_problem: str | None


def main(argv: list[str] | None = None) -> int:
    """Run the doctor; return 0 when the active route works, 1 when it fails, 2 when none is set."""
    args = _parse(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")  # a non-UTF-8 terminal gets "?" instead of a crash
    _quiet_logs()
    t = i18n.translator(args.lang or default_language(os.environ))
    survey = survey_config(Path(args.dir), os.environ)
    out = Output(t, survey.config.secrets(), colour=not args.json and sys.stdout.isatty())
    if not args.json:
        print_survey(out, survey)
    report = None
    endpoint = survey.config.detection.endpoint
    if endpoint and not args.no_verify:
        if not args.json:
            out.heading(t("doctor.verify"))
        report = verify(endpoint, on_step=None if args.json else out.step,
                        known_models=for_endpoint(endpoint).models)
        # A route that answered has no error beside it (the guesses it disproved are dropped).
        survey.findings = settle(survey.findings, report.ok)
    database = check_database(survey)
    code = exit_code(survey, report)
    if args.json:
        print(json.dumps(as_json(survey, report, code, t) | {"database": database}, ensure_ascii=False, indent=2))
    else:
        print_findings(out, survey.findings)
        if database and database["ok"]:
            out.line(t("setup.database_ok", url=database["url"]), 2)
        print_result(out, report, code)
    return code


def check_database(survey: Survey) -> dict | None:
    """Connect once to the server database ``R1_DATABASE_URL`` names, even under --no-verify (it
    spends nothing upstream); a failure goes first among the findings. ``None`` for SQLite."""
    url = probe.server_url(survey.config.values)
    if url is None:
        return None
    if unusable := probe.check(survey.config.values):
        survey.findings.insert(0, unusable)  # whatever the route: no conversation could be kept
    return {"url": mask_url(url), "ok": unusable is None}


def default_language(environ: Mapping[str, str]) -> str:
    """The catalogue for the terminal's locale: zh-CN for any ``zh`` locale, else English."""
    locale = next((environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(v)), "")
    return "zh-CN" if locale.lower().startswith("zh") else "en"


def read_secrets(app_dir: Path) -> tuple[dict, str | None]:
    """``<app_dir>/.streamlit/secrets.toml`` as Streamlit would read it, and why it could not be read."""
    path = app_dir / SECRETS_FILE
    if not path.is_file():
        return {}, None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, str(exc)


def survey_config(app_dir: Path, environ: Mapping[str, str]) -> Survey:
    """Read every source, detect the route and the place, and name what looks wrong."""
    secrets, problem = read_secrets(app_dir)
    config = load(app_dir, environ, secrets)
    # In a terminal we are on the machine itself: no server address, no remote visitor.
    place = detect_place(environ, app_dir, server_address=None, client_ip=None)
    findings = find_problems(config.values, config.layers, config.detection, place,
                             admin_password_set=bool(secrets.get("R1_ADMIN_PASSWORD")))
    return Survey(config, place, findings, problem)


def exit_code(survey: Survey, report: Report | None) -> int:
    """2 without a complete route; else 0/1 from verify and the conversation database, or from error
    findings under --no-verify."""
    if survey.config.detection.endpoint is None:
        return EXIT_UNCONFIGURED
    if report is None:
        return EXIT_FAILED if any(f.severity == "error" for f in survey.findings) else EXIT_OK
    database_down = any(f.setting == probe.SETTING and f.severity == "error" for f in survey.findings)
    return EXIT_OK if report.ok and not database_down else EXIT_FAILED


def as_json(survey: Survey, report: Report | None, code: int, t: Callable[..., str]) -> dict:
    """The ``--json`` object: place, route, masked settings, findings, steps and the outcome."""
    config, secrets = survey.config, survey.config.secrets()
    detection = config.detection

    def text(key: str, **params: object) -> str:
        return plain(redact(t(key, **params), secrets)) if _known(key) else ""

    return {
        "place": {"kind": survey.place.kind, "shared": survey.place.shared},
        "route": detection.route, "missing": list(detection.missing),
        "endpoint": summary(detection.endpoint) if detection.endpoint else None,
        "settings": config.rows(),
        "problems": [{"file": SECRETS_FILE, "problem": survey.secrets_problem}] if survey.secrets_problem else [],
        "findings": [{"kind": f.kind, "severity": f.severity, "setting": f.setting,
                      **dict(zip(("message", "fix"), (plain(redact(x, secrets)) for x in explain(f, t)),
                                 strict=True))}
                     for f in survey.findings],
        "steps": [{"name": s.name, "status": s.status, "seconds": round(s.seconds, 3),
                   "kind": s.diagnosis.kind if s.diagnosis else None,
                   "message": plain(redact(describe(s, t), secrets))} for s in (report.steps if report else [])],
        "request_id": report.request_id if report else None,
        "last_error": report.last_error if report else "",
        "ok": code == EXIT_OK, "exit": code,
    }


def _known(key: str) -> bool:
    return key in i18n.CATALOGUES["en"]


def _quiet_logs() -> None:
    """The checklist names every failure; a logged traceback on stderr would only bury it."""
    logger = logs.get()
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core.doctor", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--dir", default=str(ROOT), help="app folder holding .env.local and .streamlit/")
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help="en or zh-CN (default: from LANG)")
    parser.add_argument("--no-verify", action="store_true", help="do not call the model (the conversation database is still checked)")
    return parser.parse_args(argv)



# --- terminal output ------------------------------------------------------------------------------

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
        """Print ``text`` redacted, each of its lines indented by ``indent`` spaces."""
        for row in plain(redact(text, self.secrets)).splitlines() or [""]:
            if row.strip() or "\n" not in text:  # a paragraph break is no blank line in a checklist
                print(" " * indent + row, flush=True)

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
            self.line(describe(step, self.t), 6)  # for a failure: the cause, its fix, the provider's words

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
    elif code == EXIT_FAILED:  # the model answers; the conversation database does not
        key = "doctor.result.database"
    else:
        key = "doctor.result.warn" if any(s.status == "warn" for s in report.steps) else "doctor.result.ok"
    step = t(f"verify.step.{report.failed.name}") if report and report.failed else ""
    print()
    out.line(out.paint(t(key, step=step), "ok" if code == EXIT_OK else "fail"))


if __name__ == "__main__":
    sys.exit(main())
