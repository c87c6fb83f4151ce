"""A growing Markdown text kept as frozen blocks plus a short live tail.

Re-rendering a whole long reply on every update costs quadratic time in the browser;
only the tail is ever re-sent, so streaming stays close to linear.
"""

from __future__ import annotations

import re

from core.mathtext import stable_length, to_streamlit

FENCE_LINE = re.compile(r"(?m)^[ \t]*(`{3,}|~{3,})")

BLOCK_CHARS = 1500


class LiveText:
    """Accumulates deltas; hands out blocks that will never change again, and the tail."""

    def __init__(self, block_chars: int = BLOCK_CHARS) -> None:
        self.block_chars = block_chars
        self.tail = ""

    def append(self, text: str) -> None:
        """Add a delta to the live tail."""
        self.tail += text

    def take_frozen(self) -> list[str]:
        """Split finished paragraphs off the tail; return them ready to render."""
        blocks = []
        while len(self.tail) > self.block_chars:
            cut = _safe_cut(self.tail, self.block_chars)
            if cut <= 0:
                break
            blocks.append(to_streamlit(self.tail[:cut]))
            self.tail = self.tail[cut:]
        return blocks

    def tail_markdown(self, final: bool = False) -> str:
        """The tail ready to render; while streaming, an unclosed math opener is held back."""
        text = self.tail if final else self.tail[:stable_length(self.tail)]
        return to_streamlit(text)


def _safe_cut(text: str, minimum: int) -> int:
    """The last paragraph break past ``minimum`` that is outside code and math, or 0."""
    for sep in ("\n\n", "\n") if len(text) > 4 * minimum else ("\n\n",):
        cut = text.rfind(sep)
        for _ in range(3):  # a few candidates only: the tail may be one long code block
            if cut < minimum:
                break
            if _balanced(text[: cut + len(sep)]):
                return cut + len(sep)
            cut = text.rfind(sep, 0, cut)
    return 0


def _balanced(head: str) -> bool:
    """No code fence, math block or inline math is left open at the end of ``head``."""
    if len(FENCE_LINE.findall(head)) % 2:
        return False
    return stable_length(head) == len(head)
