"""Run code you did not write (a learner's lab) in a child process, with a time limit and a memory
cap, and bring back only plain arrays and JSON, so nothing that code does can change a verdict.

Two ways in, one wire format:

- ``run_module_job(job, options, timeout, memory)`` starts a fresh interpreter running this module
  (``python -m tinygrad_sm._lab_child``), which calls ``job`` (``"tinygrad_sm.some_module:function"``;
  only functions inside tinygrad_sm are accepted) with ``options`` (JSON) and a ``Channel``. This is
  how a lab *file* is run: nothing of it is ever imported into the parent.
- ``run_forked(work, timeout, memory)`` forks the current process (POSIX only) and calls ``work(channel)``
  in the child: how Python callables the parent already holds (``check_derivation(..., isolate=True)``)
  are run, closures and notebook functions included.

The child reports what it is running (``channel.running("derived()", "at random point 2")``) and ends
with ``channel.result(meta, arrays)``: ``meta`` is JSON, ``arrays`` plain numeric NumPy arrays sent
as one ``.npz`` blob and read back with ``allow_pickle=False``; nothing from the child is unpickled.
The parent reads the pipe with a deadline, kills the child's whole process group when time is up,
and returns a ``ChildResult``: ``status`` is ``"done"`` only when a complete result arrived.

Limits: ``timeout`` seconds of wall-clock time for the whole run (import included); ``memory`` bytes
of address space *beyond what the child uses when the job starts* (``RLIMIT_AS``; not enforced where
the OS has no such limit, e.g. Windows). This is not a security sandbox: code running as your user
can do what your user can (write files, signal processes). It keeps the verdict out of the lab's
reach: exiting, raising ``SystemExit``, patching the report classes, printing PASS, looping or
allocating without end cannot produce a pass.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_TIMEOUT = 60.0  # seconds for a whole lab run
DEFAULT_MEMORY = 4 << 30  # bytes of address space the lab may add to the child's own
OUTPUT_KEPT = 64 << 10  # bytes of the lab's stdout/stderr kept for the report; the rest is counted
_FRAME = struct.Struct(">cQ")  # kind byte, payload length
_MAX_FRAME = 1 << 28  # a message longer than this (or than the memory cap) is refused, not read
_GRACE = 0.5  # seconds a child may take to exit after sending its result


@dataclass
class ChildResult:
    """What came back from a child: ``status`` is ``"done"`` (a complete result: ``meta`` and
    ``arrays``), ``"error"`` (the job reported ``error``, e.g. the lab lacks a function), ``"exited"``
    (ended before a result: ``how`` says how, e.g. ``SystemExit(0)`` or ``exit status 0``),
    ``"timeout"`` or ``"broken"`` (it sent something that is not the protocol). ``running`` and
    ``where`` are the last thing it said it was running; ``output`` what it printed (first 64 KiB)."""

    status: str
    meta: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    error: str = ""
    how: str = ""
    running: str = "the start of the child process"
    where: str = ""
    output: str = ""
    output_dropped: int = 0
    timeout: float = DEFAULT_TIMEOUT
    memory: int | None = DEFAULT_MEMORY

    def stopped_message(self) -> str:
        """One line for a run that ended without a result: what was running and why it stopped."""
        running = self.running + (f" {self.where}" if self.where else "")
        if self.status == "timeout":
            return (
                f"{running} did not finish within the time limit of {self.timeout:g} s "
                "(an endless loop? raise the limit with --timeout SECONDS / timeout=)"
            )
        if self.status == "broken":
            return f"the lab's process sent something that is not a result while running {running}: {self.how}"
        memory = (
            f"; the memory limit is {format_bytes(self.memory)} more than it started with (--memory / memory=)"
            if self.memory and "killed" in self.how
            else ""
        )
        return (
            f"the lab's process ended ({self.how}) while running {running}, before every gradient was compared{memory}"
        )


def format_bytes(count: int | None) -> str:
    if count is None:
        return "none"
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:g} {unit}"
    return f"{count} bytes"


# ---------------------------------------------------------------- the child's side


class Channel:
    """The child's end of the pipe: progress, then one result or one error."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.last: tuple[str, str] | None = None

    def _send(self, kind: bytes, payload: bytes) -> None:
        data = _FRAME.pack(kind, len(payload)) + payload
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def running(self, what: str, where: str = "") -> None:
        """Say what runs now (``"loss()"``, ``"at the given inputs"``); repeats are not sent."""
        if self.last != (what, where):
            self.last = (what, where)
            self._send(b"R", json.dumps({"what": what, "where": where}).encode())

    def error(self, message: str) -> None:
        self._send(b"E", message.encode("utf-8", "replace"))

    def stopped(self, how: str) -> None:
        self._send(b"X", how.encode("utf-8", "replace"))

    def result(self, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, **{key: _plain(key, value) for key, value in arrays.items()})  # type: ignore[arg-type]
        self._send(b"M", json.dumps(meta).encode())
        self._send(b"A", buffer.getvalue())


def _plain(key: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"array {key!r} has dtype {array.dtype}; only numbers cross the process boundary")
    return array


def _vm_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _limit_memory(memory: int | None) -> None:
    """Cap the address space at what the child uses now plus ``memory`` (where the OS allows)."""
    if memory is None:
        return
    try:
        import resource
    except ImportError:  # Windows: no cap
        return
    used = _vm_bytes() or 0
    with contextlib.suppress(ValueError, OSError, AttributeError):
        resource.setrlimit(resource.RLIMIT_AS, (used + memory, used + memory))


def _describe_exit(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"SystemExit({error.code!r}), e.g. sys.exit()"
    return f"{type(error).__name__}: {error}"


def _serve(channel: Channel, work: Callable[[Channel], tuple[dict, dict]]) -> int:
    """Run ``work`` and send its result; every way out of it is reported, then the child exits."""
    try:
        meta, arrays = work(channel)
        channel.result(meta, arrays)
        return 0
    except ChildError as error:
        channel.error(str(error))
        return 1
    except (KeyboardInterrupt, SystemExit, GeneratorExit) as error:  # the lab's code ended the process
        channel.stopped(_describe_exit(error))
        return 3
    except BaseException as error:  # anything else the lab raised, in one line
        channel.error(f"{type(error).__name__}: {error}")
        return 1


class ChildError(ValueError):
    """Raised by a job in the child: the message is sent to the parent as the error (one line)."""


def _child_main(argv: list[str]) -> None:
    fd, spec = int(argv[0]), json.loads(argv[1])
    channel = Channel(fd)
    sys.stdin = open(os.devnull)  # noqa: SIM115  # input() in a lab must not wait for a terminal
    module_name, _, function_name = spec["job"].partition(":")
    if not module_name.startswith("tinygrad_sm."):
        channel.error(f"refusing job {spec['job']!r}: jobs live in tinygrad_sm")
        os._exit(1)
    job = getattr(importlib.import_module(module_name), function_name)
    _limit_memory(spec.get("memory"))
    status = _serve(channel, lambda ch: job(spec.get("options", {}), ch))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # no atexit handlers, no waiting on the lab's threads


# ---------------------------------------------------------------- the parent's side


class _Reader:
    def __init__(self, result: ChildResult, max_frame: int) -> None:
        self.result, self.max_frame = result, max_frame
        self.buffer = bytearray()
        self.meta: dict | None = None
        self.complete = False
        self.finished = False  # a result, an error or a stop arrived: nothing more is read

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while not self.finished and len(self.buffer) >= _FRAME.size:
            kind, length = _FRAME.unpack_from(self.buffer)
            if length > self.max_frame:
                self._broken(f"a message of {length} bytes")
                return
            if len(self.buffer) < _FRAME.size + length:
                return
            payload = bytes(self.buffer[_FRAME.size : _FRAME.size + length])
            del self.buffer[: _FRAME.size + length]
            self._frame(kind, payload)

    def _broken(self, how: str) -> None:
        self.result.status, self.result.how, self.finished = "broken", how, True

    def _frame(self, kind: bytes, payload: bytes) -> None:
        result = self.result
        try:
            if kind == b"R":
                said = json.loads(payload)
                result.running, result.where = str(said["what"])[:200], str(said.get("where", ""))[:200]
            elif kind == b"E":
                result.status, result.error, self.finished = "error", payload.decode("utf-8", "replace"), True
            elif kind == b"X":
                result.status, result.how, self.finished = "exited", payload.decode("utf-8", "replace")[:300], True
            elif kind == b"M":
                meta = json.loads(payload)
                if not isinstance(meta, dict):
                    raise ValueError("the result is not a JSON object")
                self.meta = meta
            elif kind == b"A" and self.meta is not None:
                with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
                    arrays = {key: archive[key] for key in archive.files}
                for key, array in arrays.items():
                    if array.dtype.kind not in "biuf":
                        raise ValueError(f"array {key!r} has dtype {array.dtype}")
                result.status, result.meta, result.arrays = "done", self.meta, arrays
                self.complete = self.finished = True
            else:
                raise ValueError(f"unknown message kind {kind!r}")
        except (ValueError, KeyError, TypeError, OSError) as error:  # json, npz, dtype: never trusted
            self._broken(f"{type(error).__name__}: {error}")


def _kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _exit_words(status: int) -> str:
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return f"killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    return f"exit status {status}"


def _watch(
    pid: int,
    poll: Callable[[], int | None],
    result_fd: int,
    output_fd: int,
    timeout: float,
    memory: int | None,
) -> ChildResult:
    """Read the child's messages and output until a complete result, its exit, or the deadline."""
    result = ChildResult("exited", timeout=timeout, memory=memory)
    reader = _Reader(result, max(_MAX_FRAME, memory or 0))
    output = bytearray()
    selector = selectors.DefaultSelector()
    selector.register(result_fd, selectors.EVENT_READ, "result")
    selector.register(output_fd, selectors.EVENT_READ, "output")
    deadline = time.monotonic() + timeout
    exited_at: float | None = None  # when the child exited, or when its last message arrived
    returncode: int | None = None

    def read(ready: list) -> None:
        for key, _ in ready:
            try:
                data = os.read(key.fd, 1 << 20)
            except OSError:
                data = b""
            if not data:
                selector.unregister(key.fd)
            elif key.data == "result":
                reader.feed(data)
            else:
                kept = data[: max(0, OUTPUT_KEPT - len(output))]
                output.extend(kept)
                result.output_dropped += len(data) - len(kept)

    try:
        while True:
            now = time.monotonic()
            if returncode is None:
                returncode = poll()
            if (returncode is not None or reader.finished) and exited_at is None:
                exited_at = now
            if exited_at is not None:
                # done once it has exited and the pipes are drained, or after a grace period
                # (a grandchild may hold the pipes open; a child may linger after its result)
                drained = reader.finished or not any(k.data == "result" for k in selector.get_map().values())
                if (returncode is not None and drained) or now > exited_at + _GRACE:
                    break
            if now > deadline:
                if not reader.finished:
                    result.status = "timeout"
                break
            read(selector.select(timeout=0.05))
        with contextlib.suppress(OSError, ValueError):  # what the child printed last
            for _ in range(64):
                ready = [item for item in selector.select(timeout=0) if item[0].data == "output"]
                if not ready:
                    break
                read(ready)
    finally:
        selector.close()
        _kill_group(pid)
        if returncode is None:
            with contextlib.suppress(Exception):
                returncode = _wait_briefly(poll)
    if result.status == "exited" and not result.how:
        result.how = _exit_words(returncode) if returncode is not None else "it stopped answering"
    result.output = output.decode("utf-8", "replace")
    return result


def _wait_briefly(poll: Callable[[], int | None]) -> int | None:
    for _ in range(100):
        code = poll()
        if code is not None:
            return code
        time.sleep(0.01)
    return None


def _check_limits(timeout: float | None, memory: int | None) -> tuple[float, int | None]:
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e7:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if memory is not None and (isinstance(memory, bool) or not isinstance(memory, int) or memory <= 0):
        raise ValueError(f"memory must be a positive number of bytes (or None for no cap), got {memory!r}")
    return float(timeout), memory


def run_module_job(
    job: str,
    options: dict,
    timeout: float | None = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
    cwd: str | None = None,
) -> ChildResult:
    """Run ``job`` (``"tinygrad_sm.module:function"``, called as ``function(options, channel)`` and
    returning ``(meta, arrays)``) in a fresh Python process; see the module docstring."""
    timeout, memory = _check_limits(timeout, memory)
    package_root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
    spec = json.dumps({"job": job, "options": options, "memory": memory})
    result_read, result_write = os.pipe()
    output_read, output_write = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "tinygrad_sm._lab_child", str(result_write), spec],
            stdin=subprocess.DEVNULL,
            stdout=output_write,
            stderr=output_write,
            pass_fds=(result_write,),
            cwd=cwd,
            env=env,
            start_new_session=True,  # its own process group: a timeout kills what it started too
        )
    except BaseException:
        for fd in (result_read, result_write, output_read, output_write):
            os.close(fd)
        raise
    os.close(result_write)
    os.close(output_write)
    try:
        return _watch(process.pid, process.poll, result_read, output_read, timeout, memory)
    finally:
        os.close(result_read)
        os.close(output_read)
        with contextlib.suppress(Exception):
            process.wait(timeout=1)


def run_forked(
    work: Callable[[Channel], tuple[dict, dict]],
    timeout: float | None = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
) -> ChildResult:
    """Run ``work(channel)`` (returning ``(meta, arrays)``) in a forked child (POSIX); see the module docstring."""
    timeout, memory = _check_limits(timeout, memory)
    if not hasattr(os, "fork"):
        raise NotImplementedError(
            "isolating Python functions needs os.fork (Linux, macOS); on this system put the lab in a file and run "
            "python -m tinygrad_sm check --file lab.py, which starts a fresh process"
        )
    sys.stdout.flush()
    sys.stderr.flush()
    result_read, result_write = os.pipe()
    output_read, output_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.setsid()
            os.close(result_read)
            os.close(output_read)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(output_write, 1)
            os.dup2(output_write, 2)
            sys.stdin = open(os.devnull)  # noqa: SIM115
            sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115  # a notebook's stream is not ours
            sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
            _limit_memory(memory)
            status = _serve(Channel(result_write), work)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)
    os.close(result_write)
    os.close(output_write)

    def poll() -> int | None:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return -signal.SIGKILL
        if done == 0:
            return None
        return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    waited: list[int | None] = [None]

    def poll_once() -> int | None:  # waitpid reaps: remember the status
        if waited[0] is None:
            waited[0] = poll()
        return waited[0]

    try:
        return _watch(pid, poll_once, result_read, output_read, timeout, memory)
    finally:
        os.close(result_read)
        os.close(output_read)
