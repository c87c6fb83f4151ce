"""Frozen blocks plus a live tail keep streaming updates small."""

from core.chat.livetext import LiveText


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


def test_stray_double_dollar_does_not_freeze_the_display():
    live = LiveText(block_chars=300)
    text = "It costs $$ here.\n\n" + ("more words " * 30 + "\n\n") * 40
    blocks = feed(live, text)
    assert len(live.tail) < 4 * 300 + 400
    assert ("".join(blocks) + live.tail_markdown()).count("more words") == 30 * 40


def test_long_code_block_is_split_with_its_fence_closed_and_reopened():
    code = "```python\n" + "".join(f"value_{i} = {i}\n" for i in range(800)) + "```\n"
    live = LiveText(block_chars=300)
    blocks = feed(live, code)
    assert blocks and len(live.tail) < 4 * 300 + 100
    for block in blocks:
        assert block.startswith("```python\n") and block.rstrip().endswith("```")
    assert live.tail.startswith("```python\n")


def test_tail_stays_bounded_so_updates_stay_cheap():
    live = LiveText(block_chars=500)
    feed(live, ("word " * 200 + "\n") * 200)  # single line breaks only
    assert len(live.tail) < 4 * 500 + 1100
