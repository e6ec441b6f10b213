#!/usr/bin/env python
"""CPU time per step of the 784-256-10 MLP step: NumPy by hand, eager and compiled, in one process.

    OPENBLAS_NUM_THREADS=1 python benchmarks/cpu_time.py 1024     # the batch size (default 1024)

On a shared machine the wall-clock harness (bench.py) loses BLAS-bound cells to other jobs; the CPU
time a process spends (``time.process_time``, one BLAS thread) moves much less. Each contender runs
blocks of steps in turn, 7 times; a cell is its fastest block, its ratio that over NumPy's.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
batch = int(next((a for a in sys.argv[1:] if a.isdigit()), "1024"))
sys.argv = sys.argv[:1] + ["--no-torch"]
import bench  # noqa: E402  (parses its own arguments from sys.argv)

rng = np.random.default_rng(0)
weights = [
    (rng.standard_normal((784, 256)) * 0.05).astype(np.float32),
    np.zeros(256, np.float32),
    (rng.standard_normal((256, 10)) * 0.05).astype(np.float32),
    np.zeros(10, np.float32),
]
x, y = rng.random((batch, 784), dtype=np.float32), rng.integers(0, 10, batch)
steps = {
    "numpy": bench.NumpyMLP(weights).step,
    "eager": bench.TinygradMLP(weights).step,
    "compiled": bench.TinygradMLP(weights, compiled=True).step,
}
for step in steps.values():
    for _ in range(5):
        step(x, y)
block = max(3, 40 * 1024 // max(batch, 1) // 8)
best = dict.fromkeys(steps, float("inf"))
for _round in range(7):
    for name, step in steps.items():
        start = time.process_time()
        for _ in range(block):
            step(x, y)
        best[name] = min(best[name], (time.process_time() - start) / block)
print(f"batch {batch}: " + "  ".join(f"{k} {v * 1e6:.0f} us x{v / best['numpy']:.2f}" for k, v in best.items()))
