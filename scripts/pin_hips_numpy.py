"""Pin HIPS autograd's values and gradients for the NumPy surface (tests/data/hips_numpy.json).

Run with HIPS autograd installed (the tests never need it):
    PYTHONPATH=.:tests python scripts/pin_hips_numpy.py

The cases are tests/numpy_cases.py, each a function of the NumPy module it is given: here HIPS's
``autograd.numpy``. For each, the output and HIPS's gradient of ``sum(weights * output)`` with respect to
every input (fixed random weights) are written; tests/test_numpy_hips_pinned.py recomputes them with
plain NumPy on tinygrad_sm tensors.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import autograd
import autograd.numpy as anp
import numpy as np
from numpy_cases import CASES

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "hips_numpy.json"


def main() -> None:
    cases = {}
    for name, (inputs, fn) in CASES.items():
        try:
            output = np.asarray(fn(anp, *inputs), dtype=np.float64)
            autograd.grad(lambda *xs, fn=fn: anp.sum(fn(anp, *xs)), 0)(*inputs)
        except Exception as error:  # HIPS has no rule for this spelling: the test checks it by finite differences
            cases[name] = {
                "inputs": [np.asarray(x).tolist() for x in inputs],
                "hips_error": f"{type(error).__name__}: {error}",
            }
            print(f"{name}: HIPS autograd raises {type(error).__name__}: {error}")
            continue
        weights = np.random.default_rng(zlib.crc32(name.encode())).standard_normal(output.shape)
        grads = []
        for position in range(len(inputs)):
            weighted = lambda *xs, fn=fn, weights=weights: anp.sum(weights * fn(anp, *xs))
            grads.append(np.asarray(autograd.grad(weighted, position)(*inputs), dtype=np.float64).tolist())
        cases[name] = {
            "inputs": [np.asarray(x).tolist() for x in inputs],
            "output": output.tolist(),
            "weights": weights.tolist(),
            "grads": grads,
        }
    meta = {"autograd": getattr(autograd, "__version__", "unknown"), "numpy": np.__version__}
    OUT.write_text(json.dumps({"meta": meta, "cases": cases}, indent=None) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
