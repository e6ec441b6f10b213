#!/usr/bin/env python
"""One SGD step of a LeNet-style CNN on 28x28 inputs: tinygrad_sm vs hand-written NumPy im2col vs PyTorch CPU.

    python benchmarks/bench_conv.py                  # batch 8 and 64, about a minute
    python benchmarks/bench_conv.py --quick          # fewer repeats
    python benchmarks/bench_conv.py --json out.json
    python benchmarks/bench_conv.py --threads 1      # one BLAS thread for tinygrad_sm and NumPy

The net: conv 1->6 5x5 pad 2, ReLU, max-pool 2, conv 6->16 5x5, ReLU, max-pool 2, flatten (400),
Linear 120, ReLU, Linear 84, ReLU, Linear 10, softmax cross-entropy (the fused primitive for
tinygrad_sm, written out by hand for NumPy, F.cross_entropy for PyTorch), plain SGD (lr 0.01), float32.
Synthetic data: uniform [0, 1) images and random labels from a fixed seed.

- tinygrad_sm and NumPy run in this process, interleaved round-robin after a warm-up; the step time is
  the median of many ``perf_counter`` samples and the ratio is taken within the same run.
- PyTorch runs in its own child process with the environment it was started with (default threads),
  as its users run it; its median comes back as JSON. It is started before and after the in-process
  timings, and the faster of the two medians is kept (the machine is shared; see the README).
- Peak memory: ``tracemalloc``'s peak during one step above what was allocated before it (NumPy
  reports its buffers to tracemalloc; views count nothing, copies count their bytes). Not measured
  for PyTorch, whose allocator tracemalloc does not see.
- Before timing, tinygrad_sm's loss and updated weights after one step from the same weights are
  checked against NumPy's (and PyTorch's loss against NumPy's).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc

_STARTING_ENVIRONMENT = dict(os.environ)  # PyTorch's child gets this: as its users run it
if "--threads" in sys.argv:  # BLAS threads for the in-process contenders, set before NumPy is imported
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_variable] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import as_strided  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tinygrad_sm as tg  # noqa: E402
from tinygrad_sm import functional as F  # noqa: E402
from tinygrad_sm import nn, optim  # noqa: E402

LR = 0.01
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


# ---------------------------------------------------------------- tinygrad_sm


class TinyLeNet:
    def __init__(self, weights: dict[str, np.ndarray]):
        self.model = nn.build_model("cnn", 784, 10, generator=np.random.default_rng(0))
        names = ["conv1.w", "conv1.b", "conv2.w", "conv2.b", "fc1.w", "fc1.b", "fc2.w", "fc2.b", "fc3.w", "fc3.b"]
        self.params = [t for _, t in self.model.named_parameters()]
        self.names = names
        for name, tensor in zip(names, self.params):
            value = weights[name]
            # Linear's weight may be stored (in, out) or (out, in): copy by shape, not by assumption
            tensor.data = value.copy() if value.shape == tensor.shape else value.T.copy()  # (SGD writes in place)
        self.optimizer = optim.SGD(self.params, lr=LR)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        logits = self.model(tg.Tensor(x.reshape(len(x), 784)))
        loss = F.softmax_cross_entropy_fused(logits, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.item())

    def weights(self) -> dict[str, np.ndarray]:
        return {n: (t.data if t.shape == SHAPES[n] else t.data.T) for n, t in zip(self.names, self.params)}


# ---------------------------------------------------------------- PyTorch (child process)

TORCH_CHILD = r"""
import json, sys, time
import numpy as np, torch
weights = dict(np.load(sys.argv[1]))
batches, budget, lr = json.loads(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
nnt = torch.nn
model = nnt.Sequential(nnt.Conv2d(1, 6, 5, padding=2), nnt.ReLU(), nnt.MaxPool2d(2), nnt.Conv2d(6, 16, 5),
                       nnt.ReLU(), nnt.MaxPool2d(2), nnt.Flatten(), nnt.Linear(400, 120), nnt.ReLU(),
                       nnt.Linear(120, 84), nnt.ReLU(), nnt.Linear(84, 10))
result = {"threads": torch.get_num_threads(), "version": torch.__version__, "batches": {}}
for batch in batches:
    with torch.no_grad():
        for layer, prefix in ((model[0], "conv1"), (model[3], "conv2"), (model[7], "fc1"), (model[9], "fc2"),
                              (model[11], "fc3")):
            w = weights[prefix + ".w"]
            layer.weight.copy_(torch.from_numpy(w if prefix.startswith("conv") else w.T.copy()))
            layer.bias.copy_(torch.from_numpy(weights[prefix + ".b"]))
    data = np.load(sys.argv[1].replace(".npz", f"_data{batch}.npz"))
    x, y = torch.from_numpy(data["x"]), torch.from_numpy(data["y"])
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    first = step()
    for _ in range(5):
        step()
    samples, started = [], time.perf_counter()
    while time.perf_counter() - started < budget or len(samples) < 20:
        t0 = time.perf_counter(); step(); samples.append(time.perf_counter() - t0)
    result["batches"][str(batch)] = {"first_loss": first, "median_s": float(np.median(samples)), "reps": len(samples)}
print(json.dumps(result))
"""


def run_torch(weights_path: str, batches: list[int], budget: float) -> dict | None:
    try:
        command = [sys.executable, "-c", TORCH_CHILD, weights_path, json.dumps(batches), str(budget), str(LR)]
        proc = subprocess.run(command, env=_STARTING_ENVIRONMENT, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"pytorch skipped: {error}")
        return None
    if proc.returncode:
        print("pytorch skipped:", (proc.stderr.strip().splitlines() or ["?"])[-1])
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- measuring


def interleaved(steps: dict, x: np.ndarray, y: np.ndarray, budget: float, min_reps: int = 20) -> dict:
    samples = {name: [] for name in steps}
    for _ in range(5):
        for step in steps.values():
            step(x, y)
    started = time.perf_counter()
    order = list(steps.items())
    while time.perf_counter() - started < budget or min(map(len, samples.values())) < min_reps:
        order.reverse()  # each contender goes first every other round: neither always follows the other
        for name, step in order:
            t0 = time.perf_counter()
            step(x, y)
            samples[name].append(time.perf_counter() - t0)
    return {
        name: {"median_s": float(np.median(s)), "min_s": float(np.min(s)), "reps": len(s)}
        for name, s in samples.items()
    }


def peak_bytes(step, x: np.ndarray, y: np.ndarray) -> int:
    step(x, y)  # warm: scratch buffers (the optimizer's) exist before measuring
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step(x, y)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def check(weights: dict, x: np.ndarray, y: np.ndarray) -> float:
    reference, ours = NumpyLeNet(weights), TinyLeNet(weights)
    loss_ref, loss_ours = reference.step(x, y), ours.step(x, y)
    if not np.isclose(loss_ref, loss_ours, rtol=1e-5):
        raise SystemExit(f"WRONG: loss {loss_ours} vs NumPy {loss_ref}")
    for name, value in ours.weights().items():
        if not np.allclose(value, reference.p[name], rtol=1e-4, atol=1e-6):
            raise SystemExit(f"WRONG: {name} after one step differs from NumPy's")
    return loss_ref


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--batches", default="8,64")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        help="BLAS threads for tinygrad_sm and NumPy (PyTorch keeps its default); unset: the environment's",
    )
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    budget = 1.5 if args.quick else 6.0
    weights = init_weights(args.seed)
    import tempfile

    folder = tempfile.mkdtemp(prefix="bench_conv_")
    weights_path = os.path.join(folder, "weights.npz")
    np.savez(weights_path, **weights)
    for batch in batches:
        x, y = make_batch(batch, args.seed)
        np.savez(weights_path.replace(".npz", f"_data{batch}.npz"), x=x, y=y)
    have_torch = (
        not args.no_torch
        and subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0
    )
    torch_runs = [run_torch(weights_path, batches, budget / 2)] if have_torch else []
    results = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "blas_threads": args.threads,
            "load_average": os.getloadavg(),
        },
        "batches": {},
    }
    for batch in batches:
        x, y = make_batch(batch, args.seed)
        loss = check(weights, x, y)
        reference, ours = NumpyLeNet(weights), TinyLeNet(weights)
        timings = interleaved({"numpy": reference.step, "tinygrad_sm": ours.step}, x, y, budget)
        memory = {
            "numpy": peak_bytes(NumpyLeNet(weights).step, x, y),
            "tinygrad_sm": peak_bytes(TinyLeNet(weights).step, x, y),
        }
        results["batches"][str(batch)] = {"first_loss": loss, "time": timings, "peak_bytes": memory}
    if have_torch:
        torch_runs.append(run_torch(weights_path, batches, budget / 2))
    torch_runs = [r for r in torch_runs if r]
    print(
        f"LeNet-style SGD step, 28x28, float32; numpy {np.__version__}, {os.cpu_count()} CPUs"
        + (f"; torch {torch_runs[0]['version']} with {torch_runs[0]['threads']} threads" if torch_runs else "")
    )
    print(
        f"{'batch':>5} {'numpy ms':>9} {'tinygrad_sm ms':>14} {'ratio':>6} {'torch ms':>9} {'torch/tg':>8} "
        f"{'numpy peak MB':>13} {'tg peak MB':>10} {'ratio':>6}"
    )
    for batch in batches:
        row = results["batches"][str(batch)]
        t_np, t_tg = row["time"]["numpy"]["median_s"], row["time"]["tinygrad_sm"]["median_s"]
        torch_s = min((r["batches"][str(batch)]["median_s"] for r in torch_runs), default=None)
        if torch_runs:
            torch_loss = torch_runs[0]["batches"][str(batch)]["first_loss"]
            row["torch"] = {
                "median_s": torch_s,
                "first_loss": torch_loss,
                "runs": [r["batches"][str(batch)] for r in torch_runs],
            }
            if not np.isclose(torch_loss, row["first_loss"], rtol=1e-4):
                print(f"WARNING: torch's first loss {torch_loss} differs from NumPy's {row['first_loss']}")
        m_np, m_tg = row["peak_bytes"]["numpy"], row["peak_bytes"]["tinygrad_sm"]
        row["ratios"] = {
            "tinygrad_sm/numpy": t_tg / t_np,
            "torch/tinygrad_sm": torch_s / t_tg if torch_s else None,
            "peak tinygrad_sm/numpy": m_tg / m_np,
        }
        torch_text = f"{torch_s * 1e3:9.2f} {torch_s / t_tg:8.2f}" if torch_s else f"{'-':>9} {'-':>8}"
        print(
            f"{batch:5d} {t_np * 1e3:9.2f} {t_tg * 1e3:14.2f} {t_tg / t_np:6.2f} {torch_text} "
            f"{m_np / 2**20:13.2f} {m_tg / 2**20:10.2f} {m_tg / m_np:6.2f}"
        )
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=2)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
