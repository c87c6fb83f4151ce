"""Making a folder or file read-only for this process, also when the tests run as root."""

from __future__ import annotations

import os
import stat
import subprocess
from contextlib import contextmanager

import pytest


@contextmanager
def unwritable(path):
    """Make ``path`` (a folder or a file) unwritable for this process for the block's duration.

    chmod does it for a normal user; root ignores modes, so as root the file system's immutable
    attribute (``chattr +i``, which binds root too) is set as well, and removed afterwards. Where
    that is impossible the test skips locally and fails under CI=true, where nothing may skip.
    """
    old = stat.S_IMODE(path.stat().st_mode)
    path.chmod(0o555 if path.is_dir() else 0o444)
    immutable = os.geteuid() == 0
    if immutable and subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        path.chmod(old)
        reason = "running as root on a file system without chattr +i: nothing is read-only to root"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    try:
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(old)
