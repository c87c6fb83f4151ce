"""The SSE reader."""

from core.chat.sse import events


def test_comments_are_skipped_and_events_split_on_blank_lines():
    lines = [": keep-alive", "", "data: {\"a\":1}", "", "event: done", "data: [DONE]", ""]
    assert list(events(lines)) == [(None, '{"a":1}'), ("done", "[DONE]")]


def test_multi_line_data_is_joined():
    assert list(events(["data: one", "data: two", ""])) == [(None, "one\ntwo")]


def test_unterminated_last_event_is_kept():
    assert list(events(["data:x"])) == [(None, "x")]
