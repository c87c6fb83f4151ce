"""Text from the model or a user made inert: one-line titles without hidden characters, Markdown
links that can only lead to the web or a mail, and raw HTML shown as text. Only the standard
library, so the chat and the conversations can both use it.

Code is found by ``CODE``, which ``core.chat.mathtext`` also uses to leave LaTeX in code alone: a
heuristic, not a full Markdown parser. Where it could go either way it errs towards prose (an
inline code span ends with its line, a longer fence closes a shorter one): defusing what Markdown
shows as code only looks odd, while the opposite mistake would leave a live link or tag.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable
from urllib.parse import unquote

# Fenced blocks (closed, or open to the end while streaming) and inline code spans, as Markdown
# has them: a backtick fence's info string holds no backtick; a fence closes at a line of the same
# character at least as long; a span opens at a whole backtick run, not an escaped one. A span is
# looked for within one line only: one across lines may end at a block Markdown starts in between.
CODE = re.compile(r"(?=[ \t`~])(?:"  # only where a match can start: as fast as without the checks below
                  r"(?ms:^[ \t]*(?P<fence>`{3,}(?![^\n]*`)|~{3,})[^\n]*\n.*?"
                  r"(?:^[ \t]*(?P=fence)(?:(?<=`)`|(?<=~)~)*[ \t]*$|\Z))"
                  r"|(?<![\\`])(`+)(?!`)[^\n]*?(?<!`)\2(?!`))")
BACKTICKS = re.compile(r"`+")

# Controls and DEL (tab, line breaks and NEL are whitespace: they become a space), bidirectional
# marks, embeddings, overrides and isolates, zero-width and other invisible format characters.
HIDDEN_CHARS = ("\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
                "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
                "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f")
HIDDEN = re.compile(f"[{HIDDEN_CHARS}]+")
SPACE_OR_HIDDEN = re.compile(f"[\\s{HIDDEN_CHARS}]+")
# Terminal colour and title sequences ("\x1b[31m"): their printable tail would read as text.
ANSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})  # and links without a scheme: #anchors, paths
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
# Up to the first character no scheme can hold, however spelt (entities and escapes have none).
HEAD = re.compile(r"[^()\[\]/?\"']{0,512}")
SHOWN_URL = 80  # a defused URL is shown cut to this many characters (a data: URL can be huge)
AUTOLINK = re.compile(r"<[A-Za-z]")  # where an autolink could start
LINK = re.compile(
    r"(?=[!\[<\]])(?:"  # tried only where a branch can start: much faster on long prose
    # [text](destination "title"), ![alt](…) and [label]: destination; brackets nest one deep, and
    # a text holding a link or a "<" is left to the last branch (as Markdown, links do not nest).
    r"(?<!\\)(?P<image>!?)\[(?P<text>(?:[^\[\]\\<]|\\.|\[(?:[^\[\]\\<]|\\.){0,300}\](?!\()){0,300})\]"
    r"(?:\(\s*(?P<dest><[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)"
    r"(?:\s+(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?\s*\)"
    r"|:[\s>]*(?P<ref>[^\s>]\S*))"  # the URL may be on the next line, in a quote too
    r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>"  # an autolink
    # Any other "](": a link the branches above could not take apart; only its URL's start is read.
    r"|\]\((?=(?P<bare>\s*(?:<[^<>\n]{0,512}|\S{0,512}))))")


def clean_line(text: str) -> str:
    """One line of untrusted text for a title or a file name: hidden characters gone, spaces single."""
    return " ".join(HIDDEN.sub("", ANSI.sub("", text)).split())


def map_prose(markdown: str, change: Callable[[str], str]) -> str:
    """``markdown`` with ``change`` applied to the text between code spans and fenced blocks."""
    if "`" not in markdown and "~~~" not in markdown:
        return change(markdown)  # most reasoning: no code, and no need to look for it
    out, pos = [], 0
    for code in CODE.finditer(markdown):
        out.append(change(markdown[pos:code.start()]))
        out.append(code.group())
        pos = code.end()
    out.append(change(markdown[pos:]))
    return "".join(out)


def inert_links(markdown: str) -> str:
    """``markdown`` whose links, images, autolinks and link definitions can only lead to http(s) or
    mailto: any other scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:``, however
    disguised) is shown as text, the URL as inline code. Code is left as it is."""
    if "](" not in markdown and "]:" not in markdown and not AUTOLINK.search(markdown):
        return markdown  # most frames of a reply: nothing that could be a link
    return LINK.sub(functools.partial(_defuse, _Text(markdown)), markdown)


def escape_html(markdown: str) -> str:
    """``markdown`` with every ``<`` outside code written as ``&lt;``, so raw HTML reads as text."""
    return map_prose(markdown, lambda prose: prose.replace("<", "&lt;"))


def leads_elsewhere(destination: str) -> bool:
    """Whether a link to ``destination`` would open anything but a web page, a mail or a relative place."""
    head = HEAD.match(destination).group()  # a data: URL can be huge; its scheme is at the start
    if ":" not in head and "&" not in head and "%" not in head:
        return False  # no scheme, however spelt
    url = SPACE_OR_HIDDEN.sub("", head)  # browsers drop such characters anywhere in a URL
    for _ in range(3):  # Markdown decodes entities (java&#115;cript:); decode percent-escapes too
        decoded = SPACE_OR_HIDDEN.sub("", html.unescape(unquote(url)))
        if decoded == url:
            break
        url = decoded
    scheme = SCHEME.match(url.replace("\\", "").lstrip("<").lower())
    return scheme is not None and scheme.group(1) not in SAFE_SCHEMES


def _defuse(text: _Text, m: re.Match) -> str:
    # A character reference is text, never syntax, and unlike "\\(" or "\\[" no LaTeX delimiter.
    if m["bare"] is not None:  # "[text]&#40;url)" shows the Markdown as it was, as plain text
        return "]&#40;" if leads_elsewhere(m["bare"]) and not text.in_code(m.start()) else "]("
    url = next(u for u in (m["dest"], m["ref"], m["auto"]) if u is not None)
    if not leads_elsewhere(url) or text.in_code(m.start()):
        return m.group()
    if m["auto"] is not None:
        return text.quoted(url)
    if m["ref"] is not None:  # "&#91;label]:" defines nothing
        return f"{m['image']}&#91;{m['text']}]: {text.quoted(url)}"
    shown = m["text"].strip()
    return f"{shown} ({text.quoted(url)})" if shown else f"({text.quoted(url)})"


class _Text:
    """One text being made inert: where its code is and how to quote in it, worked out on first need."""

    def __init__(self, markdown: str) -> None:
        self.markdown = markdown

    @functools.cached_property
    def _code(self) -> tuple[list[int], list[int]]:
        spans = [m.span() for m in CODE.finditer(self.markdown)]
        return [start for start, _ in spans], [end for _, end in spans]

    @functools.cached_property
    def _fence(self) -> str:
        # Longer than any backtick run in the text: no stray backtick elsewhere can pair with ours.
        return "`" * (max(map(len, BACKTICKS.findall(self.markdown)), default=0) + 1)

    def in_code(self, pos: int) -> bool:
        """Whether ``pos`` is inside a code span or a fenced block."""
        starts, ends = self._code
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < ends[i]

    def quoted(self, url: str) -> str:
        """``url`` on one line as inline code, cut to ``SHOWN_URL`` characters."""
        shown = clean_line(url[1:-1] if url.startswith("<") and url.endswith(">") else url)
        if len(shown) > SHOWN_URL:
            shown = shown[:SHOWN_URL - 1] + "…"
        pad = " " if shown.startswith("`") or shown.endswith("`") else ""
        return f"{self._fence}{pad}{shown}{pad}{self._fence}"
