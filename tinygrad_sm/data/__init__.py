"""Data sets and batching: IDX files, Fashion-MNIST, scikit-learn's 8x8 digits.

Pure NumPy and the standard library (tqdm, when installed, draws a download's progress bar); the
only other ``tinygrad_sm`` module the package imports is ``_atomic`` (atomic output files), so the
two can be copied out and used on their own.

| module | what it holds |
|---|---|
| `idx` | `read_idx`, `write_idx`, `IDXError`: IDX files (raw or gzip) with every bound checked |
| `download` | `download_file` (deadline, size cap, progress, MD5), `download_fashion_mnist`, `verify_checksums`, `default_data_dir` |
| `datasets` | `Dataset`, `load_fashion_mnist`, `load_digits`, `load_dataset`, `stratified_split` |
| `batching` | `iterate_minibatches`, `one_hot` |

Every name is importable from ``tinygrad_sm.data`` itself. Every loader returns a
[`Dataset`][tinygrad_sm.data.datasets.Dataset] whose inputs are float32 of shape ``(N, D)``
(flattened images) and whose labels are int64 of shape ``(N,)``.
"""

from .batching import iterate_minibatches, one_hot
from .datasets import (
    DATASET_NAMES,
    FASHION_MNIST_CLASSES,
    Dataset,
    load_dataset,
    load_digits,
    load_fashion_mnist,
    stratified_split,
)
from .datasets import SeedLike as SeedLike
from .download import (
    DATA_DIR_ENV,
    FASHION_MNIST_FILES,
    FASHION_MNIST_SIZES,
    FASHION_MNIST_URL,
    URL_ENV,
    ChecksumError,
    DownloadError,
    default_data_dir,
    download_fashion_mnist,
    download_file,
    verify_checksums,
)
from .download import DEFAULT_DOWNLOAD_DEADLINE as DEFAULT_DOWNLOAD_DEADLINE
from .download import DEFAULT_MAX_DOWNLOAD_BYTES as DEFAULT_MAX_DOWNLOAD_BYTES
from .idx import DEFAULT_MAX_IDX_BYTES as DEFAULT_MAX_IDX_BYTES
from .idx import IDXError, read_idx, write_idx
from .idx import PathLike as PathLike
from .idx import _atomic_write as _atomic_write

# The `X as X` imports above stay importable from here, as before the split, though not in
# __all__: the default bounds, the type aliases, and _atomic_write (a test spies on it; note
# download_file and write_idx look it up in their own modules, so patch it there).
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
