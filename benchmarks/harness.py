"""What bench.py and bench_conv.py share: one worker process per contender, timed interleaved.

Each contender lives in its own process, started once with the environment its users have (the
NumPy-based ones with BLAS threads set through the environment, PyTorch told by
``torch.set_num_threads`` in code), so one library's thread pool or allocator never slows another.
The parent then asks the workers, in turn, for one block of samples of one case at a time:

    for round in rounds:                 # the order of the contenders rotates every round
        for case in cases:
            for contender in order:      # a block: ``samples`` timings of ``inner`` calls each
                medians[case][contender].append(median of the block)

A cell is the minimum over rounds of the block medians (the round least disturbed by the other
programs on the machine), and its ratio is that minimum over the NumPy contender's minimum. Contenders
of one case run within a second of each other, so slow phases of a shared machine hit them alike.

Protocol (one JSON object per line): the parent writes ``{"cmd": "time", "case": key, "samples": n}``
or ``{"cmd": "check"}`` and the worker answers one line. The worker builds a case's runner on first use,
warms it up (a compiled step traces there) and picks ``inner`` so one sample lasts about 2 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

BLAS_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def contender_env(torch_contender: bool, threads: int) -> dict[str, str]:
    """The environment a user of the contender has: BLAS threads for NumPy; PyTorch sets its own in code."""
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
    if not torch_contender:
        env.update({variable: str(threads) for variable in BLAS_VARIABLES})
    return env


class Worker:
    """One contender's process, driven over its stdin and stdout."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, bufsize=1
        )
        self.failed: str | None = None

    def ask(self, request: dict) -> dict:
        if self.failed:
            return {"error": self.failed}
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError) as error:
            line = ""
            self.failed = f"worker died: {error}"
        if not line:
            self.failed = self.failed or f"worker exited (rc {self.process.poll()}); see its stderr above"
            return {"error": self.failed}
        answer: dict = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def interleave(workers: list[Worker], cases: list[str], rounds: int, samples: dict[str, int], log=print) -> dict:
    """``{case: {contender: [block median, ...]}}`` over ``rounds`` rotated rounds (see the module)."""
    medians: dict[str, dict[str, list[float]]] = {case: {w.name: [] for w in workers} for case in cases}
    errors: dict[str, dict[str, str]] = {case: {} for case in cases}
    for r in range(rounds):
        order = workers[r % len(workers) :] + workers[: r % len(workers)]
        started = time.perf_counter()
        for case in cases:
            for worker in order:
                answer = worker.ask({"cmd": "time", "case": case, "samples": samples.get(case, samples["default"])})
                if "median_s" in answer:
                    medians[case][worker.name].append(answer["median_s"])
                else:
                    errors[case][worker.name] = answer.get("error", "?")
        log(f"  round {r + 1}/{rounds} done in {time.perf_counter() - started:.0f} s", flush=True)
    return {"medians": medians, "errors": errors}


def summarize(result: dict, baseline: str) -> dict:
    """``{case: {contender: {"best_s", "ratio", "medians_s"}}}``: min of block medians, ratio to the baseline's."""
    table: dict[str, dict[str, dict]] = {}
    for case, by_name in result["medians"].items():
        base = min(by_name[baseline]) if by_name.get(baseline) else None
        table[case] = {}
        for name, meds in by_name.items():
            if not meds:
                table[case][name] = {"error": result["errors"][case].get(name, "no samples")}
                continue
            best = min(meds)
            table[case][name] = {
                "best_s": best,
                "ratio": best / base if base else None,
                "median_of_medians_s": statistics.median(meds),
                "medians_s": meds,
            }
    return table


def time_block(run: Callable[[], object], state: dict, samples: int) -> float:
    """Median seconds per call over ``samples`` samples of ``state['inner']`` calls each."""
    inner = state.get("inner")
    if inner is None:  # warm up (a compiled step traces here), then size a sample to about 2 ms
        for _ in range(3):
            run()
        t0 = time.perf_counter()
        run()
        inner = state["inner"] = max(1, int(2e-3 / max(time.perf_counter() - t0, 1e-7)))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner):
            run()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def worker_loop(make_runner: Callable[[str], tuple[Callable[[], object], dict]], check: Callable[[], dict]) -> None:
    """Serve the parent's requests on stdin/stdout until stdin closes (runs in the contender's process).
    ``make_runner(case)`` gives the zero-argument call to time and its state (``{"inner": 1}`` when it
    warmed itself up, as the epoch does: one call is long enough)."""
    runners: dict[str, tuple[Callable[[], object], dict]] = {}
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing a contender prints may break the protocol
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["cmd"] == "check":
                answer = check()
            else:
                case = request["case"]
                if case not in runners:
                    runners[case] = make_runner(case)
                run, state = runners[case]
                answer = {"median_s": time_block(run, state, request["samples"])}
        except Exception as error:  # reported in the table; the other cases still run
            answer = {"error": f"{type(error).__name__}: {error}"[:300]}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def peak_memory(run: Callable[[], object], warm_calls: int = 3) -> dict:
    """Peak bytes tracemalloc sees during one call above what was allocated before it (NumPy reports
    its buffers to tracemalloc; PyTorch's allocator does not), and the process's ``ru_maxrss``."""
    import resource
    import tracemalloc

    for _ in range(warm_calls):  # scratch buffers and a compiled step's trace exist before measuring
        run()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return {"step_peak_bytes": peak, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def machine_line() -> str:
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
