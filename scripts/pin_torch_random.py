"""Pin PyTorch's random numbers (CPU generator) as test data for tests/test_random.py.

Runs every case of ``tests/random_cases.py`` with ``lib = torch`` and writes the results to
``tests/data/torch_random.npz`` (one array per case name; results of 5000 elements or more as their
SHA-256 digest). tinygrad_sm must reproduce each bit for bit:

    /work/torchenv/bin/python scripts/pin_torch_random.py

PyTorch's float32 ``randn`` of 16 or more elements runs its AVX2 kernel on AVX2 and AVX-512 machines
(the pinned reference); the file records the torch version and CPU capability it was made with.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from random_cases import build_cases, stored  # noqa: E402


def main() -> None:
    arrays = {name: stored(case(torch)) for name, case in build_cases().items()}
    arrays["__meta__/torch_version"] = np.array(torch.__version__)
    arrays["__meta__/cpu_capability"] = np.array(torch.backends.cpu.get_cpu_capability())
    out = ROOT / "tests" / "data" / "torch_random.npz"
    np.savez_compressed(out, **arrays)
    print(f"wrote {len(arrays) - 2} cases to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
