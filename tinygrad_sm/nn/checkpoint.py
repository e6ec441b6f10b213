"""Checkpoints: ``save``/``load`` a module's state as an ``.npz`` file.

The file is what ``np.savez`` writes (a zip archive of ``<parameter path>.npy`` arrays, so
``np.load(path)`` reads it and ``model.load_state_dict(dict(np.load(path)))`` works), plus a zip
comment ``tinygrad_sm checkpoint format <N>`` that says which layout the arrays follow:

- format 2 (``FORMAT_VERSION``): ``nn.Linear.weight`` is ``(out_features, in_features)``, as in PyTorch.
- a format-2 file written before Sequential children were named as PyTorch names them (``layers.0.weight``
  for today's ``0.weight``) loads too: ``load`` renames its entries when they are exactly the old names.
- no comment: written before formats were recorded, when ``nn.Linear.weight`` was
  ``(in_features, out_features)``; ``load`` refuses it and says how to convert it.

``load`` reads every entry's ``.npy`` header (name, dtype, shape) from the zip directory first, checks
them against the model, and reads the data only then, so a crafted file cannot make it allocate more
than the model's own size, and a bad entry anywhere leaves the model unchanged.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from .._atomic import atomic_path
from .module import Module, _assign_checked, _check_names_and_shapes, legacy_names

PathLike = str | os.PathLike

FORMAT_VERSION = 2
_COMMENT = "tinygrad_sm checkpoint format {}"
_COMMENT_PATTERN = re.compile(rb"tinygrad_sm checkpoint format ([0-9]+)")
#: .npy headers of real checkpoints are under 200 bytes; NumPy's own default limit is 10000
MAX_HEADER_BYTES = 10_000
_NPY_MAGIC = b"\x93NUMPY"

__all__ = ["FORMAT_VERSION", "CheckpointError", "load", "save"]


class CheckpointError(ValueError):
    """A checkpoint file is unreadable or is not one ``save`` could have written; names file and cause."""


def save(module: Module, path: PathLike) -> Path:
    """Write ``module.state_dict()`` to ``path`` (.npz, format ``FORMAT_VERSION``); returns the path.

    The file is written atomically (a temp file renamed over ``path``), so an interrupted save never
    leaves a corrupt checkpoint behind; an older checkpoint at ``path`` stays whole until replaced.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"checkpoint path must end in .npz (np.savez adds it otherwise), got {path}")
    state = module.state_dict()
    with atomic_path(path) as temp:
        # the layout np.savez writes (stored, zip64 entries), plus the format comment
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            archive.comment = _COMMENT.format(FORMAT_VERSION).encode()
            for name, array in state.items():
                with archive.open(name + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
    return path


def _open_regular(path: Path) -> Any:
    """Open ``path`` for reading only if it is a regular file (a FIFO would block, a device never ends)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # O_NONBLOCK: a FIFO cannot hang us
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "a device or socket"
        raise CheckpointError(f"checkpoint {path} is {kind}, not a regular file")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


_END_OF_ARCHIVE = b"PK\x05\x06"  # the zip's end-of-central-directory record: 22 bytes, then the comment


def _missing_tail(handle: Any) -> int:
    """How many bytes of the zip comment the end-of-archive record promises but the file lacks (0 for
    a whole file): a checkpoint cut short by a few bytes still opens, with its format comment cut."""
    size = os.fstat(handle.fileno()).st_size
    handle.seek(max(0, size - (1 << 16) - 22))
    tail = handle.read()
    handle.seek(0)
    start = tail.rfind(_END_OF_ARCHIVE)
    if start < 0 or len(tail) < start + 22:
        return 0
    promised = int.from_bytes(tail[start + 20 : start + 22], "little")
    return max(0, promised - (len(tail) - start - 22))


def _format_version(archive: zipfile.ZipFile, path: Path, missing_tail: int = 0) -> int:
    if missing_tail:
        raise CheckpointError(
            f"checkpoint {path} is truncated: its last {missing_tail} byte(s) are missing (the zip archive's "
            "closing comment, which records the format, is cut short); the file was not completely written "
            "or copied: save it again"
        )
    match = _COMMENT_PATTERN.fullmatch(archive.comment.strip())
    if match is None and archive.comment.startswith(b"tinygrad_sm checkpoint"):
        raise CheckpointError(
            f"checkpoint {path} has a damaged format comment {archive.comment[:60]!r}; expected "
            f"'tinygrad_sm checkpoint format {FORMAT_VERSION}'"
        )
    if match is None:
        raise CheckpointError(
            f"checkpoint {path} has no tinygrad_sm format version: it was written by an older tinygrad_sm, "
            "which stored nn.Linear.weight as (in_features, out_features); layers now store (out_features, "
            "in_features), as PyTorch does. Convert it once: arrays = dict(np.load(path)); transpose each "
            "Linear layer's '<layer>.weight' (arrays[name] = arrays[name].T); model.load_state_dict(arrays); "
            "nn.save(model, path). Or train again. (A file from np.savez of a state dict loads the same way, "
            "without the transpose.)"
        )
    digits = match[1].decode()
    if len(digits) > 9:  # int() of thousands of digits is slow or refused (sys.int_info.str_digits_check_threshold)
        raise CheckpointError(
            f"checkpoint {path} has a format number of {len(digits)} digits ({digits[:12]}...), which no "
            f"tinygrad_sm writes; this one reads format {FORMAT_VERSION} (a corrupt or crafted file)"
        )
    version = int(digits)
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"checkpoint {path} has format {version}, newer than this tinygrad_sm reads "
            f"({FORMAT_VERSION}); upgrade tinygrad_sm"
        )
    if version < FORMAT_VERSION:
        raise CheckpointError(
            f"checkpoint {path} has format {version}, which this tinygrad_sm cannot read; "
            f"it reads format {FORMAT_VERSION}"
        )
    return version


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, name: str) -> SimpleNamespace:
    """The entry's dtype, shape and order from its .npy header, after checking that the entry holds
    exactly the bytes the header promises (nothing of the array is read)."""
    where = f"checkpoint {path}: entry {name!r}"
    try:
        with archive.open(info) as member:
            start = member.read(8)
            if start[:6] != _NPY_MAGIC or len(start) < 8:
                raise CheckpointError(f"{where} is not a .npy array (it starts with {start[:8]!r})")
            major = start[6]
            if major not in (1, 2):
                raise CheckpointError(f"{where} has .npy format version {major}.{start[7]}; checkpoints use 1.0 or 2.0")
            length_bytes = member.read(2 if major == 1 else 4)
            if len(length_bytes) < (2 if major == 1 else 4):
                raise CheckpointError(f"{where} is truncated inside its .npy header")
            header_length = int.from_bytes(length_bytes, "little")
            if header_length > MAX_HEADER_BYTES:
                raise CheckpointError(
                    f"{where} claims a .npy header of {header_length} bytes, more than "
                    f"{MAX_HEADER_BYTES} (a real header is under 200); refusing to read it"
                )
            member.seek(0)
            np.lib.format.read_magic(member)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            try:
                shape, fortran_order, dtype = read_header(member, max_header_size=MAX_HEADER_BYTES)
            except ValueError as error:
                raise CheckpointError(f"{where} has an unreadable .npy header: {error}") from None
            data_offset = member.tell()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise CheckpointError(f"{where} is corrupt: {error}") from None
    if dtype.hasobject:
        raise CheckpointError(
            f"{where} holds pickled Python objects (dtype {dtype}), which are refused for "
            "safety (a checkpoint must hold plain arrays)"
        )
    promised = int(np.prod(shape, dtype=object)) * dtype.itemsize  # Python ints: no overflow
    held = info.file_size - data_offset
    if held != promised:
        problem = "truncated" if held < promised else "longer than its header says"
        raise CheckpointError(
            f"{where} is {problem}: its header (shape {tuple(shape)}, dtype {dtype}) promises "
            f"{promised} data bytes, the entry holds {held}"
        )
    return SimpleNamespace(
        shape=tuple(shape), dtype=dtype, fortran_order=fortran_order, data_offset=data_offset, nbytes=promised
    )


def _read_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: SimpleNamespace, where: str) -> np.ndarray:
    try:
        with archive.open(info) as member:
            member.seek(header.data_offset)
            data = member.read(header.nbytes)
            member.read(1)  # reach the end of the entry, so its CRC is checked
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise CheckpointError(f"{where} is corrupt: {error}") from None
    if len(data) != header.nbytes:
        raise CheckpointError(f"{where} is truncated: {len(data)} of {header.nbytes} data bytes")
    array = np.frombuffer(data, dtype=header.dtype)
    return array.reshape(header.shape, order="F" if header.fortran_order else "C")


def load(module: Module, path: PathLike) -> Module:
    """Load a checkpoint written by ``save`` into ``module`` in place; returns the module.

    Checked before anything is written, each failure naming the file and the cause: the file is a
    regular file and a zip archive (not a ``.npy`` alone, not truncated), it has this format version,
    every entry is a plain ``.npy`` array (pickled objects are refused) holding exactly the bytes its
    header promises, the names and shapes match the model (KeyError / ValueError, as in
    ``Module.load_state_dict``), the dtypes are real numbers (TypeError: complex, datetime, bool and
    text are refused) and every value fits the parameter's dtype (ValueError: nan, inf, 1e300 into
    float32). Only then are the arrays read (no more bytes than the model's own) and assigned.
    """
    path = Path(path)
    with _open_regular(path) as handle:
        if handle.read(6) == _NPY_MAGIC:
            raise CheckpointError(
                f"checkpoint {path} is a single .npy array, not an .npz archive of named "
                "arrays; write checkpoints with nn.save(model, path)"
            )
        handle.seek(0)
        starts_as_zip = handle.read(4) == b"PK\x03\x04"
        handle.seek(0)
        missing_tail = _missing_tail(handle)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
            size = os.fstat(handle.fileno()).st_size
            cause = (
                "the file is empty"
                if size == 0
                else f"truncated: it starts as a zip archive but its end (the directory of entries) is missing "
                f"or damaged ({size} bytes)"
                if starts_as_zip
                else f"truncated or corrupt ({size} bytes)"
            )
            raise CheckpointError(f"checkpoint {path} is not a readable .npz (zip) archive: {cause}: {error}") from None
        with archive:
            _format_version(archive, path, missing_tail)
            entries: dict[str, tuple[zipfile.ZipInfo, SimpleNamespace]] = {}
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    raise CheckpointError(f"checkpoint {path}: entry {info.filename!r} is not a .npy array")
                name = info.filename[: -len(".npy")]
                if name in entries:
                    raise CheckpointError(f"checkpoint {path}: entry {name!r} appears twice")
                entries[name] = (info, _read_header(archive, info, path, name))
            parameters = module._state_tensors()  # parameters and persistent buffers, as state_dict saves
            source = f"checkpoint {path}"
            legacy = legacy_names(module)
            if legacy and set(entries) != set(parameters) and set(entries) == {legacy.get(n, n) for n in parameters}:
                # written before Sequential children were named as PyTorch names them ('layers.0.weight')
                back = {old: new for new, old in legacy.items()}
                entries = {back.get(name, name): entry for name, entry in entries.items()}
            _check_names_and_shapes(parameters, {name: header for name, (_, header) in entries.items()}, source)
            for name, (_, header) in entries.items():
                if header.dtype.kind not in "fiu":
                    raise TypeError(
                        f"{source}: parameter {name!r} holds dtype {header.dtype}, which is not a "
                        "real number type; parameters take float or integer values"
                    )
            arrays = {
                name: _read_data(archive, info, header, f"{source}: entry {name!r}")
                for name, (info, header) in entries.items()
            }
    _assign_checked(parameters, arrays, source)
    return module
