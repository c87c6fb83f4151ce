"""A conversation's messages as a tree: a regenerated reply or an edited question is a new version
beside the one it replaces (a sibling: the same parent), and each set of siblings has one chosen
version. The branch on screen starts at the chosen first message and follows chosen versions down;
it ends where no reply is chosen (a question about to be asked again).

Pure functions over the store's outline rows; dependency-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    """One message's place in the tree: its parent (``None`` for a first message), whether it is
    the chosen version among its siblings, its position (the order messages were added in) and
    whose words it is (``user`` or ``assistant``)."""

    id: str
    parent: str | None
    chosen: bool
    position: int
    role: str = ""  # hand-made trees in tests need none


class Outline:
    """Every message of one conversation by its place in the tree."""

    def __init__(self, nodes: Iterable[Node]):
        self.nodes = sorted(nodes, key=lambda n: n.position)
        self.by_id = {n.id: n for n in self.nodes}
        self.children: dict[str | None, list[Node]] = {}
        for node in self.nodes:  # in position order, so versions are numbered in the order made
            self.children.setdefault(node.parent, []).append(node)

    def branch(self) -> list[Node]:
        """The messages on screen, first to last: the chosen version at each step."""
        path, parent = [], None
        while chosen := next((n for n in self.children.get(parent, ()) if n.chosen), None):
            path.append(chosen)
            parent = chosen.id
        return path

    def siblings(self, mid: str) -> list[Node]:
        """The versions of message ``mid`` (itself included), oldest first."""
        return self.children.get(self.by_id[mid].parent, [])

    def version(self, mid: str) -> tuple[int, int]:
        """Which version ``mid`` is (from 1) and how many there are."""
        siblings = self.siblings(mid)
        return next(i for i, n in enumerate(siblings, 1) if n.id == mid), len(siblings)

    def below(self, mid: str) -> list[str]:
        """``mid`` and every message that hangs below it, in any version."""
        found, todo = [], [mid]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(n.id for n in self.children.get(current, ()))
        return found

    def path(self, mid: str) -> list[Node]:
        """The messages from the first one down to ``mid``."""
        path, node = [], self.by_id.get(mid)
        while node is not None:
            path.append(node)
            node = self.by_id.get(node.parent) if node.parent else None
        return path[::-1]

    def leaf(self) -> str | None:
        """The last message on screen, where a new one is added; ``None`` for an empty conversation."""
        branch = self.branch()
        return branch[-1].id if branch else None
