"""The safe writer of ``.env.local``: atomic, private, locked, and faithful to every line it does not change."""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import hashlib
import io
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import Binding, parse_stream

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Values made only of these stay unquoted so the file stays readable; anything else is single-quoted.
_PLAIN = re.compile(r"[A-Za-z0-9_\-.:/+]+")
_NEWLINE = re.compile(r"\r\n|\n|\r")
_LEAD = re.compile(r"\s*(?:export[^\S\r\n]+)?")  # blank lines, indent and `export ` before a key
ABSENT = "absent"  # the fingerprint of no file at all
UNREADABLE = "unreadable"  # of a file this process cannot read: never equal to what a save finds


class EnvFileError(Exception):
    """Why a save was refused; ``detail`` never quotes a value, because values may be secrets.

    ``kind`` is one of not_utf8, malformed, newline_in_value, invalid_name, locked, io, and
    conflict (since the caller read the file, someone else set, changed or removed a variable
    this save writes).
    """

    def __init__(self, kind: str, detail: str, line: int | None = None) -> None:
        where = "" if line is None else f" (line {line})"
        super().__init__(f"{kind}{where}: {detail}")
        self.kind, self.line, self.detail = kind, line, detail


@dataclass(frozen=True)
class Snapshot:
    """The file as one read found it: a fingerprint of its bytes, and its variables (secrets: no repr)."""

    fingerprint: str
    values: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the file, whether it was new, its backup, .gitignore, the names changed, and
    the file as the save left it."""

    path: Path
    created: bool
    backup: Path | None
    gitignore_updated: bool
    changed: tuple[str, ...]
    file: Snapshot


def fingerprint(data: bytes | None) -> str:
    """A digest of a file's bytes (``ABSENT`` for no file), to tell later whether it changed."""
    return ABSENT if data is None else hashlib.sha256(data).hexdigest()


def snapshot(path: Path) -> Snapshot:
    """The file at ``path`` as it is now: its fingerprint and variables (none when absent or unreadable)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return Snapshot(ABSENT, {})
    except OSError:  # a save would fail on it too; a later readable file counts as a change
        return Snapshot(UNREADABLE, {})
    return _snapshot_of(data)


def _snapshot_of(data: bytes) -> Snapshot:
    """Fingerprint and variables of a file's bytes, read as written (no ``${…}`` expansion)."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return Snapshot(fingerprint(data), {k: v for k, v in values.items() if v is not None})


def save(path: Path, updates: Mapping[str, str | None], *, expected: Snapshot | None = None,
         lock_timeout: float = 5.0) -> SaveResult:
    """Set each NAME to its value in the dotenv file at ``path`` (None removes it), atomically and privately.

    A changed key is rewritten at its first statement (keeping indent and ``export``, dropping an
    inline comment); its later duplicates are removed, since python-dotenv reads the *last* one.
    New keys are appended; every other byte stays as it was. With ``expected`` (the file as the
    caller read it), a file in which someone else has since set, changed or removed one of these
    names is left as it is: the save fails with kind "conflict". Their other edits are no conflict:
    this save keeps them, as it keeps every line it does not change.
    """
    _validate(updates)
    target = Path(path).resolve()  # write through a symlink rather than replace it
    try:
        with _locked(target.parent, lock_timeout):
            _drop_old_lock_file(target)
            return _save_locked(target, updates, expected)
    except OSError as exc:
        raise EnvFileError("io", f"{exc.strerror or type(exc).__name__}: {exc.filename or target}") from exc


def _validate(updates: Mapping[str, str | None]) -> None:
    """Refuse bad names and multi-line values before anything is touched."""
    for name, value in updates.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise EnvFileError("invalid_name", f"{name!r} is not a NAME ([A-Za-z_][A-Za-z0-9_]*)")
        if value is not None and ("\n" in value or "\r" in value):
            raise EnvFileError("newline_in_value", f"the value for {name} contains a line break")


def _save_locked(target: Path, updates: Mapping[str, str | None], expected: Snapshot | None) -> SaveResult:
    """Read, compare, edit, check and replace the file; the caller holds the lock."""
    old = target.read_bytes() if target.exists() else None
    if expected is not None and _changed_since(expected, old, updates):  # under the lock: no save slips in
        raise EnvFileError("conflict", "another save changed a variable this one writes; nothing was written")
    bom, body, bindings = _read(old or b"")
    eol = m.group() if (m := _NEWLINE.search(body)) else "\n"
    text, changed = _edit(bindings, updates, eol)
    values = dotenv_values(stream=io.StringIO(text))  # insurance: never write what would not read back
    if any(values.get(k) != v for k, v in updates.items()):
        raise EnvFileError("malformed", "a value would not read back as given; nothing was written")
    gitignore_updated = ensure_ignored(target)  # before the secret lands on disk
    new, backup = (bom + text).encode("utf-8"), None
    if new == (old or b""):  # nothing to change: keep the file and, above all, its older backup
        if old is not None:
            os.chmod(target, 0o600)
        file = _snapshot_of(old) if old is not None else Snapshot(ABSENT, {})
        return SaveResult(target, False, None, gitignore_updated, changed, file)
    if old is not None:
        backup = target.with_name(target.name + ".bak")
        _write_atomic(backup, old)
    _write_atomic(target, new)
    return SaveResult(target, old is None, backup, gitignore_updated, changed, _snapshot_of(new))


def _changed_since(read: Snapshot, old: bytes | None, names: Iterable[str]) -> bool:
    """Whether the file's bytes ``old`` give any of ``names`` another value (or none) than ``read`` did."""
    if fingerprint(old) == read.fingerprint:  # the common case: nobody saved since
        return False
    now = _snapshot_of(old).values if old is not None else {}
    return any(now.get(name) != read.values.get(name) for name in names)


def _read(data: bytes) -> tuple[str, str, list[Binding]]:
    """Decode and parse with python-dotenv's own parser into (BOM, text, statements), or refuse."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EnvFileError("not_utf8", f"byte {exc.start} is not UTF-8; the file was left as it was",
                           data[: exc.start].count(b"\n") + 1) from None
    bom, body = ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)
    bindings = list(parse_stream(io.StringIO(body)))  # their texts, joined, are exactly ``body``
    if bad := next((b.original for b in bindings if b.error), None):
        # The parser counts from where the statement's leading blank lines begin.
        line = bad.line + len(_NEWLINE.findall(re.match(r"\s*", bad.string).group()))
        raise EnvFileError("malformed", "python-dotenv cannot parse this line; the file was left as it was", line)
    return bom, body, bindings


def _quote(raw: str) -> str:
    """Write ``raw`` bare when it is a plain token, else single-quoted with \\ and ' escaped."""
    if _PLAIN.fullmatch(raw):
        return raw
    return "'" + raw.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _edit(bindings: list[Binding], updates: Mapping[str, str | None], eol: str) -> tuple[str, tuple[str, ...]]:
    """Rewrite changed keys at their first statement, drop their other statements, append new keys."""
    # python-dotenv expands ${NAME} in every value, quoted or not, and has no escape for it;
    # ${:-$} expands to "$" (the empty name is never set), so a literal "${" is written "${:-$}{".
    raws = {k: None if v is None else v.replace("${", "${:-$}{") for k, v in updates.items()}
    last = {b.key: b.value for b in bindings if b.key is not None}  # python-dotenv: the last one wins
    changed = tuple(k for k, raw in raws.items()
                    if (k in last if raw is None else k not in last or last[k] != raw))
    out, done = [], set()
    for b in bindings:
        chunk = b.original.string
        if b.key not in changed:
            out.append(chunk)
            continue
        lead = _LEAD.match(chunk).group()
        if raws[b.key] is None or b.key in done:
            out.append(lead[: max(lead.rfind("\n"), lead.rfind("\r")) + 1])  # keep blank lines above
        else:
            ending = m.group() if (m := re.search(r"(?:\r\n|\n|\r)\Z", chunk)) else ""
            out.append(f"{lead}{b.key}={_quote(raws[b.key])}{ending}")
            done.add(b.key)
    text = "".join(out)
    new = [k for k in changed if raws[k] is not None and k not in done]
    if new and text and not text.endswith(("\n", "\r")):
        text += eol
    return text + "".join(f"{k}={_quote(raws[k])}{eol}" for k in new), changed


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a private temp file beside ``path``, fsync it, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)  # secrets live here, whatever the umask or the old mode
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    with contextlib.suppress(OSError):  # make the rename durable; not every filesystem allows it
        os.fsync(dir_fd)
    os.close(dir_fd)


def _drop_old_lock_file(target: Path) -> None:
    """Remove the empty ``<name>.lock`` that versions before the folder lock left beside the file."""
    old = target.with_name(target.name + ".lock")
    with contextlib.suppress(OSError):  # absent, or not ours to remove: either way nothing to do
        if old.is_file() and not old.is_symlink() and old.stat().st_size == 0:
            old.unlink()


@contextlib.contextmanager
def _locked(folder: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive flock on the file's folder, giving up after ``timeout`` seconds."""
    # Why the folder: the file itself is replaced by a rename, so a lock on its old inode would
    # not exclude a writer that opens the new one; a sidecar lock file could never be deleted
    # (that races) and would sit untracked in the work tree. The folder outlives every rename
    # and is where the temp file and the backup are written too. No file, so no mode to get wrong.
    # Each call opens its own descriptor, so threads of one process exclude each other too.
    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            if time.monotonic() >= deadline:
                raise EnvFileError("locked", f"another save held the lock on {folder} for {timeout:g} s")
            time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


# --- keeping the secret file out of git ----------------------------------------------------------

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
