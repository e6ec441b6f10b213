#!/usr/bin/env python
"""One SGD step of an MLP: hand-written NumPy (the baseline), PyTorch CPU, tinygrad_sm eager and compiled.

    python benchmarks/bench.py --compile            # the README's table (several minutes on 2 CPUs)
    python benchmarks/bench.py --compile --quick    # fewer rounds, a 10,000-sample epoch
    /work/torchenv/bin/python benchmarks/bench.py --compile   # with PyTorch: any Python that imports torch
    python benchmarks/bench.py --json out.json      # also the results as JSON

Every contender runs the step as its users write it, float32, two threads:

- ``numpy``: the derivation written out by hand (forward, softmax cross-entropy, backward, update);
- ``pytorch``: leaf tensors, ``torch.nn.functional.cross_entropy``, ``loss.backward()``, then
  ``p -= lr * p.grad`` under ``torch.no_grad()`` and ``p.grad = None`` (what ``zero_grad`` does);
- ``eager``: the same code with tinygrad_sm (``Tensor(x)``, ``F.cross_entropy``, ``backward()``, the
  same update under ``no_grad``);
- ``compiled``: that same function wrapped in ``tinygrad_sm.compile``.

Each contender is a process of its own, timed interleaved with the others case by case over several
rotated rounds; a cell is the minimum over rounds of the median of a block of samples, its ratio that
over NumPy's (harness.py). Before timing, every contender's loss, gradients and weights after three
steps are checked against NumPy's (rtol 1e-4); a mismatch is reported WRONG. The PyTorch column is
left out when ``import torch`` fails. Peak memory: one more process per contender, tracemalloc's peak
during one step at batch 128 above what was allocated before it, and ``ru_maxrss``.

Data are synthetic, of Fashion-MNIST's shape: uniform [0, 1) float32 "images" (784 features) and
uniform labels 0..9 from a fixed seed; the epoch is 60,000 samples at batch 128, so its last batch
holds 96.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's tinygrad_sm
import harness


def _parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="BLAS threads / torch.set_num_threads (default 2)")
    p.add_argument("--quick", action="store_true", help="3 rounds and a 10,000-sample epoch")
    p.add_argument("--rounds", type=int, default=None, help="rotated rounds (default 7, quick 3)")
    p.add_argument("--compile", action="store_true", help="also the tinygrad_sm.compile'd step")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is importable")
    p.add_argument("--only", help="';'-separated case names or prefixes, e.g. '784-256-10, batch 1;exp' (default all)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--_worker", dest="worker", help=argparse.SUPPRESS)
    p.add_argument("--_memory", dest="memory", help=argparse.SUPPRESS)
    return p.parse_args(argv)


ARGS = _parse_args()
LR = 0.01
IN, CLASSES = 784, 10
EPOCH_BATCH = 128
RTOL = 1e-4
EPOCH_N = 10_000 if ARGS.quick else 60_000
CASES = {  # case key -> (layer sizes, batch); "exp" and "epoch" are special
    "784-256-10, batch 1": ([IN, 256, CLASSES], 1),
    "784-256-10, batch 32": ([IN, 256, CLASSES], 32),
    "784-256-10, batch 128": ([IN, 256, CLASSES], 128),
    "784-256-10, batch 1024": ([IN, 256, CLASSES], 1024),
    "784-512-256-10, batch 128": ([IN, 512, 256, CLASSES], 128),
    "784-16-10, batch 1": ([IN, 16, CLASSES], 1),
    "exp(x).sum() fwd+bwd, 10 floats": None,
    f"epoch of {EPOCH_N:,} at batch {EPOCH_BATCH}": None,
}
NAMES = ["numpy", "pytorch", "eager", "compiled"]

import numpy as np  # noqa: E402  (after the parent set nothing: each worker gets its env at start)


# ---------------------------------------------------------------- data and weights
def init_weights(sizes, seed):
    """He-initialised float32 weights [W1, b1, W2, b2, ...] stored (in, out); identical for every contender."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        weights.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(np.float32))
        weights.append(np.zeros(fan_out, dtype=np.float32))
    return weights


def make_data(n, seed):
    rng = np.random.default_rng(seed + 1)
    return rng.random((n, IN), dtype=np.float32), rng.integers(0, CLASSES, size=n).astype(np.int64)


# ---------------------------------------------------------------- contenders
class NumpyMLP:
    """Forward and backward written out after the derivation, as a student writes them."""

    def __init__(self, weights):
        self.W = [w.copy() for w in weights[0::2]]
        self.b = [b.copy() for b in weights[1::2]]

    def forward_backward(self, x, y):
        n = x.shape[0]
        acts, zs, a = [x], [], x
        for i in range(len(self.W)):
            z = a @ self.W[i] + self.b[i]
            zs.append(z)
            if i < len(self.W) - 1:
                a = np.maximum(z, 0)
                acts.append(a)
        logits = zs[-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(n), y]).mean()
        # dz = (p - onehot) / n; dW = a.T @ dz; db = sum(dz); da = dz @ W.T; dz = da * (z > 0)
        dz = p
        dz[np.arange(n), y] -= 1
        dz /= n
        dW, db = [None] * len(self.W), [None] * len(self.W)
        for i in range(len(self.W) - 1, -1, -1):
            dW[i] = acts[i].T @ dz
            db[i] = dz.sum(axis=0)
            if i > 0:
                dz = (dz @ self.W[i].T) * (zs[i - 1] > 0)
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
    def make_exp_sum(x):
        def run():
            e = np.exp(x)
            return e.sum(), e  # d/dx sum(exp(x)) = exp(x)

        return run


class TinygradMLP:
    """tinygrad_sm as a PyTorch user writes it; ``compiled`` wraps the same step in ``tinygrad_sm.compile``."""

    def __init__(self, weights, compiled=False):
        import tinygrad_sm as tg
        from tinygrad_sm import functional as F

        self.tg, self.F = tg, F
        self.P = [tg.Tensor(w.copy(), requires_grad=True) for w in weights]
        self.step = tg.compile(self.eager_step) if compiled else self.eager_step

    def loss(self, x, y):
        tg = self.tg
        h = tg.Tensor(x)
        layers = len(self.P) // 2
        for i in range(layers):
            h = h @ self.P[2 * i] + self.P[2 * i + 1]
            if i < layers - 1:
                h = h.relu()
        return self.F.cross_entropy(h, tg.Tensor(y))

    def eager_step(self, x, y):
        loss = self.loss(x, y)
        loss.backward()
        with self.tg.no_grad():
            for p in self.P:
                p -= LR * p.grad
                p.grad = None
        return loss

    def loss_and_grads(self, x, y):
        loss = self.loss(x, y)
        loss.backward()
        grads = [p.grad.numpy().copy() for p in self.P]
        for p in self.P:
            p.grad = None
        return float(loss.item()), grads

    def params(self):
        return [p.detach().numpy() for p in self.P]

    @staticmethod
    def make_exp_sum(x_np, compiled=False):
        import tinygrad_sm as tg

        x = tg.Tensor(x_np.copy(), requires_grad=True)

        def run():
            s = x.exp().sum()
            s.backward()
            g = x.grad
            x.grad = None
            return s, g

        return tg.compile(run) if compiled else run


class TorchMLP:
    """PyTorch CPU the usual way: leaf tensors, F.cross_entropy, ``p -= lr * p.grad`` under no_grad."""

    def __init__(self, weights):
        import torch

        self.torch = torch
        self.P = [torch.tensor(w.copy(), requires_grad=True) for w in weights]

    def loss(self, x, y):
        torch = self.torch
        h = torch.from_numpy(x)
        layers = len(self.P) // 2
        for i in range(layers):
            h = h @ self.P[2 * i] + self.P[2 * i + 1]
            if i < layers - 1:
                h = torch.relu(h)
        return torch.nn.functional.cross_entropy(h, torch.from_numpy(y))

    def step(self, x, y):
        loss = self.loss(x, y)
        loss.backward()
        with self.torch.no_grad():
            for p in self.P:
                p -= LR * p.grad
                p.grad = None
        return loss

    def loss_and_grads(self, x, y):
        loss = self.loss(x, y)
        loss.backward()
        grads = [p.grad.numpy().copy() for p in self.P]
        for p in self.P:
            p.grad = None
        return float(loss.item()), grads

    def params(self):
        return [p.detach().numpy() for p in self.P]

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


def make_contender(name, weights):
    if name == "numpy":
        return NumpyMLP(weights)
    if name == "pytorch":
        return TorchMLP(weights)
    return TinygradMLP(weights, compiled=name == "compiled")


def make_exp_sum(name, x):
    if name == "numpy":
        return NumpyMLP.make_exp_sum(x)
    if name == "pytorch":
        return TorchMLP.make_exp_sum(x)
    return TinygradMLP.make_exp_sum(x, compiled=name == "compiled")


# ---------------------------------------------------------------- inside a contender's process
def _close(a, ref):
    a, ref = np.asarray(a, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    scale = max(float(np.abs(ref).max()), 1e-12)
    ok = a.shape == ref.shape and np.allclose(a, ref, rtol=RTOL, atol=RTOL * 0.1 * scale)
    return ok, float(np.abs(a - ref).max()) / scale


def check(name):
    """Loss and gradients after one step, weights after three more (a compiled step traces, then
    replays), against NumPy's, on three networks; the last batch is smaller (a second signature)."""
    details, all_ok = [], True
    for sizes, batches in (
        ([IN, 256, CLASSES], (32, 32, 32, 24)),
        ([IN, 512, 256, CLASSES], (32,) * 3),
        ([IN, 256, CLASSES], (1,) * 3),
    ):
        weights = init_weights(sizes, ARGS.seed)
        data = [make_data(b, ARGS.seed + 7 + i) for i, b in enumerate(batches)]
        ref, mine = NumpyMLP(weights), make_contender(name, weights)
        try:
            ref_loss, ref_grads = ref.loss_and_grads(*data[0])
            loss, grads = mine.loss_and_grads(*data[0])
            ok, worst = bool(np.isclose(loss, ref_loss, rtol=RTOL, atol=0)), abs(loss - ref_loss) / abs(ref_loss)
            for x, y in data:
                ref.step(x, y)
                mine.step(x, y)
            for got, want in zip(grads + mine.params(), ref_grads + ref.params()):
                o, e = _close(got, want)
                ok, worst = ok and o, max(worst, e)
        except Exception as error:  # a crash is a failed check too
            ok, worst = False, f"{type(error).__name__}: {error}"
        details.append({"arch": "-".join(map(str, sizes)), "batches": batches, "ok": ok, "max_rel_err": worst})
        all_ok = all_ok and ok
    return {"ok": all_ok, "details": details}


def worker(name):
    if name == "pytorch":
        import torch

        torch.set_num_threads(ARGS.threads)

    def make_runner(case):
        if case.startswith("exp("):
            xv = np.random.default_rng(ARGS.seed).standard_normal(10).astype(np.float32)
            return make_exp_sum(name, xv), {}
        if case.startswith("epoch"):
            model = make_contender(name, init_weights([IN, 256, CLASSES], ARGS.seed))
            xe, ye = make_data(EPOCH_N, ARGS.seed)

            def epoch():
                for start in range(0, EPOCH_N, EPOCH_BATCH):
                    model.step(xe[start : start + EPOCH_BATCH], ye[start : start + EPOCH_BATCH])

            epoch()  # warm: the compiled step traces its signatures here
            return epoch, {"inner": 1}
        sizes, batch = CASES[case]
        model = make_contender(name, init_weights(sizes, ARGS.seed))
        x, y = make_data(batch, ARGS.seed)
        return (lambda: model.step(x, y)), {}

    harness.worker_loop(make_runner, lambda: check(name))


def memory(name):
    if name == "pytorch":
        import torch

        torch.set_num_threads(ARGS.threads)
    model = make_contender(name, init_weights([IN, 256, CLASSES], ARGS.seed))
    x, y = make_data(128, ARGS.seed)
    print(json.dumps(harness.peak_memory(lambda: model.step(x, y))))


# ---------------------------------------------------------------- the parent
def _names(case, wanted):
    """``--only`` matches a case by its name or a prefix of it that ends a word ("784-256-10, batch 1"
    is not "batch 128"; "exp" and "epoch" name theirs)."""
    return case.startswith(wanted) and not case[len(wanted) : len(wanted) + 1].isdigit()


def _child_command(flag, name):
    flags = ["--threads", str(ARGS.threads), "--seed", str(ARGS.seed)] + (["--quick"] if ARGS.quick else [])
    return [sys.executable, os.path.abspath(__file__)] + flags + [flag, name]


def main():
    rounds = ARGS.rounds or (3 if ARGS.quick else 7)
    torch_ok = (
        not ARGS.no_torch
        and subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0
    )
    names = [n for n in NAMES if (n != "pytorch" or torch_ok) and (n != "compiled" or ARGS.compile)]
    wanted = [o.strip() for o in ARGS.only.split(";")] if ARGS.only else []
    cases = [c for c in CASES if not wanted or any(_names(c, o) for o in wanted)]
    torch_version = (
        subprocess.run(
            [sys.executable, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True
        ).stdout.strip()
        if torch_ok
        else None
    )
    print(f"tinygrad_sm benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(
        f"machine: {harness.machine_line()}; Python {platform.python_version()}, NumPy {np.__version__}"
        + (f", torch {torch_version}" if torch_version else ", no torch")
    )
    print(f"threads {ARGS.threads}; {rounds} rotated rounds; SGD lr {LR}; synthetic data, seed {ARGS.seed}", flush=True)
    workers = [
        harness.Worker(n, _child_command("--_worker", n), harness.contender_env(n == "pytorch", ARGS.threads))
        for n in names
    ]
    try:
        checks = {w.name: w.ask({"cmd": "check"}) for w in workers if w.name != "numpy"}
        for name, result in checks.items():
            if not result.get("ok"):
                print(f"WRONG: {name} differs from NumPy: {json.dumps(result)[:600]}")
        workers = [w for w in workers if w.name == "numpy" or checks[w.name].get("ok")]
        samples = {"default": 15, **{c: 1 for c in cases if c.startswith("epoch")}}
        result = harness.interleave(workers, cases, rounds, samples)
    finally:
        for w in workers:
            w.close()
    table = harness.summarize(result, "numpy")
    mem = {}
    for n in names:
        proc = subprocess.run(
            _child_command("--_memory", n),
            capture_output=True,
            text=True,
            env=harness.contender_env(n == "pytorch", ARGS.threads),
        )
        mem[n] = (
            json.loads(proc.stdout.strip().splitlines()[-1])
            if proc.returncode == 0
            else {"error": proc.stderr.strip()[-300:]}
        )
    width = 20
    print()
    print(f"{'workload':36s}" + "".join(f"{n:>{width}s}" for n in names))
    for case in cases:
        cells = []
        for n in names:
            cell = table[case].get(n, {"error": "not run (WRONG)"})
            if "error" in cell:
                cells.append("error")
                continue
            t = cell["best_s"]
            text = f"{t * 1e6:.1f} us" if t < 1e-3 else f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"
            cells.append(f"{text} x{cell['ratio']:.2f}")
        print(f"{case:36s}" + "".join(f"{c:>{width}s}" for c in cells))
    cells = []
    for n in names:
        m = mem[n]
        if "error" in m:
            cells.append("error")
        elif n == "pytorch":
            cells.append(f"rss {m['maxrss_kib'] / 1024:.0f} MiB")
        else:
            cells.append(f"{m['step_peak_bytes'] / 2**20:.2f} MiB")
    print(f"{'peak memory, one step at batch 128':36s}" + "".join(f"{c:>{width}s}" for c in cells))
    print(
        f"cells: the fastest of {rounds} block medians (15 samples each; the epoch: one run per round), "
        "x its ratio to numpy's (< 1 is faster). Memory: tracemalloc's peak during one step above what "
        "was allocated before it (PyTorch's allocator is invisible to tracemalloc: its ru_maxrss instead)."
    )
    for case in cases:
        for n, cell in table[case].items():
            if "error" in cell:
                print(f"{case}, {n}: {cell['error']}")
    if ARGS.json:
        meta = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": harness.machine_line(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch_version,
            "threads": ARGS.threads,
            "rounds": rounds,
            "epoch_samples": EPOCH_N,
            "lr": LR,
            "seed": ARGS.seed,
            "command": " ".join(sys.argv),
        }
        with open(ARGS.json, "w") as f:
            json.dump({"meta": meta, "checks": checks, "table": table, "memory": mem}, f, indent=2)
        print(f"JSON written to {ARGS.json}")


if __name__ == "__main__":
    if ARGS.worker:
        worker(ARGS.worker)
    elif ARGS.memory:
        memory(ARGS.memory)
    else:
        main()
