"""IDX files: read and write them, with every bound checked before anything is allocated.

IDX (http://yann.lecun.com/exdb/mnist/): two zero bytes, a dtype code byte,
a byte with the number of dimensions, one big-endian uint32 per dimension,
then the values, big-endian, in C order. Files may be gzip-compressed.
"""

from __future__ import annotations

import contextlib
import gzip
import math
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np

from .._atomic import atomic_path
from .._files import not_a_regular_file, special_file_kind

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["DEFAULT_MAX_IDX_BYTES", "IDXError", "read_idx", "write_idx"]


class IDXError(ValueError):
    """An IDX file (or the data in it) does not make sense; the message names file and offset."""


_CODE_TO_DTYPE: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
# Dimensions are uint32 on disk, but a writer that meant a signed int (or garbage)
# shows up as >= 2**31; no real array has such an axis, so we call it corrupt.
_MAX_DIMENSION = 2**31 - 1
# A header may claim up to (2**32-1)**255 bytes; refuse before reading anything
# beyond this (full Fashion-MNIST train images are 47 MB). max_bytes=None lifts it.
DEFAULT_MAX_IDX_BYTES = 1 << 30
_CHUNK_BYTES = 1 << 20
MAX_NDIM = 64 if int(np.__version__.split(".")[0]) >= 2 else 32  # NumPy's limit on an array's dimensions


def _describe_codes() -> str:
    return ", ".join(f"0x{code:02X} {dtype.name}" for code, dtype in _CODE_TO_DTYPE.items())


def _read_up_to(stream: BinaryIO | gzip.GzipFile, limit: int) -> bytearray:
    """Read at most ``limit`` bytes in chunks, so memory follows the data actually present."""
    buffer = bytearray()
    while len(buffer) < limit:
        chunk = stream.read(min(_CHUNK_BYTES, limit - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer


def _read_idx_stream(
    stream: BinaryIO | gzip.GzipFile, path: Path, file_size: int | None, max_bytes: int | None
) -> np.ndarray:
    """Parse an IDX stream; ``file_size`` is known for raw files, None for gzip."""
    where = "" if file_size is not None else " of the decompressed stream"
    header = _read_up_to(stream, 4)
    if len(header) < 4:
        raise IDXError(f"{path}: ends at byte {len(header)}{where}, inside the 4-byte IDX header")
    if header[0] != 0 or header[1] != 0:
        raise IDXError(f"{path}: bad magic: bytes 0-1 are 0x{header[:2].hex()}, expected 0x0000 (not an IDX file?)")
    code, ndim = header[2], header[3]
    if code not in _CODE_TO_DTYPE:
        raise IDXError(f"{path}: unknown dtype code 0x{code:02X} at byte offset 2; known codes: {_describe_codes()}")
    if ndim == 0:
        raise IDXError(f"{path}: the ndim byte at offset 3 is 0; an IDX array needs >= 1 dimension")
    if ndim > MAX_NDIM:
        raise IDXError(
            f"{path}: the ndim byte at offset 3 says {ndim} dimensions; NumPy arrays have at most {MAX_NDIM} "
            "(a corrupt header, or not an IDX file)"
        )
    dims_bytes = _read_up_to(stream, 4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise IDXError(
            f"{path}: truncated header: {ndim} dimensions need {4 * ndim} bytes at "
            f"byte offset 4{where}, found {len(dims_bytes)}"
        )
    shape = struct.unpack(f">{ndim}I", dims_bytes)
    for axis, size in enumerate(shape):
        if size == 0 or size > _MAX_DIMENSION:
            problem = "is 0" if size == 0 else f"is {size} (>= 2**31, a corrupt or negative value)"
            raise IDXError(
                f"{path}: dimension {axis} (bytes {4 + 4 * axis}-{7 + 4 * axis}) {problem}; header shape {shape}"
            )
    dtype = _CODE_TO_DTYPE[code]
    offset = 4 + 4 * ndim
    expected = math.prod(shape) * dtype.itemsize  # Python ints: cannot overflow
    claim = f"header (shape {shape}, {dtype.name}) promises {expected} payload bytes from byte offset {offset}{where}"
    if max_bytes is not None and expected > max_bytes:
        raise IDXError(
            f"{path}: {claim}, more than max_bytes={max_bytes}; refusing to read "
            "(pass max_bytes=None if the file really is that large)"
        )
    if file_size is not None:
        found = file_size - offset
        # Compare with the file size first, so a lying header never makes us read.
        if found == expected:
            payload = _read_up_to(stream, expected)
            found = len(payload)  # shorter only if the file shrank under us
    else:
        payload = _read_up_to(stream, expected + 1)  # +1 reveals trailing bytes
        found = len(payload)
    if found < expected:
        raise IDXError(f"{path}: truncated: {claim}, but only {found} are there (data ends at byte {offset + found})")
    if found > expected:
        extra = f"{found - expected}" if file_size is not None else "at least 1"
        raise IDXError(
            f"{path}: {extra} trailing byte(s): {claim}, so the data should end at "
            f"byte {offset + expected}, but it goes on"
        )
    big_endian = np.frombuffer(payload, dtype=dtype).reshape(shape)
    return big_endian.astype(dtype.newbyteorder("="))  # native byte order, own writable copy


def _open_regular_file(path: Path) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file: a FIFO would block forever, a device
    may never end, a folder cannot be read. Opened non-blocking first, so even a FIFO cannot hang us."""
    kind = not_a_regular_file(path)  # stat first: opening a FIFO or a device is already reading it
    if kind is not None:
        raise IDXError(f"{path}: is {kind}, not a regular file; refusing to read it")
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    kind = special_file_kind(os.fstat(descriptor).st_mode)  # swapped in between: checked again
    if kind is not None:
        os.close(descriptor)
        raise IDXError(f"{path}: is {kind}, not a regular file; refusing to read it")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def read_idx(path: PathLike, *, max_bytes: int | None = DEFAULT_MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file, raw or gzip-compressed (recognised by the 1f 8b magic, not the name).

    Returns a native-endian array of the shape in the header, e.g. (N, 28, 28) uint8.
    Anything but a regular file (a FIFO, a device, a folder) is refused before reading.
    Raises IDXError naming the file, the problem and the byte offsets when the header is
    invalid or the payload is not exactly prod(shape) * itemsize bytes. Nothing of the
    size the header claims is allocated before the data is known to be there.
    """
    path = Path(path)
    with _open_regular_file(path) as raw:
        is_gzip = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not is_gzip:
            return _read_idx_stream(raw, path, os.fstat(raw.fileno()).st_size, max_bytes)
        compressed_size = os.fstat(raw.fileno()).st_size
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read_idx_stream(stream, path, None, max_bytes)
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise IDXError(
                f"{path}: corrupt or truncated gzip stream ({compressed_size} bytes compressed): {error}"
            ) from error


def _idx_code_for(dtype: np.dtype) -> int:
    native = dtype.newbyteorder("=")
    for code, idx_dtype in _CODE_TO_DTYPE.items():
        if idx_dtype.newbyteorder("=") == native:
            return code
    raise TypeError(f"IDX cannot hold dtype {dtype}; supported: {_describe_codes()} (convert with .astype(...) first)")


def _atomic_write(path: Path, write_contents: Callable[[BinaryIO], None]) -> None:
    """Write via ``_atomic.atomic_path`` (a temp file renamed into place), so ``path`` is never half-written."""
    with atomic_path(path) as temp, open(temp, "wb") as handle:
        write_contents(handle)


def write_idx(path: PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` (any shape with 1..255 axes, each of size 1..2**31-1) as an IDX file.

    ``compress=None`` gzips iff ``path`` ends with ``.gz``. The file appears atomically:
    an interrupted or failed write leaves no partial file (an older file stays intact).
    Raises TypeError for dtypes IDX cannot hold and ValueError for impossible shapes.
    """
    path = Path(path)
    array = np.asarray(array)
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX needs an array with 1 to 255 dimensions, got shape {array.shape}")
    code = _idx_code_for(array.dtype)
    if any(size == 0 or size > _MAX_DIMENSION for size in array.shape):
        raise ValueError(f"IDX dimensions must be 1..{_MAX_DIMENSION}, got shape {array.shape}")
    if compress is None:
        compress = path.name.endswith(".gz")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    big_endian = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder(">"))
    payload = big_endian.reshape(-1).view(np.uint8)  # a byte view: no second copy

    def write_contents(handle: BinaryIO) -> None:
        # mtime=0 keeps gzip output byte-identical across runs
        with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) if compress else contextlib.nullcontext(handle) as out:
            out.write(header)
            out.write(payload)  # type: ignore[call-overload, arg-type]  # an ndarray is a buffer

    _atomic_write(path, write_contents)
