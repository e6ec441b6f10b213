#!/usr/bin/env python
"""How much a cold cache costs each loss: the loss alone (forward + backward at 128 x 10), timed hot
and again with 8 MB streamed through the caches before every call, as a training step's matmuls do.

    python benchmarks/cache_pollution.py

Prints the median microseconds per call for the composed and fused cross-entropy and the
hand-written NumPy version. See NOTES.md for why this matters: it is where a node's ~4 us in a hot
loop becomes ~10 us inside the benchmark's training step.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tinygrad_sm as tg
from tinygrad_sm import functional as F

ROWS, CLASSES, CALLS = 128, 10, 3000


def main() -> None:
    rng = np.random.default_rng(0)
    stream = np.ones(2_000_000, np.float32)  # 8 MB: more than L2, a quarter of this machine's L3
    logits = tg.Tensor(rng.standard_normal((ROWS, CLASSES)).astype(np.float32), requires_grad=True)
    labels = rng.integers(0, CLASSES, ROWS)
    raw = logits.data

    def composed() -> None:
        F.cross_entropy(logits, labels).backward()
        logits.grad = None

    def fused() -> None:
        F.softmax_cross_entropy_fused(logits, labels).backward()
        logits.grad = None

    def numpy() -> None:
        exp = np.exp(raw - raw.max(axis=1, keepdims=True))
        probs = exp / exp.sum(axis=1, keepdims=True)
        -np.log(probs[np.arange(ROWS), labels]).mean()
        onehot = np.zeros_like(probs)
        onehot[np.arange(ROWS), labels] = 1
        (probs - onehot) / ROWS

    for polluted in (False, True):
        medians = {}
        for name, run in (("composed", composed), ("fused", fused), ("numpy", numpy)):
            samples = []
            for _ in range(CALLS):
                if polluted:
                    stream += 1  # read and write 8 MB
                start = time.perf_counter()
                run()
                samples.append(time.perf_counter() - start)
            medians[name] = np.median(samples) * 1e6
        label = "after streaming 8 MB" if polluted else "hot"
        print(f"{label:>21}: " + "   ".join(f"{name} {us:.1f} us" for name, us in medians.items()))


if __name__ == "__main__":
    main()
