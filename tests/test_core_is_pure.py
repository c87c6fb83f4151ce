"""core/ is plain Python: it never imports streamlit."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "core"


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_never_imports_streamlit():
    offenders = [str(p.relative_to(CORE)) for p in CORE.rglob("*.py")
                 if any(m.split(".")[0] == "streamlit" for m in imported_modules(p))]
    assert offenders == []


def test_pages_do_no_http_or_file_io():
    pages = Path(__file__).resolve().parent.parent / "app_pages"
    banned = {"openai", "httpx", "httpx2", "requests", "urllib", "socket", "dotenv", "pathlib"}
    for page in pages.glob("*.py"):
        assert not {m.split(".")[0] for m in imported_modules(page)} & banned, page.name
        assert "open(" not in page.read_text(encoding="utf-8"), page.name
