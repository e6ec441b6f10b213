"""Loaders and checkpoints, round 2 (issue 27): every message names the file and what is wrong with
it, and the download deadline covers the headers and every redirect."""

from __future__ import annotations

import hashlib
import http.server
import os
import struct
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tinygrad_sm import nn
from tinygrad_sm.cli import main
from tinygrad_sm.data import DownloadError, IDXError, download_file, load_fashion_mnist, read_idx, write_idx
from tinygrad_sm.data.download import MAX_REDIRECTS, download_fashion_mnist, verify_checksums
from tinygrad_sm.nn.checkpoint import CheckpointError

FILES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


# ---------------------------------------------------------------- IDX headers


@pytest.mark.parametrize("ndim", [65, 200, 255])
@pytest.mark.parametrize("gzipped", [False, True])
def test_an_idx_header_with_too_many_dimensions_names_the_file(tmp_path, ndim, gzipped):
    import gzip

    raw = bytes([0, 0, 8, ndim]) + struct.pack(f">{ndim}I", *([1] * ndim)) + b"\x07"
    path = tmp_path / "many.idx"
    path.write_bytes(gzip.compress(raw) if gzipped else raw)
    with pytest.raises(IDXError, match=rf"many\.idx: the ndim byte at offset 3 says {ndim} dimensions; NumPy arrays"):
        read_idx(path)


def test_sixty_four_dimensions_still_read(tmp_path):
    array = np.arange(2, dtype=np.uint8).reshape((2,) + (1,) * 63)
    write_idx(tmp_path / "deep.idx", array)
    assert read_idx(tmp_path / "deep.idx").shape == array.shape


@pytest.mark.parametrize(
    "body, words",
    [
        (bytes([0, 0, 8, 2]) + struct.pack(">2I", 3, 4) + bytes(11), "truncated: header (shape (3, 4), uint8)"),
        (bytes([0, 0, 8, 2]) + struct.pack(">2I", 3, 4) + bytes(13), "1 trailing byte(s)"),
        (bytes([0, 0, 8, 3]) + struct.pack(">2I", 3, 4), "truncated header: 3 dimensions need 12 bytes"),
    ],
)
def test_sizes_that_do_not_match_the_file_name_it(tmp_path, body, words):
    (tmp_path / "bad.idx").write_bytes(body)
    with pytest.raises(IDXError) as raised:
        read_idx(tmp_path / "bad.idx")
    assert "bad.idx" in str(raised.value) and words in str(raised.value)


# ---------------------------------------------------------------- special files in a data folder


def _folder_with(tmp_path: Path, make) -> tuple[Path, Path]:
    folder = tmp_path / "fashion"
    folder.mkdir()
    for name in FILES:  # the other files are there (their contents do not matter: the check comes first)
        (folder / name).write_bytes(b"")
    target = folder / "train-labels-idx1-ubyte.gz"
    target.unlink()
    make(target)
    return folder, target


SPECIALS = {
    "a folder": lambda path: path.mkdir(),
    "a FIFO (named pipe)": lambda path: os.mkfifo(path),
    "a device": lambda path: path.symlink_to("/dev/zero"),
    "a broken link": lambda path: path.symlink_to(path.parent / "nowhere"),
}


@pytest.mark.parametrize("kind", list(SPECIALS))
def test_a_special_file_in_place_of_a_label_file_is_named_not_missing(tmp_path, kind):
    if kind != "a folder" and not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs and links to /dev/zero are POSIX")
    folder, target = _folder_with(tmp_path, SPECIALS[kind])
    started = time.monotonic()
    for load in (
        lambda: load_fashion_mnist(folder),
        lambda: load_fashion_mnist(folder, download=True, base_url="http://127.0.0.1:9/"),
        lambda: verify_checksums(folder),
        lambda: download_fashion_mnist(folder, base_url="http://127.0.0.1:9/"),
    ):
        with pytest.raises(IDXError) as raised:
            load()
        assert f"{target}: is {kind}, not a regular file" in str(raised.value)
        assert "missing" not in str(raised.value)
    assert time.monotonic() - started < 5  # a FIFO never blocks


def test_a_fifo_label_file_on_the_command_line_is_one_line(tmp_path, capsys):
    if not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are POSIX")
    folder, target = _folder_with(tmp_path, SPECIALS["a FIFO (named pipe)"])
    status = main(["train", "--dataset", "fashion-mnist", "--data-dir", str(folder), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert f"{target}: is a FIFO (named pipe), not a regular file" in err


@pytest.mark.parametrize("kind", ["a FIFO (named pipe)", "a device"])
def test_read_idx_checks_the_file_type_before_opening_it(tmp_path, kind):
    path = tmp_path / "labels.idx"
    SPECIALS[kind](path)
    with pytest.raises(IDXError, match=f"labels.idx: is {kind.replace('(', '.').replace(')', '.')}"):
        read_idx(path)


# ---------------------------------------------------------------- checkpoints


@pytest.fixture
def checkpoint(tmp_path):
    model = nn.MLP([3, 4, 2])
    return model, nn.save(model, tmp_path / "model.npz")


@pytest.mark.parametrize("cut", [1, 10, 31])
def test_a_checkpoint_with_its_last_bytes_cut_is_called_truncated(checkpoint, tmp_path, cut):
    model, path = checkpoint
    cut_path = tmp_path / "cut.npz"
    cut_path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(CheckpointError) as raised:
        nn.load(model, cut_path)
    message = str(raised.value)
    assert f"checkpoint {cut_path} is truncated: its last {cut} byte(s) are missing" in message
    assert "older" not in message and "transpose" not in message


@pytest.mark.parametrize("cut", [40, 100, 500])
def test_a_checkpoint_cut_into_its_directory_is_called_truncated(checkpoint, tmp_path, cut):
    model, path = checkpoint
    cut_path = tmp_path / "cut.npz"
    cut_path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(CheckpointError, match="truncated") as raised:
        nn.load(model, cut_path)
    assert str(cut_path) in str(raised.value) and "older" not in str(raised.value)


@pytest.mark.parametrize("digits", [10, 5000, 100_000])
def test_a_huge_format_number_is_a_clear_error_naming_the_file(checkpoint, tmp_path, digits):
    model, _ = checkpoint
    path = tmp_path / "crafted.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = (b"tinygrad_sm checkpoint format " + b"9" * digits)[:65535]
        for name, value in model.state_dict().items():
            with archive.open(name + ".npy", "w") as member:
                np.lib.format.write_array(member, value.numpy())
    with pytest.raises(CheckpointError, match=rf"checkpoint {path} has a format number of \d+ digits"):
        nn.load(model, path)


def test_a_whole_checkpoint_still_loads(checkpoint):
    _, path = checkpoint
    assert nn.load(nn.MLP([3, 4, 2]), path) is not None


# ---------------------------------------------------------------- downloads: the deadline covers everything


BODY = b"x" * 64
BODY_MD5 = hashlib.md5(BODY).hexdigest()


class _Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    stop: threading.Event

    def do_GET(self):
        if self.path == "/trickle-headers":  # the status line and headers, one byte every 0.1 s, for 20 s
            head = b"HTTP/1.0 200 OK\r\nContent-Length: 64\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
            for byte in head:
                if self.stop.is_set():
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
            self.wfile.write(BODY)
        elif self.path.startswith("/hop"):  # a chain of redirects, each answered after 0.7 s
            hop = int(self.path[4:])
            self.stop.wait(0.7)
            self._redirect(f"/hop{hop + 1}")
        elif self.path.startswith("/fast"):  # a chain of quick redirects, one more than allowed
            hop = int(self.path[5:])
            self._redirect(f"/fast{hop + 1}") if hop <= MAX_REDIRECTS else self._ok()
        elif self.path.startswith("/few"):  # a chain within the limit
            hop = int(self.path[4:])
            self._redirect(f"/few{hop + 1}") if hop < MAX_REDIRECTS else self._ok()
        else:
            self.send_error(404)

    def _redirect(self, where):
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _ok(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def slow_server(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    stop = threading.Event()
    handler = type("Handler", (_Slow,), {"stop": stop})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.mark.parametrize("path", ["/trickle-headers", "/hop0"], ids=["headers trickle", "slow redirects"])
def test_the_deadline_covers_headers_and_redirects(slow_server, tmp_path, path):
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"ran past its deadline of 1\.5 s after 0 bytes"):
        download_file(slow_server + path, tmp_path / "x.bin", BODY_MD5, timeout=5, deadline=1.5)
    assert time.monotonic() - started < 1.5 + 1.0
    assert os.listdir(tmp_path) == []


def test_redirects_are_limited(slow_server, tmp_path):
    with pytest.raises(DownloadError, match=f"more than {MAX_REDIRECTS} redirects"):
        download_file(slow_server + "/fast0", tmp_path / "x.bin", BODY_MD5, timeout=5, deadline=10)
    assert os.listdir(tmp_path) == []


def test_redirects_within_the_limit_are_followed(slow_server, tmp_path):
    download_file(slow_server + "/few0", tmp_path / "x.bin", BODY_MD5, timeout=5, deadline=10)
    assert (tmp_path / "x.bin").read_bytes() == BODY
