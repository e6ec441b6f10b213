"""Pin PyTorch's values and gradients for the NumPy surface's PyTorch spellings
(tests/data/torch_numpy_surface.json).

Run with torch installed (the tests never need it):
    PYTHONPATH=.:tests python scripts/pin_torch_numpy_surface.py

The cases are tests/torch_surface_cases.py, each a function of the library it is given: here ``torch``.
For each, the output and PyTorch's gradient of ``sum(weights * output)`` with respect to every input
(fixed random weights) are written; tests/test_numpy_surface_torch_pinned.py recomputes them with
``tinygrad_sm``.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import torch
from torch_surface_cases import CASES

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_numpy_surface.json"


def main() -> None:
    cases = {}
    for name, (inputs, fn) in CASES.items():
        leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
        output = fn(torch, *leaves)
        weights = np.random.default_rng(zlib.crc32(name.encode())).standard_normal(tuple(output.shape))
        (output * torch.tensor(weights)).sum().backward()
        cases[name] = {
            "output": output.detach().numpy().tolist(),
            "weights": weights.tolist(),
            "grads": [leaf.grad.numpy().tolist() if leaf.grad is not None else None for leaf in leaves],
        }
    meta = {"torch": torch.__version__, "numpy": np.__version__}
    OUT.write_text(json.dumps({"meta": meta, "cases": cases}) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
