"""Render the settings table for the README and `.env.example`, so docs never drift from code.

Run ``python -m core.setup.docs`` to rewrite both from ``core.setup.settings.SETTINGS``.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.setup.settings import SETTINGS, Setting

BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"
ROOT = Path(__file__).resolve().parents[2]


def type_text(setting: Setting) -> str:
    """The setting's declared type and range in words, as the table's Type column shows it."""
    kind = setting.kind
    if kind in ("int", "float"):
        return f"{'integer' if kind == 'int' else 'number'}, {setting.minimum:g}–{setting.maximum:g}"
    if kind == "choice":
        return "one of " + ", ".join(f"`{c}`" for c in setting.choices)
    return {"url": "http(s) URL", "path": "folder path",
            "database": "sqlite:/// or postgresql:// URL"}.get(kind, kind)  # "text", "secret"


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| Variable | Default | Type | What it is |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default else "—"
        rows.append(f"| `{s.env}` | {default} | {type_text(s)} | {s.help} |")
    return "\n".join(rows)


def env_example() -> str:
    """The text of `.env.example`: every setting, commented, with its help and type."""
    lines = ["# Copy to .env.local (git-ignored) and fill in what your route needs.",
             "# Inside a Coze sandbox nothing is needed: the platform injects the COZE_* variables.", ""]
    for s in SETTINGS:
        lines.append("# " + re.sub(r"`", "", s.help) + f" [{re.sub(r'`', '', type_text(s))}]")
        lines.append(f"# {s.env}={s.default or ''}")
        lines.append("")
    return "\n".join(lines)


def replace_table(readme: str) -> str:
    """``readme`` with the text between the settings markers regenerated."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{BEGIN}\n{markdown_table()}\n{END}", readme)


if __name__ == "__main__":
    for name in ("README.md", "README.zh-CN.md"):
        path = ROOT / name
        path.write_text(replace_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    (ROOT / ".env.example").write_text(env_example(), encoding="utf-8")
