"""LaTeX delimiters, stray dollars and held-back tails."""

import pytest

from core.chat.mathtext import stable_length, to_streamlit


@pytest.mark.parametrize(("source", "rendered"), [
    (r"Euler: \( e^{i\pi}+1=0 \).", r"Euler: $e^{i\pi}+1=0$."),
    (r"\[ E=mc^2 \]", "\n$$\nE=mc^2\n$$\n"),
    ("Area $\\pi r^2$ here", "Area $\\pi r^2$ here"),
    ("$$\\int_0^1 x\\,dx$$", "\n$$\n\\int_0^1 x\\,dx\n$$\n"),  # a line of its own: display math
    ("So:\n\n$$ E = mc^2 $$\n\nDone.", "So:\n\n\n$$\nE = mc^2\n$$\n\n\nDone."),
    ("the sum $$a+b$$ is inline", "the sum $$a+b$$ is inline"),  # within a sentence: as written
    ("It costs $5 and $10.", "It costs \\$5 and \\$10."),
    ("Price: $5.", "Price: \\$5."),
    ("Already escaped \\$3", "Already escaped \\$3"),
])
def test_math_is_converted_and_prices_stay_text(source, rendered):
    assert to_streamlit(source) == rendered


def test_code_is_left_alone():
    source = "```python\nprint('\\(x\\)', '$5')\n```\nand `$HOME \\(y\\)` then \\(z\\)"
    assert to_streamlit(source) == "```python\nprint('\\(x\\)', '$5')\n```\nand `$HOME \\(y\\)` then $z$"


def test_unclosed_fence_while_streaming_is_code():
    assert to_streamlit("```sh\necho $PATH") == "```sh\necho $PATH"


@pytest.mark.parametrize(("text", "shown"), [
    ("so \\( x^", "so "),
    ("so \\[ x", "so "),
    ("so $$x", "so "),
    ("so \\", "so "),
    ("so \\(x\\) done", "so \\(x\\) done"),
    ("`\\(` in code", "`\\(` in code"),
])
def test_unfinished_delimiter_is_held_back(text, shown):
    assert text[:stable_length(text)] == shown


def test_unmatched_opener_in_an_earlier_paragraph_is_literal():
    text = "a \\( b\n\nlater text"
    assert stable_length(text) == len(text)


@pytest.mark.parametrize(("source", "rendered"), [
    ("[click](javascript:alert(1)) costs $5", "click (`javascript:alert(1)`) costs \\$5"),
    ("![img](data:text/html;base64,PHNjcmlwdD4=)", "img (`data:text/html;base64,PHNjcmlwdD4=`)"),
    ("<vbscript:x> and \\(x\\)", "`vbscript:x` and $x$"),
    ("[c](javascript:f((1))) then \\( y \\)", "[c]&#40;javascript:f((1))) then $y$"),  # no "\(" made
    ("[id]: file:///etc/passwd\n\n\\[ a \\]", "&#91;id]: `file:///etc/passwd`\n\n\n$$\na\n$$\n"),
])
def test_links_that_could_run_script_render_as_text(source, rendered):
    assert to_streamlit(source) == rendered


def test_web_links_math_and_code_stay_as_they_were():
    source = ("[docs](https://example.com/a_(b)) \\( x \\) <https://example.com>\n\n"
              "```md\n[c](javascript:alert(1)) $5\n```\nand `<javascript:x>`")
    assert to_streamlit(source) == ("[docs](https://example.com/a_(b)) $x$ <https://example.com>\n\n"
                                    "```md\n[c](javascript:alert(1)) $5\n```\nand `<javascript:x>`")


def test_a_dollar_in_a_defused_url_is_not_math():
    assert to_streamlit("[c](data:$x$) and $y$") == "c (`data:$x$`) and $y$"
