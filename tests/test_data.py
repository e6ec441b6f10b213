"""Specification of tinygrad_sm.data: IDX files, Fashion-MNIST, digits, batching."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import shutil
import struct
import sys
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from tinygrad_sm import data
from tinygrad_sm.data import (
    ChecksumError,
    DownloadError,
    IDXError,
    download_file,
    iterate_minibatches,
    load_fashion_mnist,
    one_hot,
    read_idx,
    write_idx,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SAMPLE_DIR = SHARED_DATA / "fashion-mnist-sample"
LABELS_DIR = SHARED_DATA / "fashion-mnist-labels"


def skip_or_fail_in_ci(reason: str) -> None:
    """Skip on a developer's machine; under CI a missing prerequisite is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def require_folder(folder: Path) -> Path:
    if not folder.is_dir():
        skip_or_fail_in_ci(f"shared test data not found at {folder}")
    return folder


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def idx_bytes(dtype_code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    return bytes([0, 0, dtype_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload


def write_bytes(path: Path, content: bytes, compress: bool = False) -> Path:
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


# ---------------------------------------------------------------------------- IDX round trips


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_write_then_read_round_trips_every_idx_dtype(tmp_path, dtype, compress):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    path = tmp_path / "array.idx"
    write_idx(path, array, compress=compress)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
    loaded = read_idx(path)
    assert loaded.dtype == np.dtype(dtype) and loaded.dtype.isnative
    np.testing.assert_array_equal(loaded, array)


def test_write_idx_stores_big_endian_bytes_after_the_header(tmp_path):
    path = tmp_path / "a.idx"
    write_idx(path, np.array([1, 256], dtype=np.int32))
    assert path.read_bytes() == idx_bytes(0x0C, (2,), b"\x00\x00\x00\x01\x00\x00\x01\x00")


def test_write_idx_gzips_when_path_ends_in_gz_and_compress_is_none(tmp_path):
    write_idx(tmp_path / "a.gz", np.arange(3, dtype=np.uint8))
    write_idx(tmp_path / "a.idx", np.arange(3, dtype=np.uint8))
    assert (tmp_path / "a.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (tmp_path / "a.idx").read_bytes()[:2] == b"\x00\x00"


def test_read_idx_detects_gzip_by_magic_not_by_suffix(tmp_path):
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    write_idx(tmp_path / "gzipped.idx", array, compress=True)
    write_idx(tmp_path / "raw.gz", array, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "gzipped.idx"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "raw.gz"), array)


def test_read_idx_returns_a_writable_array(tmp_path):
    write_idx(tmp_path / "a.idx", np.arange(4, dtype=np.uint8))
    loaded = read_idx(tmp_path / "a.idx")
    loaded[0] = 9  # must not raise "assignment destination is read-only"
    assert loaded.flags.writeable


# ---------------------------------------------------------------------------- IDX rejections


def test_rejects_truncated_payload_naming_expected_and_found_sizes(tmp_path):
    path = write_bytes(tmp_path / "t.idx", idx_bytes(0x08, (10,), bytes(7)))
    expected_message = r"t\.idx: truncated.*promises 10 payload bytes from byte offset 8.*only 7"
    with pytest.raises(IDXError, match=expected_message):
        read_idx(path)


def test_rejects_trailing_bytes_in_raw_file(tmp_path):
    path = write_bytes(tmp_path / "t.idx", idx_bytes(0x08, (4,), bytes(6)))
    with pytest.raises(IDXError, match=r"2 trailing byte.*should end at byte 12"):
        read_idx(path)


def test_rejects_trailing_bytes_in_gzip_file(tmp_path):
    path = write_bytes(tmp_path / "t.gz", idx_bytes(0x08, (4,), bytes(6)), compress=True)
    with pytest.raises(IDXError, match=r"at least 1 trailing byte"):
        read_idx(path)


def test_rejects_wrong_magic(tmp_path):
    path = write_bytes(tmp_path / "t.idx", b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IDXError, match=r"bad magic: bytes 0-1 are 0x0100"):
        read_idx(path)


def test_rejects_unknown_dtype_byte(tmp_path):
    path = write_bytes(tmp_path / "t.idx", idx_bytes(0x0A, (1,), b"\x00"))
    with pytest.raises(IDXError, match=r"unknown dtype code 0x0A at byte offset 2"):
        read_idx(path)


def test_rejects_zero_dimensions_count(tmp_path):
    path = write_bytes(tmp_path / "t.idx", b"\x00\x00\x08\x00")
    with pytest.raises(IDXError, match=r"ndim byte at offset 3 is 0"):
        read_idx(path)


def test_rejects_a_dimension_of_size_zero(tmp_path):
    path = write_bytes(tmp_path / "t.idx", idx_bytes(0x08, (3, 0), b""))
    with pytest.raises(IDXError, match=r"dimension 1 \(bytes 8-11\) is 0"):
        read_idx(path)


def test_rejects_a_huge_dimension_that_would_be_negative_if_signed(tmp_path):
    path = write_bytes(tmp_path / "t.idx", idx_bytes(0x08, (2**32 - 1,), bytes(4)))
    with pytest.raises(IDXError, match=r"dimension 0 .* is 4294967295"):
        read_idx(path)


def test_rejects_file_shorter_than_the_header(tmp_path):
    path = write_bytes(tmp_path / "t.idx", b"\x00\x00")
    with pytest.raises(IDXError, match=r"ends at byte 2, inside the 4-byte IDX header"):
        read_idx(path)


def test_refuses_payload_larger_than_max_bytes_before_reading(tmp_path):
    path = write_bytes(tmp_path / "t.idx", idx_bytes(0x08, (65535, 65537), bytes(10)))
    with pytest.raises(IDXError, match=r"more than max_bytes=1073741824"):
        read_idx(path)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_header_claiming_2_to_32_items_is_rejected_without_allocating_them(tmp_path, compress):
    # 65535 * 65537 == 2**32 - 1 items; only 10 bytes follow the header.
    path = write_bytes(tmp_path / "t.idx", idx_bytes(0x08, (65535, 65537), bytes(10)), compress)
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match=r"truncated.*promises 4294967295 payload bytes.*only 10"):
            read_idx(path, max_bytes=None)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_bytes < 4 * 2**20


def test_rejects_truncated_gzip_stream(tmp_path):
    compressed = gzip.compress(idx_bytes(0x08, (1000,), bytes(range(256)) * 4)[:1008])
    path = write_bytes(tmp_path / "t.gz", compressed[: len(compressed) // 2])
    with pytest.raises(IDXError, match=r"t\.gz: corrupt or truncated gzip stream"):
        read_idx(path)


def test_rejects_corrupt_gzip_bytes(tmp_path):
    compressed = bytearray(gzip.compress(idx_bytes(0x08, (1000,), bytes(range(250)) * 4)))
    compressed[20:40] = b"\xff" * 20
    path = write_bytes(tmp_path / "t.gz", bytes(compressed))
    with pytest.raises(IDXError, match=r"corrupt or truncated gzip stream"):
        read_idx(path)


# ---------------------------------------------------------------------------- IDX writing failures


def test_write_idx_rejects_unsupported_dtype_and_leaves_no_file(tmp_path):
    with pytest.raises(TypeError, match=r"IDX cannot hold dtype int64"):
        write_idx(tmp_path / "a.idx", np.arange(3, dtype=np.int64))
    assert list(tmp_path.iterdir()) == []


def test_write_idx_rejects_zero_dimensional_arrays(tmp_path):
    with pytest.raises(ValueError, match=r"1 to 255 dimensions, got shape \(\)"):
        write_idx(tmp_path / "a.idx", np.uint8(3))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "a.idx"
    write_idx(path, np.arange(3, dtype=np.uint8))
    before = path.read_bytes()

    def failing_replace(source, target):
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(data.idx.os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated crash"):
        write_idx(path, np.arange(50, dtype=np.uint8))
    assert path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir()] == ["a.idx"]


# ---------------------------------------------------------------------------- Fashion-MNIST on disk


def test_reads_official_fashion_mnist_label_files():
    folder = require_folder(LABELS_DIR)
    train = read_idx(folder / "train-labels-idx1-ubyte.gz")
    test = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    assert train.shape == (60000,) and test.shape == (10000,)
    assert train.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(train), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(test), [1000] * 10)


def test_official_label_files_match_official_checksums():
    folder = require_folder(LABELS_DIR)
    label_files = {name: md5 for name, md5 in data.FASHION_MNIST_FILES.items() if "labels" in name}
    assert data.verify_checksums(folder, label_files) == folder


def test_verify_checksums_names_expected_and_actual_md5():
    folder = require_folder(SAMPLE_DIR)
    actual = md5_of(folder / "train-images-idx3-ubyte.gz")
    expected_message = rf"train-images-idx3-ubyte.gz: expected MD5 8d4fb7e6.*got {actual}"
    with pytest.raises(ChecksumError, match=expected_message):
        data.verify_checksums(folder)


def test_load_fashion_mnist_reads_the_balanced_sample():
    dataset = load_fashion_mnist(require_folder(SAMPLE_DIR))
    assert dataset.x_train.shape == (480, 784) and dataset.x_test.shape == (120, 784)
    assert dataset.x_train.dtype == np.float32 and dataset.y_train.dtype == np.int64
    assert dataset.x_train.min() >= 0.0 and dataset.x_train.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(dataset.y_train), [48] * 10)
    np.testing.assert_array_equal(np.bincount(dataset.y_test), [12] * 10)
    assert dataset.class_names[0] == "T-shirt/top" and dataset.class_names[9] == "Ankle boot"
    assert dataset.name == "fashion-mnist" and dataset.num_features == 784


def test_load_fashion_mnist_without_normalize_keeps_pixel_values():
    dataset = load_fashion_mnist(require_folder(SAMPLE_DIR), normalize=False)
    assert dataset.x_train.max() == 255.0
    np.testing.assert_array_equal(dataset.x_train, np.round(dataset.x_train))


def test_load_fashion_mnist_finds_folder_through_environment_variable(monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(require_folder(SAMPLE_DIR)))
    assert load_fashion_mnist().x_test.shape == (120, 784)


def test_default_data_dir_respects_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.default_data_dir() == tmp_path / "tinygrad_sm" / "fashion-mnist"


def test_missing_files_error_lists_them_and_says_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        load_fashion_mnist(tmp_path)
    message = str(caught.value)
    assert all(name in message for name in data.FASHION_MNIST_FILES)
    assert "--data-dir" in message and data.DATA_DIR_ENV in message and "download=True" in message


def test_label_count_mismatch_names_both_files(tmp_path):
    shutil.copytree(require_folder(SAMPLE_DIR), tmp_path, dirs_exist_ok=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(119, dtype=np.uint8))
    with pytest.raises(IDXError, match=r"t10k-images-idx3-ubyte.gz has 120 images but .* has 119 labels"):
        load_fashion_mnist(tmp_path)


def test_out_of_range_label_is_reported_with_its_index(tmp_path):
    shutil.copytree(require_folder(SAMPLE_DIR), tmp_path, dirs_exist_ok=True)
    labels = np.zeros(120, dtype=np.uint8)
    labels[17] = 10
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    with pytest.raises(
        IDXError, match=r"label 10 at index 17 \(byte offset 25 of the decompressed stream\) is outside 0..9"
    ):
        load_fashion_mnist(tmp_path)


# ---------------------------------------------------------------------------- downloads


class _SampleHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; /broken/<name> promises more bytes than it sends, then hangs up."""

    def do_GET(self):
        if self.path.startswith("/broken/"):
            body = (Path(self.directory) / self.path.removeprefix("/broken/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, format, *args):  # keep pytest output clean
        pass


@pytest.fixture
def sample_server(tmp_path, monkeypatch):
    """Base URL of a local HTTP server serving a temp copy of the sample folder."""
    served = tmp_path / "served"
    shutil.copytree(require_folder(SAMPLE_DIR), served)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    handler = lambda *args, **kwargs: _SampleHandler(*args, directory=str(served), **kwargs)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_download_file_succeeds_with_the_right_md5(sample_server, tmp_path):
    base_url, served = sample_server
    name = "train-labels-idx1-ubyte.gz"
    dest = tmp_path / "cache" / name
    assert download_file(base_url + name, dest, md5_of(served / name), timeout=5) == dest
    assert dest.read_bytes() == (served / name).read_bytes()
    assert [entry.name for entry in dest.parent.iterdir()] == [name]


def test_download_with_wrong_md5_raises_and_leaves_nothing(sample_server, tmp_path):
    base_url, served = sample_server
    name = "t10k-labels-idx1-ubyte.gz"
    cache = tmp_path / "cache"
    expected_message = rf"{name} failed its checksum: expected MD5 0{{32}}, got {md5_of(served / name)}"
    with pytest.raises(DownloadError, match=expected_message):
        download_file(base_url + name, cache / name, "0" * 32, timeout=5)
    assert list(cache.iterdir()) == []


def test_download_cut_short_of_content_length_raises_and_leaves_nothing(sample_server, tmp_path):
    base_url, served = sample_server
    name = "t10k-images-idx3-ubyte.gz"
    cache = tmp_path / "cache"
    # Python 3.11 reads short and we compare with Content-Length; newer versions may raise IncompleteRead
    with pytest.raises(
        DownloadError,
        match=r"broken/t10k-images-idx3-ubyte.gz (is incomplete|failed).*"
        r"(\d+ of \d+ bytes|IncompleteRead)",
    ):
        download_file(base_url + "broken/" + name, cache / name, md5_of(served / name), timeout=5)
    assert list(cache.iterdir()) == []


def test_download_http_error_raises_and_leaves_nothing(sample_server, tmp_path):
    base_url, _ = sample_server
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match=r"no-such-file.gz failed .*404"):
        download_file(base_url + "no-such-file.gz", cache / "x.gz", "0" * 32, timeout=5)
    assert list(cache.iterdir()) == []


def test_load_fashion_mnist_downloads_missing_files_when_asked(sample_server, tmp_path, monkeypatch):
    base_url, served = sample_server
    sample_checksums = {name: md5_of(served / name) for name in data.FASHION_MNIST_FILES}
    monkeypatch.setattr(data.download, "FASHION_MNIST_FILES", sample_checksums)
    cache = tmp_path / "cache"
    dataset = load_fashion_mnist(cache, download=True, base_url=base_url)
    assert dataset.x_train.shape == (480, 784)
    assert sorted(entry.name for entry in cache.iterdir()) == sorted(sample_checksums)


def test_download_fashion_mnist_rejects_files_not_matching_official_checksums(sample_server, tmp_path):
    base_url, _ = sample_server
    cache = tmp_path / "cache"
    # the official size is known, so the short sample file is refused by its size before its checksum
    with pytest.raises(DownloadError, match=r"has 203834 bytes, but the file is 26421880 bytes"):
        data.download_fashion_mnist(cache, base_url)
    assert list(cache.iterdir()) == []


# ---------------------------------------------------------------------------- digits


@pytest.fixture
def sklearn_available():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        skip_or_fail_in_ci("scikit-learn is not installed (pip install scikit-learn)")


def test_digits_split_is_stratified(sklearn_available):
    dataset = data.load_digits(test_fraction=0.25, seed=0)
    assert dataset.x_train.shape[1] == 64 and dataset.name == "digits"
    train_counts, test_counts = np.bincount(dataset.y_train), np.bincount(dataset.y_test)
    assert np.all(np.abs(test_counts - 0.25 * (train_counts + test_counts)) <= 1)
    assert dataset.class_names == tuple("0123456789")


def test_digits_are_float32_in_unit_interval(sklearn_available):
    dataset = data.load_digits()
    assert dataset.x_train.dtype == np.float32 and dataset.y_train.dtype == np.int64
    assert dataset.x_train.min() == 0.0 and dataset.x_train.max() == 1.0


def test_digits_split_is_deterministic_for_a_seed(sklearn_available):
    first, again, other = data.load_digits(seed=3), data.load_digits(seed=3), data.load_digits(seed=4)
    np.testing.assert_array_equal(first.x_test, again.x_test)
    np.testing.assert_array_equal(first.y_train, again.y_train)
    assert not np.array_equal(first.x_test, other.x_test)


def test_load_digits_without_sklearn_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"pip install scikit-learn"):
        data.load_digits()


def test_stratified_split_partitions_indices_and_keeps_class_shares():
    labels = np.repeat(np.arange(3), [8, 20, 41])
    train, test = data.stratified_split(labels, test_fraction=0.25, seed=1)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(len(labels)))
    assert np.all(np.abs(np.bincount(labels[test]) - 0.25 * np.bincount(labels)) <= 1)


def test_load_dataset_dispatches_and_rejects_unknown_names():
    assert (
        load_fashion_mnist(require_folder(SAMPLE_DIR)).x_train.shape
        == data.load_dataset("fashion-mnist", data_dir=SAMPLE_DIR).x_train.shape
    )
    with pytest.raises(ValueError, match=r"unknown data set 'cifar'; choose one of: digits, fashion-mnist"):
        data.load_dataset("cifar")


# ---------------------------------------------------------------------------- batching


@pytest.mark.parametrize("shuffle", [True, False])
def test_minibatches_cover_every_sample_exactly_once_per_epoch(shuffle):
    x = np.arange(23).reshape(23, 1) * 10
    y = np.arange(23)
    batches = list(iterate_minibatches(x, y, batch_size=5, shuffle=shuffle, seed=0))
    assert [len(batch_y) for _, batch_y in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([batch_y for _, batch_y in batches])
    np.testing.assert_array_equal(np.sort(seen), y)
    assert all(np.array_equal(batch_x[:, 0], batch_y * 10) for batch_x, batch_y in batches)


def test_minibatch_order_is_reproducible_with_a_seed():
    x, y = np.arange(50), np.arange(50)
    first = [batch_y for _, batch_y in iterate_minibatches(x, y, 8, seed=7)]
    again = [batch_y for _, batch_y in iterate_minibatches(x, y, 8, seed=7)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(np.concatenate(first), np.arange(50))


def test_minibatches_with_a_generator_change_order_between_epochs_reproducibly():
    def two_epochs(seed):
        rng = np.random.default_rng(seed)
        return [
            np.concatenate([b for _, b in iterate_minibatches(np.arange(20), np.arange(20), 6, seed=rng)])
            for _ in range(2)
        ]

    epoch_one, epoch_two = two_epochs(5)
    assert not np.array_equal(epoch_one, epoch_two)
    np.testing.assert_array_equal(two_epochs(5)[1], epoch_two)


def test_drop_last_drops_only_the_partial_batch():
    sizes = [len(b) for _, b in iterate_minibatches(np.arange(23), np.arange(23), 5, drop_last=True)]
    assert sizes == [5, 5, 5, 5]


def test_iterate_minibatches_checks_arguments_when_called():
    with pytest.raises(ValueError, match=r"batch_size must be a positive int, got 0"):
        iterate_minibatches(np.arange(4), np.arange(4), 0)
    with pytest.raises(ValueError, match=r"same number of samples, got shapes \(4,\) and \(3,\)"):
        iterate_minibatches(np.arange(4), np.arange(3), 2)


def test_one_hot_encodes_labels_as_float32_rows():
    encoded = one_hot(np.array([2, 0, 1]), 3)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_one_hot_names_the_out_of_range_label_and_its_index():
    with pytest.raises(ValueError, match=r"label 5 at index 2 is outside 0..4"):
        one_hot(np.array([0, 1, 5]), 5)
    with pytest.raises(ValueError, match=r"label -1 at index 0 is outside 0..4"):
        one_hot(np.array([-1]), 5)
