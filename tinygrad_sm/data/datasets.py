"""Data sets: the Dataset record, Fashion-MNIST from its IDX files, scikit-learn's 8x8 digits, stratified splits.

Every loader returns a [`Dataset`][tinygrad_sm.data.datasets.Dataset] whose inputs are float32 of
shape ``(N, D)`` (flattened images) and whose labels are int64 of shape ``(N,)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import download as _download
from .download import (
    DATA_DIR_ENV,
    FASHION_MNIST_URL,
    URL_ENV,
    default_data_dir,
    download_fashion_mnist,
)
from .idx import _GZIP_MAGIC, IDXError, PathLike, read_idx

SeedLike = int | np.random.Generator | None

__all__ = [
    "DATASET_NAMES",
    "FASHION_MNIST_CLASSES",
    "Dataset",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "stratified_split",
]


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
_IMAGE_SIDE = 28


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
    # read from .download at call time, as download_fashion_mnist does, so one patch changes both
    missing = _download.missing_files(folder, _download.FASHION_MNIST_FILES)
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
