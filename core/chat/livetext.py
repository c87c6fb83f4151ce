"""A growing Markdown text kept as frozen blocks plus a short live tail.

Re-rendering a whole long reply on every update costs quadratic time in the browser;
only the tail is ever re-sent, so streaming stays close to linear.
"""

from __future__ import annotations

import re

from core.chat.mathtext import stable_length, to_streamlit
from core.untrusted import CODE

BLOCK_CHARS = 1500
FORCE_FACTOR = 4  # past this many blocks' worth of tail, cut even where it is not pretty
FENCE_LINE = re.compile(r"(?m)^[ \t]*(`{3,}|~{3,})[^\n]*$")


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
            head = self._split()
            if head is None:
                break
            blocks.append(to_streamlit(head))
        return blocks

    def tail_markdown(self, final: bool = False) -> str:
        """The tail ready to render; while streaming, an unclosed math opener is held back."""
        text = self.tail if final else self.tail[:stable_length(self.tail)]
        return to_streamlit(text)

    def _split(self) -> str | None:
        text, minimum = self.tail, self.block_chars
        cut = _clean_cut(text, minimum)
        if cut:
            self.tail = text[cut:]
            return text[:cut]
        if len(text) < FORCE_FACTOR * minimum:
            return None
        # Forced: keep the tail short even inside a long code block or after a stray "$$".
        cut = text.rfind("\n") + 1
        if cut <= minimum:
            return None  # one enormous line; nothing sensible to cut
        head, rest = text[:cut], text[cut:]
        opening = _open_fence(head)
        if opening:  # close the fence in the frozen block, reopen it in the tail
            marker = opening.strip()[:3]
            head, rest = head + marker + "\n", opening + "\n" + rest
        self.tail = rest
        return head


def _clean_cut(text: str, minimum: int) -> int:
    """The last paragraph break past ``minimum`` outside code and display math, or 0."""
    cut = text.rfind("\n\n")
    for _ in range(3):  # a few candidates only, so a stubborn tail stays cheap
        if cut < minimum:
            return 0
        head = text[: cut + 2]
        if not _open_fence(head) and CODE.sub("", head).count("$$") % 2 == 0:
            return cut + 2
        cut = text.rfind("\n\n", 0, cut)
    return 0


def _open_fence(text: str) -> str | None:
    """The opening line of a code fence still open at the end of ``text``, if any."""
    opening = None
    for match in FENCE_LINE.finditer(text):
        if opening is None:
            opening = match.group()
        elif match.group(1)[0] == opening.strip()[0]:
            opening = None
    return opening
