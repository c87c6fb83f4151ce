"""The import contract of core/__init__.py, read from the source: which module may import which.

A plain AST scan rather than import-linter: it needs no extra dependency or config section, each
failure names the file, line and import, and the rules import-linter has no contract for ("only
the standard library", what a fresh interpreter loads) sit beside the layer rules in one file.
Every import counts, at module level, inside a function or under ``if TYPE_CHECKING:``: the rules
say which domain may know about which, and a type-only import the wrong way is that knowledge all
the same (a cycle behind TYPE_CHECKING or a lazy import is deferred, not removed). The static
rules read each import as written; the fresh-interpreter test catches what a chain of them,
package ``__init__`` files included, loads at run time.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "ui", "app_pages", "bench")
SCRIPTS = tuple(sorted(p.stem for p in ROOT.glob("*.py")))  # the router, and any other top-level module
SDKS = ("openai", "httpx2", "httpx", "cozepy")
PROVIDERS = ("core.chat.providers", "core.chat.client", "core.chat.faults", "core.chat.session")
SHARED = ("core.diagnosis", "core.redact", "core.logs", "core.i18n", "core.place", "core.locales",
          "core.untrusted")
DOMAINS = ("core.chat", "core.setup", "core.conversations", "core.replies")
STORAGE = ("core.conversations.store", "core.conversations.export", "core.conversations.turns",
           "core.conversations.records")


@dataclass(frozen=True)
class Import:
    """One imported module and where the import is written."""

    source: str
    target: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} imports {self.target}"


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``name`` is one of ``prefixes`` or a module inside one."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def module_name(path: Path) -> str:
    """``core/chat/__init__.py`` → ``core.chat``; ``streamlit_app.py`` → ``streamlit_app``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_files() -> dict[str, Path]:
    """Every module of the app by name (tests, scripts/ and the venv are not the app)."""
    files = [*ROOT.glob("*.py"), *(p for d in PACKAGES for p in (ROOT / d).rglob("*.py"))]
    return {module_name(p): p for p in files}


def absolute(source: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name behind ``from ..x import y`` written in ``source``."""
    if not level:
        return module or ""
    package = source.split(".") if is_package else source.split(".")[:-1]
    return ".".join(package[: len(package) - level + 1] + ([module] if module else []))


def imports_in(source: str, tree: ast.AST, known: set[str], is_package: bool = False) -> list[tuple[str, int]]:
    """Each module ``tree`` imports, anywhere in it, with its line; ``from pkg import mod`` names ``pkg.mod``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = absolute(source, is_package, node.level, node.module)
            found += [(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base, node.lineno)
                      for a in node.names]
    return list(dict.fromkeys(found))


@functools.cache
def all_imports() -> tuple[Import, ...]:
    """The imports of every module of the app."""
    files = project_files()
    found = []
    for name, path in sorted(files.items()):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += [Import(name, target, str(path.relative_to(ROOT)), line)
                  for target, line in imports_in(name, tree, set(files), path.name == "__init__.py")]
    return tuple(found)


@dataclass(frozen=True)
class Rule:
    """No module within ``sources`` (bar ``exempt``) imports anything within ``banned``."""

    name: str
    sources: tuple[str, ...]
    banned: tuple[str, ...]
    exempt: tuple[str, ...] = ()

    def breaches(self, imports: tuple[Import, ...]) -> list[Import]:
        """The imports that break this rule."""
        return [i for i in imports if within(i.source, self.sources) and not within(i.source, self.exempt)
                and within(i.target, self.banned)]


RULES = [
    Rule("conversations load no provider and no SDK", ("core.conversations",), PROVIDERS + SDKS),
    Rule("chat knows nothing of setup, conversations or the doctor", ("core.chat",),
         ("core.setup", "core.conversations", "core.doctor")),
    Rule("the shared modules import no domain", SHARED, DOMAINS),
    Rule("setup knows nothing of conversations", ("core.setup",), ("core.conversations",)),
    Rule("replies sit on top: no other domain knows them", ("core.chat", "core.setup", "core.conversations"),
         ("core.replies",)),
    Rule("only the router, app_pages/ and ui/ import streamlit", PACKAGES + SCRIPTS,
         ("streamlit",), ("streamlit_app", "app_pages", "ui")),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name.replace(" ", "_"))
def test_import_rule(rule):
    breaches = rule.breaches(all_imports())
    assert not breaches, f"{rule.name}, but:\n" + "\n".join(map(str, breaches))


@pytest.mark.parametrize(("module", "why", "allowed"), [
    ("core.diagnosis", "a plain value type", ("core.untrusted",)),  # its words clean provider text
    ("core.untrusted", "the text cleaning chat and storage share", ()),
])
def test_imports_only_the_standard_library(module, why, allowed):
    outside = [i for i in all_imports() if i.source == module and i.target not in allowed
               and i.target.split(".")[0] not in sys.stdlib_module_names]
    assert not outside, f"{module} is {why}, but:\n" + "\n".join(map(str, outside))


def test_storage_loads_no_sdk_or_provider_in_a_fresh_interpreter():
    # Catches what the static rules cannot: a chain through package __init__ files or chat's modules.
    probe = (f"import sys\nimport {', '.join(STORAGE)}\n"
             f"print(sorted({{m.split('.')[0] for m in sys.modules if m.split('.')[0] in {SDKS!r}}}"
             f" | {{m for m in sys.modules if m.startswith({PROVIDERS!r})}}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"importing {', '.join(STORAGE)} loaded {done.stdout.strip()}"


def test_pages_do_no_http_or_file_io():
    banned = ("openai", "httpx", "httpx2", "requests", "urllib", "socket", "dotenv", "pathlib")
    breaches = [i for i in all_imports() if within(i.source, ("app_pages",)) and within(i.target, banned)]
    assert not breaches, "pages leave HTTP and files to core, but:\n" + "\n".join(map(str, breaches))
    for page in (ROOT / "app_pages").glob("*.py"):
        assert "open(" not in page.read_text(encoding="utf-8"), f"{page.name} opens a file"


# --- cycles -------------------------------------------------------------------------------------

def shortest_cycle(start: str, edges: dict[str, dict[str, Import]]) -> list[Import]:
    """The shortest chain of imports from ``start`` back to ``start``, or [] when there is none."""
    came_by: dict[str, Import] = {}
    queue = deque([start])
    while queue:
        for target, step in edges.get(queue.popleft(), {}).items():
            if target == start:
                chain = [step]
                while chain[0].source != start:
                    chain.insert(0, came_by[chain[0].source])
                return chain
            if target not in came_by:
                came_by[target] = step
                queue.append(target)
    return []


def cycles(imports: tuple[Import, ...]) -> list[list[Import]]:
    """One shortest cycle per set of modules that import each other round in a loop."""
    modules = {i.source for i in imports}
    edges: dict[str, dict[str, Import]] = {}
    for i in imports:
        if i.target in modules and i.target != i.source:
            edges.setdefault(i.source, {}).setdefault(i.target, i)
    found: dict[frozenset, list[Import]] = {}
    for start in sorted(edges):
        chain = shortest_cycle(start, edges)
        if chain:
            found.setdefault(frozenset(step.source for step in chain), chain)
    return list(found.values())


def describe(chain: list[Import]) -> str:
    """``a -> b -> a (a.py:3, b.py:7)``."""
    names = " -> ".join([step.source for step in chain] + [chain[0].source])
    return f"{names} ({', '.join(f'{step.path}:{step.line}' for step in chain)})"


def test_no_import_cycles():
    found = cycles(all_imports())
    assert not found, "import cycles:\n" + "\n".join(map(describe, found))


# --- the scan itself ----------------------------------------------------------------------------

def test_the_scan_covers_every_part_of_the_app():
    assert {name.split(".")[0] for name in project_files()} == set(PACKAGES + SCRIPTS)


def test_the_scan_sees_relative_late_and_type_checking_imports():
    source = "\n".join(["from typing import TYPE_CHECKING", "from . import records",
                        "from ..chat.events import Usage", "if TYPE_CHECKING:", "    import openai",
                        "def late():", "    from core.setup import settings as s"])
    known = {"core.conversations.records", "core.setup.settings"}
    found = {target for target, _ in imports_in("core.conversations.store", ast.parse(source), known)}
    assert found == {"typing", "core.conversations.records", "core.chat.events", "openai", "core.setup.settings"}


def test_a_cycle_is_reported_with_its_path():
    def imp(source, target):
        return Import(source, target, source + ".py", 1)

    graph = (imp("a", "b"), imp("b", "c"), imp("c", "a"), imp("d", "a"), imp("a", "a"))
    assert [describe(chain) for chain in cycles(graph)] == ["a -> b -> c -> a (a.py:1, b.py:1, c.py:1)"]


PAGE_KEYS = {"conversation_id", "pending", "editing", "renaming", "deleting", "deleting_version", "importing", "missing_conversation",
             "unsent", "unsent_fresh", "unsent_in", "prompt", "history_top", "drawn_window", "generating"}


def session_key_writes(tree: ast.AST) -> list[tuple[str, int]]:
    """``x.<key> = …`` and ``x["<key>"] = …`` assignments of the chat page's session keys."""
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in (t for group in targets for t in (group.elts if isinstance(group, ast.Tuple) else [group])):
            if isinstance(target, ast.Attribute) and target.attr in PAGE_KEYS:
                found.append((target.attr, node.lineno))
            elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                    and target.slice.value in PAGE_KEYS:
                found.append((target.slice.value, node.lineno))
    return found


def test_only_page_state_writes_the_chat_pages_session_keys():
    owner = ROOT / "ui" / "page_state.py"
    paths = [ROOT / "streamlit_app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    writes = [f"{p.relative_to(ROOT)}:{line} writes {key}" for p in paths if p != owner
              for key, line in session_key_writes(ast.parse(p.read_text(encoding="utf-8")))]
    assert not writes, writes
    assert session_key_writes(ast.parse(owner.read_text(encoding="utf-8")))  # the scan sees the owner's
