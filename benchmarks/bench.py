#!/usr/bin/env python
"""Benchmark tinygrad_sm against hand-written NumPy (and PyTorch CPU when importable).

One process, contenders interleaved round-robin after a warm-up, medians of many repeats
(time.perf_counter). Peak RSS of an epoch is measured per contender in a child process.

    python benchmarks/bench.py                 # full run (a few minutes)
    python benchmarks/bench.py --quick         # < 1 minute, fewer repeats, 10,000-sample epoch
    python benchmarks/bench.py --threads 1 --json results.json

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

# ---------------------------------------------------------------- threads: before numpy is imported
def _parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP/torch threads for every contender (default 2)")
    p.add_argument("--quick", action="store_true", help="fewer repeats and a 10,000-sample epoch (< 1 minute)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is importable")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--system-malloc", action="store_true",
                   help="keep glibc's adaptive malloc thresholds (see _MALLOC_ENV; runs become bimodal)")
    p.add_argument("--_rss-child", dest="rss_child", help=argparse.SUPPRESS)
    p.add_argument("--_epoch-samples", dest="epoch_samples", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


ARGS = _parse_args()

# glibc's malloc hands large freed blocks (an 800 KB weight gradient) back to the OS or keeps them,
# depending on the history of the process, and a block handed back is page-faulted in again on the next
# step. Step times of every contender flipped between two modes (about x2.5 at batch 32) from run to
# run. Fixed thresholds, the same for every contender, keep freed memory in the heap; glibc reads them
# at start-up, so the script restarts itself once with them set.
_MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**30)}
if __name__ == "__main__" and not ARGS.system_malloc and any(os.environ.get(k) != v for k, v in _MALLOC_ENV.items()):
    os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:], {**os.environ, **_MALLOC_ENV})
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)
# Idle OpenMP workers sleep instead of spinning: otherwise torch's OpenMP pool and OpenBLAS's pool spin
# against each other when contenders alternate, and both look several times slower than they are.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tinygrad_sm as tg  # noqa: E402
from tinygrad_sm import functional as F  # noqa: E402

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
        loss, dW, db = self.forward_backward(x, y)
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


def contender_factories(have_torch):
    f = {
        "tinygrad_sm (composed CE)": lambda w: TinygradMLP(w, fused=False),
        "tinygrad_sm (fused CE)": lambda w: TinygradMLP(w, fused=True),
        "numpy (hand-written)": NumpyMLP,
    }
    if have_torch:
        f["pytorch (CPU)"] = TorchMLP
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
        ref.step(x, y)
        ref_after = ref.params()
        for name, make in factories.items():
            if name == NumpyMLP.name:
                continue
            try:
                c = make(weights)
                loss, grads = c.loss_and_grads(x, y)
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
            report[name]["details"].append({"arch": "-".join(map(str, sizes)), "batch": batch,
                                            "ok": bool(ok), "max_rel_err": worst})
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
        out[name] = {"median_s": float(np.median(a)), "p25_s": float(np.percentile(a, 25)),
                     "p75_s": float(np.percentile(a, 75)), "repeats": len(s), "calls_per_repeat": inner[name]}
    return out


def run_epoch(model, x, y, batch=EPOCH_BATCH):
    for start in range(0, x.shape[0], batch):
        model.step(x[start:start + batch], y[start:start + batch])


# ---------------------------------------------------------------- peak RSS child
def _current_rss_kib():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return None


def rss_child(name, n_samples):
    import resource
    if name == TorchMLP.name:
        torch_available()
    factories = contender_factories(name == TorchMLP.name)
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
    print(json.dumps({"peak_kib": peak, "vmhwm_kib": hwm, "peak_before_epoch_kib": before_peak, "rss_before_epoch_kib": before_now}))


def measure_rss(name, n_samples):
    cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(ARGS.threads), "--seed", str(ARGS.seed),
           "--_rss-child", name, "--_epoch-samples", str(n_samples)] + (["--system-malloc"] if ARGS.system_malloc else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"rc {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- main
def main():
    quick = ARGS.quick
    epoch_n = 10_000 if quick else 60_000
    budget = 0.6 if quick else 4.0          # seconds of timing per case, all contenders together
    min_reps, max_reps = (15, 300) if quick else (40, 2000)
    epoch_reps = 3 if quick else 5

    # Peak RSS first, while this parent is still small: Linux carries ru_maxrss across fork+exec, so a
    # child started from a big parent would report the parent's size. (VmHWM, reset at exec, cross-checks.)
    torch_ok = not ARGS.no_torch and subprocess.run([sys.executable, "-c", "import torch"],
                                                    capture_output=True).returncode == 0
    rss = {}
    for n in contender_factories(torch_ok):
        r = measure_rss(n, epoch_n)
        if "error" not in r:
            r["peak_mib"] = r["peak_kib"] / 1024
        rss[n] = r

    torch_version = torch_available()
    factories = contender_factories(torch_version is not None)
    names = list(factories)
    print(f"tinygrad_sm benchmark  |  threads={ARGS.threads} (OMP/OPENBLAS/MKL_NUM_THREADS"
          f"{', torch.set_num_threads' if torch_version else ''})  |  numpy {np.__version__}"
          f"  |  python {platform.python_version()}  |  {platform.machine()}, {os.cpu_count()} CPUs")
    print("malloc: " + ("glibc defaults (--system-malloc)" if ARGS.system_malloc else
                        " ".join(f"{k}={v}" for k, v in _MALLOC_ENV.items()) + " for every contender"))
    if torch_version is None:
        print("pytorch: skipped (`import torch` failed or --no-torch)")
    else:
        print(f"pytorch: {torch_version} (CPU)")
    print(f"mode: {'QUICK (fewer repeats, 10,000-sample epoch)' if quick else 'full'}; "
          f"data: synthetic uniform[0,1) float32 x, random labels, seed={ARGS.seed}; SGD lr={LR}")

    checks = check_contenders(factories, ARGS.seed)
    for name in names:
        if name == NumpyMLP.name:
            continue
        c = checks[name]
        worst = [d["max_rel_err"] for d in c["details"]]
        print(f"check vs numpy  {name:28s} {'ok' if c['ok'] else 'WRONG'}  (max rel err {worst})")
    timed = [n for n in names if n == NumpyMLP.name or checks[n]["ok"]]

    rows = []  # (label, unit, {name: result})
    cases = [([IN, 256, CLASSES], 1), ([IN, 256, CLASSES], 32), ([IN, 256, CLASSES], 128),
             ([IN, 256, CLASSES], 1024), ([IN, 512, 256, CLASSES], 128)]
    for sizes, batch in cases:
        weights = init_weights(sizes, ARGS.seed)
        x, y = make_data(batch, ARGS.seed)
        runners = {}
        for n in timed:
            m = factories[n](weights)
            runners[n] = (lambda m=m: m.step(x, y))
        res = interleaved(runners, budget, min_reps, max_reps)
        rows.append((f"train step {'-'.join(map(str, sizes))} batch {batch}", "ms", res))
        print(f"  done: {rows[-1][0]}", flush=True)

    # per-op overhead: forward + backward of exp(x).sum() on 10 float32 values
    xv = np.random.default_rng(ARGS.seed).standard_normal(10).astype(np.float32)
    runners = {}
    for n in timed:
        if n.startswith("tinygrad_sm"):
            runners[n] = TinygradMLP.make_exp_sum(xv)   # same op for both tinygrad columns (a noise check)
        elif n == NumpyMLP.name:
            runners[n] = (lambda: NumpyMLP.exp_sum(xv))
        else:
            runners[n] = TorchMLP.make_exp_sum(xv)
    res = interleaved(runners, budget, min_reps, max_reps)
    rows.append(("per-op: exp(x).sum() fwd+bwd, 10 elems", "us", res))
    print(f"  done: {rows[-1][0]}", flush=True)

    # full epoch, batch 128, 784-256-10
    weights = init_weights([IN, 256, CLASSES], ARGS.seed)
    xe, ye = make_data(epoch_n, ARGS.seed)
    models = {n: factories[n](weights) for n in timed}
    runners = {n: (lambda m=m: run_epoch(m, xe, ye)) for n, m in models.items()}
    res = interleaved(runners, 0.0, epoch_reps, epoch_reps, warmup=1)
    rows.append((f"epoch {epoch_n:,} samples, batch {EPOCH_BATCH}, 784-256-10", "ms", res))
    print(f"  done: {rows[-1][0]}", flush=True)


    # ---- table
    base = NumpyMLP.name
    width = 24
    header = f"{'benchmark':44s}" + "".join(f"{n:>{width}s}" for n in names)
    lines = [header, "-" * len(header)]
    json_rows = []
    for label, unit, res in rows:
        scale = 1e3 if unit == "ms" else 1e6
        cells, jr = [], {"benchmark": label, "unit": unit, "results": {}}
        ref = res.get(base, {}).get("median_s")
        for n in names:
            if n not in res:
                cells.append("WRONG" if not checks[n]["ok"] else "-")
                jr["results"][n] = {"status": "WRONG" if not checks[n]["ok"] else "skipped"}
                continue
            med = res[n]["median_s"] * scale
            ratio = res[n]["median_s"] / ref if ref else float("nan")
            cells.append(f"{med:9.3f} {unit} x{ratio:5.2f}" if med < 1000 else f"{med:9.0f} {unit} x{ratio:5.2f}")
            jr["results"][n] = {**res[n], "median": med, "ratio_to_numpy": ratio}
        lines.append(f"{label + ' [' + unit + ']':44s}" + "".join(f"{c:>{width}s}" for c in cells))
        json_rows.append(jr)
    label = f"peak RSS, epoch {epoch_n:,} (child process)"
    cells, jr = [], {"benchmark": label, "unit": "MiB", "results": {}}
    ref = rss.get(base, {}).get("peak_kib")
    for n in names:
        r = rss.get(n) if n in timed else None
        if r is None:
            cells.append("WRONG" if not checks[n]["ok"] else "-")
            jr["results"][n] = {"status": "WRONG"}
        elif "error" in r:
            cells.append("error")
            jr["results"][n] = r
        else:
            ratio = r["peak_kib"] / ref if ref else float("nan")
            cells.append(f"{r['peak_mib']:9.1f} MiB x{ratio:5.2f}")
            jr["results"][n] = {**r, "ratio_to_numpy": ratio}
    lines.append(f"{label + ' [MiB]':44s}" + "".join(f"{c:>{width}s}" for c in cells))
    json_rows.append(jr)
    print()
    print("\n".join(lines))
    print("cells: median (x ratio to the numpy column; < 1 is faster / smaller). "
          f"Data: synthetic, seed {ARGS.seed}." + (" QUICK mode: few repeats, 10,000-sample epoch." if quick else ""))
    print("peak RSS includes the interpreter, the imported libraries and the epoch's data "
          f"({epoch_n * IN * 4 / 2**20:.0f} MiB of float32 x); JSON has the RSS just before the epoch.")

    if ARGS.json:
        meta = {"threads": ARGS.threads, "quick": quick, "numpy": np.__version__, "torch": torch_version,
                "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
                "epoch_samples": epoch_n, "malloc": "system" if ARGS.system_malloc else _MALLOC_ENV, "epoch_batch": EPOCH_BATCH, "seed": ARGS.seed, "lr": LR,
                "data": "synthetic: uniform[0,1) float32 features, uniform random labels 0..9",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
        with open(ARGS.json, "w") as f:
            json.dump({"meta": meta, "checks": checks, "rows": json_rows}, f, indent=2)
        print(f"JSON written to {ARGS.json}")


if __name__ == "__main__":
    if ARGS.rss_child:
        rss_child(ARGS.rss_child, ARGS.epoch_samples)
    else:
        main()
