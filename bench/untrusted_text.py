"""Untrusted-text benchmark: the link and HTML scans on adversarial input stay linear.

Prints, for each odd input (thousands of brackets, tags, comments or fences, as a model or a
pasted file could produce), the milliseconds ``inert_links`` and ``escape_html`` take on it. Linear
scans take milliseconds; a quadratic one would take seconds — what these figures are for.
Run: .venv/bin/python bench/untrusted_text.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.untrusted import escape_html, inert_links  # noqa: E402

ODD = {
    "]( ×3000": "](" * 3000, "[ ×5000 then ](": "[" * 5000 + "](", "<a ×3000": "<a" * 3000,
    "[\\ ×3000 then ](": "[\\" * 3000 + "](", "](j: ×2000": "](j:" * 2000, "[a]: ×3000": "[a]: " * 3000,
    "data: images ×1000": "![x](data:a) " * 1000, "( ×3000 in a link": "[" + "(" * 3000 + "](x",
    "](< ×3000": "](<" * 3000, "<!-- ×3000": "<!--" * 3000, "<a b=' ×3000": "<a b='" * 3000,
    "<a`b@ ×3000": "<a`b@" * 3000, "indented fences ×3000": "  ```\n" * 3000,
}


def millis(function, text: str) -> float:
    """The best of three runs of ``function(text)``, in milliseconds."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    """Print one row per odd input."""
    print(f"{'input':<24} {'chars':>7} {'inert_links ms':>15} {'escape_html ms':>15}")
    for name, text in ODD.items():
        print(f"{name:<24} {len(text):>7} {millis(inert_links, text + '[x](data:x)'):>15.1f}"
              f" {millis(escape_html, text):>15.1f}")


if __name__ == "__main__":
    main()
