"""What a path is, when it is not a regular file: checked with ``os.stat`` before anything opens it
(opening a FIFO blocks, a device never ends), for the data loaders and the lab files."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def special_file_kind(mode: int) -> str | None:
    """None for a regular file, else what it is, in words ("a folder", "a FIFO (named pipe)", "a device")."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket or other special file"


def not_a_regular_file(path: Path) -> str | None:
    """What ``path`` is when it exists but is not a regular file (a link is followed: a link to
    /dev/zero is a device), else None; uses ``os.stat``, which never opens it, so a FIFO cannot block."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken link" if os.path.islink(path) else None
    except OSError as error:
        return f"unreadable ({error.strerror})"
    return special_file_kind(mode)
