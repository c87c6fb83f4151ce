"""Server-sent events, read line by line: comments skipped, multi-line data joined."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def events(lines: Iterable[str]) -> Iterator[tuple[str | None, str]]:
    """Yield ``(event name, data)`` for each event in an SSE body."""
    name: str | None = None
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = None, []
        elif line.startswith(":"):
            continue  # keep-alive comments such as ": keep-alive" or ": OPENROUTER PROCESSING"
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "event":
                name = value
    if data:  # a body that ends without the closing blank line
        yield name, "\n".join(data)
