"""Data sets and batching: IDX files, Fashion-MNIST, scikit-learn's 8x8 digits.

Pure NumPy and the standard library (tqdm, when installed, draws a download's progress bar); the
only other ``tinygrad_sm`` module it imports is ``_atomic`` (atomic output files), so the two can be
copied out and used on their own.

Every loader returns a [`Dataset`][tinygrad_sm.data.Dataset] whose inputs are float32 of shape
``(N, D)`` (flattened images) and whose labels are int64 of shape ``(N,)``.

IDX (http://yann.lecun.com/exdb/mnist/): two zero bytes, a dtype code byte,
a byte with the number of dimensions, one big-endian uint32 per dimension,
then the values, big-endian, in C order. Files may be gzip-compressed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import math
import os
import stat
import struct
import sys
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Union

import numpy as np

from ._atomic import atomic_path, check_output_file

PathLike = Union[str, "os.PathLike[str]"]
SeedLike = int | np.random.Generator | None

__all__ = [
    "DATASET_NAMES",
    "DATA_DIR_ENV",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_SIZES",
    "FASHION_MNIST_URL",
    "URL_ENV",
    "ChecksumError",
    "Dataset",
    "DownloadError",
    "IDXError",
    "default_data_dir",
    "download_fashion_mnist",
    "download_file",
    "iterate_minibatches",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "one_hot",
    "read_idx",
    "stratified_split",
    "verify_checksums",
    "write_idx",
]


class IDXError(ValueError):
    """An IDX file (or the data in it) does not make sense; the message names file and offset."""


class DownloadError(OSError):
    """A download failed or did not verify; nothing was left at the destination."""


class ChecksumError(ValueError):
    """A local file's MD5 differs from the expected one."""


# ---------------------------------------------------------------------------- IDX

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
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket or other special file"
        )
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


# ---------------------------------------------------------------------------- data sets


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A train/test split: ``x_*`` float32 (N, D), ``y_*`` int64 (N,) in 0..len(class_names)-1."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    name: str

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def num_features(self) -> int:
        return int(self.x_train.shape[1])

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, x_train={self.x_train.shape}, "
            f"x_test={self.x_test.shape}, num_classes={self.num_classes})"
        )


FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
#: Official file names and MD5 checksums (github.com/zalandoresearch/fashion-mnist).
FASHION_MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
#: Their sizes in bytes (the cap of each download).
FASHION_MNIST_SIZES: dict[str, int] = {
    "train-images-idx3-ubyte.gz": 26421880,
    "train-labels-idx1-ubyte.gz": 29515,
    "t10k-images-idx3-ubyte.gz": 4422102,
    "t10k-labels-idx1-ubyte.gz": 5148,
}
_OFFICIAL_SIZES = {FASHION_MNIST_FILES[name]: size for name, size in FASHION_MNIST_SIZES.items()}
FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
DATA_DIR_ENV = "TINYGRAD_SM_DATA"
#: a mirror to download Fashion-MNIST from instead of FASHION_MNIST_URL (the checksums still apply)
URL_ENV = "TINYGRAD_SM_FASHION_MNIST_URL"
_IMAGE_SIDE = 28


def default_data_dir(root: PathLike | None = None) -> Path:
    """The Fashion-MNIST folder: ``root``, else $TINYGRAD_SM_DATA, else the user cache dir.

    The cache dir is ``$XDG_CACHE_HOME/tinygrad_sm/fashion-mnist`` (``~/.cache`` when unset).
    """
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home).expanduser() / "tinygrad_sm" / "fashion-mnist"


def _file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


DEFAULT_MAX_DOWNLOAD_BYTES = 1 << 30  # without a known size, refuse bodies over 1 GiB
DEFAULT_DOWNLOAD_DEADLINE = 600.0  # seconds for a whole file (the largest official one is 26 MB)


def _set_read_timeout(response: Any, seconds: float) -> None:
    """Shorten the socket timeout of an open response, so one read cannot outlast the deadline.
    (http.client keeps the socket at ``response.fp.raw._sock``; where it does not, reads keep the
    ``timeout`` given to urlopen and the deadline is checked between them.)"""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(seconds, 0.001))


def _download_bar(total: int | None, url: str, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        leave=False,
        file=sys.stderr,
        desc=url.rsplit("/", 1)[-1] or url,
    )


def download_file(
    url: str,
    dest: PathLike,
    md5: str,
    timeout: float = 30.0,
    *,
    deadline: float | None = DEFAULT_DOWNLOAD_DEADLINE,
    max_bytes: int | None = None,
    expected_size: int | None = None,
    progress: bool = False,
) -> Path:
    """Download ``url`` to ``dest``, verifying the MD5 while streaming; returns ``dest``.

    Bounded in time and size: ``timeout`` seconds at most without data (per read, and for the
    connection), ``deadline`` seconds at most for the whole file (None: no overall limit); at most
    ``max_bytes`` bytes (default ``expected_size`` when given, else DEFAULT_MAX_DOWNLOAD_BYTES): a
    Content-Length above the cap is refused before reading, and a body that goes past it is cut off.
    With ``expected_size`` the body must be exactly that long. ``progress`` shows a tqdm bar on
    stderr (when tqdm is installed).

    The bytes go to a temp file beside ``dest`` that is renamed only when complete and verified. On
    any failure the temp file is deleted, nothing appears at ``dest``, and DownloadError names the URL,
    the cause and the number of bytes actually received.
    """
    dest = check_output_file(dest)
    expected_md5 = md5.strip().lower()
    if len(expected_md5) != 32 or any(char not in "0123456789abcdef" for char in expected_md5):
        raise ValueError(f"md5 must be 32 hex digits, got {md5!r}")
    for label, value in (("timeout", timeout), ("deadline", deadline)):
        if value is not None and not value > 0:
            raise ValueError(f"{label} must be a positive number of seconds, got {value!r}")
    cap = (
        max_bytes
        if max_bytes is not None
        else expected_size
        if expected_size is not None
        else DEFAULT_MAX_DOWNLOAD_BYTES
    )
    started = time.monotonic()

    def remaining() -> float:
        return math.inf if deadline is None else deadline - (time.monotonic() - started)

    def past_deadline(received: int, declared: int | None) -> DownloadError:
        return DownloadError(
            f"download of {url} ran past its deadline of {deadline:g} s after {received} bytes"
            + (f" of {declared}" if declared else "")
            + " (the server is too slow; try again, or allow a longer deadline)"
        )

    def fetch(handle: BinaryIO) -> None:
        digest = hashlib.md5(usedforsecurity=False)
        received, declared, bar = 0, None, None
        try:
            with urllib.request.urlopen(url, timeout=min(timeout, remaining())) as response:
                length_header = response.headers.get("Content-Length")
                declared = int(length_header) if length_header and length_header.isdigit() else None
                if declared is not None and declared > cap:
                    raise DownloadError(
                        f"download of {url} refused: Content-Length {declared} bytes is more than "
                        f"the cap of {cap} bytes"
                        + (f" (the file should be {expected_size} bytes)" if expected_size is not None else "")
                    )
                bar = _download_bar(declared or expected_size, url, progress)
                while True:
                    left = remaining()
                    if left <= 0:
                        raise past_deadline(received, declared)
                    _set_read_timeout(response, min(timeout, left))
                    chunk = response.read1(_CHUNK_BYTES)  # what has arrived, so the count is true
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > cap:
                        raise DownloadError(
                            f"download of {url} refused: the body goes past the cap of {cap} bytes; stopped there"
                        )
                    digest.update(chunk)
                    handle.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
        except DownloadError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as error:
            if remaining() <= 0:
                raise past_deadline(received, declared) from error
            cause = f"{type(error).__name__}: {error}"
            if isinstance(error, TimeoutError) or "timed out" in str(error):
                cause = f"no data for {timeout:g} s ({cause})"
            raise DownloadError(f"download of {url} failed after {received} bytes: {cause}") from error
        finally:
            if bar is not None:
                bar.close()
        if declared is not None and received != declared:
            raise DownloadError(
                f"download of {url} is incomplete: the connection ended after "
                f"{received} of {declared} bytes (Content-Length)"
            )
        if expected_size is not None and received != expected_size:
            raise DownloadError(f"download of {url} has {received} bytes, but the file is {expected_size} bytes")
        actual_md5 = digest.hexdigest()
        if actual_md5 != expected_md5:
            raise DownloadError(
                f"download of {url} failed its checksum: expected MD5 {expected_md5}, "
                f"got {actual_md5} ({received} bytes); the file was discarded"
            )

    _atomic_write(dest, fetch)
    return dest


def download_fashion_mnist(
    root: PathLike | None = None,
    base_url: str = FASHION_MNIST_URL,
    checksums: Mapping[str, str] | None = None,
    progress: bool = False,
) -> Path:
    """Download the Fashion-MNIST files missing from ``root`` (see default_data_dir); returns it.

    Each download is verified against ``checksums`` (file name -> MD5, default the
    official FASHION_MNIST_FILES); files already present are left alone. An official file
    (recognised by its MD5) must also have its official size, which caps the download.
    """
    folder = default_data_dir(root)
    checksums = FASHION_MNIST_FILES if checksums is None else checksums
    for file_name, md5 in checksums.items():
        if not (folder / file_name).is_file():
            download_file(
                base_url.rstrip("/") + "/" + file_name,
                folder / file_name,
                md5,
                expected_size=_OFFICIAL_SIZES.get(md5.strip().lower()),
                progress=progress,
            )
    return folder


def verify_checksums(root: PathLike | None = None, checksums: Mapping[str, str] | None = None) -> Path:
    """Check every file of ``checksums`` (default FASHION_MNIST_FILES) in ``root``; returns root.

    Raises FileNotFoundError listing missing files, ChecksumError listing every mismatch.
    """
    folder = default_data_dir(root)
    checksums = FASHION_MNIST_FILES if checksums is None else checksums
    if missing := [name for name in checksums if not (folder / name).is_file()]:
        raise FileNotFoundError(f"cannot verify {folder}: missing {', '.join(missing)}")
    mismatches = [
        f"{name}: expected MD5 {md5.lower()}, got {actual}"
        for name, md5 in checksums.items()
        if (actual := _file_md5(folder / name)) != md5.lower()
    ]
    if mismatches:
        raise ChecksumError(f"checksum mismatch in {folder}: " + "; ".join(mismatches))
    return folder


def _checked_labels(labels: np.ndarray, path: Path, num_classes: int) -> np.ndarray:
    """``labels`` (N,) from an IDX file as int64, after checking each is an integer in 0..num_classes-1;
    the message names the first bad label's index, its byte offset in the file (in the decompressed
    stream for .gz) and its value: a float label (0.5, nan) is refused, never truncated."""
    offset_of = lambda index: 8 + index * labels.dtype.itemsize
    with open(path, "rb") as handle:  # gzip is told by its magic bytes, as read_idx does
        where = " of the decompressed stream" if handle.read(2) == _GZIP_MAGIC else ""
    if labels.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            not_integral = np.flatnonzero(~np.isfinite(labels) | (labels != np.round(labels)))
        if not_integral.size:
            index = int(not_integral[0])
            raise IDXError(
                f"{path}: label {labels[index].item()!r} at index {index} "
                f"(byte offset {offset_of(index)}{where}) "
                f"is not an integer; labels are class numbers 0..{num_classes - 1} "
                f"({not_integral.size} such labels)"
            )
    with np.errstate(invalid="ignore"):
        out_of_range = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if out_of_range.size:
        index = int(out_of_range[0])
        value = labels[index].item()
        shown = int(value) if isinstance(value, float) else value
        raise IDXError(
            f"{path}: label {shown} at index {index} (byte offset {offset_of(index)}{where}) is outside "
            f"0..{num_classes - 1} ({out_of_range.size} such labels)"
        )
    return labels.astype(np.int64)


def _load_fashion_split(folder: Path, prefix: str, normalize: bool) -> tuple[np.ndarray, np.ndarray]:
    images_path = folder / f"{prefix}-images-idx3-ubyte.gz"
    labels_path = folder / f"{prefix}-labels-idx1-ubyte.gz"
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (_IMAGE_SIDE, _IMAGE_SIDE) or images.dtype != np.uint8:
        raise IDXError(
            f"{images_path}: expected uint8 images of shape (N, 28, 28), found {images.dtype} {images.shape}"
        )
    if labels.ndim != 1:
        raise IDXError(f"{labels_path}: expected labels of shape (N,), found {labels.shape}")
    if len(images) != len(labels):
        raise IDXError(
            f"{images_path.name} has {len(images)} images but {labels_path.name} has {len(labels)} labels (in {folder})"
        )
    labels = _checked_labels(labels, labels_path, len(FASHION_MNIST_CLASSES))
    inputs = images.reshape(len(images), _IMAGE_SIDE * _IMAGE_SIDE).astype(np.float32)
    if normalize:
        inputs /= np.float32(255)
    return inputs, labels


def load_fashion_mnist(
    root: PathLike | None = None,
    download: bool = False,
    base_url: str | None = None,
    normalize: bool = True,
    progress: bool = False,
) -> Dataset:
    """Load Fashion-MNIST from the four official .gz files in ``root`` (see default_data_dir).

    Returns a Dataset with x_train (N, 784) float32 (scaled to [0, 1] when ``normalize``,
    else 0..255), y_train (N,) int64, likewise x_test/y_test, and the ten class names.
    Missing files are downloaded (and verified) only when ``download`` is true, with a
    progress bar when ``progress``, from ``base_url`` (default: $TINYGRAD_SM_FASHION_MNIST_URL,
    else FASHION_MNIST_URL).
    """
    folder = default_data_dir(root)
    base_url = base_url or os.environ.get(URL_ENV) or FASHION_MNIST_URL
    missing = [name for name in FASHION_MNIST_FILES if not (folder / name).is_file()]
    if missing and download:
        download_fashion_mnist(folder, base_url, progress=progress)
    elif missing:
        raise FileNotFoundError(
            f"Fashion-MNIST files missing from {folder}: {', '.join(missing)}. Point --data-dir "
            f"(or the {DATA_DIR_ENV} environment variable) at a folder that holds them, "
            f"or fetch them from {base_url} (about 30 MB): --download on the command line, "
            "download=True in Python"
        )
    x_train, y_train = _load_fashion_split(folder, "train", normalize)
    x_test, y_test = _load_fashion_split(folder, "t10k", normalize)
    return Dataset(x_train, y_train, x_test, y_test, FASHION_MNIST_CLASSES, "fashion-mnist")


def stratified_split(
    labels: np.ndarray, test_fraction: float = 0.25, seed: SeedLike = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices of ``labels`` (N,) into (train, test) so every class keeps its share.

    Per class, members are shuffled and round(count * test_fraction) go to test (at least
    one on each side when a class has two or more). Both index arrays come out shuffled.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train_parts, test_parts = [], []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        test_count = int(round(len(members) * test_fraction))
        if len(members) >= 2:
            test_count = min(max(test_count, 1), len(members) - 1)
        test_parts.append(members[:test_count])
        train_parts.append(members[test_count:])
    empty = np.empty(0, dtype=np.intp)
    train = rng.permutation(np.concatenate(train_parts) if train_parts else empty)
    test = rng.permutation(np.concatenate(test_parts) if test_parts else empty)
    return train, test


def load_digits(test_fraction: float = 0.25, seed: SeedLike = 0) -> Dataset:
    """scikit-learn's embedded 8x8 digits (1797 images) as a stratified train/test Dataset.

    x_* are float32 (N, 64) in [0, 1] (pixel counts 0..16 divided by 16), y_* int64 in 0..9.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError(
            "load_digits needs scikit-learn, which is not installed: "
            "pip install scikit-learn (or pip install 'tinygrad_sm[train]')"
        ) from error
    bunch = sklearn_load_digits()
    inputs = np.asarray(bunch.data, dtype=np.float32) / np.float32(16)
    targets = np.asarray(bunch.target, dtype=np.int64)
    train, test = stratified_split(targets, test_fraction, seed)
    class_names = tuple(str(digit) for digit in range(10))
    return Dataset(inputs[train], targets[train], inputs[test], targets[test], class_names, "digits")


DATASET_NAMES = ("digits", "fashion-mnist")


def load_dataset(
    name: str, data_dir: PathLike | None = None, download: bool = False, progress: bool = False
) -> Dataset:
    """Load a data set by name: 'digits' (embedded in scikit-learn: ``data_dir`` and ``download``
    do not apply and are refused rather than ignored) or 'fashion-mnist'."""
    key = name.strip().lower().replace("_", "-")
    if key == "digits":
        if data_dir is not None or download:
            given = "data_dir" if data_dir is not None else "download"
            raise ValueError(
                f"{given} does not apply to the digits data set (it comes with scikit-learn); "
                "use it with 'fashion-mnist'"
            )
        return load_digits()
    if key == "fashion-mnist":
        return load_fashion_mnist(root=data_dir, download=download, progress=progress)
    raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(DATASET_NAMES)}")


# ---------------------------------------------------------------------------- batching


def _is_positive_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and bool(value > 0)


def iterate_minibatches(
    x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True, seed: SeedLike = None, drop_last: bool = False
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (x_batch (B, ...), y_batch (B, ...)) covering each sample once per call.

    With ``shuffle`` the order is a permutation drawn from ``np.random.default_rng(seed)``:
    an int seed repeats it exactly; a Generator gives a new order on each call (one per
    epoch) that is still reproducible from the Generator's seed. The last batch may be
    smaller unless ``drop_last``. Arguments are checked now, not at the first ``next``.
    """
    if not _is_positive_int(batch_size):
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(f"x and y need the same number of samples, got shapes {x.shape} and {y.shape}")
    order = np.random.default_rng(seed).permutation(len(x)) if shuffle else None
    return _minibatches(x, y, batch_size, order, drop_last)


def _minibatches(
    x: np.ndarray, y: np.ndarray, batch_size: int, order: np.ndarray | None, drop_last: bool
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    count = len(x)
    stop = count - count % batch_size if drop_last else count
    for start in range(0, stop, batch_size):
        if order is None:  # slices are views: no copy when not shuffling
            yield x[start : start + batch_size], y[start : start + batch_size]
        else:
            indices = order[start : start + batch_size]
            yield x[indices], y[indices]


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Encode integer ``labels`` of shape S as float32 of shape S + (num_classes,)."""
    if not _is_positive_int(num_classes):
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot needs integer labels, got dtype {labels.dtype}")
    out_of_range = np.argwhere((labels < 0) | (labels >= num_classes))
    if len(out_of_range):
        position = tuple(int(i) for i in out_of_range[0])
        shown = position[0] if len(position) == 1 else position
        raise ValueError(
            f"label {labels[position]} at index {shown} is outside 0..{num_classes - 1} "
            f"({len(out_of_range)} labels out of range)"
        )
    encoded = np.zeros(labels.shape + (num_classes,), dtype=np.float32)
    np.put_along_axis(encoded, labels[..., None].astype(np.intp), np.float32(1), axis=-1)
    return encoded
