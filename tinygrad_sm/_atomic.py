"""Atomic output files: every file tinygrad_sm writes (checkpoints, metrics, curves, pictures, data
downloads, explorer pages) goes through here, so a kill at any moment leaves either the old file or the
new one at the final name, never a partial one.

    write_bytes_atomic("runs/x/metrics.json", text.encode())
    with atomic_path("runs/x/curve.png") as temp:      # a tool that wants a file name
        figure.savefig(temp, format="png")

How: the bytes go to a temp file in the destination's folder, named ``.<name>.<pid>-<8 hex>.tmp``; it
is flushed to disk and renamed over the destination with ``os.replace`` (atomic on POSIX and Windows
within one file system). A process killed before the rename leaves only its temp file behind; the next
write into that folder removes temp files of this pattern whose process is gone (a live writer's temp
files are left alone). Every output gets the same mode, ``FILE_MODE`` (0644: readable by all, as a
plain ``open`` with the usual umask gives), whichever tool wrote it.

Standard library only, so ``data.py`` can still be copied out together with this file.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]

FILE_MODE = 0o644
# .<final name>.<pid of the writer>-<8 hex digits>.tmp
_TEMP_PATTERN = re.compile(r"^\.(?P<target>.+)\.(?P<pid>[0-9]+)-[0-9a-f]{8}\.tmp$")
_active: set[str] = set()  # this process's temp files being written (other threads' are not stale)
_active_lock = threading.Lock()

__all__ = [
    "FILE_MODE",
    "atomic_path",
    "check_output_file",
    "ensure_output_dir",
    "remove_stale_temp_files",
    "write_bytes_atomic",
]


def _process_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists but is someone else's, or we cannot tell: leave its files alone
    return True


def remove_stale_temp_files(folder: PathLike) -> list[Path]:
    """Delete ``folder``'s temp files of this module's pattern left by processes that no longer run
    (a SIGKILL between creating a temp file and renaming it); returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_PATTERN.match(entry.name)
        if match is None:
            continue
        with _active_lock:
            mine = os.path.abspath(entry.path) in _active
        pid = int(match["pid"])
        # our own pid but not being written by us: a leftover of an earlier process that had this pid
        if mine or (pid != os.getpid() and _process_is_alive(pid)):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def check_output_file(path: PathLike) -> Path:
    """``path`` as a Path, after checking it can be an output file: not empty, not a folder, no file
    where a parent folder should be. Raises ValueError naming the path and the cause."""
    text = os.fspath(path)
    if not text:
        raise ValueError("output path is empty; give a file name such as graph.svg")
    path = Path(text)
    if path.is_dir():
        raise ValueError(f"output path {text} is a folder; give a file name inside it, such as {path / 'out'}")
    if path.exists() and not path.is_file():
        raise ValueError(f"output path {text} exists and is not a regular file (a device or a pipe?)")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"cannot write {text}: {parent} is a file, not a folder")
            break
    return path


def ensure_output_dir(folder: PathLike) -> Path:
    """Create ``folder`` (and its parents) if needed and prove it is writable by writing and removing a
    probe file; raises ValueError naming the folder and the cause (a file in the way, no permission,
    a read-only or virtual file system such as /proc). Call it before long work, not after."""
    text = os.fspath(folder)
    if not text:
        raise ValueError("output folder is empty; give a folder such as runs/train")
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output folder {text} is a file; choose a folder (it is created if missing)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = _new_temp(folder / ".write-probe")
        os.unlink(probe)
        with _active_lock:
            _active.discard(os.path.abspath(probe))
    except OSError as error:
        raise ValueError(f"cannot write into output folder {text}: {error.strerror or error}") from None
    return folder


def _new_temp(path: Path) -> Path:
    """Create an empty temp file beside ``path``, registered as ours before it exists (so another
    thread's cleanup never takes it for a leftover)."""
    while True:
        temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        with _active_lock:
            _active.add(os.path.abspath(temp))
        created = False
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            created = True
            return temp
        except FileExistsError:
            pass  # eight random hex digits collided with another file: draw again
        finally:
            if not created:
                with _active_lock:
                    _active.discard(os.path.abspath(temp))


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """A temp file's path (created empty, in ``path``'s folder) to write the new contents to; when the
    block ends normally it is synced and renamed onto ``path``; on an exception it is deleted and
    ``path`` is left as it was. Parent folders are created. Writers that pick the format from the file
    name (matplotlib) must be told the format: the temp name ends in ``.tmp``."""
    path = check_output_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(path.parent)
        temp = _new_temp(path)
    except OSError as error:  # the same exception type, with the output named
        raise type(error)(error.errno, f"cannot write {path}: {error.strerror or error}") from None
    try:
        yield temp
        with open(temp, "rb+") as handle:  # the writer may have replaced the file: sync what is there
            os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
        _sync_folder(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        with _active_lock:
            _active.discard(os.path.abspath(temp))


def write_bytes_atomic(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); returns ``path`` as a Path."""
    with atomic_path(path) as temp, open(temp, "wb") as handle:
        handle.write(data)
    return Path(path)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, and not needed, everywhere."""
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
