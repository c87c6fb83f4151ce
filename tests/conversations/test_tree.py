"""core.conversations.tree: the branch on screen, versions, what hangs below, the path to a message."""

import dataclasses
import random

import pytest

from core.conversations.tree import Node, Outline


def outline(*rows):
    """An outline from (id, parent, chosen) rows, positioned in the order given."""
    return Outline(Node(mid, parent, chosen, position) for position, (mid, parent, chosen) in enumerate(rows))


def ids(nodes):
    return [n.id for n in nodes]


# q1 ─┬─ a1            q1b ── a1c      (q1b: a second version of the first question)
#     └─ a1b ── q2                      (a1b: a regenerated reply, chosen)
TREE = (("q1", None, True), ("a1", "q1", False), ("a1b", "q1", True), ("q2", "a1b", True),
        ("q1b", None, False), ("a1c", "q1b", True))


def test_the_branch_follows_the_chosen_version_at_each_step():
    tree = outline(*TREE)
    assert ids(tree.branch()) == ["q1", "a1b", "q2"]
    assert tree.leaf() == "q2"


def test_choosing_another_first_message_shows_what_was_chosen_below_it():
    rows = [(mid, parent, not chosen) if parent is None else (mid, parent, chosen) for mid, parent, chosen in TREE]
    tree = outline(*rows)
    assert ids(tree.branch()) == ["q1b", "a1c"]
    assert tree.leaf() == "a1c"


def test_versions_of_a_reply_and_of_the_first_message():
    tree = outline(*TREE)
    assert ids(tree.siblings("a1")) == ids(tree.siblings("a1b")) == ["a1", "a1b"]
    assert ids(tree.siblings("q1b")) == ids(tree.siblings("q1")) == ["q1", "q1b"]  # parent None: first messages
    assert [tree.version(m) for m in ("q1", "q1b", "a1", "a1b", "q2", "a1c")] == [
        (1, 2), (2, 2), (1, 2), (2, 2), (1, 1), (1, 1)]


def test_versions_are_numbered_in_the_order_they_were_made_whatever_order_the_rows_come_in():
    nodes = [Node("a", None, True, 0), Node("c", "a", False, 7), Node("b", "a", True, 3), Node("d", "a", False, 9)]
    shuffled = nodes[:]
    random.Random(15).shuffle(shuffled)
    tree = Outline(shuffled)
    assert ids(tree.siblings("d")) == ["b", "c", "d"]
    assert (tree.version("b"), tree.version("c"), tree.version("d")) == ((1, 3), (2, 3), (3, 3))
    assert ids(tree.branch()) == ["a", "b"]


def test_the_branch_ends_where_no_child_is_chosen():
    # Regenerate or an edit ended the branch at q1: both replies stay, one step away.
    tree = outline(("q1", None, True), ("a1", "q1", False), ("a1b", "q1", False))
    assert ids(tree.branch()) == ["q1"] and tree.leaf() == "q1"
    assert tree.version("a1b") == (2, 2)


def test_no_chosen_first_message_is_an_empty_branch():
    tree = outline(("q1", None, False), ("a1", "q1", True))
    assert tree.branch() == [] and tree.leaf() is None


def test_an_empty_conversation():
    tree = Outline([])
    assert tree.branch() == [] and tree.leaf() is None and tree.path("x") == []
    assert tree.nodes == [] and tree.by_id == {}


def test_below_is_the_message_and_everything_under_it_in_any_version():
    tree = outline(*TREE)
    below = tree.below("q1")
    assert below[0] == "q1" and sorted(below) == ["a1", "a1b", "q1", "q2"]
    assert sorted(tree.below("a1b")) == ["a1b", "q2"]
    assert tree.below("a1") == ["a1"] and tree.below("q2") == ["q2"]
    assert sorted(tree.below("q1b")) == ["a1c", "q1b"]  # its sibling q1's subtree is not below it


def test_the_path_runs_from_the_first_message_down_to_any_message_chosen_or_not():
    tree = outline(*TREE)
    assert ids(tree.path("q2")) == ["q1", "a1b", "q2"]
    assert ids(tree.path("a1")) == ["q1", "a1"]  # a version not on screen
    assert ids(tree.path("a1c")) == ["q1b", "a1c"]
    assert ids(tree.path("q1")) == ["q1"]
    assert tree.path("nowhere") == []


def chain(length):
    """One branch of ``length`` messages, each below the one before."""
    return outline(*((f"m{i}", f"m{i - 1}" if i else None, True) for i in range(length)))


@pytest.mark.parametrize("length", [2, 5000])  # 5000: the most an import takes (export.MAX_MESSAGES)
def test_deep_chains_walk_without_recursion(length):
    tree = chain(length)
    last = f"m{length - 1}"
    assert ids(tree.branch()) == [f"m{i}" for i in range(length)]
    assert tree.leaf() == last
    assert ids(tree.path(last)) == ids(tree.branch())
    assert len(tree.below("m0")) == length and tree.below(last) == [last]
    assert tree.version(last) == (1, 1)


def test_a_version_deep_down_a_long_chain():
    rows = [(f"m{i}", f"m{i - 1}" if i else None, True) for i in range(1000)]
    rows += [("m500b", "m499", False), ("m501b", "m500b", True)]
    tree = outline(*rows)
    assert tree.version("m500b") == (2, 2) and tree.version("m500") == (1, 2)
    assert len(tree.branch()) == 1000
    assert ids(tree.path("m501b"))[-3:] == ["m499", "m500b", "m501b"] and len(tree.path("m501b")) == 502
    assert sorted(tree.below("m500b")) == ["m500b", "m501b"]
    assert len(tree.below("m499")) == 1 + 500 + 2


def test_a_node_cannot_be_changed_in_place():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Node("a", None, True, 0).chosen = False  # type: ignore[misc]
