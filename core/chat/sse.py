"""Server-sent events, read line by line: comments skipped, multi-line data joined."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

FIELDS = ("data:", "event:", "id:", "retry:", ":")  # what an event stream's first line starts with


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


def sniff(lines: Iterable[str]) -> tuple[bool, Iterator[str]]:
    """Whether a body is an event stream, judged by its first non-blank line (servers and proxies
    mislabel content types); and all its lines, none lost."""
    lines = iter(lines)
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        return False, iter(())
    return first.lstrip().startswith(FIELDS), itertools.chain([first], lines)
