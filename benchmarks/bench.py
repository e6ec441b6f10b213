#!/usr/bin/env python
"""Benchmark tinygrad_sm against hand-written NumPy and PyTorch CPU (when importable).

Each contender runs in its own process, in the environment its users would have: the NumPy-based
contenders with OPENBLAS_NUM_THREADS/OMP_NUM_THREADS = --threads, PyTorch with torch.set_num_threads
and nothing else (no OMP_WAIT_POLICY, no malloc settings). The parent starts the contenders one after
another, in a rotated order, for --rounds rounds; a cell is the median over rounds of the contender's
median time divided by the NumPy median of the same round. Peak RSS of an epoch: one more child each.

    python benchmarks/bench.py                  # full run, 3 rounds (several minutes)
    python benchmarks/bench.py --quick          # 2 rounds, fewer repeats, 10,000-sample epoch
    python benchmarks/bench.py --compile        # also tinygrad_sm.compile'd steps (composed and fused)
    python benchmarks/bench.py --torch-compile  # also torch.compile (bounded in time; reported if it fails)
    python benchmarks/bench.py --old-env        # the old setting: OMP_WAIT_POLICY=PASSIVE and fixed malloc
                                                # thresholds imposed on every contender (see NOTES.md)

Data are synthetic: uniform [0, 1) float32 "images" (784 features) and uniform random labels 0..9,
generated with a fixed seed. Nothing here measures accuracy; only speed and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time


def _parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="BLAS threads / torch.set_num_threads (default 2)")
    p.add_argument("--quick", action="store_true", help="fewer repeats, 2 rounds and a 10,000-sample epoch")
    p.add_argument("--rounds", type=int, default=None, help="processes per contender (default 3, quick 2)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is importable")
    p.add_argument("--compile", action="store_true", help="also time tinygrad_sm.compile'd training steps")
    p.add_argument("--torch-compile", action="store_true", help="also time torch.compile (if it works here)")
    p.add_argument(
        "--old-env",
        action="store_true",
        help="impose OMP_WAIT_POLICY=PASSIVE and fixed malloc thresholds on every contender (old setting)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--_child", dest="child", help=argparse.SUPPRESS)
    p.add_argument("--_rss-child", dest="rss_child", help=argparse.SUPPRESS)
    p.add_argument("--_epoch-samples", dest="epoch_samples", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


ARGS = _parse_args()

# The old harness ran every contender in one process with these set for all of them. PASSIVE makes
# idle OpenMP workers sleep, which no PyTorch user sets, and which slows PyTorch's pool down between ops.
OLD_ENV = {
    "OMP_WAIT_POLICY": "PASSIVE",
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "MALLOC_TRIM_THRESHOLD_": str(2**30),
}


def contender_env(name):
    """The environment a user of this contender would have: BLAS threads for the NumPy-based ones;
    nothing for PyTorch (it is told its thread count by torch.set_num_threads, in code)."""
    env = {k: v for k, v in os.environ.items() if k not in OLD_ENV and not k.endswith("_NUM_THREADS")}
    if not name.startswith("pytorch"):
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(ARGS.threads)
    if ARGS.old_env:
        env.update(OLD_ENV)
    return env


import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tinygrad_sm as tg  # noqa: E402
from tinygrad_sm import functional as F  # noqa: E402
from tinygrad_sm import optim  # noqa: E402

LR = 0.01
IN, CLASSES = 784, 10
EPOCH_BATCH = 128
RTOL = 1e-4


# ---------------------------------------------------------------- data and weights
def init_weights(sizes, seed):
    """He-initialised float32 weights [W1, b1, W2, b2, ...]; identical for every contender."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        weights.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32))
        weights.append(np.zeros(fan_out, dtype=np.float32))
    return weights


def make_data(n, seed):
    """Synthetic data: uniform [0, 1) float32 features, uniform labels 0..9 (fixed seed)."""
    rng = np.random.default_rng(seed + 1)
    x = rng.random((n, IN), dtype=np.float32)
    y = rng.integers(0, CLASSES, size=n).astype(np.int64)
    return x, y


# ---------------------------------------------------------------- contenders
class NumpyMLP:
    """Hand-written forward and backward, as a student writes them after the derivation."""

    name = "numpy (hand-written)"

    def __init__(self, weights):
        self.W = [w.copy() for w in weights[0::2]]
        self.b = [b.copy() for b in weights[1::2]]

    def forward_backward(self, x, y):
        n = x.shape[0]
        # forward: z1 = x@W1+b1; a1 = max(z1, 0); ...; logits
        acts, zs = [x], []
        a = x
        for i in range(len(self.W)):
            z = a @ self.W[i] + self.b[i]
            zs.append(z)
            if i < len(self.W) - 1:
                a = np.maximum(z, 0)
                acts.append(a)
        logits = zs[-1]
        # stable softmax and mean cross-entropy
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(n), y]).mean()
        # backward: dz = (p - onehot)/n; dW = a.T@dz; db = dz.sum(0); da = dz@W.T; dz = da*(z>0)
        onehot = np.zeros_like(p)
        onehot[np.arange(n), y] = 1
        dz = (p - onehot) / n
        dW = [None] * len(self.W)
        db = [None] * len(self.W)
        for i in range(len(self.W) - 1, -1, -1):
            dW[i] = acts[i].T @ dz
            db[i] = dz.sum(axis=0)
            if i > 0:
                da = dz @ self.W[i].T
                dz = da * (zs[i - 1] > 0)
        return loss, dW, db

    def loss_and_grads(self, x, y):
        loss, dW, db = self.forward_backward(x, y)
        return float(loss), [g for pair in zip(dW, db) for g in pair]

    def step(self, x, y):
        _loss, dW, db = self.forward_backward(x, y)
        for i in range(len(self.W)):
            self.W[i] -= LR * dW[i]
            self.b[i] -= LR * db[i]

    def params(self):
        return [a for pair in zip(self.W, self.b) for a in pair]

    @staticmethod
    def exp_sum(x):
        e = np.exp(x)
        s = e.sum()
        grad = e  # d/dx sum(exp(x)) = exp(x)
        return s, grad


class TinygradMLP:
    """Raw tinygrad_sm tensors; SGD in place into persistent scratch buffers, grads set to None."""

    def __init__(self, weights, fused):
        self.fused = fused
        self.name = "tinygrad_sm (fused CE)" if fused else "tinygrad_sm (composed CE)"
        self.P = [tg.Tensor(w.copy(), requires_grad=True) for w in weights]
        self.scratch = [np.empty_like(w) for w in weights]
        self.loss_fn = F.softmax_cross_entropy_fused if fused else F.cross_entropy

    def _loss(self, x, y):
        h = tg.Tensor(x)
        nl = len(self.P) // 2
        for i in range(nl):
            h = h @ self.P[2 * i] + self.P[2 * i + 1]
            if i < nl - 1:
                h = h.relu()
        return self.loss_fn(h, y)

    def loss_and_grads(self, x, y):
        loss = self._loss(x, y)
        loss.backward()
        grads = [p.grad.data.copy() for p in self.P]
        for p in self.P:
            p.grad = None
        return float(loss.item()), grads

    def step(self, x, y):
        loss = self._loss(x, y)
        loss.backward()
        with tg.no_grad():
            for p, s in zip(self.P, self.scratch):
                np.multiply(p.grad.data, LR, out=s)
                p.sub_(s)
        for p in self.P:
            p.grad = None

    def params(self):
        return [p.data for p in self.P]

    @staticmethod
    def make_exp_sum(x_np):
        x = tg.Tensor(x_np.copy(), requires_grad=True)

        def run():
            s = x.exp().sum()
            s.backward()
            g = x.grad
            x.grad = None
            return s, g

        return run


class CompiledTinygradMLP(TinygradMLP):
    """The same step through ``tinygrad_sm.compile``: loss, backward, ``optim.SGD`` (plain: the same
    ``p -= lr * grad`` through a scratch buffer), ``zero_grad``, traced twice, then replayed."""

    def __init__(self, weights, fused):
        super().__init__(weights, fused)
        self.name = "compiled (fused CE)" if fused else "compiled (composed CE)"
        self.opt = optim.SGD(self.P, lr=LR)

        def train_step(x, y):
            loss = self._loss(x, y)
            loss.backward()
            self.opt.step()
            self.opt.zero_grad()
            return loss

        self.compiled = tg.compile(train_step)

    def step(self, x, y):
        self.compiled(x, y)

    def make_exp_sum_compiled(x_np):
        x = tg.Tensor(x_np.copy(), requires_grad=True)

        @tg.compile
        def exp_sum():
            s = x.exp().sum()
            s.backward()
            g = x.grad
            x.grad = None
            return s, g

        return exp_sum

    make_exp_sum_compiled = staticmethod(make_exp_sum_compiled)


class TorchMLP:
    """PyTorch CPU, the usual way: leaf tensors, F.cross_entropy, manual in-place SGD, grads to None."""

    name = "pytorch (CPU)"

    def __init__(self, weights):
        import torch

        self.torch = torch
        self.P = [torch.tensor(w.copy(), requires_grad=True) for w in weights]
        # torch.nn.functional.cross_entropy wants W stored (in, out) here, as the other contenders do

    def _loss(self, x, y):
        torch = self.torch
        h = torch.from_numpy(x)
        nl = len(self.P) // 2
        for i in range(nl):
            h = h @ self.P[2 * i] + self.P[2 * i + 1]
            if i < nl - 1:
                h = torch.relu(h)
        return torch.nn.functional.cross_entropy(h, torch.from_numpy(y))

    def loss_and_grads(self, x, y):
        loss = self._loss(x, y)
        loss.backward()
        grads = [p.grad.numpy().copy() for p in self.P]
        for p in self.P:
            p.grad = None
        return float(loss.item()), grads

    def step(self, x, y):
        loss = self._loss(x, y)
        loss.backward()
        with self.torch.no_grad():
            for p in self.P:
                p.add_(p.grad, alpha=-LR)
        for p in self.P:
            p.grad = None

    def params(self):
        return [p.detach().numpy() for p in self.P]

    def compile_step(self):
        """Replace ``step`` by ``torch.compile`` of it (the inductor backend compiles C++ with gcc)."""
        self._compiled = self.torch.compile(self._step_eager)
        self.name = "torch.compile (CPU)"

    def _step_eager(self, x, y):
        loss = self._loss(x, y)
        loss.backward()
        with self.torch.no_grad():
            for p in self.P:
                p.add_(p.grad, alpha=-LR)
        for p in self.P:
            p.grad = None

    @staticmethod
    def make_exp_sum(x_np):
        import torch

        x = torch.tensor(x_np.copy(), requires_grad=True)

        def run():
            s = torch.exp(x).sum()
            s.backward()
            g = x.grad
            x.grad = None
            return s, g

        return run


def torch_available():
    if ARGS.no_torch:
        return None
    try:
        import torch
    except Exception:
        return None
    torch.set_num_threads(ARGS.threads)
    return torch.__version__


class TorchCompiledMLP(TorchMLP):
    name = "torch.compile (CPU)"

    def __init__(self, weights):
        super().__init__(weights)
        self._compiled = self.torch.compile(self._step_eager)

    def step(self, x, y):
        self._compiled(x, y)


def contender_factories(have_torch):
    f = {
        "numpy (hand-written)": NumpyMLP,
        "tinygrad_sm (composed CE)": lambda w: TinygradMLP(w, fused=False),
        "tinygrad_sm (fused CE)": lambda w: TinygradMLP(w, fused=True),
    }
    if ARGS.compile:
        f["compiled (composed CE)"] = lambda w: CompiledTinygradMLP(w, fused=False)
        f["compiled (fused CE)"] = lambda w: CompiledTinygradMLP(w, fused=True)
    if have_torch:
        f["pytorch (CPU)"] = TorchMLP
        if ARGS.torch_compile:
            f["torch.compile (CPU)"] = TorchCompiledMLP
    return f


# ---------------------------------------------------------------- correctness check
def _close(a, ref):
    a, ref = np.asarray(a, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    scale = max(float(np.abs(ref).max()), 1e-12)
    err = float(np.abs(a - ref).max())
    ok = a.shape == ref.shape and np.allclose(a, ref, rtol=RTOL, atol=RTOL * 0.1 * scale)
    return ok, err / scale


def check_contenders(factories, seed):
    """Loss, gradients and updated weights after one step from the same weights vs hand-written NumPy."""
    report = {name: {"ok": True, "details": []} for name in factories}
    for sizes, batch in (([IN, 256, CLASSES], 32), ([IN, 512, 256, CLASSES], 32), ([IN, 256, CLASSES], 1)):
        weights = init_weights(sizes, seed)
        x, y = make_data(batch, seed + 7)
        ref = NumpyMLP(weights)
        ref_loss, ref_grads = ref.loss_and_grads(x, y)
        for _ in range(3):  # three steps: a compiled contender is traced twice, then runs its program
            ref.step(x, y)
        ref_after = ref.params()
        for name, make in factories.items():
            if name == NumpyMLP.name:
                continue
            try:
                c = make(weights)
                loss, grads = c.loss_and_grads(x, y)
                for _ in range(3):
                    c.step(x, y)
                after = c.params()
                worst = abs(loss - ref_loss) / max(abs(ref_loss), 1e-12)
                ok = np.isclose(loss, ref_loss, rtol=RTOL, atol=0)
                for g, r in zip(grads, ref_grads):
                    o, e = _close(g, r)
                    ok, worst = ok and o, max(worst, e)
                for g, r in zip(after, ref_after):
                    o, e = _close(g, r)
                    ok, worst = ok and o, max(worst, e)
            except Exception as error:  # a crash is a failed check too
                ok, worst = False, f"{type(error).__name__}: {error}"
            report[name]["details"].append(
                {"arch": "-".join(map(str, sizes)), "batch": batch, "ok": bool(ok), "max_rel_err": worst}
            )
            report[name]["ok"] = report[name]["ok"] and bool(ok)
    return report


# ---------------------------------------------------------------- timing
def interleaved(runners, budget_s, min_reps, max_reps, warmup=3):
    """runners: {name: zero-arg callable}. Warm up each, then time them round-robin.
    Each sample times ``inner`` calls (chosen so a sample lasts >= ~1 ms); returns seconds per call."""
    est = {}
    for name, run in runners.items():
        for _ in range(warmup):
            run()
        t0 = time.perf_counter()
        run()
        est[name] = max(time.perf_counter() - t0, 1e-7)
    inner = {n: max(1, int(1e-3 / e)) for n, e in est.items()}
    per_round = sum(est[n] * inner[n] for n in runners)
    reps = int(min(max_reps, max(min_reps, budget_s / max(per_round, 1e-9))))
    samples = {n: [] for n in runners}
    for _ in range(reps):
        for name, run in runners.items():
            k = inner[name]
            t0 = time.perf_counter()
            for _ in range(k):
                run()
            samples[name].append((time.perf_counter() - t0) / k)
    out = {}
    for name, s in samples.items():
        a = np.array(s)
        out[name] = {
            "median_s": float(np.median(a)),
            "p25_s": float(np.percentile(a, 25)),
            "p75_s": float(np.percentile(a, 75)),
            "repeats": len(s),
            "calls_per_repeat": inner[name],
        }
    return out


def run_epoch(model, x, y, batch=EPOCH_BATCH):
    for start in range(0, x.shape[0], batch):
        model.step(x[start : start + batch], y[start : start + batch])


# ---------------------------------------------------------------- peak RSS child
def _current_rss_kib():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return None


def rss_child(name, n_samples):
    import resource

    factories = contender_factories(name.startswith(("pytorch", "torch")) and torch_available() is not None)
    weights = init_weights([IN, 256, CLASSES], ARGS.seed)
    x, y = make_data(n_samples, ARGS.seed)
    model = factories[name](weights)
    before_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    before_now = _current_rss_kib()
    run_epoch(model, x, y)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm = None
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    print(
        json.dumps(
            {
                "peak_kib": peak,
                "vmhwm_kib": hwm,
                "peak_before_epoch_kib": before_peak,
                "rss_before_epoch_kib": before_now,
            }
        )
    )


def _flags():
    return (
        ["--threads", str(ARGS.threads), "--seed", str(ARGS.seed)]
        + (["--quick"] if ARGS.quick else [])
        + (["--compile"] if ARGS.compile else [])
        + (["--torch-compile"] if ARGS.torch_compile else [])
        + (["--old-env"] if ARGS.old_env else [])
    )


def _run_child(name, args, timeout):
    cmd = [sys.executable, os.path.abspath(__file__)] + _flags() + args
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=contender_env(name), timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"rc {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_rss(name, n_samples):
    return _run_child(name, ["--_rss-child", name, "--_epoch-samples", str(n_samples)], 900)


# ---------------------------------------------------------------- one contender, in its own process
CASES = [
    ([IN, 256, CLASSES], 1),
    ([IN, 256, CLASSES], 32),
    ([IN, 256, CLASSES], 128),
    ([IN, 256, CLASSES], 1024),
    ([IN, 512, 256, CLASSES], 128),
    ([IN, 16, CLASSES], 1),
]


def _settings():
    quick = ARGS.quick
    return {
        "epoch_n": 10_000 if quick else 60_000,
        "budget": 0.5 if quick else 1.5,
        "reps": (15, 300) if quick else (30, 1000),
        "epoch_reps": 2 if quick else 3,
    }


def child(name):
    """Check one contender against NumPy, then time every case; prints one JSON line."""
    settings = _settings()
    torch_version = torch_available() if name.startswith(("pytorch", "torch")) else None
    factories = contender_factories(torch_version is not None)
    make = factories[name]
    out = {"name": name, "torch": torch_version, "rows": {}}
    if name != NumpyMLP.name:
        out["check"] = check_contenders({name: make}, ARGS.seed)[name]
        if not out["check"]["ok"]:
            print(json.dumps(out))
            return
    min_reps, max_reps = settings["reps"]
    for sizes, batch in CASES:
        model = make(init_weights(sizes, ARGS.seed))
        x, y = make_data(batch, ARGS.seed)
        res = interleaved({name: (lambda m=model, x=x, y=y: m.step(x, y))}, settings["budget"], min_reps, max_reps)[
            name
        ]
        out["rows"][f"train step {'-'.join(map(str, sizes))} batch {batch}"] = res
    xv = np.random.default_rng(ARGS.seed).standard_normal(10).astype(np.float32)
    if name.startswith("compiled"):
        run = CompiledTinygradMLP.make_exp_sum_compiled(xv)
    elif name.startswith("tinygrad_sm"):
        run = TinygradMLP.make_exp_sum(xv)
    elif name == NumpyMLP.name:
        run = lambda: NumpyMLP.exp_sum(xv)
    else:
        run = TorchMLP.make_exp_sum(xv)
    out["rows"]["per-op: exp(x).sum() fwd+bwd, 10 elems"] = interleaved(
        {name: run}, settings["budget"], min_reps, max_reps
    )[name]
    model = make(init_weights([IN, 256, CLASSES], ARGS.seed))
    xe, ye = make_data(settings["epoch_n"], ARGS.seed)
    res = interleaved(
        {name: (lambda: run_epoch(model, xe, ye))}, 0.0, settings["epoch_reps"], settings["epoch_reps"], warmup=1
    )[name]
    out["rows"][f"epoch {settings['epoch_n']:,} samples, batch {EPOCH_BATCH}, 784-256-10"] = res
    print(json.dumps(out))


# ---------------------------------------------------------------- main: the rounds
def main():
    import statistics

    settings = _settings()
    rounds = ARGS.rounds or (2 if ARGS.quick else 3)
    torch_ok = (
        not ARGS.no_torch
        and subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0
    )
    names = list(contender_factories(torch_ok))
    base = NumpyMLP.name
    print(
        f"tinygrad_sm benchmark  |  threads={ARGS.threads}  |  numpy {np.__version__}  |  python "
        f"{platform.python_version()}  |  {platform.machine()}, {os.cpu_count()} CPUs  |  {rounds} rounds"
    )
    print(
        "environment: each contender in its own process; NumPy-based ones with OPENBLAS/OMP/MKL_NUM_THREADS="
        f"{ARGS.threads}, PyTorch with torch.set_num_threads({ARGS.threads}) only"
        + ("; OLD SETTING imposed on all: " + " ".join(f"{k}={v}" for k, v in OLD_ENV.items()) if ARGS.old_env else "")
    )
    print(f"data: synthetic uniform[0,1) float32 x, random labels, seed={ARGS.seed}; SGD lr={LR}")
    rss = {n: measure_rss(n, settings["epoch_n"]) for n in names}
    runs = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for n in order:
            result = _run_child(n, ["--_child", n], 1800)
            runs[n].append(result)
            status = result.get("error") or ("WRONG" if not result.get("check", {"ok": True})["ok"] else "ok")
            print(f"  round {r + 1}/{rounds}: {n}: {status}", flush=True)
    labels = [label for label in next((x["rows"] for x in runs[base] if "rows" in x), {})]
    width = 26
    header = f"{'benchmark':44s}" + "".join(f"{n:>{width}s}" for n in names)
    lines = [header, "-" * len(header)]
    json_rows = []
    for label in labels:
        unit, scale = ("us", 1e6) if label.startswith("per-op") else ("ms", 1e3)
        cells, jr = [], {"benchmark": label, "unit": unit, "results": {}}
        for n in names:
            meds, ratios = [], []
            for r in range(rounds):
                mine, ref = runs[n][r].get("rows", {}).get(label), runs[base][r].get("rows", {}).get(label)
                if mine and ref:
                    meds.append(mine["median_s"])
                    ratios.append(mine["median_s"] / ref["median_s"])
            if not ratios:
                failure = next((x.get("error") for x in runs[n] if x.get("error")), None)
                cells.append("error" if failure else "WRONG")
                jr["results"][n] = {"status": failure or "WRONG"}
                continue
            med, ratio = statistics.median(meds) * scale, statistics.median(ratios)
            cells.append(f"{med:8.3f} {unit} x{ratio:5.2f}" if med < 1000 else f"{med:8.0f} {unit} x{ratio:5.2f}")
            jr["results"][n] = {"median": med, "ratio_to_numpy": ratio, "ratios": ratios, "medians_s": meds}
        lines.append(f"{label + ' [' + unit + ']':44s}" + "".join(f"{c:>{width}s}" for c in cells))
        json_rows.append(jr)
    label = f"peak RSS, epoch {settings['epoch_n']:,} (child process)"
    cells, jr = [], {"benchmark": label, "unit": "MiB", "results": {}}
    ref = rss.get(base, {}).get("peak_kib")
    for n in names:
        r = rss[n]
        if "error" in r:
            cells.append("error")
            jr["results"][n] = r
        else:
            ratio = r["peak_kib"] / ref if ref else float("nan")
            cells.append(f"{r['peak_kib'] / 1024:8.1f} MiB x{ratio:5.2f}")
            jr["results"][n] = {**r, "ratio_to_numpy": ratio}
    lines.append(f"{label + ' [MiB]':44s}" + "".join(f"{c:>{width}s}" for c in cells))
    json_rows.append(jr)
    print()
    print("\n".join(lines))
    print(
        f"cells: median over {rounds} rounds of the median time, x the median over rounds of the ratio to "
        "the numpy column in the same round (< 1 is faster / smaller)."
    )
    for n in names:
        errors = {x.get("error") for x in runs[n] if x.get("error")}
        if errors:
            print(f"{n}: {'; '.join(sorted(errors))}")
    if ARGS.json:
        torch_version = next((x.get("torch") for n in names for x in runs[n] if x.get("torch")), None)
        meta = {
            "threads": ARGS.threads,
            "quick": ARGS.quick,
            "rounds": rounds,
            "numpy": np.__version__,
            "torch": torch_version,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "epoch_samples": settings["epoch_n"],
            "epoch_batch": EPOCH_BATCH,
            "old_env": ARGS.old_env,
            "seed": ARGS.seed,
            "lr": LR,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "data": "synthetic: uniform[0,1) float32 features, uniform random labels 0..9",
        }
        checks = {n: next((x["check"] for x in runs[n] if "check" in x), None) for n in names}
        tmp = ARGS.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"meta": meta, "checks": checks, "rows": json_rows}, f, indent=2)
        os.replace(tmp, ARGS.json)
        print(f"JSON written to {ARGS.json}")


if __name__ == "__main__":
    if ARGS.rss_child:
        rss_child(ARGS.rss_child, ARGS.epoch_samples)
    elif ARGS.child:
        child(ARGS.child)
    else:
        main()
