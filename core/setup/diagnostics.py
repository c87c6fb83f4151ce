"""Reading a Verify report: one line per step, the redacted "copy diagnostics" text, versions."""

from __future__ import annotations

import importlib.metadata
import platform
import tomllib
from collections.abc import Callable
from pathlib import Path

from core.diagnosis import words
from core.redact import redact
from core.setup.verify import Report, Step


def describe(step: Step, t: Callable[..., str]) -> str:
    """One line saying what a step found, or how to fix it, in the language of ``t``."""
    names = step.params.get("closest") or ()
    closest = ", ".join(f"`{name}`" for name in names) or "—"
    if step.diagnosis is not None:
        return words(step.diagnosis, t, t("verify.closest", best=names[0], closest=closest) if names else "")
    if step.status == "skip":
        return t(f"verify.skip.{step.params.get('reason', 'earlier_failure')}")
    key = "verify.note.bot.ok" if step.params.get("bot") else f"verify.note.{step.name}.{step.status}"
    return t(key, **{**step.params, "closest": closest})

def diagnostics(report: Report, place_kind: str, versions: dict[str, str]) -> str:
    """The "copy diagnostics" text: versions, endpoint, each step with timing — never the token."""
    s = report.endpoint_summary
    lines = ["DeepSeek-R1 chat diagnostics",
             "versions: " + ", ".join(f"{name} {v}" for name, v in versions.items()),
             f"place: {place_kind}", f"route: {s['route']} (provider {s['provider']})",
             f"host: {s['host']}", f"base_url: {s['base_url']}", f"model: {s['model']}",
             # Not "token:": redact() would take the label for a credential and blank the fingerprint.
             f"key fingerprint: {s['key'] or '(none)'}", "steps:"]
    lines += [_step_line(step) for step in report.steps]
    lines.append("result: ok" if report.ok else f"result: failed at {report.failed.name}")
    if report.last_error:
        lines.append(f"last error: {report.last_error}")
    lines.append(f"request id: {report.request_id or '-'}")
    return redact("\n".join(lines))  # token-shaped strings in a provider's body, too

def versions() -> dict[str, str]:
    """Python, Streamlit (when installed), the OpenAI SDK and this app, for a bug report."""
    out = {"python": platform.python_version()}
    for dist in ("streamlit", "openai"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    try:
        pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
        out["app"] = pyproject["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        out["app"] = "?"
    return out

def _step_line(step: Step) -> str:
    d = step.diagnosis
    cause = f" {d.kind}" + (f" (HTTP {d.status})" if d.status else "") if d else ""
    extra = " ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in step.params.items())
    return f"  {step.name:<9} {step.status:<4} {step.seconds:6.2f} s{cause} {extra}".rstrip()
