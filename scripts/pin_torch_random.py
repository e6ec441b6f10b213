"""Pin PyTorch's random numbers (CPU generator) as test data for tests/test_random.py.

Runs every case of ``tests/random_cases.py`` with ``lib = torch`` and writes the results to
``tests/data/torch_random.npz`` (one array per case name; results of 5000 elements or more as their
SHA-256 digest). tinygrad_sm must reproduce each bit for bit:

    /work/torchenv/bin/python scripts/pin_torch_random.py

PyTorch's float32 ``randn`` of 16 or more elements runs its AVX2 kernel on AVX2 and AVX-512 machines
(the pinned reference), and ``bernoulli_(p)`` with a float ``p`` (so ``dropout``) runs its portable
kernel on AMD CPUs and MKL's generator on Intel ones: pin on an AMD machine (the file records the torch
version, CPU capability and vendor it was made with).
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
    vendor = next((line for line in Path("/proc/cpuinfo").read_text().splitlines() if "vendor_id" in line), "")
    arrays["__meta__/cpu_vendor"] = np.array(vendor.split(":")[-1].strip())
    out = ROOT / "tests" / "data" / "torch_random.npz"
    np.savez_compressed(out, **arrays)
    print(f"wrote {len(arrays) - 3} cases to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
