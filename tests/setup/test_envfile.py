"""The .env.local writer: faithful edits, exact round trips through python-dotenv, safe on disk."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from dotenv import dotenv_values

from core.setup import envfile
from core.setup.envfile import EnvFileError, save
from core.setup.settings import read_env_file

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-do-not-leak-0123456789"


def env_file(tmp_path: Path, content: bytes | None = None) -> Path:
    """The .env.local under test, with ``content`` written first when given."""
    path = tmp_path / ".env.local"
    if content is not None:
        path.write_bytes(content)
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# --- faithful edits -----------------------------------------------------------------------------

def test_new_file_gets_the_keys_and_reports_it(tmp_path):
    path = env_file(tmp_path)
    result = save(path, {"OPENAI_API_KEY": SECRET, "R1_MODEL": "deepseek-r1-250528", "GONE": None})
    assert path.read_bytes() == f"OPENAI_API_KEY={SECRET}\nR1_MODEL=deepseek-r1-250528\n".encode()
    assert result.created and result.backup is None and not result.gitignore_updated
    assert result.changed == ("OPENAI_API_KEY", "R1_MODEL")
    assert result.path == path.resolve()


def test_comments_and_order_are_kept(tmp_path):
    before = (b"# Provider\n\nexport OPENAI_BASE_URL=https://a.example/v1  # keep me\n"
              b"  # indented comment\nOPENAI_API_KEY=old\nR1_MODEL=\"quoted # not a comment\"\n\n\n# tail\n")
    path = env_file(tmp_path, before)
    save(path, {"OPENAI_API_KEY": "new", "R1_ROUTE": "openai"})
    assert path.read_bytes() == before.replace(b"OPENAI_API_KEY=old", b"OPENAI_API_KEY=new") + b"R1_ROUTE=openai\n"


def test_export_prefix_and_indent_are_kept_on_an_updated_key(tmp_path):
    path = env_file(tmp_path, b"A=1\n\n  export KEY='old' # was old\nB=2\n")
    save(path, {"KEY": "new value"})
    assert path.read_bytes() == b"A=1\n\n  export KEY='new value'\nB=2\n"


def test_none_removes_every_occurrence_and_keeps_blank_lines(tmp_path):
    path = env_file(tmp_path, b"KEY=1\nA=1\n\n  KEY=2\nexport KEY\nB=2\n")
    result = save(path, {"KEY": None, "ABSENT": None})
    assert path.read_bytes() == b"A=1\n\nB=2\n"
    assert result.changed == ("KEY",)


def test_later_duplicate_does_not_shadow_the_new_value(tmp_path):
    # python-dotenv takes the last occurrence, so a surviving later duplicate would win.
    assert dotenv_values(env_file(tmp_path, b"KEY=first\nKEY=second\n")) == {"KEY": "second"}
    path = env_file(tmp_path, b"KEY=first\nA=1\nKEY=second\nB=2\n")
    save(path, {"KEY": "mine"})
    assert path.read_bytes() == b"KEY=mine\nA=1\nB=2\n"
    assert dotenv_values(path) == {"KEY": "mine", "A": "1", "B": "2"}


def test_multiline_values_of_other_keys_are_kept_and_a_multiline_key_is_replaced_whole(tmp_path):
    before = b"CERT=\"line one\nline two\"\nKEY='a\nb'\nZ=1\n"
    path = env_file(tmp_path, before)
    save(path, {"KEY": "one line"})
    assert path.read_bytes() == b"CERT=\"line one\nline two\"\nKEY='one line'\nZ=1\n"
    assert dotenv_values(path) == {"CERT": "line one\nline two", "KEY": "one line", "Z": "1"}


def test_crlf_file_stays_crlf(tmp_path):
    path = env_file(tmp_path, b"# c\r\nA=1\r\n\r\nB=2\r\n")
    save(path, {"A": "x y", "C": "3"})
    assert path.read_bytes() == b"# c\r\nA='x y'\r\n\r\nB=2\r\nC=3\r\n"
    assert dotenv_values(path) == {"A": "x y", "B": "2", "C": "3"}


def test_missing_final_newline_is_kept_unless_a_line_is_appended(tmp_path):
    path = env_file(tmp_path, b"A=1\nB=2")
    save(path, {"B": "3"})
    assert path.read_bytes() == b"A=1\nB=3"
    save(path, {"C": "4"})
    assert path.read_bytes() == b"A=1\nB=3\nC=4\n"


def test_utf8_bom_is_kept(tmp_path):
    path = env_file(tmp_path, "\ufeffA=1\n".encode())
    save(path, {"B": "2"})
    assert path.read_bytes() == "\ufeffA=1\nB=2\n".encode()
    assert dotenv_values(path) == {"A": "1", "B": "2"}


def test_unchanged_values_leave_the_file_and_its_backup_alone(tmp_path):
    path = env_file(tmp_path, b'A="1"  # same value, other spelling\nB=2\n')
    save(path, {"B": "3"})
    backup = path.with_name(".env.local.bak").read_bytes()
    result = save(path, {"A": "1", "B": "3", "NOPE": None})
    assert result.changed == () and result.backup is None and not result.created
    assert path.read_bytes() == b'A="1"  # same value, other spelling\nB=3\n'
    assert path.with_name(".env.local.bak").read_bytes() == backup


# --- quoting ------------------------------------------------------------------------------------

TRICKY = [
    "two words", " leading", "trailing ", "  ", "", "#", "a #b", "a#b", "x=y==", "it's", "'", "''",
    '"', 'say "hi"', "back\\slash", "\\", "ends with \\", "\\'", "\\n", "\\\\n", "\t tab", "$", "$HOME",
    "a$b", "cost $5", "中文密钥", "emoji 😀🔑", "ümlaut", "mixed '\"\\$# =", "${", "}", "$}{",
]


@pytest.mark.parametrize("value", TRICKY)
def test_tricky_values_round_trip_through_dotenv(tmp_path, value):
    path = env_file(tmp_path, b"# keep\nOTHER=1\n")
    save(path, {"KEY": value})
    assert dotenv_values(path) == {"OTHER": "1", "KEY": value}
    values, problem = read_env_file(path)  # the reader the app itself uses
    assert problem is None and values.get("KEY", "") == value
    save(path, {"KEY": value + "!"})  # and again as an in-place update
    assert dotenv_values(path)["KEY"] == value + "!"


@pytest.mark.parametrize("value", ["${HOME}", "${HOME:-fallback}", "$${HOME}", "${}", "${:-$}", "${A}${B}",
                                   "pre ${OTHER} post", "${KEY}"])
def test_interpolation_syntax_is_kept_literal(tmp_path, monkeypatch, value):
    # python-dotenv expands ${NAME} even inside single quotes; the writer must defeat that.
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("A", "from-environ")
    assert dotenv_values(env_file(tmp_path, b"X='${HOME}'\n")) == {"X": "/home/someone"}
    path = env_file(tmp_path, b"OTHER=other\n")
    save(path, {"KEY": value})
    assert dotenv_values(path)["KEY"] == value
    assert dotenv_values(path, interpolate=True)["OTHER"] == "other"


@pytest.mark.parametrize("value", ["sk-abc123", "https://ark.cn-beijing.volces.com/api/v3", "deepseek-r1-250528",
                                   "deepseek/deepseek-r1", "a+b.c_d:e", "8192"])
def test_plain_tokens_stay_unquoted(tmp_path, value):
    path = env_file(tmp_path)
    save(path, {"KEY": value})
    assert path.read_text() == f"KEY={value}\n"


# --- refusals leave everything as it was ----------------------------------------------------------

@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "\n"])
def test_newline_in_value_is_rejected_and_nothing_written(tmp_path, value):
    env_file(tmp_path, b"A=1\n")
    before = snapshot(tmp_path)
    with pytest.raises(EnvFileError) as err:
        save(tmp_path / ".env.local", {"B": "fine", "KEY": value})
    assert err.value.kind == "newline_in_value" and err.value.line is None
    assert "KEY" in err.value.detail and value not in err.value.detail
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["1ABC", "A-B", "A B", "", "A.B", "KEY\n", "Ä", "export A"])
def test_invalid_name_is_rejected_and_nothing_written(tmp_path, name):
    with pytest.raises(EnvFileError) as err:
        save(env_file(tmp_path), {"GOOD": "1", name: "v"})
    assert err.value.kind == "invalid_name"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("content", "line"), [
    (b"A=1\nthis is not dotenv\nB=2\n", 2),
    (b"A=1\n\n\n  B C\n", 4),
    (f"# c\r\nA='{SECRET}\r\nB=2\r\n".encode(), 2),
    (f"KEY={SECRET}\nX='{SECRET}' junk\n".encode(), 2),
])
def test_malformed_file_is_reported_and_left_untouched(tmp_path, content, line):
    env_file(tmp_path, content)
    before = snapshot(tmp_path)
    with pytest.raises(EnvFileError) as err:
        save(tmp_path / ".env.local", {"KEY": "new"})
    assert (err.value.kind, err.value.line) == ("malformed", line)
    assert SECRET not in str(err.value) and SECRET not in err.value.detail
    assert snapshot(tmp_path) == before


def test_non_utf8_file_is_reported_and_left_untouched(tmp_path):
    env_file(tmp_path, f"A=1\nKEY={SECRET}\nB=caf\xe9\n".encode("latin-1"))
    before = snapshot(tmp_path)
    with pytest.raises(EnvFileError) as err:
        save(tmp_path / ".env.local", {"KEY": "new"})
    assert (err.value.kind, err.value.line) == ("not_utf8", 3)
    assert SECRET not in str(err.value)
    assert snapshot(tmp_path) == before


def test_missing_folder_is_an_io_error(tmp_path):
    with pytest.raises(EnvFileError) as err:
        save(tmp_path / "nowhere" / ".env.local", {"A": "1"})
    assert err.value.kind == "io"


# --- on disk: private, backed up, atomic ---------------------------------------------------------

def test_new_file_is_private(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = env_file(tmp_path)
        save(path, {"OPENAI_API_KEY": SECRET})
    finally:
        os.umask(old_umask)
    assert mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env.local"]  # the lock is on the folder


def test_a_save_leaves_only_private_files_and_no_lock_file(tmp_path):
    path = env_file(tmp_path, b"KEY=v1\n")
    (tmp_path / ".env.local.lock").write_bytes(b"")  # what versions before the folder lock left
    old_umask = os.umask(0o022)
    try:
        save(path, {"KEY": SECRET})
    finally:
        os.umask(old_umask)
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {".env.local": 0o600, ".env.local.bak": 0o600}


def test_existing_wide_permissions_become_private(tmp_path):
    path = env_file(tmp_path, b"A=1\n")
    path.chmod(0o644)
    save(path, {"OPENAI_API_KEY": SECRET})
    assert mode(path) == 0o600
    path.chmod(0o666)
    save(path, {"OPENAI_API_KEY": SECRET})  # even when nothing changes
    assert mode(path) == 0o600


def test_previous_file_is_backed_up(tmp_path):
    path = env_file(tmp_path, b"KEY=v1\n")
    path.chmod(0o644)
    first = save(path, {"KEY": "v2"})
    backup = tmp_path / ".env.local.bak"
    assert first.backup == backup.resolve() and backup.read_bytes() == b"KEY=v1\n" and mode(backup) == 0o600
    save(path, {"KEY": "v3"})
    assert backup.read_bytes() == b"KEY=v2\n"  # an older backup is overwritten
    assert path.read_bytes() == b"KEY=v3\n"


def test_failed_rename_leaves_the_old_file_whole_and_no_temp_behind(tmp_path, monkeypatch):
    path = env_file(tmp_path, b"KEY=old\n")

    def crash(src, dst):
        raise OSError(5, "simulated crash", str(dst))

    monkeypatch.setattr(envfile.os, "replace", crash)
    with pytest.raises(EnvFileError) as err:
        save(path, {"KEY": SECRET})
    assert err.value.kind == "io" and SECRET not in str(err.value)
    assert path.read_bytes() == b"KEY=old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env.local"]


def test_a_symlinked_file_is_written_through(tmp_path):
    real = tmp_path / "real.env"
    real.write_bytes(b"A=1\n")
    link = env_file(tmp_path)
    link.symlink_to(real)
    save(link, {"B": "2"})
    assert link.is_symlink() and real.read_bytes() == b"A=1\nB=2\n"


# --- concurrency --------------------------------------------------------------------------------

def assert_all_saved(path: Path, tags: list[str], rounds: int) -> None:
    values = dotenv_values(path)
    for tag in tags:
        for i in range(rounds):
            assert values[f"{tag}_{i}"] == f"v {tag} {i}"
    assert values["SHARED"] in {f"{tag}-{rounds - 1}" for tag in tags}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_concurrent_saves_keep_both_updates_across_threads(tmp_path):
    # Ten rounds: each save re-reads the whole file, so the run grows with the square of the saves,
    # and eight writers released together already collide on every round (without the lock
    # this loses updates every time).
    path, rounds, tags = env_file(tmp_path, b"# shared by many tabs\n"), 10, [f"T{n}" for n in range(8)]
    start, errors = threading.Barrier(len(tags)), []

    def tab(tag: str) -> None:
        start.wait()
        try:
            for i in range(rounds):
                save(path, {f"{tag}_{i}": f"v {tag} {i}", "SHARED": f"{tag}-{i}"}, lock_timeout=60)
        except Exception as exc:  # surfaced below; an exception in a thread would vanish
            errors.append(exc)

    threads = [threading.Thread(target=tab, args=(tag,)) for tag in tags]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert_all_saved(path, tags, rounds)
    assert path.read_text().startswith("# shared by many tabs\n")


WORKER = """
import sys
from pathlib import Path
from core.setup.envfile import save
path, tag, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(rounds):
    save(path, {f"{tag}_{i}": f"v {tag} {i}", "SHARED": f"{tag}-{i}"}, lock_timeout=60)
"""


def test_concurrent_saves_keep_both_updates_across_processes(tmp_path):
    path, rounds, tags = env_file(tmp_path), 10, [f"P{n}" for n in range(4)]  # ten: as across threads
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(path), tag, str(rounds)], cwd=ROOT)
             for tag in tags]
    assert [p.wait(timeout=120) for p in procs] == [0] * len(tags)
    assert_all_saved(path, tags, rounds)


def test_a_lock_held_elsewhere_gives_up_as_locked(tmp_path):
    path = env_file(tmp_path, b"A=1\n")
    fd = os.open(tmp_path, os.O_RDONLY)  # save locks the file's folder
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(EnvFileError) as err:
            save(path, {"A": "2"}, lock_timeout=0.2)
        assert err.value.kind == "locked"
    finally:
        os.close(fd)
    assert path.read_bytes() == b"A=1\n"
    save(path, {"A": "2"}, lock_timeout=0.2)  # free again once released
    assert path.read_bytes() == b"A=2\n"


# --- .gitignore (the rules themselves: tests/test_gitignore.py) -----------------------------

def test_gitignore_gains_the_file_in_a_git_repo(tmp_path):
    (tmp_path / ".git").mkdir()
    result = save(env_file(tmp_path), {"A": "1"})
    assert result.gitignore_updated
    assert (tmp_path / ".gitignore").read_text() == ".env.local\n.env.local.bak\n"
    assert not save(env_file(tmp_path), {"A": "2"}).gitignore_updated  # once is enough


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
def test_after_saves_in_a_real_repo_git_sees_no_new_file_but_the_gitignore(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    path = env_file(tmp_path)
    save(path, {"KEY": "v1"})
    save(path, {"KEY": SECRET})  # a second save also leaves a backup
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                            check=True, capture_output=True, text=True).stdout
    assert status.splitlines() == ["?? .gitignore"]  # neither the file, its backup nor a lock file


# --- a file someone else saved since it was read --------------------------------------------------

OTHER = "sk-someone-else-0123456789ab12"


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path):
    path = env_file(tmp_path, b"# mine\nR1_MODEL=m\n")
    read = envfile.snapshot(path)
    save(path, {"OPENAI_API_KEY": OTHER})  # another page saved meanwhile
    before = snapshot(tmp_path)
    with pytest.raises(EnvFileError) as err:
        save(path, {"OPENAI_API_KEY": SECRET}, expected=read)
    assert err.value.kind == "conflict" and SECRET not in str(err.value) and OTHER not in str(err.value)
    assert snapshot(tmp_path) == before  # the file, its backup, nothing else: untouched
    fresh = envfile.snapshot(path)
    result = save(path, {"OPENAI_API_KEY": SECRET}, expected=fresh)  # the fresh read: written
    assert dotenv_values(path)["OPENAI_API_KEY"] == SECRET
    assert result.file == envfile.snapshot(path)  # what the next save from this reader expects


def test_a_file_created_since_the_read_found_none_is_a_conflict_too(tmp_path):
    path = env_file(tmp_path)
    read = envfile.snapshot(path)
    assert read == envfile.Snapshot(envfile.ABSENT, {})
    save(path, {"OPENAI_API_KEY": OTHER})
    with pytest.raises(EnvFileError, match="conflict"):
        save(path, {"OPENAI_API_KEY": SECRET}, expected=read)
    assert dotenv_values(path)["OPENAI_API_KEY"] == OTHER
    path.unlink()
    assert save(path, {"OPENAI_API_KEY": SECRET}, expected=read).created  # absent as expected


def test_a_snapshot_reads_values_as_written_and_never_shows_them(tmp_path):
    path = env_file(tmp_path, "\ufeffA='${HOME}'\nOPENAI_API_KEY=%s\n".encode() % SECRET.encode())
    read = envfile.snapshot(path)
    assert read.values == {"A": "${HOME}", "OPENAI_API_KEY": SECRET}
    assert read.fingerprint == envfile.fingerprint(path.read_bytes()) != envfile.ABSENT
    assert SECRET not in repr(read)


def test_two_saves_from_the_same_read_one_writes_and_one_is_told(tmp_path):
    # Both pages read the same file and press Save together: the folder lock makes the compare and
    # the write one step, so exactly one lands whole and the other writes nothing.
    path = env_file(tmp_path, b"R1_MODEL=m\n")
    read, results, start = envfile.snapshot(path), {}, threading.Barrier(2)

    def page(key):
        start.wait()
        try:
            save(path, {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": f"https://{key[-4:]}.example"},
                 expected=read)
            results[key] = "saved"
        except EnvFileError as exc:
            results[key] = exc.kind

    threads = [threading.Thread(target=page, args=(key,)) for key in (SECRET, OTHER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["conflict", "saved"]
    winner = next(key for key, outcome in results.items() if outcome == "saved")
    assert dotenv_values(path) == {"R1_MODEL": "m", "OPENAI_API_KEY": winner,
                                   "OPENAI_BASE_URL": f"https://{winner[-4:]}.example"}



def test_variables_this_save_does_not_write_changed_elsewhere_are_no_conflict_and_are_kept(tmp_path):
    # envfile edits key by key: what the other page saved stays as it is, so nothing of theirs is lost.
    path = env_file(tmp_path, b"# mine\nR1_MODEL=m\nR1_MAX_TOKENS=100\nR1_ROUTE=auto\n")
    read = envfile.snapshot(path)
    theirs = b"# mine\nR1_MODEL=m\nR1_MAX_TOKENS=200\n# theirs\nCOZE_BOT_ID=7\n"  # changed, added, removed
    path.write_bytes(theirs)
    result = save(path, {"OPENAI_API_KEY": SECRET, "R1_MODEL": "m2"}, expected=read)
    assert path.read_bytes() == theirs.replace(b"R1_MODEL=m", b"R1_MODEL=m2") + b"OPENAI_API_KEY=%s\n" % SECRET.encode()
    assert result.file == envfile.snapshot(path)  # theirs included: what the next save expects


@pytest.mark.parametrize(("theirs", "updates"), [
    (b"R1_MODEL=theirs\nR1_ROUTE=auto\n", {"R1_MODEL": "mine"}),  # they changed the variable it sets
    (b"R1_ROUTE=auto\n", {"R1_MODEL": "mine"}),  # they removed the variable it sets
    (b"R1_MODEL=m\nR1_ROUTE=auto\nOPENAI_API_KEY=%s\n" % OTHER.encode(), {"OPENAI_API_KEY": SECRET}),  # added
    (b"R1_MODEL=theirs\nR1_ROUTE=auto\n", {"R1_MODEL": None}),  # they changed the variable it removes
])
def test_a_variable_this_save_writes_changed_elsewhere_is_a_conflict(tmp_path, theirs, updates):
    path = env_file(tmp_path, b"R1_MODEL=m\nR1_ROUTE=auto\n")
    read = envfile.snapshot(path)
    path.write_bytes(theirs)
    with pytest.raises(EnvFileError, match="conflict"):
        save(path, updates, expected=read)
    assert path.read_bytes() == theirs

