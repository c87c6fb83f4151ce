"""Text from the model or a user made inert: one-line titles without hidden characters, Markdown
links that can only lead to the web or a mail, and raw HTML shown as text. Only the standard
library, so the chat and the conversations can both use it.

Code is found by regular expressions, not a full Markdown parser. ``CODE`` is lenient: it is what
``core.chat.mathtext`` leaves LaTeX alone in, and a fence indented any amount counts (as it can in a
nested list). Making text inert uses ``STRICT_CODE``: wherever it could go either way it errs towards
prose (a fence indented four spaces or more, raw HTML and autolinks hold no code, an inline code span
ends with its line, a longer fence closes a shorter one): defusing what Markdown shows as code only
looks odd, while the opposite mistake would leave a live link or tag.
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
FENCE = (r"(?ms:^{indent}(?P<fence>`{{3,}}(?![^\n]*`)|~{{3,}})[^\n]*\n.*?"
         r"(?:^[ \t]*(?P=fence)(?:(?<=`)`|(?<=~)~)*[ \t]*$|\Z{end}))")
SPAN = r"(?<![\\`])(?P<ticks>`+)(?!`)[^\n]*?(?<!`)(?P=ticks)(?!`)"
CODE = re.compile(r"(?=[ \t`~])(?:"  # only where a match can start: as fast as without the checks below
                  + FENCE.format(indent=r"[ \t]*", end="") + "|" + SPAN + ")")
# Raw HTML and autolinks as CommonMark has them: a backtick inside one opens no code span. Spaces in
# a tag may hold one line break, never a blank line (that ends the paragraph).
_WS = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"
_QUOTED = r"\"(?:[^\"\n]|\n(?![ \t]*\n))*\"|'(?:[^'\n]|\n(?![ \t]*\n))*'"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HTML = (r"(?<!\\)(?P<html><(?:"
        rf"[A-Za-z][A-Za-z0-9-]*(?:{_WS}[A-Za-z_:][A-Za-z0-9_.:-]*"
        rf"(?:{_WS}?={_WS}?(?:[^\s\"'=<>`]+|{_QUOTED}))?)*{_WS}?/?>"  # an opening tag
        rf"|/[A-Za-z][A-Za-z0-9-]*{_WS}?>"  # a closing tag
        # comment, <? ?>, <!X>, CDATA, each looked for within 500 characters (a longer one reads as
        # prose, the safe side), so thousands of unclosed "<!--" cost linear time, not each a scan to the end
        r"|(?s:!--(?:-?>|.{0,500}?-->)|\?.{0,500}?\?>|![A-Za-z][^>]{0,500}>|!\[CDATA\[.{0,500}?\]\]>)"
        r"|[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\x00-\x20<>]*>"  # an autolink
        rf"|[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~\-]+@{_LABEL}(?:\.{_LABEL})*>))")  # a mail autolink
# For making text inert: no fence indented four spaces or more (Markdown's indented code, whose
# line is code while the next ones may be prose); one indented 1-3 spaces may sit in a list item and
# end with it, so it ends at a non-blank line indented less; raw HTML and autolinks come first.
STRICT_CODE = re.compile(
    r"(?=[ `~<])(?:" + HTML + "|"
    + FENCE.format(indent="(?P<indent> {0,3})", end=r"|^(?!(?P=indent))(?=[^\n]*\S)") + "|" + SPAN + ")")
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


def map_prose(markdown: str, change: Callable[[str], str], code: re.Pattern = CODE) -> str:
    """``markdown`` with ``change`` applied to the text between what ``code`` finds to be code."""
    if "`" not in markdown and "~~~" not in markdown:
        return change(markdown)  # most reasoning: no code, and no need to look for it
    out, pos = [], 0
    for start, end in code_spans(markdown, code):
        out.append(change(markdown[pos:start]))
        out.append(markdown[start:end])
        pos = end
    out.append(change(markdown[pos:]))
    return "".join(out)


def code_spans(markdown: str, code: re.Pattern = CODE) -> list[tuple[int, int]]:
    """Where ``code`` finds code in ``markdown``, as (start, end) pairs; raw HTML it finds is prose."""
    if "html" not in code.groupindex:
        return [m.span() for m in code.finditer(markdown)]
    return [m.span() for m in code.finditer(markdown) if m.start("html") < 0]


def inert_links(markdown: str) -> str:
    """``markdown`` whose links, images, autolinks and link definitions can only lead to http(s) or
    mailto: any other scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:``, however
    disguised) is shown as text, the URL as inline code. Code is left as it is."""
    if "](" not in markdown and "]:" not in markdown and not AUTOLINK.search(markdown):
        return markdown  # most frames of a reply: nothing that could be a link
    return LINK.sub(functools.partial(_defuse, _Text(markdown)), markdown)


def escape_html(markdown: str) -> str:
    """``markdown`` with every ``<`` outside code written as ``&lt;``, so raw HTML reads as text."""
    return map_prose(markdown, lambda prose: prose.replace("<", "&lt;"), STRICT_CODE)


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
        return "]&#40;" if leads_elsewhere(m["bare"]) and not text.in_code(m.start(), m.end("bare")) else "]("
    url = next(u for u in (m["dest"], m["ref"], m["auto"]) if u is not None)
    if not leads_elsewhere(url) or text.in_code(m.start(), m.end()):
        return m.group()
    if m["auto"] is not None:  # a space keeps our backticks from joining a run or being escaped
        before = " " if text.markdown[m.start() - 1:m.start()] in ("`", "\\") else ""
        after = " " if text.markdown[m.end():m.end() + 1] == "`" else ""
        return f"{before}{text.quoted(url)}{after}"
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
        spans = code_spans(self.markdown, STRICT_CODE)
        return [start for start, _ in spans], [end for _, end in spans]

    @functools.cached_property
    def _fence(self) -> str:
        # Longer than any backtick run in the text: no stray backtick elsewhere can pair with ours.
        return "`" * (max(map(len, BACKTICKS.findall(self.markdown)), default=0) + 1)

    def in_code(self, start: int, end: int) -> bool:
        """Whether ``start`` to ``end`` lies wholly inside one code span or fenced block."""
        # A link that only starts in code (its URL holds the backtick that ends the span) is live:
        # Markdown reads "[y](data:`)" as a link before it looks for code in it.
        starts, ends = self._code
        i = bisect.bisect_right(starts, start) - 1
        return i >= 0 and end <= ends[i]

    def quoted(self, url: str) -> str:
        """``url`` on one line as inline code, cut to ``SHOWN_URL`` characters."""
        shown = clean_line(url[1:-1] if url.startswith("<") and url.endswith(">") else url)
        if len(shown) > SHOWN_URL:
            shown = shown[:SHOWN_URL - 1] + "…"
        pad = " " if shown.startswith("`") or shown.endswith("`") else ""
        return f"{self._fence}{pad}{shown}{pad}{self._fence}"
