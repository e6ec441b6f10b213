#!/usr/bin/env python
"""One SGD step of a LeNet-style CNN on 28x28 inputs: hand-written NumPy im2col (the baseline), PyTorch CPU,
tinygrad_sm eager and compiled.

    python benchmarks/bench_conv.py --compile               # batch 8 and 64 (a few minutes on 2 CPUs)
    python benchmarks/bench_conv.py --compile --quick       # 3 rounds
    /work/torchenv/bin/python benchmarks/bench_conv.py --compile   # with PyTorch: any Python that imports torch
    python benchmarks/bench_conv.py --json out.json

The net: conv 1->6 5x5 pad 2, ReLU, max-pool 2, conv 6->16 5x5, ReLU, max-pool 2, flatten (400),
Linear 120, ReLU, Linear 84, ReLU, Linear 10, softmax cross-entropy; float32, two threads; synthetic
data (uniform [0, 1) images, random labels, fixed seed). Each contender as its users write it: the
model object (``nn.build_model("cnn")`` / ``torch.nn.Sequential``), ``Tensor(x)``, ``cross_entropy``,
``backward()``, ``p -= lr * p.grad`` under ``no_grad`` and ``p.grad = None``; ``compiled`` wraps that
same step in ``tinygrad_sm.compile``. Timing as bench.py (harness.py): one process per contender,
interleaved case by case over rotated rounds, the fastest block median, ratios to NumPy's. Before
timing, each contender's loss and weights after three steps are checked against NumPy's.
Peak memory: tracemalloc's peak during one step above what was allocated before it (PyTorch: ru_maxrss).
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
import numpy as np
from numpy.lib.stride_tricks import as_strided


def _parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="BLAS threads / torch.set_num_threads (default 2)")
    p.add_argument("--quick", action="store_true", help="3 rounds")
    p.add_argument("--rounds", type=int, default=None, help="rotated rounds (default 7, quick 3)")
    p.add_argument("--compile", action="store_true", help="also the tinygrad_sm.compile'd step")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is importable")
    p.add_argument("--batches", default="8,64")
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--_worker", dest="worker", help=argparse.SUPPRESS)
    p.add_argument("--_memory", dest="memory", help=argparse.SUPPRESS)
    return p.parse_args(argv)


ARGS = _parse_args()
LR = 0.01
NAMES = ["numpy", "pytorch", "eager", "compiled"]
ORDER = ["conv1", "conv2", "fc1", "fc2", "fc3"]
SHAPES = {
    "conv1.w": (6, 1, 5, 5),
    "conv1.b": (6,),
    "conv2.w": (16, 6, 5, 5),
    "conv2.b": (16,),
    "fc1.w": (400, 120),
    "fc1.b": (120,),
    "fc2.w": (120, 84),
    "fc2.b": (84,),
    "fc3.w": (84, 10),
    "fc3.b": (10,),
}


def init_weights(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = {}
    for name, shape in SHAPES.items():
        fan_in = (
            int(np.prod(shape[1:]))
            if name.startswith("conv") and name.endswith(".w")
            else shape[0]
            if name.endswith(".w")
            else 25
        )
        weights[name] = rng.uniform(-1, 1, shape).astype(np.float32) / np.float32(np.sqrt(fan_in))
    return weights


def make_batch(batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + batch)
    return rng.random((batch, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, batch)


# ---------------------------------------------------------------- hand-written NumPy im2col


def im2col(x: np.ndarray, kernel: int, pad: int) -> np.ndarray:
    """(N, C, H, W) -> rows (N*Ho*Wo, C*k*k): the windows as a strided view, then one copy."""
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, w = x.shape
    out_h, out_w = h - kernel + 1, w - kernel + 1
    s = x.strides
    windows = as_strided(x, (n, out_h, out_w, c, kernel, kernel), (s[0], s[2], s[3], s[1], s[2], s[3]))
    return windows.reshape(n * out_h * out_w, c * kernel * kernel)


def col2im(rows: np.ndarray, shape: tuple, kernel: int) -> np.ndarray:
    """The adjoint of im2col without padding: one slice-add per kernel offset."""
    n, c, h, w = shape
    out_h, out_w = h - kernel + 1, w - kernel + 1
    windows = rows.reshape(n, out_h, out_w, c, kernel, kernel).transpose(0, 3, 4, 5, 1, 2)
    grad = np.zeros(shape, dtype=rows.dtype)
    for i in range(kernel):
        for j in range(kernel):
            grad[:, :, i : i + out_h, j : j + out_w] += windows[:, :, i, j]
    return grad


def pool_forward(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, c, h, w = a.shape
    blocks = a.reshape(n, c, h // 2, 2, w // 2, 2)
    pooled = blocks.max(axis=(3, 5))
    mask = blocks == pooled[:, :, :, None, :, None]
    return pooled, mask / mask.sum(axis=(3, 5), keepdims=True).astype(a.dtype)  # ties split evenly


def pool_backward(grad: np.ndarray, share: np.ndarray) -> np.ndarray:
    n, c, h, _, w, _ = share.shape
    return (share * grad[:, :, :, None, :, None]).reshape(n, c, 2 * h, 2 * w)


class NumpyLeNet:
    def __init__(self, weights: dict[str, np.ndarray]):
        self.p = {k: v.copy() for k, v in weights.items()}

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        p, n = self.p, len(x)
        rows1 = im2col(x, 5, 2)  # (N*784, 25)
        z1 = (rows1 @ p["conv1.w"].reshape(6, -1).T).reshape(n, 28, 28, 6).transpose(0, 3, 1, 2) + p["conv1.b"][
            :, None, None
        ]
        a1 = np.maximum(z1, 0)
        p1, share1 = pool_forward(a1)  # (N, 6, 14, 14)
        rows2 = im2col(p1, 5, 0)  # (N*100, 150)
        z2 = (rows2 @ p["conv2.w"].reshape(16, -1).T).reshape(n, 10, 10, 16).transpose(0, 3, 1, 2) + p["conv2.b"][
            :, None, None
        ]
        a2 = np.maximum(z2, 0)
        p2, share2 = pool_forward(a2)  # (N, 16, 5, 5)
        f = p2.reshape(n, 400)
        h1 = np.maximum(f @ p["fc1.w"] + p["fc1.b"], 0)
        h2 = np.maximum(h1 @ p["fc2.w"] + p["fc2.b"], 0)
        logits = h2 @ p["fc3.w"] + p["fc3.b"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) - shifted[np.arange(n), y]))
        # backward
        d = exp / total
        d[np.arange(n), y] -= 1
        d /= n
        g = {"fc3.w": h2.T @ d, "fc3.b": d.sum(0)}
        dh2 = (d @ p["fc3.w"].T) * (h2 > 0)
        g["fc2.w"], g["fc2.b"] = h1.T @ dh2, dh2.sum(0)
        dh1 = (dh2 @ p["fc2.w"].T) * (h1 > 0)
        g["fc1.w"], g["fc1.b"] = f.T @ dh1, dh1.sum(0)
        dz2 = pool_backward((dh1 @ p["fc1.w"].T).reshape(n, 16, 5, 5), share2) * (z2 > 0)
        drows2 = dz2.transpose(0, 2, 3, 1).reshape(n * 100, 16)
        g["conv2.w"], g["conv2.b"] = (drows2.T @ rows2).reshape(16, 6, 5, 5), dz2.sum(axis=(0, 2, 3))
        dp1 = col2im(drows2 @ p["conv2.w"].reshape(16, -1), (n, 6, 14, 14), 5)
        dz1 = pool_backward(dp1, share1) * (z1 > 0)
        drows1 = dz1.transpose(0, 2, 3, 1).reshape(n * 784, 6)
        g["conv1.w"], g["conv1.b"] = (drows1.T @ rows1).reshape(6, 1, 5, 5), dz1.sum(axis=(0, 2, 3))
        for name, grad in g.items():
            p[name] -= LR * grad
        return loss


# ---------------------------------------------------------------- tinygrad_sm and PyTorch


class TinyLeNet:
    """``nn.build_model("cnn")`` with the shared weights; the plain SGD step (``compiled``: under compile)."""

    def __init__(self, weights, compiled=False):
        import tinygrad_sm as tg
        from tinygrad_sm import functional as F
        from tinygrad_sm import nn

        self.tg, self.F = tg, F
        self.model = nn.build_model("cnn", 784, 10, generator=np.random.default_rng(0))
        self.params = [t for _, t in self.model.named_parameters()]
        with tg.no_grad():
            for name, tensor in zip([f"{layer}.{kind}" for layer in ORDER for kind in "wb"], self.params):
                value = weights[name]  # Linear's weight is stored (out, in) here: copy by shape
                tensor.copy_(value if value.shape == tensor.shape else value.T)
        self.step = tg.compile(self.eager_step) if compiled else self.eager_step

    def eager_step(self, x, y):
        tg = self.tg
        loss = self.F.cross_entropy(self.model(tg.Tensor(x).reshape(len(x), 784)), tg.Tensor(y))
        loss.backward()
        with tg.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None
        return loss

    def weights(self):
        arrays = [p.detach().numpy() for p in self.params]
        names = [f"{layer}.{kind}" for layer in ORDER for kind in "wb"]
        return {n: (a if a.shape == SHAPES[n] else a.T) for n, a in zip(names, arrays)}


class TorchLeNet:
    def __init__(self, weights):
        import torch

        self.torch = torch
        nnt = torch.nn
        self.model = nnt.Sequential(
            nnt.Conv2d(1, 6, 5, padding=2), nnt.ReLU(), nnt.MaxPool2d(2), nnt.Conv2d(6, 16, 5), nnt.ReLU(),
            nnt.MaxPool2d(2), nnt.Flatten(), nnt.Linear(400, 120), nnt.ReLU(), nnt.Linear(120, 84), nnt.ReLU(),
            nnt.Linear(84, 10),
        )  # fmt: skip
        with torch.no_grad():
            for index, prefix in zip((0, 3, 7, 9, 11), ORDER):
                w = weights[prefix + ".w"]
                self.model[index].weight.copy_(torch.from_numpy(w if prefix.startswith("conv") else w.T.copy()))
                self.model[index].bias.copy_(torch.from_numpy(weights[prefix + ".b"]))
        self.params = list(self.model.parameters())

    def step(self, x, y):
        torch = self.torch
        loss = torch.nn.functional.cross_entropy(self.model(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None
        return loss

    def weights(self):
        arrays = [p.detach().numpy() for p in self.params]
        names = [f"{layer}.{kind}" for layer in ORDER for kind in "wb"]
        return {n: (a if a.shape == SHAPES[n] else a.T) for n, a in zip(names, arrays)}


def make_contender(name, weights):
    if name == "numpy":
        return NumpyLeNet(weights)
    if name == "pytorch":
        return TorchLeNet(weights)
    return TinyLeNet(weights, compiled=name == "compiled")


# ---------------------------------------------------------------- inside a contender's process


def check(name):
    """Weights after three steps (the compiled step traces, then replays) against NumPy's."""
    weights = init_weights(ARGS.seed)
    ref, mine = NumpyLeNet(weights), make_contender(name, weights)
    try:
        for i in range(3):
            x, y = make_batch(8, ARGS.seed + i)
            ref_loss, loss = ref.step(x, y), float(mine.step(x, y).item())
            if not np.isclose(loss, ref_loss, rtol=1e-4):
                return {"ok": False, "detail": f"step {i}: loss {loss} against NumPy's {ref_loss}"}
        for key, value in mine.weights().items():
            if not np.allclose(value, ref.p[key], rtol=1e-4, atol=1e-6):
                return {"ok": False, "detail": f"{key} after three steps differs from NumPy's"}
    except Exception as error:
        return {"ok": False, "detail": f"{type(error).__name__}: {error}"}
    return {"ok": True}


def _threads():
    if ARGS.threads and (ARGS.worker or ARGS.memory) == "pytorch":
        import torch

        torch.set_num_threads(ARGS.threads)


def worker(name):
    _threads()

    def make_runner(case):
        batch = int(case.split()[-1])
        model = make_contender(name, init_weights(ARGS.seed))
        x, y = make_batch(batch, ARGS.seed)
        return (lambda: model.step(x, y)), {}

    harness.worker_loop(make_runner, lambda: check(name))


def memory(name):
    _threads()
    model = make_contender(name, init_weights(ARGS.seed))
    x, y = make_batch(64, ARGS.seed)
    print(json.dumps(harness.peak_memory(lambda: model.step(x, y))))


# ---------------------------------------------------------------- the parent


def _child_command(flag, name):
    flags = ["--threads", str(ARGS.threads), "--seed", str(ARGS.seed)]
    return [sys.executable, os.path.abspath(__file__)] + flags + [flag, name]


def main():
    rounds = ARGS.rounds or (3 if ARGS.quick else 7)
    torch_ok = (
        not ARGS.no_torch
        and subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0
    )
    names = [n for n in NAMES if (n != "pytorch" or torch_ok) and (n != "compiled" or ARGS.compile)]
    cases = [f"LeNet step, batch {b}" for b in ARGS.batches.split(",")]
    print(f"tinygrad_sm LeNet benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"machine: {harness.machine_line()}; Python {platform.python_version()}, NumPy {np.__version__}")
    print(f"threads {ARGS.threads}; {rounds} rotated rounds; SGD lr {LR}; synthetic data, seed {ARGS.seed}", flush=True)
    env = {n: harness.contender_env(n == "pytorch", ARGS.threads) for n in names}
    workers = [harness.Worker(n, _child_command("--_worker", n), env[n]) for n in names]
    try:
        checks = {w.name: w.ask({"cmd": "check"}) for w in workers if w.name != "numpy"}
        for name, result in checks.items():
            if not result.get("ok"):
                print(f"WRONG: {name}: {result}")
        workers = [w for w in workers if w.name == "numpy" or checks[w.name].get("ok")]
        result = harness.interleave(workers, cases, rounds, {"default": 15})
    finally:
        for w in workers:
            w.close()
    table = harness.summarize(result, "numpy")
    mem = {}
    for n in names:
        proc = subprocess.run(_child_command("--_memory", n), capture_output=True, text=True, env=env[n])
        mem[n] = (
            json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {"error": proc.stderr[-300:]}
        )
    width = 20
    print()
    print(f"{'workload':30s}" + "".join(f"{n:>{width}s}" for n in names))
    for case in cases:
        cells = []
        for n in names:
            cell = table[case].get(n, {"error": "WRONG"})
            cells.append("error" if "error" in cell else f"{cell['best_s'] * 1e3:.2f} ms x{cell['ratio']:.2f}")
        print(f"{case:30s}" + "".join(f"{c:>{width}s}" for c in cells))
    cells = []
    for n in names:
        m = mem[n]
        cells.append(
            "error"
            if "error" in m
            else f"rss {m['maxrss_kib'] / 1024:.0f} MiB"
            if n == "pytorch"
            else f"{m['step_peak_bytes'] / 2**20:.2f} MiB"
        )
    print(f"{'peak memory, step at batch 64':30s}" + "".join(f"{c:>{width}s}" for c in cells))
    print(f"cells: the fastest of {rounds} block medians (15 samples each), x its ratio to numpy's (< 1 is faster)")
    for case in cases:
        for n, cell in table[case].items():
            if "error" in cell:
                print(f"{case}, {n}: {cell['error']}")
    if ARGS.json:
        meta = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": harness.machine_line(),
            "numpy": np.__version__,
            "threads": ARGS.threads,
            "rounds": rounds,
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
