"""Data sets and batching: IDX files, Fashion-MNIST, scikit-learn's 8x8 digits.

Pure NumPy and the standard library; this module imports nothing else from
``tinygrad_sm``, so it can be copied out and used on its own.

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
import struct
import tempfile
import urllib.request
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np

PathLike = Union[str, "os.PathLike[str]"]
SeedLike = Union[int, np.random.Generator, None]

__all__ = [
    "IDXError", "DownloadError", "ChecksumError", "Dataset", "read_idx", "write_idx", "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_FILES", "FASHION_MNIST_URL", "DATA_DIR_ENV", "DATASET_NAMES", "default_data_dir",
    "load_fashion_mnist", "download_file", "download_fashion_mnist", "verify_checksums", "load_digits",
    "stratified_split", "load_dataset", "iterate_minibatches", "one_hot",
]


class IDXError(ValueError):
    """An IDX file (or the data in it) does not make sense; the message names file and offset."""


class DownloadError(OSError):
    """A download failed or did not verify; nothing was left at the destination."""


class ChecksumError(ValueError):
    """A local file's MD5 differs from the expected one."""


# ---------------------------------------------------------------------------- IDX

_CODE_TO_DTYPE = {
    0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
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


def _read_up_to(stream: BinaryIO, limit: int) -> bytearray:
    """Read at most ``limit`` bytes in chunks, so memory follows the data actually present."""
    buffer = bytearray()
    while len(buffer) < limit:
        chunk = stream.read(min(_CHUNK_BYTES, limit - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer


def _read_idx_stream(stream: BinaryIO, path: Path, file_size: int | None,
                     max_bytes: int | None) -> np.ndarray:
    """Parse an IDX stream; ``file_size`` is known for raw files, None for gzip."""
    where = "" if file_size is not None else " of the decompressed stream"
    header = _read_up_to(stream, 4)
    if len(header) < 4:
        raise IDXError(f"{path}: ends at byte {len(header)}{where}, inside the 4-byte IDX header")
    if header[0] != 0 or header[1] != 0:
        raise IDXError(f"{path}: bad magic: bytes 0-1 are 0x{header[:2].hex()}, expected 0x0000 "
                       "(not an IDX file?)")
    code, ndim = header[2], header[3]
    if code not in _CODE_TO_DTYPE:
        raise IDXError(f"{path}: unknown dtype code 0x{code:02X} at byte offset 2; "
                       f"known codes: {_describe_codes()}")
    if ndim == 0:
        raise IDXError(f"{path}: the ndim byte at offset 3 is 0; an IDX array needs >= 1 dimension")
    dims_bytes = _read_up_to(stream, 4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise IDXError(f"{path}: truncated header: {ndim} dimensions need {4 * ndim} bytes at "
                       f"byte offset 4{where}, found {len(dims_bytes)}")
    shape = struct.unpack(f">{ndim}I", dims_bytes)
    for axis, size in enumerate(shape):
        if size == 0 or size > _MAX_DIMENSION:
            problem = "is 0" if size == 0 else f"is {size} (>= 2**31, a corrupt or negative value)"
            raise IDXError(f"{path}: dimension {axis} (bytes {4 + 4 * axis}-{7 + 4 * axis}) "
                           f"{problem}; header shape {shape}")
    dtype = _CODE_TO_DTYPE[code]
    offset = 4 + 4 * ndim
    expected = math.prod(shape) * dtype.itemsize  # Python ints: cannot overflow
    claim = (f"header (shape {shape}, {dtype.name}) promises {expected} payload bytes "
             f"from byte offset {offset}{where}")
    if max_bytes is not None and expected > max_bytes:
        raise IDXError(f"{path}: {claim}, more than max_bytes={max_bytes}; refusing to read "
                       "(pass max_bytes=None if the file really is that large)")
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
        raise IDXError(f"{path}: truncated: {claim}, but only {found} are there "
                       f"(data ends at byte {offset + found})")
    if found > expected:
        extra = f"{found - expected}" if file_size is not None else "at least 1"
        raise IDXError(f"{path}: {extra} trailing byte(s): {claim}, so the data should end at "
                       f"byte {offset + expected}, but it goes on")
    big_endian = np.frombuffer(payload, dtype=dtype).reshape(shape)
    return big_endian.astype(dtype.newbyteorder("="))  # native byte order, own writable copy


def read_idx(path: PathLike, *, max_bytes: int | None = DEFAULT_MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file, raw or gzip-compressed (recognised by the 1f 8b magic, not the name).

    Returns a native-endian array of the shape in the header, e.g. (N, 28, 28) uint8.
    Raises IDXError naming the file, the problem and the byte offsets when the header is
    invalid or the payload is not exactly prod(shape) * itemsize bytes. Nothing of the
    size the header claims is allocated before the data is known to be there.
    """
    path = Path(path)
    with open(path, "rb") as raw:
        is_gzip = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not is_gzip:
            return _read_idx_stream(raw, path, os.fstat(raw.fileno()).st_size, max_bytes)
        compressed_size = os.fstat(raw.fileno()).st_size
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read_idx_stream(stream, path, None, max_bytes)
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise IDXError(f"{path}: corrupt or truncated gzip stream ({compressed_size} bytes "
                           f"compressed): {error}") from error


def _idx_code_for(dtype: np.dtype) -> int:
    native = dtype.newbyteorder("=")
    for code, idx_dtype in _CODE_TO_DTYPE.items():
        if idx_dtype.newbyteorder("=") == native:
            return code
    raise TypeError(f"IDX cannot hold dtype {dtype}; supported: {_describe_codes()} "
                    "(convert with .astype(...) first)")


def _atomic_write(path: Path, write_contents: Callable[[BinaryIO], None]) -> None:
    """Write via a temp file in ``path``'s folder and rename, so ``path`` is never half-written."""
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write_contents(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes files 0600; data files are for sharing
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


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
        with (gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) if compress
              else contextlib.nullcontext(handle)) as out:
            out.write(header)
            out.write(payload)

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
        return (f"Dataset(name={self.name!r}, x_train={self.x_train.shape}, "
                f"x_test={self.x_test.shape}, num_classes={self.num_classes})")


FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
#: Official file names and MD5 checksums (github.com/zalandoresearch/fashion-mnist).
FASHION_MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
DATA_DIR_ENV = "TINYGRAD_SM_DATA"
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


def download_file(url: str, dest: PathLike, md5: str, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``dest``, verifying the MD5 while streaming; returns ``dest``.

    The bytes go to a temp file beside ``dest`` that is renamed only when complete (as
    long as Content-Length said) and verified. On any failure the temp file is deleted,
    nothing appears at ``dest``, and DownloadError names the URL and the cause.
    """
    dest = Path(dest)
    expected_md5 = md5.strip().lower()
    if len(expected_md5) != 32 or any(char not in "0123456789abcdef" for char in expected_md5):
        raise ValueError(f"md5 must be 32 hex digits, got {md5!r}")
    dest.parent.mkdir(parents=True, exist_ok=True)

    def fetch(handle: BinaryIO) -> None:
        digest = hashlib.md5(usedforsecurity=False)
        received, declared = 0, None
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                length_header = response.headers.get("Content-Length")
                declared = int(length_header) if length_header and length_header.isdigit() else None
                while chunk := response.read(_CHUNK_BYTES):
                    digest.update(chunk)
                    handle.write(chunk)
                    received += len(chunk)
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise DownloadError(f"download of {url} failed after {received} bytes: "
                                f"{type(error).__name__}: {error}") from error
        if declared is not None and received != declared:
            raise DownloadError(f"download of {url} is incomplete: the connection ended after "
                                f"{received} of {declared} bytes (Content-Length)")
        actual_md5 = digest.hexdigest()
        if actual_md5 != expected_md5:
            raise DownloadError(f"download of {url} failed its checksum: expected MD5 {expected_md5}, "
                                f"got {actual_md5} ({received} bytes); the file was discarded")

    _atomic_write(dest, fetch)
    return dest


def download_fashion_mnist(root: PathLike | None = None, base_url: str = FASHION_MNIST_URL,
                           checksums: Mapping[str, str] | None = None) -> Path:
    """Download the Fashion-MNIST files missing from ``root`` (see default_data_dir); returns it.

    Each download is verified against ``checksums`` (file name -> MD5, default the
    official FASHION_MNIST_FILES); files already present are left alone.
    """
    folder = default_data_dir(root)
    checksums = FASHION_MNIST_FILES if checksums is None else checksums
    for file_name, md5 in checksums.items():
        if not (folder / file_name).is_file():
            download_file(base_url.rstrip("/") + "/" + file_name, folder / file_name, md5)
    return folder


def verify_checksums(root: PathLike | None = None, checksums: Mapping[str, str] | None = None) -> Path:
    """Check every file of ``checksums`` (default FASHION_MNIST_FILES) in ``root``; returns root.

    Raises FileNotFoundError listing missing files, ChecksumError listing every mismatch.
    """
    folder = default_data_dir(root)
    checksums = FASHION_MNIST_FILES if checksums is None else checksums
    if missing := [name for name in checksums if not (folder / name).is_file()]:
        raise FileNotFoundError(f"cannot verify {folder}: missing {', '.join(missing)}")
    mismatches = [f"{name}: expected MD5 {md5.lower()}, got {actual}"
                  for name, md5 in checksums.items()
                  if (actual := _file_md5(folder / name)) != md5.lower()]
    if mismatches:
        raise ChecksumError(f"checksum mismatch in {folder}: " + "; ".join(mismatches))
    return folder


def _load_fashion_split(folder: Path, prefix: str, normalize: bool) -> tuple[np.ndarray, np.ndarray]:
    images_path = folder / f"{prefix}-images-idx3-ubyte.gz"
    labels_path = folder / f"{prefix}-labels-idx1-ubyte.gz"
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (_IMAGE_SIDE, _IMAGE_SIDE) or images.dtype != np.uint8:
        raise IDXError(f"{images_path}: expected uint8 images of shape (N, 28, 28), "
                       f"found {images.dtype} {images.shape}")
    if labels.ndim != 1:
        raise IDXError(f"{labels_path}: expected labels of shape (N,), found {labels.shape}")
    if len(images) != len(labels):
        raise IDXError(f"{images_path.name} has {len(images)} images but {labels_path.name} has "
                       f"{len(labels)} labels (in {folder})")
    labels = labels.astype(np.int64)
    out_of_range = np.flatnonzero((labels < 0) | (labels >= len(FASHION_MNIST_CLASSES)))
    if out_of_range.size:
        index = int(out_of_range[0])
        raise IDXError(f"{labels_path}: label {labels[index]} at index {index} is outside 0..9 "
                       f"({out_of_range.size} such labels)")
    inputs = images.reshape(len(images), _IMAGE_SIDE * _IMAGE_SIDE).astype(np.float32)
    if normalize:
        inputs /= np.float32(255)
    return inputs, labels


def load_fashion_mnist(root: PathLike | None = None, download: bool = False,
                       base_url: str = FASHION_MNIST_URL, normalize: bool = True) -> Dataset:
    """Load Fashion-MNIST from the four official .gz files in ``root`` (see default_data_dir).

    Returns a Dataset with x_train (N, 784) float32 (scaled to [0, 1] when ``normalize``,
    else 0..255), y_train (N,) int64, likewise x_test/y_test, and the ten class names.
    Missing files are downloaded (and verified) only when ``download`` is true.
    """
    folder = default_data_dir(root)
    missing = [name for name in FASHION_MNIST_FILES if not (folder / name).is_file()]
    if missing and download:
        download_fashion_mnist(folder, base_url)
    elif missing:
        raise FileNotFoundError(
            f"Fashion-MNIST files missing from {folder}: {', '.join(missing)}. Point --data-dir "
            f"(or the {DATA_DIR_ENV} environment variable) at a folder that holds them, "
            f"or pass download=True to fetch them from {base_url}")
    x_train, y_train = _load_fashion_split(folder, "train", normalize)
    x_test, y_test = _load_fashion_split(folder, "t10k", normalize)
    return Dataset(x_train, y_train, x_test, y_test, FASHION_MNIST_CLASSES, "fashion-mnist")


def stratified_split(labels: np.ndarray, test_fraction: float = 0.25,
                     seed: SeedLike = 0) -> tuple[np.ndarray, np.ndarray]:
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
        raise ImportError("load_digits needs scikit-learn, which is not installed: "
                          "pip install scikit-learn (or pip install 'tinygrad_sm[train]')") from error
    bunch = sklearn_load_digits()
    inputs = np.asarray(bunch.data, dtype=np.float32) / np.float32(16)
    targets = np.asarray(bunch.target, dtype=np.int64)
    train, test = stratified_split(targets, test_fraction, seed)
    class_names = tuple(str(digit) for digit in range(10))
    return Dataset(inputs[train], targets[train], inputs[test], targets[test], class_names, "digits")


DATASET_NAMES = ("digits", "fashion-mnist")


def load_dataset(name: str, data_dir: PathLike | None = None, download: bool = False) -> Dataset:
    """Load a data set by name: 'digits' (embedded; data_dir is unused) or 'fashion-mnist'."""
    key = name.strip().lower().replace("_", "-")
    if key == "digits":
        return load_digits()
    if key == "fashion-mnist":
        return load_fashion_mnist(root=data_dir, download=download)
    raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(DATASET_NAMES)}")


# ---------------------------------------------------------------------------- batching

def _is_positive_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0


def iterate_minibatches(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True,
                        seed: SeedLike = None, drop_last: bool = False
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


def _minibatches(x: np.ndarray, y: np.ndarray, batch_size: int, order: np.ndarray | None,
                 drop_last: bool) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    count = len(x)
    stop = count - count % batch_size if drop_last else count
    for start in range(0, stop, batch_size):
        if order is None:  # slices are views: no copy when not shuffling
            yield x[start:start + batch_size], y[start:start + batch_size]
        else:
            indices = order[start:start + batch_size]
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
        raise ValueError(f"label {labels[position]} at index {shown} is outside 0..{num_classes - 1} "
                         f"({len(out_of_range)} labels out of range)")
    encoded = np.zeros(labels.shape + (num_classes,), dtype=np.float32)
    np.put_along_axis(encoded, labels[..., None].astype(np.intp), np.float32(1), axis=-1)
    return encoded
