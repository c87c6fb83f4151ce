"""Frozen blocks plus a live tail keep streaming updates small."""

from core.livetext import LiveText


def feed(live, text, piece=7):
    blocks = []
    for i in range(0, len(text), piece):
        live.append(text[i:i + piece])
        blocks += live.take_frozen()
    return blocks


def test_long_text_is_split_into_blocks_and_a_short_tail():
    paragraph = "word " * 80 + "\n\n"
    live = LiveText(block_chars=500)
    blocks = feed(live, paragraph * 40)
    assert blocks
    assert len(live.tail) < 2 * 500
    assert "".join(blocks) + live.tail == paragraph * 40


def test_code_fence_is_never_split():
    code = "```python\n" + "\n\n".join(f"x{i} = {i}" for i in range(300)) + "\n```\n\nafter\n\n"
    live = LiveText(block_chars=200)
    blocks = feed(live, "intro\n\n" + code + "more text " * 50)
    for block in blocks:
        assert block.count("```") % 2 == 0


def test_display_math_is_never_split():
    text = "a\n\n$$\n" + "x+" * 200 + "1\n\n$$\n\n" + "b " * 300
    blocks = feed(LiveText(block_chars=100), text)
    assert all(b.count("$$") % 2 == 0 for b in blocks)


def test_tail_holds_back_an_open_math_delimiter():
    live = LiveText()
    live.append("Let \\( x")
    assert live.tail_markdown() == "Let "
    live.append(" \\) be")
    assert live.tail_markdown() == "Let $x$ be"


def test_final_tail_shows_everything():
    live = LiveText()
    live.append("unclosed \\( x")
    assert live.tail_markdown(final=True).startswith("unclosed")
