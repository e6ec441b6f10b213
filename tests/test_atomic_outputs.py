"""Every output is written atomically: a SIGKILL at any moment of a real training run leaves each file at
its final name complete (the old one or the new one), stale temp files are cleaned by the next write, and
all outputs share one file mode."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tinygrad_sm import _atomic, nn
from tinygrad_sm._atomic import (
    FILE_MODE,
    atomic_path,
    ensure_output_dir,
    write_bytes_atomic,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="killing a forked child needs os.fork (POSIX)")

OUTPUTS = ("metrics.json", "model.npz", "confusion_matrix.txt", "learning_curve.png")
SIZES = [64, 16, 10]
PNG_END = b"IEND\xaeB`\x82"
RUN_SECONDS: list[float] = []


def require(module: str) -> None:
    """Skip on a developer's machine without ``module``; under CI a missing prerequisite is a failure."""
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed (CI is set, so this is a failure, not a skip)")
        pytest.skip(f"{module} is not installed")


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


# ---------------------------------------------------------------- the helper itself


def test_write_bytes_atomic_replaces_the_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_bytes_atomic(target, b"old")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["out.txt"]


def test_a_failing_writer_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "out.txt"
    write_bytes_atomic(target, b"old")
    with pytest.raises(RuntimeError, match="disk on fire"), atomic_path(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("disk on fire")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.txt"]


def test_the_next_write_removes_stale_temp_files_of_dead_writers_only(tmp_path):
    stale = tmp_path / f".model.npz.{dead_pid()}-0123abcd.tmp"
    live = tmp_path / f".graph.svg.{os.getppid()}-89abcdef.tmp"  # a writer that still runs (our parent)
    foreign = tmp_path / ".model.npz.tmp"  # not our pattern: somebody else's file
    for path in (stale, live, foreign):
        path.write_bytes(b"partial")
    write_bytes_atomic(tmp_path / "metrics.json", b"{}")
    assert not stale.exists() and live.exists() and foreign.exists()


def test_cleanup_never_takes_another_threads_temp_file_for_a_leftover(tmp_path):
    inside, release = threading.Event(), threading.Event()

    def slow_writer():
        with atomic_path(tmp_path / "slow.bin") as temp:
            temp.write_bytes(b"x" * 1000)
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert inside.wait(10)
    write_bytes_atomic(tmp_path / "fast.bin", b"y")  # its cleanup runs while slow.bin's temp exists
    release.set()
    thread.join(10)
    assert (tmp_path / "slow.bin").read_bytes() == b"x" * 1000


def test_every_output_gets_the_same_file_mode(tmp_path):
    old_umask = os.umask(0o077)  # a strict umask must not make some outputs private and others not
    try:
        write_bytes_atomic(tmp_path / "a.json", b"{}")
        nn.save(nn.MLP([2, 3]), tmp_path / "model.npz")
        from tinygrad_sm.data import write_idx

        write_idx(tmp_path / "x.idx", np.zeros(3, np.uint8))
    finally:
        os.umask(old_umask)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert set(modes.values()) == {FILE_MODE}, modes


@pytest.mark.parametrize("where, message", [("", "empty"), ("{tmp}", "is a folder"), ("{tmp}/f/x", "is a file")])
def test_output_paths_that_cannot_be_files_are_refused_by_name(tmp_path, where, message):
    (tmp_path / "f").write_text("a file")
    with pytest.raises(ValueError, match=message):
        write_bytes_atomic(where.format(tmp=tmp_path), b"")


def test_ensure_output_dir_refuses_a_file_and_an_unwritable_place(tmp_path):
    (tmp_path / "f").write_text("a file")
    with pytest.raises(ValueError, match="is a file"):
        ensure_output_dir(tmp_path / "f")
    with pytest.raises(ValueError, match="cannot write into output folder /proc/x"):
        ensure_output_dir("/proc/x")
    assert ensure_output_dir(tmp_path / "new" / "run").is_dir()
    assert os.listdir(tmp_path / "new" / "run") == []  # the probe file is gone


# ---------------------------------------------------------------- SIGKILL during a real run


def run_child(
    out: Path, kill_at: int | None = None, kill_after: float | None = None, mid_write: bool = False, seed: int = 1
) -> float:
    """Fork a child that trains a small digits MLP into ``out``; SIGKILL it at its ``kill_at``-th
    file event (event 1: the output folder's write probe; then per output: temp file created, before
    the rename, after the rename) or after
    ``kill_after`` seconds. Returns the seconds the child lived."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if kill_at is not None:
                install_kill_switch(kill_at, mid_write)
            from tinygrad_sm.train import train_command

            train_command(
                dataset="digits",
                model="-".join(map(str, SIZES)),
                epochs=2,
                batch_size=128,
                out=str(out),
                progress=False,
                seed=seed,
            )
        finally:
            os._exit(0)
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if kill_at is None and kill_after is None:
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return time.perf_counter() - started


def install_kill_switch(kill_at: int, mid_write: bool) -> None:
    """In the child: count file events and SIGKILL this process at the ``kill_at``-th one."""
    events = [0]

    def event() -> None:
        events[0] += 1
        if events[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    new_temp, replace = _atomic._new_temp, os.replace

    def killing_new_temp(path):
        temp = new_temp(path)
        if mid_write:
            temp.write_bytes(b"PK\x03\x04 half of a file")  # as if killed halfway through writing it
        event()
        return temp

    def killing_replace(source, destination):
        event()
        replace(source, destination)
        event()

    _atomic._new_temp = killing_new_temp
    os.replace = killing_replace


def check_outputs(out: Path, required: bool) -> None:
    """Every file at a final name is complete and valid (all four must be there when ``required``)."""
    for name in OUTPUTS:
        path = out / name
        if not path.exists():
            assert not required, f"{name} disappeared"
            continue
        data = path.read_bytes()
        if name == "metrics.json":
            assert 0 <= json.loads(data)["test_accuracy"] <= 1
        elif name == "model.npz":
            nn.load(nn.MLP(SIZES), path)
        elif name == "confusion_matrix.txt":
            assert data.endswith(b"\n") and data.count(b"\n") == 12, data
        else:
            assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(PNG_END), f"{name}: {len(data)} bytes"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A folder holding the outputs of a complete run (the files each killed run replaces)."""
    require("sklearn")
    require("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    from tinygrad_sm.data import load_digits

    load_digits()
    out = tmp_path_factory.mktemp("complete")
    RUN_SECONDS.append(run_child(out, seed=0))  # how long a whole run takes, for the random kills
    check_outputs(out, required=True)
    return out


def copy_of(folder: Path, into: Path) -> Path:
    into.mkdir()
    for path in folder.iterdir():
        (into / path.name).write_bytes(path.read_bytes())
    return into


EVENTS = 1 + 3 * len(OUTPUTS)  # the folder probe, then (temp created, before rename, after rename) per output


# at every event; half-written temp files only matter where a temp file is created (events 1, 2, 5, 8, 11)
@pytest.mark.parametrize(
    "mid_write, events",
    [(False, range(1, EVENTS + 1)), (True, range(2, EVENTS, 3))],
    ids=["at-every-event", "mid-write"],
)
def test_a_kill_at_every_file_event_leaves_every_output_whole(finished_run, tmp_path, mid_write, events):
    for kill_at in events:
        out = copy_of(finished_run, tmp_path / f"kill{kill_at}")
        run_child(out, kill_at=kill_at, mid_write=mid_write)
        check_outputs(out, required=True)
        replaced = [name for name in OUTPUTS if (out / name).read_bytes() != (finished_run / name).read_bytes()]
        # the killed runs use another seed, so each file is visibly the old or the new one
        assert replaced == list(OUTPUTS[: (kill_at - 1) // 3]), (kill_at, replaced)
    leftovers = [name for kill_at in events for name in temp_files(tmp_path / f"kill{kill_at}")]
    assert leftovers, "the kills before a rename should have left temp files behind"


def test_kills_at_random_moments_of_a_run_leave_every_output_whole(finished_run, tmp_path):
    duration = RUN_SECONDS[-1]
    rng = np.random.default_rng(0)
    # most kills in the last third, where the outputs are written and replaced
    delays = np.concatenate([rng.uniform(0, duration, 2), rng.uniform(duration * 2 / 3, duration, 3)])
    for index, delay in enumerate(delays):
        out = copy_of(finished_run, tmp_path / f"random{index}")
        run_child(out, kill_after=float(delay))
        check_outputs(out, required=True)


def test_a_killed_run_into_a_new_folder_leaves_only_whole_files(tmp_path):
    require("sklearn")
    require("matplotlib")
    for kill_at in (3, 5, 10):  # metrics.json's temp complete; model.npz's temp created; the curve's
        out = tmp_path / f"fresh{kill_at}"
        run_child(out, kill_at=kill_at)
        check_outputs(out, required=False)


def test_the_next_run_cleans_the_temp_files_a_killed_run_left(finished_run, tmp_path):
    out = copy_of(finished_run, tmp_path / "again")
    run_child(out, kill_at=2, mid_write=True)  # killed with half of metrics.json's temp file written
    assert temp_files(out), "the kill should have left a temp file"
    run_child(out)
    assert temp_files(out) == []
    check_outputs(out, required=True)
