"""Downloads, bounded in time and size, with a progress bar and MD5 checksums; where Fashion-MNIST lives."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import math
import os
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from .._atomic import check_output_file
from .._files import not_a_regular_file
from .idx import _CHUNK_BYTES, IDXError, PathLike, _atomic_write

__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_DOWNLOAD_DEADLINE",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_SIZES",
    "FASHION_MNIST_URL",
    "URL_ENV",
    "ChecksumError",
    "DownloadError",
    "default_data_dir",
    "download_fashion_mnist",
    "download_file",
    "verify_checksums",
]


class DownloadError(OSError):
    """A download failed or did not verify; nothing was left at the destination."""


class ChecksumError(ValueError):
    """A local file's MD5 differs from the expected one."""


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


def missing_files(folder: Path, names: Any) -> list[str]:
    """The names in ``names`` with no file in ``folder``. One that is there but is not a regular file
    (a folder, a FIFO, a link to /dev/zero or another device, a broken link) raises IDXError naming it:
    it is neither missing nor readable, and downloading over it would fail or destroy it."""
    missing = []
    for name in names:
        path = folder / name
        kind = not_a_regular_file(path)
        if kind is not None:
            raise IDXError(
                f"{path}: is {kind}, not a regular file; put the data file {name} there (or remove what is in "
                "its place to download it)"
            )
        if not path.is_file():
            missing.append(name)
    return missing


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


MAX_REDIRECTS = 5


class _Deadline:
    """The whole download's deadline, over connecting, the headers, every redirect and the body: a
    timer shuts down every socket opened for it when time is up, which ends any read blocked on a
    server that trickles one byte at a time (a per-read timeout never fires then)."""

    def __init__(self, seconds: float | None) -> None:
        self.at = math.inf if seconds is None else time.monotonic() + seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = None if seconds is None else threading.Timer(seconds, self.fire)
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            self._shut(sock)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _bounded(base: type, deadline: _Deadline, timeout: float) -> type:
    """``base`` (an HTTP(S)Connection class) whose connect waits at most what is left of the deadline
    and registers the socket with it."""

    class Bounded(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            left = deadline.remaining()
            if left <= 0:
                raise TimeoutError("no time left to connect")
            self.timeout = max(0.001, min(timeout, left))
            super().connect()
            deadline.add(self.sock)

    return Bounded


def _opener(deadline: _Deadline, timeout: float) -> urllib.request.OpenerDirector:
    """urllib's opener, with connections bound to ``deadline`` and at most MAX_REDIRECTS redirects."""

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(_bounded(http.client.HTTPConnection, deadline, timeout), req)  # type: ignore[arg-type]

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(
                _bounded(http.client.HTTPSConnection, deadline, timeout),  # type: ignore[arg-type]
                req,
                context=getattr(self, "_context", None),
            )

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS
        max_repeats = 2

    return urllib.request.build_opener(Http, Https, Redirects)


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
    connection), ``deadline`` seconds at most for the whole download (None: no overall limit),
    connecting, the headers, every redirect (at most ``MAX_REDIRECTS``) and the body together; at most
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
    clock = _Deadline(None)

    def remaining() -> float:
        return clock.remaining()

    def past_deadline(received: int, declared: int | None) -> DownloadError:
        return DownloadError(
            f"download of {url} ran past its deadline of {deadline:g} s after {received} bytes"
            + (f" of {declared}" if declared else "")
            + " (the deadline covers connecting, the headers, redirects and the body; the server is too slow: "
            "try again, or allow a longer deadline)"
        )

    def fetch(handle: BinaryIO) -> None:
        nonlocal clock
        clock = _Deadline(deadline)  # started here: the checks above took no time of the download's
        digest = hashlib.md5(usedforsecurity=False)
        received, declared, bar = 0, None, None
        try:
            with _opener(clock, timeout).open(url, timeout=min(timeout, remaining())) as response:
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
                    if clock.fired:
                        raise past_deadline(received, declared)
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
            if clock.fired or remaining() <= 0:
                raise past_deadline(received, declared) from error
            if "redirect" in str(error):
                raise DownloadError(
                    f"download of {url} failed: more than {MAX_REDIRECTS} redirects, or a redirect loop "
                    f"({' '.join(str(error).split())})"
                ) from error
            cause = f"{type(error).__name__}: {error}"
            if isinstance(error, TimeoutError) or "timed out" in str(error):
                cause = f"no data for {timeout:g} s ({cause})"
            raise DownloadError(f"download of {url} failed after {received} bytes: {cause}") from error
        finally:
            clock.cancel()
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
    missing = missing_files(folder, checksums)
    for file_name, md5 in checksums.items():
        if file_name in missing:
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
    if missing := missing_files(folder, checksums):
        raise FileNotFoundError(f"cannot verify {folder}: missing {', '.join(missing)}")
    mismatches = [
        f"{name}: expected MD5 {md5.lower()}, got {actual}"
        for name, md5 in checksums.items()
        if (actual := _file_md5(folder / name)) != md5.lower()
    ]
    if mismatches:
        raise ChecksumError(f"checksum mismatch in {folder}: " + "; ".join(mismatches))
    return folder
