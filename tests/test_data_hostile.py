"""Data files and downloads under attack: special files, non-integer labels, and a server on 127.0.0.1
that trickles, stalls or sends too much. The server serves each request for a bounded time and stops
itself when the test ends (and after 30 s in any case)."""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tinygrad_sm import data
from tinygrad_sm.cli import main
from tinygrad_sm.data import (
    DownloadError,
    IDXError,
    download_file,
    load_fashion_mnist,
    read_idx,
    write_idx,
)

SAMPLE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fashion-mnist-sample"
BODY = bytes(range(256)) * 4  # 1 KiB
BODY_MD5 = hashlib.md5(BODY).hexdigest()


def require_sample() -> Path:
    if not SAMPLE_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared test data not found at {SAMPLE_DIR} (CI is set, so this is a failure)")
        pytest.skip(f"shared test data not found at {SAMPLE_DIR}")
    return SAMPLE_DIR


# ---------------------------------------------------------------- IDX files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_read_idx_refuses_a_fifo_instead_of_blocking_forever(tmp_path):
    fifo = tmp_path / "labels.idx"
    os.mkfifo(fifo)
    with pytest.raises(IDXError, match=r"labels\.idx: is a FIFO \(named pipe\), not a regular file"):
        read_idx(fifo)


@pytest.mark.parametrize("path, kind", [("{tmp}", "a folder"), ("/dev/zero", "a device")])
def test_read_idx_refuses_folders_and_devices(tmp_path, path, kind):
    if path.startswith("/dev") and not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    with pytest.raises(IDXError, match=f"is {kind}, not a regular file"):
        read_idx(path.format(tmp=tmp_path))


def fashion_folder_with_labels(tmp_path: Path, labels: np.ndarray) -> Path:
    """A copy of the sample folder whose test labels are replaced by ``labels`` (raw, not gzipped)."""
    folder = tmp_path / "fashion"
    shutil.copytree(require_sample(), folder)
    target = folder / "t10k-labels-idx1-ubyte.gz"
    target.unlink()
    write_idx(target, labels, compress=False)
    return folder


def test_float_labels_are_refused_not_truncated(tmp_path):
    labels = np.zeros(120, np.float32)
    labels[5] = 0.5
    with pytest.raises(IDXError, match=r"label 0\.5 at index 5 \(byte offset 28\) is not an integer"):
        load_fashion_mnist(fashion_folder_with_labels(tmp_path, labels))


def test_a_nan_label_is_reported_as_nan_with_its_offset(tmp_path):
    labels = np.zeros(120, np.float64)
    labels[3] = np.nan
    with pytest.raises(IDXError, match=r"label nan at index 3 \(byte offset 32\) is not an integer"):
        load_fashion_mnist(fashion_folder_with_labels(tmp_path, labels))


def test_integral_float_labels_in_range_load_as_int64(tmp_path):
    labels = (np.arange(120) % 10).astype(np.float32)
    dataset = load_fashion_mnist(fashion_folder_with_labels(tmp_path, labels))
    assert dataset.y_test.dtype == np.int64 and list(dataset.y_test[:12]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


# ---------------------------------------------------------------- a hostile server


class _Handler(http.server.BaseHTTPRequestHandler):
    """/ok: BODY. /trickle: BODY one byte every 20 ms (20 s). /stall: 100 of 1000 bytes, then silence.
    /huge: claims 300 MB. /endless: no Content-Length, 1 MiB chunks until the client hangs up."""

    stop: threading.Event

    def do_GET(self):
        if self.path == "/ok":
            self._start(len(BODY))
            self.wfile.write(BODY)
        elif self.path == "/trickle":
            self._start(len(BODY))
            for byte in BODY:
                if self.stop.wait(0.02):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        elif self.path == "/stall":
            self._start(1000)
            self.wfile.write(BODY[:100])
            self.wfile.flush()
            self.stop.wait(10)
        elif self.path == "/huge":
            self._start(300 * 10**6)
            self.wfile.write(BODY)
        elif self.path == "/endless":
            self._start(None)
            chunk = bytes(1 << 20)
            for _ in range(300):
                if self.stop.is_set():
                    return
                self.wfile.write(chunk)
        else:
            self.send_error(404)

    def _start(self, length):
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    """Base URL of a local server that stops itself: at the end of the test, or after 30 s."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    watchdog = threading.Timer(30, httpd.shutdown)
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        stop.set()
        watchdog.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_a_trickle_is_stopped_by_the_overall_deadline(server, tmp_path):
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"trickle ran past its deadline of 0\.5 s after ([1-9]\d*) bytes of 1024"):
        download_file(server + "/trickle", tmp_path / "x.bin", BODY_MD5, timeout=2, deadline=0.5)
    assert time.monotonic() - started < 3
    assert os.listdir(tmp_path) == []


def test_a_stall_reports_the_bytes_really_received(server, tmp_path):
    with pytest.raises(DownloadError, match=r"stall failed after 100 bytes: no data for 0\.3 s"):
        download_file(server + "/stall", tmp_path / "x.bin", BODY_MD5, timeout=0.3, deadline=5)
    assert os.listdir(tmp_path) == []


def test_a_content_length_over_the_cap_is_refused_before_reading(server, tmp_path):
    with pytest.raises(
        DownloadError,
        match=r"Content-Length 300000000 bytes is more than the cap of 1024 bytes "
        r"\(the file should be 1024 bytes\)",
    ):
        download_file(server + "/huge", tmp_path / "x.bin", BODY_MD5, timeout=2, expected_size=1024)
    assert os.listdir(tmp_path) == []


def test_a_body_without_length_is_cut_off_at_the_cap(server, tmp_path, monkeypatch):
    written = []
    real_write_chunk = data.download._atomic_write

    def spy(path, write_contents):  # how large the temp file grew before the refusal
        def counting(handle):
            try:
                write_contents(handle)
            finally:
                written.append(handle.tell())

        real_write_chunk(path, counting)

    monkeypatch.setattr(data.download, "_atomic_write", spy)
    with pytest.raises(DownloadError, match=r"endless refused: the body goes past the cap of 3145728 bytes"):
        download_file(server + "/endless", tmp_path / "x.bin", BODY_MD5, timeout=2, max_bytes=3 << 20)
    assert written and written[0] <= 3 << 20
    assert os.listdir(tmp_path) == []


def test_a_folder_as_destination_is_refused_before_connecting(tmp_path):
    with pytest.raises(ValueError, match=r"is a folder"):
        download_file("http://127.0.0.1:9/never", tmp_path, BODY_MD5)


def test_a_download_shows_a_progress_bar(server, tmp_path, capsys):
    try:
        import tqdm  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("tqdm is not installed (CI is set, so this is a failure)")
        pytest.skip("tqdm is not installed")
    download_file(server + "/ok", tmp_path / "ok.bin", BODY_MD5, timeout=2, progress=True)
    assert (tmp_path / "ok.bin").read_bytes() == BODY
    bar = capsys.readouterr().err
    assert "ok" in bar and "1.00k" in bar, bar  # the file's name and its size (1 KiB, from Content-Length)


# ---------------------------------------------------------------- the CLI's --download


class _SampleHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def test_train_download_fetches_the_missing_files_from_a_mirror(tmp_path, monkeypatch, capsys):
    sample = require_sample()
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(
        data.download,
        "FASHION_MNIST_FILES",
        {name: hashlib.md5((sample / name).read_bytes()).hexdigest() for name in data.FASHION_MNIST_FILES},
    )
    handler = lambda *args, **kwargs: _SampleHandler(*args, directory=str(sample), **kwargs)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv(data.URL_ENV, f"http://127.0.0.1:{httpd.server_address[1]}/")
        cache = tmp_path / "cache"
        status = main(
            [
                "train",
                "--dataset",
                "fashion-mnist",
                "--data-dir",
                str(cache),
                "--download",
                "--model",
                "784-16-10",
                "--epochs",
                "1",
                "--out",
                str(tmp_path / "run"),
            ]
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
    assert status == 0, capsys.readouterr().err
    assert sorted(p.name for p in cache.iterdir()) == sorted(data.FASHION_MNIST_FILES)
    assert (tmp_path / "run" / "model.npz").is_file()
