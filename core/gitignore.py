"""Keeping a secret file out of git: add it (and its backup) to its folder's .gitignore when needed."""

from __future__ import annotations

import fnmatch
from pathlib import Path


def ensure_ignored(target: Path) -> bool:
    """In a git work tree, append the file's name (and its backup's) to the folder's .gitignore if needed."""
    folder = target.parent
    if not any((d / ".git").exists() for d in (folder, *folder.parents)):
        return False
    gitignore = folder / ".gitignore"
    old = gitignore.read_bytes() if gitignore.exists() else b""
    patterns = old.decode("utf-8", errors="replace").splitlines()
    missing = [n for n in (target.name, target.name + ".bak") if not is_ignored(n, patterns)]
    if missing:
        sep = b"\n" if old and not old.endswith(b"\n") else b""
        with open(gitignore, "ab") as f:
            f.write(sep + "".join(f"{n}\n" for n in missing).encode("utf-8"))
    return bool(missing)


def is_ignored(name: str, lines: list[str]) -> bool:
    """Whether these .gitignore lines ignore ``name`` in their own folder; as in git, the last match wins."""
    ignored = False
    for line in (s.strip() for s in lines):
        negate, pattern = line.startswith("!"), line.removeprefix("!").removeprefix("/").removeprefix("**/")
        if line.startswith("#") or "/" in pattern or not pattern:  # comments, dir-only and deeper paths
            continue
        if fnmatch.fnmatchcase(name, pattern):
            ignored = not negate
    return ignored
