"""Read a recorded .sse fixture into the JSON chunks its data lines carry."""

from __future__ import annotations

import json
from pathlib import Path

SSE_DIR = Path(__file__).parent / "fixtures" / "sse"


def chunks(name: str) -> list[dict]:
    """Every JSON ``data:`` payload of the fixture, comments and [DONE] skipped."""
    out = []
    for line in (SSE_DIR / f"{name}.sse").read_text(encoding="utf-8").splitlines():
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            out.append(json.loads(line[5:]))
    return out


def expected(name: str) -> dict:
    """What a correct parser must produce from the fixture."""
    return json.loads((SSE_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))


def names() -> list[str]:
    """Every recorded stream."""
    return sorted(p.stem for p in SSE_DIR.glob("*.sse"))
