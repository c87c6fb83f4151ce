"""Untrusted text stays inert: clean one-line titles, links that cannot run script, HTML as text."""

import re

import markdown_it
import pytest

from core.chat.mathtext import to_streamlit
from core.untrusted import (
    CODE,
    STRICT_CODE,
    clean_line,
    code_spans,
    escape_html,
    inert_links,
    leads_elsewhere,
    map_prose,
)

# --- clean_line: titles and file names --------------------------------------------------------


@pytest.mark.parametrize(("text", "clean"), [
    ("\u202Eexe.txt", "exe.txt"),                                  # right-to-left override
    ("invoice\u202Efdp.exe", "invoicefdp.exe"),
    ("\u2066a\u2067b\u2068c\u2069", "abc"),                         # isolates
    ("a\u200Eb\u200Fc\u061Cd", "abcd"),                             # marks
    ("\u202Aa\u202Bb\u202Cc\u202Dd", "abcd"),                       # embeddings, pop, override
    ("zero\u200Bwidth\u200C\u200Djoin\uFEFF", "zerowidthjoin"),
    ("\x1b[31mred\x1b[0m alert", "red alert"),                      # a terminal colour sequence
    ("\x1b]0;window title\x07shown", "shown"),                      # a terminal title sequence
    ("bell\x07 nul\x00 del\x7f c1\x9b0m\x85next", "bell nul del c1 next"),
    ("line\u2028break\u2029para", "line break para"),
    ("tabs\tand\r\nnewlines", "tabs and newlines"),
    ("  many     spaces\u3000ideographic  ", "many spaces ideographic"),
    ("soft\u00adhyphen tag\U000E0041s", "softhyphen tags"),
    ("\u202E\u200B \x1b[0m", ""),
    ("普通的标题 ✓ 👍🏽", "普通的标题 ✓ 👍🏽"),                          # ordinary text is kept as it is
])
def test_clean_line(text, clean):
    assert clean_line(text) == clean


# --- inert_links: what must not be clickable -------------------------------------------------


@pytest.mark.parametrize(("markdown", "shown"), [
    ("[click](javascript:alert(1))", "click (`javascript:alert(1)`)"),
    ("[click](JaVaScRiPt:alert(1))", "click (`JaVaScRiPt:alert(1)`)"),
    ("[click](\tjavascript:alert(1))", "click (`javascript:alert(1)`)"),
    ("[click]( \x01\x02javascript:alert(1))", "click (`javascript:alert(1)`)"),
    ("[click](java&#115;cript:alert(1))", "click (`java&#115;cript:alert(1)`)"),
    ("[click](&#x6A;avascript:alert(1))", "click (`&#x6A;avascript:alert(1)`)"),
    ("[click](javascript&colon;alert(1))", "click (`javascript&colon;alert(1)`)"),
    ("[click](java%73cript:alert(1))", "click (`java%73cript:alert(1)`)"),
    ("[click](%25%37%33javascript:x)", "click (`%25%37%33javascript:x`)"),
    ("[click](<javascript:alert(1)>)", "click (`javascript:alert(1)`)"),
    ("[click](javascript:alert(1) \"title\")", "click (`javascript:alert(1)`)"),
    ("[click](vbscript:msgbox(1))", "click (`vbscript:msgbox(1)`)"),
    ("[passwords](file:///etc/passwd)", "passwords (`file:///etc/passwd`)"),
    ("![img](data:text/html;base64,PHNjcmlwdD4=)", "img (`data:text/html;base64,PHNjcmlwdD4=`)"),
    ("![](data:image/png;base64,AAAA)", "(`data:image/png;base64,AAAA`)"),
    ("<javascript:alert(1)>", "`javascript:alert(1)`"),
    ("<DATA:text/html,x>", "`DATA:text/html,x`"),
    ("[id]: javascript:alert(1)\n\n[click][id]", "&#91;id]: `javascript:alert(1)`\n\n[click][id]"),
    ("> [id]:\n> data:text/html,x", "> &#91;id]: `data:text/html,x`"),
    ("[x](javascript:alert(`1`))", "x (``javascript:alert(`1`)``)"),     # a backtick in the URL
    ("[[b](data:x)](javascript:y)", "[b (`data:x`)]&#40;javascript:y)"),  # nested: both defused
    ("[![a](data:x)](https://ok.example)", "[a (`data:x`)](https://ok.example)"),
])
def test_links_that_could_run_script_are_shown_as_text(markdown, shown):
    assert inert_links(markdown) == shown


@pytest.mark.parametrize("markdown", [
    "[click](javascript:alert((1)))",            # parentheses nested deeper than the pattern reads
    "[a < b](javascript:alert(1))",              # a "<" in the text
    "[a [b] [c [d]]](javascript:alert(1))",      # brackets nested deeper
    "[a < b](<  data:text/html,x>)",
])
def test_a_link_too_odd_to_take_apart_loses_its_parenthesis(markdown):
    shown = inert_links(markdown)
    assert "]&#40;" in shown and "](" not in shown  # the character reference is text, never syntax


def test_a_long_data_url_is_shown_cut():
    shown = inert_links(f"![x](data:image/png;base64,{'A' * 50_000})")
    assert shown.startswith("x (`data:image/png;base64,AAA") and shown.endswith("…`)")
    assert len(shown) < 100


def test_our_backticks_pair_with_nothing_else_in_the_text():
    # A stray backtick before the link must not pair with the quote around the URL.
    assert inert_links("a ` b [c](data:x)") == "a ` b c (``data:x``)"


@pytest.mark.parametrize("markdown", [
    "[ok](https://example.com) and [mail](mailto:a@example.com)",
    "[top](#intro), [page](/docs/a:b), [rel](a/b:c), [empty]()",
    "<https://example.com> and <me@example.com>",
    "[ref]: https://example.com \"Title\"\n\nSee [ref].",
    "![chart](https://example.com/c.png)",
    "[![badge](https://img.example/b.svg)](https://example.com)",
    "x < y and y > z, a[i](j) stays",
    "a [bracket] and a: colon, [label]: not a scheme",
])
def test_web_mail_and_relative_links_stay_as_they_are(markdown):
    assert inert_links(markdown) == markdown


@pytest.mark.parametrize("markdown", [
    "`[c](javascript:alert(1))`",
    "``<javascript:x>``",
    "```md\n[c](javascript:alert(1))\n![i](data:x)\n[id]: file:///etc\n```",
    "~~~\n<vbscript:x>\n~~~",
    "````\n```\n[c](javascript:x)\n````",
    "```\n[c](javascript:x)",                    # a fence still open while streaming
])
def test_code_is_never_touched(markdown):
    assert inert_links(markdown) == markdown


@pytest.mark.parametrize(("markdown", "shown"), [
    # Markdown ends these code spans and fences where CODE must too, or a live link would hide there.
    ("`a\n\n[c](data:x)\n\nb`", "`a\n\nc (``data:x``)\n\nb`"),          # a span ends at a blank line
    ("```\nx\n````\n[c](data:x)\n", "```\nx\n````\nc (`````data:x`````)\n"),  # a longer fence closes
    ("\\`[c](data:x)\\`", "\\`c (``data:x``)\\`"),                   # an escaped backtick opens nothing
    ("```[c](data:x) `", "```c (````data:x````) `"),               # a run of three is no run of one
    ("``` x`y\n[c](data:x)\n```", "``` x`y\nc (````data:x````)\n```"),  # "```" + backtick: no fence
])
def test_what_only_looks_like_code_is_prose(markdown, shown):
    assert inert_links(markdown) == shown


def test_a_code_span_across_lines_counts_as_prose():
    # It may end where Markdown starts a new block (a fence, a quote) between its backticks: taking
    # it for prose only shows an odd link in code, taking prose for code would leave a live link.
    assert inert_links("`a\n[c](data:x)`") == "`a\nc (``data:x``)`"


def test_latex_is_left_for_the_math_pass():
    markdown = r"Euler: \( e^{i\pi}+1=0 \), $x^2$ and \[ \sum_{k} a_k \] with [ok](https://a.example)"
    assert inert_links(markdown) == markdown


@pytest.mark.parametrize(("url", "elsewhere"), [
    ("javascript:alert(1)", True), ("  JAVASCRIPT:x", True), ("java\nscript:x", True),
    ("j&#97;vascript:x", True), ("&#106&#97vascript:x", True), ("%6A%61vascript:x", True),
    ("java\\script:x", True), ("\u200bjavascript:x", True), ("data:,x", True), ("tel:123", True),
    ("https://a.example", False), ("HTTP://a.example", False), ("mailto:a@b.example", False),
    ("#top", False), ("/path:with/colon", False), ("", False), ("relative/page", False),
])
def test_leads_elsewhere(url, elsewhere):
    assert leads_elsewhere(url) is elsewhere


# Linear time on adversarial input (thousands of brackets, tags, fences) is measured by
# bench/untrusted_text.py, not timed here.


# --- escape_html: the Markdown export --------------------------------------------------------


@pytest.mark.parametrize(("markdown", "escaped"), [
    ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)">'),
    ('<a href="javascript:x">y</a>', '&lt;a href="javascript:x">y&lt;/a>'),
    ("<iframe src=//evil></iframe><!-- hide", "&lt;iframe src=//evil>&lt;/iframe>&lt;!-- hide"),
    ("x < y > z", "x &lt; y > z"),
    ("plain text & more", "plain text & more"),
])
def test_raw_html_becomes_text(markdown, escaped):
    assert escape_html(markdown) == escaped


def test_html_in_code_is_left_exactly_as_it_is():
    markdown = "Use `<b>` here:\n\n```html\n<script>alert(1)</script>\n```\n\nnot <i>here</i>"
    assert escape_html(markdown) == ("Use `<b>` here:\n\n```html\n<script>alert(1)</script>\n```\n\n"
                                     "not &lt;i>here&lt;/i>")


# --- CODE and map_prose: the one splitter --------------------------------------------------


def test_map_prose_changes_only_the_text_between_code():
    markdown = "a `b` c\n```\nd\n```\ne"
    assert map_prose(markdown, str.upper) == "A `b` C\n```\nd\n```\nE"


def test_code_finds_spans_and_fences_as_before():
    markdown = "`a` and ``b ` c`` then\n~~~\nd\n~~~\n"
    assert [m.group() for m in CODE.finditer(markdown)] == ["`a`", "``b ` c``", "~~~\nd\n~~~"]
    assert re.fullmatch(CODE, "```py\nopen to the end")  # while streaming


# --- what only the lenient finder takes for code -------------------------------------------


def _live_urls(markdown: str) -> list[str]:
    """The href and src of every link and image a CommonMark parser renders from ``markdown``."""
    parser = markdown_it.MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # its own filter would hide what ours let through
    urls, tokens = [], parser.parse(markdown)
    while tokens:
        token = tokens.pop()
        urls += [url for key in ("href", "src") if (url := token.attrGet(key)) is not None]
        tokens += token.children or []
    return urls


NOT_CODE = [  # each rendered a live data: link or image before: CODE took its backticks for code
    ("    ```\n[x](data:text/html,x)\n    ```", "    ```\nx (````data:text/html,x````)\n    ```"),
    ('<span title="`">[x](data:text/html,x)<span title="`">',
     '<span title="`">x (``data:text/html,x``)<span title="`">'),
    ('Answer: <b title="`"></b>![i](data:image/svg+xml;base64,PHN2Zz4=)<b title="`"></b>',
     'Answer: <b title="`"></b>i (``data:image/svg+xml;base64,PHN2Zz4=``)<b title="`"></b>'),
    ("<http://a/`>[x](data:text/html,x)<http://b/`>", "<http://a/`>x (``data:text/html,x``)<http://b/`>"),
    ("a <!-- ` -->[x](data:text/html,x)<!-- ` -->", "a <!-- ` -->x (``data:text/html,x``)<!-- ` -->"),
    ('<b title=">`">[x](data:x)<b title=">`">', '<b title=">`">x (``data:x``)<b title=">`">'),  # ">" quoted
    ("<a`b@c.example>[x](data:x)<a`b@c.example>", "<a`b@c.example>x (``data:x``)<a`b@c.example>"),
    ("[x](data:`)[y](data:`)", "x (`` data:` ``)y (`` data:` ``)"),  # a URL's backtick opens no code
    ("- a\n\n  ```\n  b\n\n[x](data:x)", "- a\n\n  ```\n  b\n\nx (````data:x````)"),  # ends with its item
    ("``a``<javascript:x>`b`", "``a`` ```javascript:x``` `b`"),  # our backticks join no run beside
]


@pytest.mark.parametrize(("markdown", "shown"), NOT_CODE)
def test_backticks_markdown_does_not_read_as_code_hide_no_link(markdown, shown):
    assert inert_links(markdown) == shown
    assert to_streamlit(markdown) == shown  # no math in these: the page shows exactly this


@pytest.mark.parametrize(("markdown", "_shown"), NOT_CODE)
def test_a_markdown_parser_finds_no_live_link_in_what_the_page_shows(markdown, _shown):
    assert any(not url.startswith("http") for url in _live_urls(markdown))  # the input was dangerous
    assert all(url.startswith(("http", "mailto:")) for url in _live_urls(to_streamlit(markdown)))


def test_an_indented_fence_holds_no_raw_html_in_the_export():
    markdown = "    ```\n<img src=x onerror=alert(1)>\n    ```"
    assert escape_html(markdown) == "    ```\n&lt;img src=x onerror=alert(1)>\n    ```"


def test_backticks_in_html_are_escaped_with_it_in_the_export():
    assert escape_html('<b title="`">x<b title="`">') == '&lt;b title="`">x&lt;b title="`">'


def test_math_in_code_in_a_nested_list_is_left_alone_as_before():
    markdown = "- a\n    - b\n\n        ```sh\n        echo $HOME \\(x\\)\n        ```\n\nthen \\(y\\)"
    assert to_streamlit(markdown) == markdown.replace("\\(y\\)", "$y$")


@pytest.mark.parametrize("markdown", [
    "[ok](https://example.com) `code` and\n\n```py\nx = '<b>'\n```\n<https://a.example/`x>",
    "  ```\n  [c](data:x)\n  ```",          # a fence indented up to three spaces is still code
    "<b>`[c](data:x)`</b> and `<i>[c](data:x)</i>`",
])
def test_web_links_and_real_code_stay_as_they_are(markdown):
    assert inert_links(markdown) == markdown
    assert all(url.startswith("http") for url in _live_urls(to_streamlit(markdown)))


def test_the_strict_finder_takes_html_for_prose_and_the_lenient_one_is_unchanged():
    markdown = "    ```\nx\n    ```\n<b title='`'>`y`"
    assert code_spans(markdown, STRICT_CODE) == [(len(markdown) - 3, len(markdown))]
    assert [m.group() for m in CODE.finditer(markdown)] == ["    ```\nx\n    ```", "`'>`"]


