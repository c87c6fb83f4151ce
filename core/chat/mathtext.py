"""Make model Markdown render in Streamlit: LaTeX delimiters, stray dollars, held-back tails, inert links."""

from __future__ import annotations

import re

from core.untrusted import CODE, inert_links, map_prose

MATH = re.compile(
    r"\\\$"                                   # an escaped dollar stays as it is
    r"|\$\$(?P<dd>.+?)\$\$"                   # $$…$$
    r"|\\\[(?P<bd>.+?)\\\]"                   # \[…\]
    r"|\\\((?P<bi>.+?)\\\)"                   # \(…\)
    # $…$ by Pandoc's rule: no space inside the delimiters, no digit right after the close,
    # which keeps "$5 and $10" as text.
    r"|\$(?=[^\s$])(?P<di>(?:[^$\\\n]|\\.)+?)(?<=[^\s\\])\$(?!\d)"
    r"|\$", re.S)
PAIRS = (("\\(", "\\)"), ("\\[", "\\]"))


def to_streamlit(markdown: str) -> str:
    """Convert ``\\( \\)`` and ``\\[ \\]`` to Streamlit math, escape dollars that are not math, and
    show links that could run script (``javascript:``, ``data:`` …) as text."""
    return map_prose(inert_links(markdown), _prose)


def _prose(text: str) -> str:
    return MATH.sub(_replace, text) if ("$" in text or "\\" in text) else text


def _replace(m: re.Match) -> str:
    if m.group("dd") is not None:  # display math when it has its line to itself, as \[…\]
        return f"\n$$\n{m.group('dd').strip()}\n$$\n" if _own_line(m) else m.group()
    if m.group("bd") is not None:
        return f"\n$$\n{m.group('bd').strip()}\n$$\n"
    if m.group("bi") is not None:
        return f"${m.group('bi').strip()}$"
    if m.group("di") is not None:
        return m.group()
    return "\\$" if m.group() == "$" else m.group()


def _own_line(m: re.Match) -> bool:
    # Streamlit shows "$$x$$" on one line as inline math; models mean it as a display formula.
    before = m.string[m.string.rfind("\n", 0, m.start()) + 1:m.start()]
    after_end = m.string.find("\n", m.end())
    after = m.string[m.end():] if after_end < 0 else m.string[m.end():after_end]
    return not before.strip() and not after.strip()


def stable_length(markdown: str) -> int:
    """How much of a streaming text can be shown now: an unclosed math opener waits.

    Only the last paragraph is considered: an opener left unmatched before a blank line is
    literal text, and must not hold back (and slow down) everything after it.
    """
    masked = CODE.sub(lambda m: " " * len(m.group()), markdown)
    para = masked.rfind("\n\n") + 1
    cut = len(markdown)
    for opener, closer in PAIRS:
        last_open = masked.rfind(opener, para)
        if last_open >= 0 and last_open > masked.rfind(closer, para):
            cut = min(cut, last_open)
    if masked.count("$$", para) % 2:
        cut = min(cut, masked.rfind("$$"))
    if masked[:cut].endswith("\\"):
        cut -= 1  # maybe the first half of "\(" or "\["
    return cut
