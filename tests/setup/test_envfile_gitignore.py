"""Keeping .env.local out of git: appended once, other lines kept, git's own matching rules honoured."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.setup.envfile import ensure_ignored, is_ignored


def target(folder: Path) -> Path:
    return folder / ".env.local"


def test_the_file_and_its_backup_are_added_once_in_a_git_repo(tmp_path):
    (tmp_path / ".git").mkdir()
    assert ensure_ignored(target(tmp_path))
    assert (tmp_path / ".gitignore").read_text() == ".env.local\n.env.local.bak\n"
    assert not ensure_ignored(target(tmp_path))  # once is enough


def test_existing_lines_are_kept_and_a_missing_final_newline_is_added(tmp_path):
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / ".git").write_text("gitdir: ../elsewhere\n")  # a worktree or submodule has a .git file
    (repo / "app" / ".gitignore").write_bytes(b"# mine\n__pycache__/\n.env\n!.env.local\n*.log")
    assert ensure_ignored(target(repo / "app"))
    assert (repo / "app" / ".gitignore").read_bytes() == (
        b"# mine\n__pycache__/\n.env\n!.env.local\n*.log\n.env.local\n.env.local.bak\n")


@pytest.mark.parametrize("patterns", [".env.local\n.env.local.bak\n", ".env*\n", "*.local\n*.bak\n",
                                      "/.env.local*\n", "**/.env.local\n.env.local.bak\n",
                                      "!.env.local\n.env.local*\n"])
def test_a_gitignore_that_already_covers_the_file_is_untouched(tmp_path, patterns):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text(patterns)
    assert not ensure_ignored(target(tmp_path))
    assert (tmp_path / ".gitignore").read_text() == patterns


def test_nothing_is_written_outside_git(tmp_path):
    (tmp_path / ".gitignore").write_text("*.log\n")
    assert not ensure_ignored(target(tmp_path))
    assert (tmp_path / ".gitignore").read_text() == "*.log\n"


@pytest.mark.parametrize(("lines", "ignored"), [
    ([".env.local"], True), (["*.local"], True), (["/.env.local"], True), (["**/.env.local"], True),
    ([".env.local", "!.env.local"], False),  # the last match wins, as in git
    (["!.env.local", ".env*"], True),
    (["# .env.local"], False), (["config/.env.local"], False),  # comments and deeper paths don't count
    ([""], False), ([], False),
])
def test_matching_follows_git_for_names_in_the_same_folder(lines, ignored):
    assert is_ignored(".env.local", lines) is ignored
