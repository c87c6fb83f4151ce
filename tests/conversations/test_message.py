"""core.conversations.message: the shared message shape and ConversationGone load nothing else."""

import subprocess
import sys
from pathlib import Path

from core.conversations import records
from core.conversations.message import ConversationGone, Message

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_value_types_loads_no_other_module_of_the_app():
    code = ("import sys, core.conversations.message as m; "
            "print(sorted(n for n in sys.modules if n.startswith(('core', 'openai', 'httpx2')) and n not in "
            "('core', 'core.conversations', 'core.conversations.message')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_typed_shape_names_every_stored_field_and_its_place_in_the_tree():
    tree = {"parent", "version", "versions", "chosen"}  # what the store adds as it reads a message back
    assert set(Message.__annotations__) == set(records.FIELDS) | tree
    assert set(records.new_message("user", "hi")) == set(records.FIELDS)


def test_a_gone_conversation_is_a_lookup_error_by_its_own_name():
    assert issubclass(ConversationGone, LookupError) and not issubclass(ConversationGone, KeyError)
